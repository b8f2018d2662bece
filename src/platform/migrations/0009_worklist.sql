-- Every morning's work (issue 6): reminders made from the day's events for each owner, the daily
-- contact plan of each owner with the branch head's comments, and the work log (contact_log of
-- 0006, extended). Per-customer tables carry customer_id first in their keys (Citus); the plan
-- headers and comments are per staff member and date (small).

-- A reminder is one occurrence of an event for one owner of the customer (primary and co-owners
-- each get their own, each closes their own). The same occurrence detected again on a later date
-- (a birthday within the week is detected on each of its days) refreshes the open reminder's facts
-- and last_date; a reminder once closed is not reopened by the same occurrence. The reminder step
-- makes `occurrence` unique per occurrence (e.g. a tier change carries its date; a birthday its day).
-- kind work_task: contact due by the contact frequency or the next contact date of the work log.
CREATE TABLE reminders (
  customer_id    text NOT NULL,
  staff_id       text NOT NULL,
  event          text NOT NULL,
  occurrence     text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('risk', 'opportunity', 'information', 'work_task')),
  -- the facts that explain it (amounts, dates, channel, share of AUM…); never an ID number or a phone
  facts          jsonb NOT NULL,
  first_date     date NOT NULL,             -- business date first detected
  last_date      date NOT NULL,             -- business date last detected
  due_on         date NOT NULL,             -- a working day of the official calendar
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dismissed', 'expired')),
  snoozed_until  date,                      -- open but hidden until this date
  closed_reason  text,                      -- required when dismissed
  closed_by      text,
  closed_at      timestamptz,
  contact_id     text,                      -- the work-log entry that closed it
  policy_version integer NOT NULL,
  PRIMARY KEY (customer_id, staff_id, event, occurrence)
);
-- "my day": an owner's open reminders, by kind
CREATE INDEX reminders_staff_open_idx ON reminders (staff_id, kind, due_on) WHERE status = 'open';
CREATE INDEX reminders_staff_date_idx ON reminders (staff_id, last_date);

-- Which business dates reminders and plans were made for (a reference table, like event_runs).
CREATE TABLE worklist_runs (
  business_date  date PRIMARY KEY,
  policy_version integer NOT NULL,
  reminders      integer NOT NULL,
  plans          integer NOT NULL,
  plan_items     integer NOT NULL,
  seconds        numeric(10, 3) NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now()
);

-- The contact plan of one owner for the morning after a business date: a header per staff member
-- and date (the branch head's review lives here), and its items per customer.
CREATE TABLE contact_plans (
  staff_id       text NOT NULL,
  plan_date      date NOT NULL,             -- the business date whose data made it
  work_date      date NOT NULL,             -- the working day it is for (official calendar)
  branch_id      text NOT NULL,             -- the owner's outlet when made
  size           integer NOT NULL,          -- the setting it was made with
  generated_at   timestamptz NOT NULL DEFAULT now(),
  reviewed_by    text,
  reviewed_at    timestamptz,
  PRIMARY KEY (staff_id, plan_date)
);
CREATE INDEX contact_plans_branch_idx ON contact_plans (branch_id, plan_date);

CREATE TABLE contact_plan_items (
  customer_id    text NOT NULL,
  staff_id       text NOT NULL,
  plan_date      date NOT NULL,
  position       integer NOT NULL,          -- 1 first; the owner may reorder
  reason         text NOT NULL CHECK (reason IN ('risk', 'opportunity', 'due_contact', 'next_contact', 'manual')),
  -- why: the reminders behind it, days since the last contact, the frequency…
  facts          jsonb NOT NULL,
  -- do-not-disturb or no marketing consent: service contact only, no marketing action
  service_only   boolean NOT NULL DEFAULT false,
  source         text NOT NULL DEFAULT 'batch' CHECK (source IN ('batch', 'manual')),
  status         text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'contacted', 'removed')),
  changed_by     text,                      -- set when the owner reordered, added or removed it
  contact_id     text,                      -- the work-log entry that carried it out
  PRIMARY KEY (customer_id, staff_id, plan_date)
);
CREATE INDEX contact_plan_items_staff_idx ON contact_plan_items (staff_id, plan_date, position);

-- The branch head's daily review of a plan (seed 003): comments on an owner's plan of a date.
CREATE TABLE contact_plan_comments (
  staff_id       text NOT NULL,
  plan_date      date NOT NULL,
  comment_id     text NOT NULL DEFAULT gen_random_uuid()::text,
  author_id      text NOT NULL,
  body           text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, plan_date, comment_id)
);

-- The work log: each contact with the channel, the outcome, notes, the next contact date (which
-- feeds later plans), and when and from where it was recorded.
ALTER TABLE contact_log ADD COLUMN next_contact_on date;
ALTER TABLE contact_log ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE contact_log ADD COLUMN source text NOT NULL DEFAULT 'customer'
  CHECK (source IN ('plan', 'reminder', 'customer', 'referral', 'reallocation'));
-- a manager's log by day and month (the calendar)
CREATE INDEX contact_log_staff_idx ON contact_log (staff_id, contacted_at);
-- customers whose next contact date has come (the plan step)
CREATE INDEX contact_log_next_idx ON contact_log (next_contact_on) WHERE next_contact_on IS NOT NULL;
