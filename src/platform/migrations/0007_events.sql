-- Events of the daily batch (issue 6): what the batch detected for a customer on a business date
-- (a birthday within the week, a large outflow, a maturing deposit…), with the facts that explain
-- it. One row per (customer, business date, event, subject): the subject names the thing the event
-- is about (a transaction, an account, a card, a festival, a model; '' when the customer as a
-- whole), so a rerun of the date adds nothing. The same upcoming birthday is detected again each
-- day of its window, each time with that day's facts; reminders are made per (customer, event,
-- subject). A big table: carries customer_id, its key begins with it (Citus), partitioned by month
-- on the business date like customer_facts (the batch adds each month's partition).
CREATE TABLE customer_events (
  customer_id    text NOT NULL,
  business_date  date NOT NULL,
  event          text NOT NULL,
  subject        text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('risk', 'opportunity', 'information', 'work_task')),
  -- amounts, dates, channel, shares, the threshold applied…; never an ID number or a phone
  facts          jsonb NOT NULL,
  -- the working day by which to act (official calendar, make-up working days included)
  due_on         date NOT NULL,
  policy_version integer NOT NULL,
  PRIMARY KEY (customer_id, business_date, event, subject)
) PARTITION BY RANGE (business_date);
-- a date's events are written together: a BRIN index finds them in the month's partition
CREATE INDEX customer_events_date_brin ON customer_events USING brin (business_date);

-- Which business dates events were detected for, with which policy version (a reference table).
CREATE TABLE event_runs (
  business_date  date PRIMARY KEY,
  policy_version integer NOT NULL,
  events         integer NOT NULL,
  seconds        numeric(10, 3) NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now()
);
