-- Households (issue 23 §1): customers joined by relations form a household.

-- Links staff add between two customers (besides the feed's relations.csv), with the customer's
-- consent noted. Stored in both directions like customer_relations (relation: what
-- related_customer_id is to customer_id), so each customer's links are on its own shard on Citus.
CREATE TABLE customer_links (
  customer_id         text COLLATE "C" NOT NULL,
  related_customer_id text COLLATE "C" NOT NULL,
  relation            text NOT NULL CHECK (relation IN ('spouse', 'parent', 'child', 'sibling', 'other')),
  consent_note        text NOT NULL,         -- how the customer agreed (what they signed or said, when)
  consent_on          date NOT NULL,
  created_by          text NOT NULL,         -- the login of the staff member who added it
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, related_customer_id),
  CHECK (customer_id <> related_customer_id)
);

-- The households of each business date, one row per member, written by the daily batch's
-- households step: the connected groups of active customers joined by relations or links.
-- household_id is 'H' and the smallest member's customer_id: the same from day to day while the
-- members are. The head is the member with the highest AUM (the smallest customer_id on a tie);
-- relation_to_head is what the member is to the head ('self' for the head, 'other' for a member
-- related to the head only through others). A customer in no relation is in no household.
CREATE TABLE customer_households (
  customer_id      text COLLATE "C" NOT NULL,
  business_date    date NOT NULL,
  household_id     text COLLATE "C" NOT NULL,
  head_customer_id text COLLATE "C" NOT NULL,
  relation_to_head text NOT NULL CHECK (relation_to_head IN ('self', 'spouse', 'parent', 'child', 'sibling', 'other')),
  members          integer NOT NULL,
  household_aum    numeric(18, 2) NOT NULL,
  household_band   text NOT NULL,
  PRIMARY KEY (customer_id, business_date)
);
CREATE INDEX customer_households_date_idx ON customer_households (business_date, household_id);

-- the customer list's household band column and filter (NULL: in no household)
ALTER TABLE customer_overview ADD COLUMN household_band text;
CREATE INDEX customer_overview_household_band_idx ON customer_overview (household_band, aum DESC, customer_id) WHERE household_band IS NOT NULL;

-- Ownership proposals keep a household with one primary owner (POLICIES "Households"): a member
-- whose primary owner is not the household's gets a proposal with the cause 'household'.
ALTER TABLE ownership_proposals DROP CONSTRAINT ownership_proposals_cause_check;
ALTER TABLE ownership_proposals ADD CONSTRAINT ownership_proposals_cause_check
  CHECK (cause IN ('unassigned', 'role_mismatch', 'tier_changed', 'household'));
