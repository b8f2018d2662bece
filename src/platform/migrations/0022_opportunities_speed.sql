-- The weekly review at bank scale (issue 19 §5): the week's stage changes after a creation, found by
-- their date across the whole bank (the department's review) without reading every change; the
-- index alone answers (the keys and the stage they went to).
CREATE INDEX opportunity_stages_moved_idx ON opportunity_stages (changed_on) INCLUDE (customer_id, opportunity_id, to_stage, branch_id)
  WHERE from_stage IS NOT NULL;

-- A branch head's opportunities are those of the customers of their branches: the branches'
-- customer numbers read from this index alone (not a heap page per customer), each then the key
-- of its opportunities.
CREATE INDEX customers_branch_key_idx ON customers (branch_id, customer_id);
-- It serves every lookup by branch the index on branch_id alone did: that one goes.
DROP INDEX customers_branch_idx;
