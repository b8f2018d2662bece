-- Sign-in and sessions (issue 3), and the customer overview the customer list reads.

-- A staff member of staff.csv signs in with their staff number as login; the row here holds what
-- the feed does not: the password hash and the lock. Administrators (stratum user create-admin)
-- have no staff row. Small: a reference table on Citus.
CREATE TABLE user_accounts (
  login               text PRIMARY KEY,
  staff_id            text UNIQUE REFERENCES staff (staff_id),
  is_admin            boolean NOT NULL DEFAULT false,
  display_name        text,
  -- scrypt$N$r$p$salt$hash (node:crypto); NULL until a password is set
  password_hash       text,
  password_changed_at timestamptz,
  failed_attempts     integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  last_sign_in_at     timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (is_admin OR staff_id IS NOT NULL)
);

-- Server-side sessions: the cookie holds a random token, this table only its SHA-256.
CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  login        text NOT NULL REFERENCES user_accounts (login) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_login_idx ON sessions (login);

-- One row per customer with what the customer list filters and sorts on, refreshed set-based
-- after each load (customers.overview.ts). Distributed by customer_id like customers.
CREATE TABLE customer_overview (
  customer_id  text PRIMARY KEY,
  branch_id    text NOT NULL,
  name         text NOT NULL,
  phone_tail   text,
  opened_on    date NOT NULL,
  status       text NOT NULL,
  aum          numeric(18, 2) NOT NULL,
  aum_date     date,
  -- highest active VIP card grade (gold < platinum < diamond), NULL without one
  vip_grade    text
);
-- the list's usual shapes: a branch sorted by AUM, the whole scope sorted by AUM, searches
CREATE INDEX customer_overview_branch_aum_idx ON customer_overview (branch_id, aum DESC, customer_id);
CREATE INDEX customer_overview_aum_idx ON customer_overview (aum DESC, customer_id);
-- byte order ("C"): serves both a name search (LIKE '王%') and the sort by name, in one index
CREATE INDEX customer_overview_name_idx ON customer_overview ((name COLLATE "C"), customer_id);
CREATE INDEX customer_overview_id_prefix_idx ON customer_overview (customer_id text_pattern_ops);
CREATE INDEX customer_overview_phone_tail_idx ON customer_overview (phone_tail);
CREATE INDEX customer_overview_opened_idx ON customer_overview (opened_on);
