-- Opportunities (商机), the branch head's weekly review, and prospects (递进沟通表) — issue 19 §1
-- and §4; POLICIES.md "Opportunities". Exact rules (stages in order, stale after 7 days past the
-- next step or 30 days in one stage) are in src/features/opportunities.

-- People who are not customers yet, owned by a staff member and seen by the owner's outlet (a
-- manager their own, a branch head the branch's, the department all). Their phone and ID number are
-- personal data, masked like customers' and revealed only with a reason (audited). The daily batch
-- turns an open prospect into the customer it becomes (same ID number, or same phone and name) and
-- records which: `converted_customer`. Not a customers' table (no customer_id column): a reference
-- table on Citus, a few rows per manager.
CREATE TABLE prospects (
  prospect_id        text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  name               text NOT NULL,
  phone              text,                           -- 11 digits, as the feed keeps customers' phones
  id_number          text,                           -- 18 characters, optional
  source             text NOT NULL CHECK (source IN ('walk_in', 'referral', 'campaign', 'other')),
  notes              text,
  owner_id           text NOT NULL,                  -- staff number
  branch_id          text NOT NULL,                  -- the owner's outlet
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'converted', 'closed')),
  converted_customer text COLLATE "C",               -- the customer it became
  converted_on       date,                           -- the business date it did
  created_by         text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'converted') = (converted_customer IS NOT NULL)),
  CHECK (phone IS NOT NULL OR id_number IS NOT NULL)
);
CREATE INDEX prospects_owner_idx ON prospects (owner_id, status, created_at DESC);
CREATE INDEX prospects_branch_idx ON prospects (branch_id, status, created_at DESC);
-- the batch's matching: open prospects by ID number, by phone
CREATE INDEX prospects_open_id_idx ON prospects (id_number) WHERE status = 'open' AND id_number IS NOT NULL;
CREATE INDEX prospects_open_phone_idx ON prospects (phone) WHERE status = 'open' AND phone IS NOT NULL;

-- Contacts with a prospect: the same entries as the work log's (contact_log), kept here until the
-- prospect becomes a customer, when the batch moves them into contact_log under the customer.
CREATE TABLE prospect_contacts (
  prospect_id     text NOT NULL REFERENCES prospects (prospect_id),
  contact_id      text NOT NULL DEFAULT gen_random_uuid()::text,
  staff_id        text NOT NULL,
  contacted_at    timestamptz NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('phone', 'visit', 'branch', 'sms', 'wechat', 'other')),
  outcome         text,
  notes           text,
  next_contact_on date,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (prospect_id, contact_id)
);
-- the 递进沟通表 of a manager or a scope between two days
CREATE INDEX prospect_contacts_staff_idx ON prospect_contacts (staff_id, contacted_at);
CREATE INDEX prospect_contacts_time_idx ON prospect_contacts (contacted_at);

-- A contact moved from a prospect keeps where it came from.
ALTER TABLE contact_log DROP CONSTRAINT contact_log_source_check;
ALTER TABLE contact_log ADD CONSTRAINT contact_log_source_check
  CHECK (source IN ('plan', 'reminder', 'customer', 'referral', 'reallocation', 'prospect'));

