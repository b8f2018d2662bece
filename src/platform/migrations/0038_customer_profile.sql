-- Knowing the customer (issue 23 §2; POLICIES "Profile completeness"): what staff collect about a
-- customer, with who and when, and how complete each customer's profile is.
--
-- Stratum's own fields (interests, family notes, preferred contact time and channel): one row per
-- customer, written by the staff who collect them.
CREATE TABLE customer_profiles (
  customer_id      text COLLATE "C" NOT NULL,
  interests        text[] NOT NULL DEFAULT '{}',        -- short tags: 书法, 旅游, 子女教育…
  family_notes     text,                                -- "none" / "无": no family to record (counts as filled)
  contact_time     text CHECK (contact_time IN ('morning', 'noon', 'afternoon', 'evening', 'weekend', 'any')),
  contact_channel  text CHECK (contact_channel IN ('phone', 'sms', 'wechat', 'visit', 'counter')),
  updated_by       text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id)
);
CREATE INDEX customer_profiles_interests_idx ON customer_profiles USING gin (interests);

-- Fields the bank's core system holds (phone, address, birth date, occupation, annual income):
-- what staff collect is a proposal, listed in the 个人客户信息梳理表 for entry in the core system.
-- At most one open proposal per customer and field (a newer one supersedes it). The batch closes
-- an open proposal once the feed carries the proposed value ('entered') or another value than the
-- one it carried when the proposal was made ('feed_changed': the feed's value wins).
CREATE TABLE profile_proposals (
  customer_id   text COLLATE "C" NOT NULL,
  proposal_id   text NOT NULL DEFAULT gen_random_uuid()::text,
  field         text NOT NULL CHECK (field IN ('phone', 'address', 'birth_date', 'occupation', 'annual_income')),
  value         text NOT NULL,
  feed_value    text,                                   -- the feed's value when proposed
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'entered', 'feed_changed', 'superseded')),
  proposed_by   text NOT NULL,
  proposed_at   timestamptz NOT NULL DEFAULT now(),
  closed_on     date,                                   -- the business date the batch closed it
  PRIMARY KEY (customer_id, proposal_id)
);
CREATE UNIQUE INDEX profile_proposals_open_idx ON profile_proposals (customer_id, field) WHERE status = 'open';

-- Completeness of each active customer as of the last business date the batch ran for: filled of
-- 9, the fields missing, and since when the customer has been under 7 (a collection task's spell).
CREATE TABLE customer_completeness (
  customer_id    text COLLATE "C" NOT NULL,
  business_date  date NOT NULL,
  branch_id      text NOT NULL,
  filled         smallint NOT NULL,
  missing        text[] NOT NULL,
  below_since    date,                                  -- first date of the current spell under 7 (null: 7 or more)
  assignee       text CHECK (assignee IN ('owner', 'tellers')),   -- who collects while under 7
  PRIMARY KEY (customer_id)
);
CREATE INDEX customer_completeness_branch_idx ON customer_completeness (branch_id, filled);

-- Which business dates completeness was computed for (a reference table, like worklist_runs).
CREATE TABLE profile_runs (
  business_date  date PRIMARY KEY,
  customers      integer NOT NULL,
  below          integer NOT NULL,
  tasks          integer NOT NULL,
  closed         integer NOT NULL,
  seconds        numeric(10, 3) NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now()
);
