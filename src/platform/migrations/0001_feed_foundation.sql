-- The bank's daily feed (../shared/FEEDS.md) and what is kept per business date.
-- Citus rules from the start: branches, staff and products are small reference tables;
-- every big table carries customer_id (the distribution key), and its primary key,
-- unique constraints and foreign keys between big tables go through customer_id.

CREATE TABLE branches (
  branch_id   text PRIMARY KEY,
  name        text NOT NULL,
  parent_id   text,
  level       text NOT NULL CHECK (level IN ('bank', 'branch', 'sub_branch', 'outlet')),
  active      boolean NOT NULL DEFAULT true,
  updated_on  date NOT NULL
);

CREATE TABLE staff (
  staff_id    text PRIMARY KEY,
  name        text NOT NULL,
  branch_id   text NOT NULL REFERENCES branches (branch_id),
  role        text NOT NULL CHECK (role IN ('branch_head', 'cm_supervisor', 'customer_manager', 'lobby_manager',
                                            'vip_teller', 'counter_teller', 'lobby_assistant', 'pb_dept')),
  active      boolean NOT NULL,
  updated_on  date NOT NULL
);
CREATE INDEX staff_branch_idx ON staff (branch_id);

CREATE TABLE products (
  product_code text PRIMARY KEY,
  name         text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan')),
  risk_level   text NOT NULL CHECK (risk_level IN ('R1', 'R2', 'R3', 'R4', 'R5')),
  min_amount   numeric(18, 2) NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  updated_on   date NOT NULL
);

CREATE TABLE customers (
  customer_id       text PRIMARY KEY,
  name              text NOT NULL,
  gender            text CHECK (gender IN ('M', 'F')),
  birth_date        date,
  id_number         text,
  phone             text,
  branch_id         text NOT NULL REFERENCES branches (branch_id),
  opened_on         date NOT NULL,
  address           text,
  occupation        text,
  annual_income     numeric(18, 2),
  risk_level        text CHECK (risk_level IN ('C1', 'C2', 'C3', 'C4', 'C5')),
  do_not_disturb    boolean NOT NULL,
  marketing_consent boolean NOT NULL,
  -- 'left' when a full snapshot no longer lists the customer (kept: history refers to it)
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
  left_on           date,
  first_seen_on     date NOT NULL,
  updated_on        date NOT NULL
);
CREATE INDEX customers_branch_idx ON customers (branch_id);

CREATE TABLE accounts (
  customer_id  text NOT NULL REFERENCES customers (customer_id),
  account_id   text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan')),
  product_code text REFERENCES products (product_code),
  balance      numeric(18, 2) NOT NULL,
  opened_on    date NOT NULL,
  matures_on   date,
  status       text NOT NULL CHECK (status IN ('active', 'closed')),
  closed_on    date,
  updated_on   date NOT NULL,
  PRIMARY KEY (customer_id, account_id)
);

CREATE TABLE cards (
  customer_id  text NOT NULL REFERENCES customers (customer_id),
  card_id      text NOT NULL,
  grade        text NOT NULL CHECK (grade IN ('ordinary', 'gold', 'platinum', 'diamond')),
  issued_on    date NOT NULL,
  status       text NOT NULL CHECK (status IN ('active', 'cancelled')),
  cancelled_on date,
  updated_on   date NOT NULL,
  PRIMARY KEY (customer_id, card_id)
);

CREATE TABLE loans (
  customer_id  text NOT NULL REFERENCES customers (customer_id),
  loan_id      text NOT NULL,
  principal    numeric(18, 2) NOT NULL,
  outstanding  numeric(18, 2) NOT NULL,
  overdue_days integer NOT NULL CHECK (overdue_days >= 0),
  opened_on    date NOT NULL,
  -- 'repaid' when a full snapshot no longer lists the loan
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'repaid')),
  repaid_on    date,
  updated_on   date NOT NULL,
  PRIMARY KEY (customer_id, loan_id)
);

-- The two biggest tables carry no foreign key: the loader checks every reference set-based before
-- it merges, and a per-row trigger would cost a third of the load time of these tables.
CREATE TABLE transactions (
  customer_id   text NOT NULL,
  txn_id        text NOT NULL,
  account_id    text NOT NULL,
  booked_at     timestamptz NOT NULL,
  -- the date of booked_at in China time (Asia/Shanghai), whatever offset the feed wrote
  booked_on     date NOT NULL,
  amount        numeric(18, 2) NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('counter', 'atm', 'mobile', 'online', 'pos', 'other')),
  counterparty  text,
  business_date date NOT NULL,
  PRIMARY KEY (customer_id, txn_id)
);
-- Rows arrive in date order, so a BRIN index finds a date's transactions for almost nothing;
-- one customer's transactions are found through the primary key's customer_id prefix.
CREATE INDEX transactions_booked_on_brin ON transactions USING brin (booked_on);

-- Balances by kind and AUM per customer and business date, so periods can be compared.
-- AUM = deposits + wealth + funds + insurance of active accounts; loans excluded.
-- Partitioned by month (the loader adds each month's partition): every day writes a row per
-- customer, and a month's index stays small enough to take those writes quickly; old months can
-- later be archived whole.
CREATE TABLE balance_snapshots (
  customer_id       text NOT NULL,
  business_date     date NOT NULL,
  current_balance   numeric(18, 2) NOT NULL,
  time_deposit      numeric(18, 2) NOT NULL,
  wealth            numeric(18, 2) NOT NULL,
  fund              numeric(18, 2) NOT NULL,
  insurance         numeric(18, 2) NOT NULL,
  loan_balance      numeric(18, 2) NOT NULL,
  loans_outstanding numeric(18, 2) NOT NULL,
  deposits          numeric(18, 2) NOT NULL,
  aum               numeric(18, 2) NOT NULL,
  PRIMARY KEY (customer_id, business_date)
) PARTITION BY RANGE (business_date);

-- One row per loaded business date (a reference table: small, read by everyone).
CREATE TABLE business_dates (
  business_date date PRIMARY KEY,
  mode          text NOT NULL CHECK (mode IN ('full', 'delta')),
  content_hash  text NOT NULL,
  file_rows     jsonb NOT NULL,
  seconds       numeric(10, 3) NOT NULL,
  loaded_at     timestamptz NOT NULL DEFAULT now(),
  source        text NOT NULL
);
