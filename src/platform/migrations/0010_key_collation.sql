-- Customer, account, transaction, card and loan ids are codes, not words: they are compared,
-- sorted and grouped by their bytes (collation "C"), whatever locale the database was created
-- with. Under a linguistic locale (en_US.UTF-8, zh_CN.UTF-8, even C.UTF-8 before PostgreSQL 17)
-- every comparison of an id goes through strcoll and sorts lose their abbreviated keys: sorting a
-- day's 30 million transactions by (customer_id, txn_id) took 2.5 times as long. Ids are ASCII, so
-- their order does not change. Every table's id columns change together, so that a join between
-- two tables compares under one collation and probes the other table's index; new tables and the
-- loader's staging tables declare their ids the same way (a test checks the schema).
-- Altering the column type rebuilds the indexes that hold it (no table rewrite: the type is the same).
ALTER TABLE customers ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE accounts ALTER COLUMN customer_id TYPE text COLLATE "C", ALTER COLUMN account_id TYPE text COLLATE "C";
ALTER TABLE cards ALTER COLUMN customer_id TYPE text COLLATE "C", ALTER COLUMN card_id TYPE text COLLATE "C";
ALTER TABLE loans ALTER COLUMN customer_id TYPE text COLLATE "C", ALTER COLUMN loan_id TYPE text COLLATE "C";
ALTER TABLE transactions ALTER COLUMN customer_id TYPE text COLLATE "C", ALTER COLUMN txn_id TYPE text COLLATE "C",
  ALTER COLUMN account_id TYPE text COLLATE "C";
ALTER TABLE balance_snapshots ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE customer_overview ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE customer_facts ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE customer_tiers ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE tier_history ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE customer_events ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE customer_owners ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE ownership_proposals ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE ownership_claims ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE referrals ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE contact_log ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE reminders ALTER COLUMN customer_id TYPE text COLLATE "C";
ALTER TABLE contact_plan_items ALTER COLUMN customer_id TYPE text COLLATE "C";