-- One opportunity of a customer (or of a prospect) for a target: a product kind, a named product,
-- or VIP signing. Per customer: distributed by customer_id on Citus. A prospect's opportunity has
-- the empty customer_id (a distribution key is never NULL) and its prospect_id; when the prospect
-- becomes a customer the batch moves it under the customer (keeping prospect_id: where it began).
-- Open while in identified … proposed, with a next step and its date; closed won or lost (with a
-- reason). Its days are business dates, as every date of the API ("today" is the latest loaded
-- business date): created_on, closed_on and stage_since, the day of the last stage change. Stale
-- after 30 days in one stage, or 7 days past the next step's date, counted against the business date.
CREATE TABLE opportunities (
  customer_id     text COLLATE "C" NOT NULL,
  opportunity_id  text NOT NULL DEFAULT gen_random_uuid()::text,
  prospect_id     text,
  target_type     text NOT NULL CHECK (target_type IN ('product_kind', 'product', 'vip_signing')),
  target_code     text,                            -- the product kind or the product code
  source          text NOT NULL CHECK (source IN ('event', 'contact', 'referral', 'walk_in', 'campaign')),
  source_ref      text,                            -- the reminder (event/occurrence), contact, referral or campaign
  stage           text NOT NULL DEFAULT 'identified'
                  CHECK (stage IN ('identified', 'contacted', 'needs_confirmed', 'proposed', 'won', 'lost')),
  stage_since     date NOT NULL,
  expected_amount numeric(18, 2) CHECK (expected_amount >= 0),
  next_step       text,
  next_step_on    date,
  notes           text,
  lost_reason     text,
  owner_id        text NOT NULL,                   -- the staff member who works it
  branch_id       text NOT NULL,                   -- the owner's outlet (the weekly review's)
  created_by      text NOT NULL,
  created_on      date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  closed_on       date,
  closed_at       timestamptz,
  PRIMARY KEY (customer_id, opportunity_id),
  CHECK (customer_id <> '' OR prospect_id IS NOT NULL),
  CHECK ((target_type = 'vip_signing') = (target_code IS NULL)),
  CHECK ((stage IN ('won', 'lost')) = (closed_at IS NOT NULL)),
  CHECK ((closed_on IS NULL) = (closed_at IS NULL)),
  CHECK (stage IN ('won', 'lost') OR (next_step IS NOT NULL AND next_step_on IS NOT NULL)),
  CHECK (stage <> 'lost' OR lost_reason IS NOT NULL)
);
-- one opportunity by its id (the API's address): on Citus every shard looks, then the key is used
CREATE INDEX opportunities_id_idx ON opportunities (opportunity_id);
-- "my opportunities": an owner's board and table, by stage and next step
CREATE INDEX opportunities_owner_idx ON opportunities (owner_id, stage, next_step_on);
CREATE INDEX opportunities_owner_closed_idx ON opportunities (owner_id, closed_at DESC) WHERE closed_at IS NOT NULL;
-- a branch's: the review's table, created and closed in a week, stale (next step, stage)
CREATE INDEX opportunities_branch_idx ON opportunities (branch_id, stage, next_step_on);
CREATE INDEX opportunities_branch_created_idx ON opportunities (branch_id, created_on);
CREATE INDEX opportunities_branch_closed_idx ON opportunities (branch_id, closed_on) WHERE closed_on IS NOT NULL;
CREATE INDEX opportunities_open_step_idx ON opportunities (branch_id, next_step_on) WHERE closed_at IS NULL;
CREATE INDEX opportunities_open_stage_idx ON opportunities (branch_id, stage_since) WHERE closed_at IS NULL;
-- the batch: open ones whose next step is due or past, or long in one stage (the whole bank)
CREATE INDEX opportunities_due_idx ON opportunities (next_step_on) WHERE closed_at IS NULL;
CREATE INDEX opportunities_stage_since_idx ON opportunities (stage_since) WHERE closed_at IS NULL;
CREATE INDEX opportunities_prospect_idx ON opportunities (prospect_id) WHERE prospect_id IS NOT NULL;

-- The opportunities step's open reminders (a next step due, a stale opportunity): the step expires
-- those no longer called for without reading every open reminder of the bank.
CREATE INDEX reminders_opportunity_open_idx ON reminders (customer_id, staff_id, event, occurrence)
  WHERE status = 'open' AND event IN ('opportunity_due', 'opportunity_stale');

-- Every stage an opportunity took: seq 1 is its creation (from_stage NULL), then each change with
-- who and when (changed_on: the business date); branch_id is the owner's outlet then (the weekly
-- review counts the week's moves).
CREATE TABLE opportunity_stages (
  customer_id    text COLLATE "C" NOT NULL,
  opportunity_id text NOT NULL,
  seq            integer NOT NULL,
  from_stage     text,
  to_stage       text NOT NULL,
  changed_by     text NOT NULL,
  changed_at     timestamptz NOT NULL,
  changed_on     date NOT NULL,
  branch_id      text NOT NULL,
  reason         text,                             -- a lost one's reason
  PRIMARY KEY (customer_id, opportunity_id, seq)
);
CREATE INDEX opportunity_stages_branch_idx ON opportunity_stages (branch_id, changed_on);

-- The branch head's weekly review (seed 003): saved with its date (one per reviewer and date; saved
-- again, it is updated) and the figures per manager as they stood. A few rows a week: a reference
-- table on Citus.
CREATE TABLE opportunity_reviews (
  review_id    text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  reviewer_id  text NOT NULL,
  review_date  date NOT NULL,
  branch_id    text,                               -- the branch it was narrowed to (NULL: the reviewer's scope)
  figures      jsonb NOT NULL,
  saved_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reviewer_id, review_date)
);
CREATE INDEX opportunity_reviews_date_idx ON opportunity_reviews (review_date);

-- A review's comment on one opportunity (one per opportunity and review), which its owner sees.
CREATE TABLE opportunity_comments (
  customer_id    text COLLATE "C" NOT NULL,
  opportunity_id text NOT NULL,
  review_id      text NOT NULL,
  author_id      text NOT NULL,
  body           text NOT NULL,
  review_date    date NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, opportunity_id, review_id)
);
CREATE INDEX opportunity_comments_review_idx ON opportunity_comments (review_id);
CREATE INDEX opportunity_comments_opportunity_idx ON opportunity_comments (opportunity_id);

-- The 商机管理表 is an export job like the bank's other sheets.
ALTER TABLE export_jobs DROP CONSTRAINT export_jobs_kind_check;
ALTER TABLE export_jobs ADD CONSTRAINT export_jobs_kind_check CHECK (kind IN ('customer_info', 'contact_log', 'audit', 'opportunities'));
