-- Ownership (issue 5): who owns which customer, the nightly proposals, familiar-customer claims,
-- referrals, and a minimal contact log that issue 6's work log extends. Every table is per
-- customer: distributed by customer_id on Citus, its keys include customer_id.

-- At most one primary owner per customer (the partial unique index), any number of co-owners.
CREATE TABLE customer_owners (
  customer_id  text NOT NULL,
  staff_id     text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('primary', 'co')),
  source       text NOT NULL CHECK (source IN ('proposal', 'manual', 'claim', 'referral')),
  since        timestamptz NOT NULL DEFAULT now(),
  assigned_by  text NOT NULL,
  reason       text,
  PRIMARY KEY (customer_id, staff_id)
);
CREATE UNIQUE INDEX customer_owners_one_primary ON customer_owners (customer_id) WHERE kind = 'primary';
-- "my customers" and the ownership scope of the customer list: an index range per staff member
CREATE INDEX customer_owners_staff_idx ON customer_owners (staff_id, customer_id);

-- The nightly step's proposals (ownership.batch.ts): one row per customer and business date; a
-- rerun of the date replaces its open ones. At most one open proposal per customer.
CREATE TABLE ownership_proposals (
  customer_id      text NOT NULL,
  business_date    date NOT NULL,
  branch_id        text NOT NULL,            -- the customer's outlet when proposed
  band             text NOT NULL,            -- aum_band tier the proposal follows
  cause            text NOT NULL CHECK (cause IN ('unassigned', 'role_mismatch', 'tier_changed')),
  priority         integer NOT NULL,         -- value priority within the outlet: 1 first
  staff_id         text NOT NULL,            -- proposed primary owner
  co_staff_ids     text[] NOT NULL DEFAULT '{}',
  current_staff_id text,                     -- the primary owner when proposed
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected', 'superseded')),
  decided_by       text,
  decided_at       timestamptz,
  decided_staff_id text,                     -- who was made owner (the branch head may pick another)
  reason           text,
  PRIMARY KEY (customer_id, business_date)
);
CREATE UNIQUE INDEX ownership_proposals_one_open ON ownership_proposals (customer_id) WHERE status = 'open';
CREATE INDEX ownership_proposals_open_idx ON ownership_proposals (branch_id, priority) WHERE status = 'open';

-- Familiar-customer claims (熟户认养, seed 003): a manager's claim with the facts ticked and
-- the customer-side facts as checked from the data when claimed; the branch head decides.
CREATE TABLE ownership_claims (
  customer_id     text NOT NULL,
  claim_id        text NOT NULL DEFAULT gen_random_uuid()::text,
  staff_id        text NOT NULL,
  branch_id       text NOT NULL,
  manager_facts   text[] NOT NULL,
  customer_facts  jsonb NOT NULL,
  note            text,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  decided_by      text,
  decided_at      timestamptz,
  decision_note   text,
  PRIMARY KEY (customer_id, claim_id)
);
CREATE UNIQUE INDEX ownership_claims_one_pending ON ownership_claims (customer_id, staff_id) WHERE status = 'pending';
CREATE INDEX ownership_claims_branch_idx ON ownership_claims (branch_id, status, created_at DESC);

-- Referrals (seed 003 转介): from a teller or lobby staff to a manager or the outlet's pool,
-- tracked through accepted → contacted → outcome.
CREATE TABLE referrals (
  customer_id   text NOT NULL,
  referral_id   text NOT NULL DEFAULT gen_random_uuid()::text,
  referrer_id   text NOT NULL,
  branch_id     text NOT NULL,               -- the outlet of the referrer
  to_staff_id   text,                        -- NULL: the outlet's pool
  reason        text NOT NULL,
  need          text NOT NULL CHECK (need IN ('wealth', 'deposit', 'fund', 'insurance', 'loan', 'vip_card', 'other')),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'contacted', 'closed')),
  outcome       text CHECK (outcome IN ('signed', 'product_sold', 'declined')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  accepted_by   text,
  accepted_at   timestamptz,
  contacted_at  timestamptz,
  closed_at     timestamptz,
  note          text,
  PRIMARY KEY (customer_id, referral_id)
);
CREATE INDEX referrals_branch_idx ON referrals (branch_id, created_at DESC);
CREATE INDEX referrals_to_idx ON referrals (to_staff_id, status);
CREATE INDEX referrals_referrer_idx ON referrals (referrer_id, created_at DESC);

-- Contacts with a customer (the minimal start of issue 6's work log, which adds to it).
CREATE TABLE contact_log (
  customer_id   text NOT NULL,
  contact_id    text NOT NULL DEFAULT gen_random_uuid()::text,
  staff_id      text NOT NULL,
  contacted_at  timestamptz NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('phone', 'visit', 'branch', 'sms', 'wechat', 'other')),
  outcome       text,
  notes         text,
  PRIMARY KEY (customer_id, contact_id)
);
CREATE INDEX contact_log_customer_idx ON contact_log (customer_id, contacted_at DESC);
