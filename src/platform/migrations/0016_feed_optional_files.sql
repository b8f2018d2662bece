-- The feed's optional files and columns (docs/feed-format.md).

-- customers.csv risk_assessed_on: the day of the customer's last risk-tolerance assessment; their
-- risk_level holds for 365 days from it. NULL: the bank does not send the column (or the cell is
-- empty), and the risk_level is taken as valid.
ALTER TABLE customers ADD COLUMN risk_assessed_on date;

-- products.csv issuer: who issues the product (the bank, a fund or insurance company). Kept, read by no rule.
ALTER TABLE products ADD COLUMN issuer text;

-- owners.csv: assignments the bank brings from its old system are made with source 'feed'.
ALTER TABLE customer_owners DROP CONSTRAINT customer_owners_source_check;
ALTER TABLE customer_owners ADD CONSTRAINT customer_owners_source_check
  CHECK (source IN ('proposal', 'manual', 'claim', 'referral', 'feed'));

-- The last owners.csv as delivered (complete whenever present), against which the next one is
-- compared: a customer the next file names as this one did keeps whatever Stratum made of its
-- owners since; a customer it names differently gets the file's owners. Per customer: distributed
-- by customer_id on Citus, like customer_owners.
CREATE TABLE feed_owners (
  customer_id   text COLLATE "C" NOT NULL,
  staff_id      text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('primary', 'co')),
  business_date date NOT NULL,               -- the date of the first owners.csv that said it
  PRIMARY KEY (customer_id, staff_id)
);

-- relations.csv: family relationships between customers. Symmetric, and stored in both directions
-- (C1→C2 parent and C2→C1 child), so that on Citus, distributed by customer_id, every customer's
-- relations are on that customer's shard. relation is what related_customer_id is to customer_id.
CREATE TABLE customer_relations (
  customer_id         text COLLATE "C" NOT NULL,
  related_customer_id text COLLATE "C" NOT NULL,
  relation            text NOT NULL CHECK (relation IN ('spouse', 'parent', 'child', 'sibling', 'other')),
  since               date NOT NULL,         -- the business date that first delivered it
  updated_on          date NOT NULL,
  PRIMARY KEY (customer_id, related_customer_id),
  CHECK (customer_id <> related_customer_id)
);
