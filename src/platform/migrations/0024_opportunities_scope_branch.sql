-- Whose branch an opportunity belongs to for the branch heads who see it: the branch of its
-- customer (or, for a prospect's, the owner's outlet, as branch_id). A branch head's opportunities
-- are then read through this index: those of the branches, each checked against its customer's
-- branch now (one lookup by key). Before, every customer of the branches was looked up among the
-- opportunities, most of them having none (6,554 lookups for 935 opportunities of one outlet).
-- Set when an opportunity is made, moved to a customer or handed to another owner; the daily batch
-- (the opportunities step) follows a customer who moved to another branch, the night of the load.
ALTER TABLE opportunities ADD COLUMN scope_branch_id text;
UPDATE opportunities o SET scope_branch_id = c.branch_id FROM customers c WHERE c.customer_id = o.customer_id;
UPDATE opportunities SET scope_branch_id = branch_id WHERE scope_branch_id IS NULL;
ALTER TABLE opportunities ALTER COLUMN scope_branch_id SET NOT NULL;
CREATE INDEX opportunities_scope_branch_idx ON opportunities (scope_branch_id, stage, next_step_on);
