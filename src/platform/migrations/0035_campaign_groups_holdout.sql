-- Campaigns made from a customer group and an approved template (issue 21 §3, §6): the group's
-- members taken on the business date are kept with the campaign, and a share of them (10% by
-- default, a setting per campaign) is held out — recorded, never sent — so that 30 days after the
-- send the AUM change and new opportunities of the recipients can be set against theirs.

-- where a campaign came from, and its holdout; a campaign of the CLI (a customer list, a text)
-- has neither group nor template and holds out no one
ALTER TABLE campaigns ADD COLUMN group_id text;
ALTER TABLE campaigns ADD COLUMN template_id text;
ALTER TABLE campaigns ADD COLUMN template_version integer;
ALTER TABLE campaigns ADD COLUMN taken_on date;                  -- the business date the members were taken on
ALTER TABLE campaigns ADD COLUMN holdout_percent smallint NOT NULL DEFAULT 0 CHECK (holdout_percent BETWEEN 0 AND 50);
ALTER TABLE campaigns ADD COLUMN sent_on date;                   -- the business date when its sending began (results count from it)
ALTER TABLE campaigns ADD COLUMN sent_by text;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_template_version CHECK ((template_id IS NULL) = (template_version IS NULL));

-- A campaign's members: one row per customer of the group on the day it was taken (within the
-- campaign creator's scope). held_out: chosen by a hash of the campaign and the customer, so the
-- same campaign always holds out the same customers. would_skip: for a held-out member, the reason
-- the sender would have skipped them when the campaign was sent (no phone, no consent …), so the
-- comparison sets the recipients against the held-out customers who could have received it.
-- Per customer: distributed by customer_id on Citus, co-located with customers.
CREATE TABLE campaign_members (
  customer_id  text COLLATE "C" NOT NULL,
  campaign_id  text NOT NULL,
  held_out     boolean NOT NULL,
  would_skip   text CHECK (would_skip IN ('no_phone', 'opted_out', 'no_consent', 'do_not_disturb', 'left')),
  PRIMARY KEY (customer_id, campaign_id),
  CHECK (held_out OR would_skip IS NULL)
);
CREATE INDEX campaign_members_campaign_idx ON campaign_members (campaign_id, held_out);
