-- Greetings (issue 21 §4): the daily batch prepares birthday greetings for each owner's customers
-- and festival greetings for the branch's band_5 customers, in the branch's name, each as a
-- campaign (campaigns, sms_outbox of 0030) that waits as a draft for the branch head's approval;
-- once approved the sender sends it under every marketing rule. This table says what each
-- greeting campaign is for: one row per campaign, a few a day per branch (no customer_id: a
-- reference table on Citus). The campaign's name is made of the same parts, so a rerun of the
-- batch finds the campaign it made and prepares nothing twice.
CREATE TABLE greetings (
  campaign_id    text PRIMARY KEY,
  occasion       text NOT NULL CHECK (occasion IN ('birthday', 'festival')),
  festival       text,                        -- the festival (events policy names), festival greetings only
  occasion_date  date NOT NULL,               -- the birthday or the festival
  branch_id      text NOT NULL,               -- the branch it speaks for; its head approves it
  owner_id       text,                        -- birthday greetings: the manager whose customers they are
  prepared_on    date NOT NULL,               -- the business date of the batch that prepared it
  CHECK ((occasion = 'festival') = (festival IS NOT NULL)),
  CHECK ((occasion = 'birthday') = (owner_id IS NOT NULL))
);
-- the heads' list: their branches' greetings, the next occasions first
CREATE INDEX greetings_branch_idx ON greetings (branch_id, occasion_date);
