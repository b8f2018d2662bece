-- Active customers per branch, kept with customer_overview (rebuilt in the same transaction when
-- it is refreshed): the customer list's total for a filter of branches alone is a sum over these
-- few rows instead of a count of the branches' customers. A small table: a reference table on Citus.
CREATE TABLE overview_branch_counts (
  branch_id text PRIMARY KEY,
  active    integer NOT NULL CHECK (active >= 0)
);

INSERT INTO overview_branch_counts (branch_id, active)
SELECT branch_id, count(*) FROM customer_overview WHERE status = 'active' GROUP BY branch_id;
