-- The customer list sorted by the newest customers first (opened_on descending, then the customer
-- number): read in that order from this index's first rows, with no sort of the customers opened
-- on the same day. On Citus each shard sends its first rows in order, and the coordinator merges
-- them. It also serves "opened after" (a range of the same column) as the index on opened_on alone
-- did: that one goes.
CREATE INDEX customer_overview_opened_desc_idx ON customer_overview (opened_on DESC, customer_id);
DROP INDEX customer_overview_opened_idx;
