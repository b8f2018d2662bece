-- Service entitlements and the counter's view (issue 22 §2, §3).

-- Versions of the service entitlements policy (serving/entitlements.policies.ts): version 1 is the
-- shipped default (POLICIES "Service entitlements"); a new version says who, why and from which
-- day (China time) it applies. A reference table on Citus.
CREATE TABLE entitlement_policies (
  version        integer PRIMARY KEY,
  document       jsonb NOT NULL,
  effective_from date NOT NULL,
  published_by   text NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  reason         text NOT NULL
);

-- A customer manager marks themself away for a day on My day (no row: available). The lobby
-- manager hands a walk-in customer only to a manager of the outlet available today. A reference table.
CREATE TABLE staff_availability (
  staff_id  text NOT NULL,
  day       date NOT NULL,                 -- China-time day
  away      boolean NOT NULL,
  set_by    text NOT NULL,
  set_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (staff_id, day)
);

-- A walk-in customer handed by the lobby manager to a customer manager on the spot (现场分配);
-- the manager finds it on My day as a work task (a reminder 'counter_handover').
CREATE TABLE counter_handovers (
  customer_id  text COLLATE "C" NOT NULL,
  handover_id  text NOT NULL DEFAULT gen_random_uuid()::text,
  branch_id    text NOT NULL,              -- the lobby manager's outlet
  from_staff   text NOT NULL,              -- the lobby manager
  to_staff     text NOT NULL,              -- the customer manager
  note         text,
  handed_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, handover_id)
);
CREATE INDEX counter_handovers_to_idx ON counter_handovers (to_staff, handed_at DESC);

-- The counter's search (serving/counter.sql.ts): the last four characters of an ID number and a
-- card number, each one index probe (a phone tail and a name already have theirs on customer_overview).
CREATE INDEX customers_id_tail_idx ON customers ((right(id_number, 4))) WHERE id_number IS NOT NULL;
CREATE INDEX cards_card_id_idx ON cards (card_id);
