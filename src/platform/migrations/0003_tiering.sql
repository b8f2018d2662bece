-- The tiering engine (issue 4): facts per customer and business date, policies as versioned
-- documents, each customer's current tier per model, and the history of every change.

-- What the models read, per customer and business date (../shared/POLICIES.md "Facts"), kept so
-- that any tier can be explained from the facts that produced it. Partitioned by month like
-- balance_snapshots (the batch adds each month's partition).
CREATE TABLE customer_facts (
  customer_id          text NOT NULL,
  business_date        date NOT NULL,
  aum                  numeric(18, 2) NOT NULL,
  aum_avg_mtd          numeric(18, 2) NOT NULL,
  deposits             numeric(18, 2) NOT NULL,
  deposit_term_months  numeric(10, 4) NOT NULL,
  current_balance      numeric(18, 2) NOT NULL,
  time_deposit         numeric(18, 2) NOT NULL,
  wealth               numeric(18, 2) NOT NULL,
  fund                 numeric(18, 2) NOT NULL,
  insurance            numeric(18, 2) NOT NULL,
  loans_outstanding    numeric(18, 2) NOT NULL,
  loan_count           integer NOT NULL,
  worst_overdue_days   integer NOT NULL,
  spending_90d         numeric(18, 2) NOT NULL,
  txns_90d             integer NOT NULL,
  counter_txns_90d     integer NOT NULL,
  mobile_txns_90d      integer NOT NULL,
  atm_txns_90d         integer NOT NULL,
  pos_txns_90d         integer NOT NULL,
  education_payee_90d  boolean NOT NULL,
  preferred_channel    text,
  -- exact: balances carry cents and the rates three decimals, so a boundary at 0 never flips
  net_contribution     numeric(24, 6) NOT NULL,
  age                  integer,
  annual_income        numeric(18, 2),
  occupation           text,
  risk_level           text,
  tenure_years         integer NOT NULL,
  -- ratios unrounded (numeric without a scale): 5.2万 ÷ 4万 − 1 is exactly 0.30, and 51,999.99 ÷ 40,000 − 1
  -- must stay below it, not round up to it
  aum_growth_90d       numeric,
  product_kinds        integer NOT NULL,
  -- (wealth + fund + insurance) / aum; NULL when aum is 0
  investment_share     numeric,
  PRIMARY KEY (customer_id, business_date)
) PARTITION BY RANGE (business_date);

-- Every version of every policy (a reference table: a few rows per model).
CREATE TABLE policies (
  model          text NOT NULL,
  version        integer NOT NULL,
  document       jsonb NOT NULL,
  effective_from date NOT NULL,
  published_by   text NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  reason         text NOT NULL,
  PRIMARY KEY (model, version)
);

-- Each customer's tier under each model now; written only when it changes.
CREATE TABLE customer_tiers (
  customer_id    text NOT NULL,
  model          text NOT NULL,
  tier           text NOT NULL,
  since          date NOT NULL,
  policy_version integer NOT NULL,
  PRIMARY KEY (customer_id, model)
);
CREATE INDEX customer_tiers_model_tier_idx ON customer_tiers (model, tier);

-- One row per change of tier (upgrade, downgrade, first tier): from, to, date, policy version.
-- from_since lets a rerun of the date put the previous state back before evaluating again.
CREATE TABLE tier_history (
  customer_id    text NOT NULL,
  model          text NOT NULL,
  business_date  date NOT NULL,
  from_tier      text,
  from_since     date,
  from_version   integer,
  to_tier        text NOT NULL,
  policy_version integer NOT NULL,
  PRIMARY KEY (customer_id, model, business_date)
);
CREATE INDEX tier_history_date_idx ON tier_history (model, business_date);

-- Which models were evaluated for which date (dates are evaluated in order; a rerun replaces).
CREATE TABLE tier_runs (
  model          text NOT NULL,
  business_date  date NOT NULL,
  policy_version integer NOT NULL,
  customers      integer NOT NULL,
  changed        integer NOT NULL,
  seconds        numeric(10, 3) NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, business_date)
);
