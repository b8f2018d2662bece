-- The next business date's facts are the previous date's rolling windows brought forward
-- (transactions that entered or left the 90-day window, the month's new snapshots), not a
-- recomputation over every transaction: customer_facts keeps what that needs.

-- the count behind education_payee_90d, so that a payment leaving the window can be taken off
ALTER TABLE customer_facts ADD COLUMN education_txns_90d integer;
-- the month-to-date sum and number of days behind aum_avg_mtd
ALTER TABLE customer_facts ADD COLUMN aum_sum_mtd numeric(22, 2);
ALTER TABLE customer_facts ADD COLUMN aum_days_mtd integer;

-- One row per business date whose facts were computed: from scratch (base_date NULL) or from the
-- facts of base_date. Only dates listed here serve as a base (rows computed before this migration
-- lack the columns above).
CREATE TABLE fact_runs (
  business_date date PRIMARY KEY,
  base_date     date,
  customers     integer NOT NULL,
  seconds       numeric(10, 3) NOT NULL,
  computed_at   timestamptz NOT NULL DEFAULT now()
);

-- A load appends its rows, so every page holds one business date: the transactions loaded after a
-- date are found for almost nothing.
CREATE INDEX transactions_business_date_brin ON transactions USING brin (business_date);
