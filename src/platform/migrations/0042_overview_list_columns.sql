-- A page of the customer list is read from customer_overview alone: what a row shows of the
-- customer (gender, phone, masked by the service, the branch's name) and of its two tiers is kept
-- here too. On a
-- Citus cluster a page joined with customers and customer_tiers made each shard join its first
-- rows, or a second statement over the shards for the page's details (measured at 1,000,000
-- customers: 5–9 ms of SQL for a first page against 1.5–2 ms from the overview alone).
-- Kept by the overview's refresh after each load and by the tiering step (customers.overview.ts).
ALTER TABLE customer_overview ADD COLUMN gender text;
ALTER TABLE customer_overview ADD COLUMN phone text;
ALTER TABLE customer_overview ADD COLUMN aum_band text;
ALTER TABLE customer_overview ADD COLUMN relationship_tier text;
ALTER TABLE customer_overview ADD COLUMN branch_name text;
UPDATE customer_overview o SET gender = c.gender, phone = c.phone, branch_name = b.name
  FROM customers c JOIN branches b ON b.branch_id = c.branch_id WHERE c.customer_id = o.customer_id;
UPDATE customer_overview o SET aum_band = t.tier
  FROM customer_tiers t WHERE t.customer_id = o.customer_id AND t.model = 'aum_band';
UPDATE customer_overview o SET relationship_tier = t.tier
  FROM customer_tiers t WHERE t.customer_id = o.customer_id AND t.model = 'relationship_tier';

-- The list sorted by AUM over several branches (a branch head's subtree, a sub-branch), and a
-- deep page (page 20: the first 1,000 rows) are found from this index alone, which holds what
-- they filter on, before the page's 50 rows are read (customers.sql.ts). Measured at 1,000,000
-- customers, four outlets' first page: 76 ms walking the index and reading each row to see its
-- branch, 2.2 ms from the index alone.
DROP INDEX customer_overview_aum_idx;
CREATE INDEX customer_overview_aum_idx ON customer_overview (aum DESC, customer_id) INCLUDE (status, vip_grade, branch_id);

-- The list's total over a range of AUM whose bounds are among the usual steps (50万 to 300万, at
-- least 100万 …), alone or with branches and the VIP card, is a sum of these counts: each branch's
-- active customers and VIP cardholders by the step their AUM is at (below the first step: -1).
-- The steps are AUM_STEPS in customers.overview.ts; the refresh after each load rebuilds the rows.
ALTER TABLE overview_branch_counts ADD COLUMN aum_from numeric(18, 2) NOT NULL DEFAULT 0;
ALTER TABLE overview_branch_counts DROP CONSTRAINT overview_branch_counts_pkey;
DELETE FROM overview_branch_counts;
ALTER TABLE overview_branch_counts ADD PRIMARY KEY (branch_id, aum_from);
INSERT INTO overview_branch_counts (branch_id, aum_from, active, vip)
SELECT branch_id,
       coalesce((ARRAY[0, 10000, 50000, 100000, 200000, 300000, 500000, 1000000, 2000000, 3000000, 5000000, 6000000, 8000000, 10000000, 20000000, 30000000, 50000000, 100000000]::numeric[])
                [width_bucket(aum, ARRAY[0, 10000, 50000, 100000, 200000, 300000, 500000, 1000000, 2000000, 3000000, 5000000, 6000000, 8000000, 10000000, 20000000, 30000000, 50000000, 100000000]::numeric[])], -1),
       count(*), count(vip_grade)
  FROM customer_overview WHERE status = 'active' GROUP BY 1, 2;

-- Marks along the department's whole list sorted by AUM, richest first (and along its VIP
-- cardholders): the AUM and customer number of every 100th customer down to the 10,000th, rebuilt
-- with the overview after each load. A page further down starts from the mark above it: each Citus
-- shard sends the coordinator the rows from that mark (at most 149 ahead of the page) instead of
-- every row from the top (page 20: 1,000 from each shard). A small table: a reference table.
CREATE TABLE overview_marks (
  list            text NOT NULL CHECK (list IN ('all', 'vip')),
  rank            integer NOT NULL CHECK (rank > 0),
  aum             numeric(18, 2) NOT NULL,
  at_customer_id  text COLLATE "C" NOT NULL,
  PRIMARY KEY (list, rank)
);
