-- The department's weekly review of the whole bank, per outlet (issue 19 §5): each figure counted
-- from an index alone, never a pass over every opportunity and its stage changes.
-- Open and stale per outlet: the open ones' outlet, next step and stage start (this replaces the
-- index of open ones by outlet and next step, whose lookups it serves as well).
CREATE INDEX opportunities_open_outlet_idx ON opportunities (branch_id, next_step_on, stage_since) WHERE closed_at IS NULL;
DROP INDEX opportunities_open_step_idx;
-- Created in the week, and won or lost in it (with the amount won), by day across the bank.
CREATE INDEX opportunities_created_idx ON opportunities (created_on) INCLUDE (branch_id);
CREATE INDEX opportunities_closed_idx ON opportunities (closed_on) INCLUDE (branch_id, stage, expected_amount) WHERE closed_on IS NOT NULL;
