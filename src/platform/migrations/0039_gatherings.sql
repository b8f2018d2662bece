-- Relationship events (客户活动, issue 21 §5): salons, report meetings and VIP gatherings. An event
-- takes its invitees from a customer group up to its capacity (highest AUM first; a VIP gathering
-- only customers with AUM of 1,000,000 or more), invites them by an SMS campaign (campaigns of
-- 0030/0035) or by a call list for their owners, keeps each invitee's answer and attendance, and
-- after the event gives each attendee's owner a follow-up reminder.

-- The events: a few a month per branch (no customer_id: a reference table on Citus).
CREATE TABLE gatherings (
  gathering_id  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  kind          text NOT NULL CHECK (kind IN ('salon', 'report_meeting', 'vip_gathering')),
  title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 80),
  starts_at     timestamptz NOT NULL,
  event_date    date NOT NULL,                 -- the day of starts_at in China time
  place         text NOT NULL CHECK (length(place) BETWEEN 1 AND 120),
  branch_id     text,                          -- the branch that holds it; null: bank-wide (the department)
  capacity      integer NOT NULL CHECK (capacity BETWEEN 1 AND 2000),
  group_id      text NOT NULL,                 -- the customer group the invitees were taken from
  taken_on      date NOT NULL,                 -- the business date they were taken on
  skipped       jsonb NOT NULL DEFAULT '{}',   -- group members not invited, counted by reason
  status        text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'closed')),
  invited_by    text CHECK (invited_by IN ('sms', 'call_list')),
  campaign_id   text,                          -- the SMS campaign of the invitation
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  closed_by     text,
  closed_at     timestamptz,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX gatherings_branch_date_idx ON gatherings (branch_id, event_date);

-- An event's invitees: one row per customer invited. state: invited, accepted, declined (set by
-- the owner or the organiser), attended (marked at the door), no_show (invited or accepted and not
-- come when the event is closed). aum: the customer's AUM when taken (the order of the choice).
-- Per customer: distributed by customer_id on Citus, co-located with customers.
CREATE TABLE gathering_invitees (
  customer_id   text COLLATE "C" NOT NULL,
  gathering_id  text NOT NULL,
  aum           numeric(18, 2) NOT NULL,
  state         text NOT NULL DEFAULT 'invited' CHECK (state IN ('invited', 'accepted', 'declined', 'attended', 'no_show')),
  changed_by    text,
  changed_at    timestamptz,
  attended_at   timestamptz,
  PRIMARY KEY (customer_id, gathering_id)
);
CREATE INDEX gathering_invitees_event_idx ON gathering_invitees (gathering_id, state);
