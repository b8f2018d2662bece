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

-- Facts, snapshots and history are written a business date at a time, so a BRIN index on the date
-- finds one date's rows in a month's partition (or in the whole history) for almost nothing, and
-- costs almost nothing to keep up, where a B-tree on a million rows a day would.
CREATE INDEX customer_facts_date_brin ON customer_facts USING brin (business_date);
CREATE INDEX balance_snapshots_date_brin ON balance_snapshots USING brin (business_date);
DROP INDEX tier_history_date_idx;
CREATE INDEX tier_history_date_brin ON tier_history USING brin (business_date);

-- Current tiers, one partition per model: the nightly evaluation of a model joins a million facts
-- with that model's million current tiers, not with every model's (the batch adds a model's
-- partition when it first evaluates it).
ALTER TABLE customer_tiers RENAME TO customer_tiers_unpartitioned;
ALTER INDEX customer_tiers_pkey RENAME TO customer_tiers_unpartitioned_pkey;
DROP INDEX customer_tiers_model_tier_idx;
CREATE TABLE customer_tiers (
  customer_id    text NOT NULL,
  model          text NOT NULL,
  tier           text NOT NULL,
  since          date NOT NULL,
  policy_version integer NOT NULL,
  PRIMARY KEY (customer_id, model)
) PARTITION BY LIST (model);
DO $$
DECLARE m text;
BEGIN
  FOR m IN SELECT DISTINCT model FROM customer_tiers_unpartitioned LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF customer_tiers FOR VALUES IN (%L)', 'customer_tiers_' || replace(m, '.', '_'), m);
  END LOOP;
END $$;
INSERT INTO customer_tiers SELECT customer_id, model, tier, since, policy_version FROM customer_tiers_unpartitioned;
DROP TABLE customer_tiers_unpartitioned;
CREATE INDEX customer_tiers_model_tier_idx ON customer_tiers (model, tier);
