-- The active customers of each branch holding an active VIP card (gold or better), beside their
-- number: the customer list's total for a filter of branches and the VIP card alone is then a sum
-- over these few rows too, instead of a count of every cardholder (on Citus, on every shard).
-- Kept with customer_overview like `active` (rebuilt in the same transaction when it is refreshed).
ALTER TABLE overview_branch_counts ADD COLUMN vip integer NOT NULL DEFAULT 0 CHECK (vip >= 0);

DELETE FROM overview_branch_counts;
INSERT INTO overview_branch_counts (branch_id, active, vip)
SELECT branch_id, count(*), count(vip_grade) FROM customer_overview WHERE status = 'active' GROUP BY branch_id;
