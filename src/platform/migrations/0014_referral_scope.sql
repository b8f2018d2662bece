-- A referral a manager accepted opens its customer to them until it closes (access.scope.ts): the
-- scope of every request of an owning role looks those up by the manager, so they are indexed by
-- the manager, only while open (a few rows per manager).
CREATE INDEX referrals_in_progress_idx ON referrals (accepted_by, customer_id) WHERE status IN ('accepted', 'contacted');
