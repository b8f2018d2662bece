-- The branch head's monthly review (管户效果评估, issue 20 §3): the spot check of familiar
-- customers (熟户抽查), customers' feedback, and the coaching log (绩效沟通辅导). Tables holding a
-- customer's rows carry customer_id first in their keys: on Citus they are distributed by it,
-- co-located with customers (platform/citus.ts places every table with a customer_id column so);
-- the others are a few rows per reviewer or manager: reference tables.

-- A spot check: one per reviewer, month and branch (the reviewer's own, or a branch of their
-- subtree they narrowed it to). The sample is drawn once, when it is made, seeded by review_id:
-- per manager of the branch's subtree the `sample_size` customers whose md5(review_id || ':' ||
-- customer_id) come first among those the manager owns (primary or co) or has claimed (a pending
-- or approved claim), active customers of the subtree only. `managers` are the managers the
-- sample was drawn for (one with no customer is listed with none sampled).
CREATE TABLE spot_checks (
  review_id    text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  reviewer_id  text NOT NULL,
  month        date NOT NULL CHECK (extract(day FROM month) = 1),  -- the month's first day
  branch_id    text NOT NULL,
  sample_size  integer NOT NULL CHECK (sample_size BETWEEN 1 AND 20),
  managers     text[] NOT NULL,
  business_date date NOT NULL,                     -- the latest loaded business date when drawn
  drawn_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reviewer_id, month, branch_id)
);
CREATE INDEX spot_checks_month_idx ON spot_checks (month, branch_id);

-- The sampled customers, one row per customer and manager (a customer owned by a manager and
-- co-owned by a supervisor may be drawn for both), with the reviewer's finding: does the manager
-- know the customer? Who recorded it and when; a finding changed later keeps the latest (the audit
-- trail keeps each).
CREATE TABLE spot_check_items (
  customer_id  text COLLATE "C" NOT NULL,
  review_id    text NOT NULL,
  staff_id     text NOT NULL,
  position     integer NOT NULL,                   -- 1 first in the seeded order
  basis        text NOT NULL CHECK (basis IN ('primary', 'co', 'claim')),  -- why the customer was in the manager's pool
  result       text CHECK (result IN ('familiar', 'not_familiar')),
  note         text,
  checked_by   text,
  checked_at   timestamptz,
  PRIMARY KEY (customer_id, review_id, staff_id)
);
CREATE INDEX spot_check_items_review_idx ON spot_check_items (review_id, staff_id, position);

-- Customers' feedback (客户反馈), per customer: what happened and when, recorded by whoever serves
-- the customer. `owner_id` is the customer's primary owner when it was recorded (whose count it
-- adds to) and `branch_id` the customer's branch then (the reviewers' scope).
CREATE TABLE customer_feedback (
  customer_id  text COLLATE "C" NOT NULL,
  feedback_id  text NOT NULL DEFAULT gen_random_uuid()::text,
  kind         text NOT NULL CHECK (kind IN ('volunteered_private_info', 'asked_for_help', 'contacted_on_own', 'referred_someone')),
  feedback_on  date NOT NULL,
  note         text,
  owner_id     text,
  branch_id    text NOT NULL,
  recorded_by  text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, feedback_id)
);
-- the counts per manager of a period, within a scope of branches
CREATE INDEX customer_feedback_branch_idx ON customer_feedback (branch_id, feedback_on) INCLUDE (owner_id, kind);

-- The coaching log (绩效沟通辅导): per manager, the date, findings, agreed actions and a follow-up
-- date, written by a branch head or the department. The follow-up date is a work task in the
-- author's reminders (customer_id '' : a reminder about no customer; event coaching_follow_up,
-- occurrence the coaching_id), closed when the follow-up is recorded.
CREATE TABLE coaching_records (
  coaching_id     text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  staff_id        text NOT NULL,                   -- the manager coached
  author_id       text NOT NULL,
  coached_on      date NOT NULL,
  findings        text NOT NULL,
  actions         text NOT NULL,
  follow_up_on    date CHECK (follow_up_on > coached_on),
  followed_up_at  timestamptz,
  followed_up_by  text,
  follow_up_note  text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coaching_records_staff_idx ON coaching_records (staff_id, coached_on DESC);
CREATE INDEX coaching_records_author_idx ON coaching_records (author_id, coached_on DESC);
