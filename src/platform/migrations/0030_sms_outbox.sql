-- Sending short messages through the bank's SMS gateway (issue 21 §3): campaigns, their outbox (one
-- row per campaign and recipient) and the customers' refusals (opt-outs). The sender
-- (src/features/outreach/sms.sender.ts) decides in SQL who is skipped and why, claims a batch of
-- the outbox in one transaction (status sending), posts it and records the gateway's answers; a row
-- left 'sending' by a sender that was stopped is posted again under the same ref, which the gateway
-- treats as the same message (its idempotency key).

-- A campaign: one text to a list of customers. Small: a reference table on Citus.
CREATE TABLE campaigns (
  campaign_id  text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  name         text NOT NULL UNIQUE,
  kind         text NOT NULL CHECK (kind IN ('marketing', 'service')),
  text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
  branch_id    text,                          -- the branch it speaks for; null: bank-wide
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'sending', 'done')),
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  approved_by  text,
  approved_at  timestamptz,
  CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);

-- The outbox: one message per campaign and recipient, never two. ref is Stratum's message id sent
-- to the gateway (its idempotency key), phone the number it went to when sent. marketing is the
-- campaign's kind, kept here so the 7-day count of a customer's marketing messages reads one table.
-- Per customer: distributed by customer_id on Citus.
CREATE TABLE sms_outbox (
  customer_id   text COLLATE "C" NOT NULL,
  campaign_id   text NOT NULL,
  ref           text NOT NULL DEFAULT gen_random_uuid()::text,
  marketing     boolean NOT NULL,
  text          text NOT NULL,
  phone         text,
  status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'skipped', 'sending', 'accepted', 'rejected', 'delivered', 'failed')),
  skip_reason   text CHECK (skip_reason IN ('no_phone', 'opted_out', 'no_consent', 'do_not_disturb', 'weekly_limit', 'left')),
  gateway_id    text,
  reason        text,                         -- the gateway's reason for a rejection or a failed delivery
  attempts      integer NOT NULL DEFAULT 0,
  queued_at     timestamptz NOT NULL DEFAULT now(),
  sent_at       timestamptz,                  -- claimed for sending (the time the 7-day limit counts)
  answered_at   timestamptz,                  -- the gateway accepted or rejected it
  receipt_at    timestamptz,                  -- delivered or failed, as the receipt says
  PRIMARY KEY (campaign_id, customer_id),
  CHECK ((status = 'skipped') = (skip_reason IS NOT NULL))
);
-- the sender: a campaign's next rows of one status, in customer order (a claim, the resend)
CREATE INDEX sms_outbox_status_idx ON sms_outbox (campaign_id, status, customer_id);
-- what waits (stratum sms outbox, sms send): the few rows not yet at their end, of every campaign
CREATE INDEX sms_outbox_waiting_idx ON sms_outbox (campaign_id) WHERE status IN ('queued', 'sending', 'accepted');
-- the delivery receipts: the row of a gateway id
CREATE INDEX sms_outbox_gateway_idx ON sms_outbox (gateway_id) WHERE gateway_id IS NOT NULL;
-- the 2-in-7-days rule: a customer's marketing messages sent lately
CREATE INDEX sms_outbox_marketing_idx ON sms_outbox (customer_id, sent_at) WHERE marketing AND sent_at IS NOT NULL;

-- A customer's refusal of marketing messages (a reply R, TD, T or 退订), from the first one on.
-- Per customer: distributed by customer_id on Citus.
CREATE TABLE sms_opt_outs (
  customer_id  text COLLATE "C" PRIMARY KEY,
  at           timestamptz NOT NULL,
  source       text NOT NULL CHECK (source IN ('sms_reply', 'staff'))
);

-- Delivery receipts that came before the sender had recorded the gateway's answer (a gateway may
-- report a delivery within milliseconds of accepting): kept for 10 minutes and applied when the
-- answer is recorded; one older than that was for a message Stratum never sent, and is dropped.
-- Keyed by the gateway's id, no customer: a reference table on Citus.
CREATE TABLE sms_early_receipts (
  gateway_id   text PRIMARY KEY,
  status       text NOT NULL CHECK (status IN ('delivered', 'failed')),
  at           timestamptz NOT NULL,
  reason       text,
  received_at  timestamptz NOT NULL DEFAULT now()
);
