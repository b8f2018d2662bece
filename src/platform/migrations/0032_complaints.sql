-- Complaints (投诉, issue 22 §1; POLICIES "Complaints"): recorded by any staff member from any
-- channel, owned by whoever recorded them (the first responder) until handed over, with due times
-- for the first response and the resolution by the customer's aum_band at receipt (calendar time
-- from receipt). Per customer: customer_id first in every key, distributed by it on Citus with
-- the customers (platform/citus.ts places every table with a customer_id column so). A complaint
-- of someone who is not a customer has customer_id '' (the prospects' convention, docs/citus.md)
-- and keeps the person's name and phone: personal data, masked like a customer's.
CREATE TABLE complaints (
  customer_id        text COLLATE "C" NOT NULL,          -- '' for a non-customer
  complaint_id       text NOT NULL,
  channel            text NOT NULL CHECK (channel IN ('counter', 'phone', 'online', 'letter', 'regulator')),
  category           text NOT NULL,
  description        text NOT NULL,
  person_name        text,                               -- a non-customer's name
  person_phone       text,                               -- a non-customer's phone
  branch_id          text NOT NULL,                      -- the customer's branch (a non-customer: the recorder's)
  band               text,                               -- the customer's aum_band at receipt (null: none)
  received_at        timestamptz NOT NULL,
  first_response_due timestamptz NOT NULL,
  resolution_due     timestamptz NOT NULL,
  department_due     timestamptz NOT NULL,                -- past it (the resolution limit and half again) unresolved: to the department
  first_response_at  timestamptz,
  resolved_at        timestamptz,                        -- resolved with the customer's answer (null again when reopened)
  closed_at          timestamptz,
  status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'responded', 'resolved', 'reopened', 'escalated', 'closed')),
  customer_answer    text CHECK (customer_answer IN ('satisfied', 'unsatisfied')),
  reopened_once      boolean NOT NULL DEFAULT false,
  root_cause         text CHECK (root_cause IN ('product', 'fees', 'process', 'system', 'staff_conduct', 'waiting_time', 'other')),
  escalation         text NOT NULL DEFAULT 'none' CHECK (escalation IN ('none', 'branch_head', 'department')),
  escalated_at       timestamptz,
  escalation_reason  text CHECK (escalation_reason IN ('first_response_late', 'resolution_late', 'resolution_150', 'unsatisfied_twice')),
  owner_id           text NOT NULL,                      -- the first responder (the recorder) until a hand-over
  recorded_by        text NOT NULL,
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, complaint_id)
);
CREATE INDEX complaints_id_idx ON complaints (complaint_id);
CREATE INDEX complaints_branch_idx ON complaints (branch_id, received_at);
CREATE INDEX complaints_owner_idx ON complaints (owner_id) WHERE status <> 'closed';
CREATE INDEX complaints_open_idx ON complaints (resolution_due) WHERE status <> 'closed';

-- What was done: response, progress and resolution notes, the closing note.
CREATE TABLE complaint_notes (
  customer_id   text COLLATE "C" NOT NULL,
  complaint_id  text NOT NULL,
  note_id       text NOT NULL DEFAULT gen_random_uuid()::text,
  kind          text NOT NULL CHECK (kind IN ('response', 'progress', 'resolution', 'closing')),
  body          text NOT NULL,
  answer        text CHECK (answer IN ('satisfied', 'unsatisfied')),   -- a resolution's customer answer
  written_by    text NOT NULL,
  written_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, complaint_id, note_id)
);

-- Hand-overs of a complaint from one owner to another, with the reason.
CREATE TABLE complaint_handovers (
  customer_id   text COLLATE "C" NOT NULL,
  complaint_id  text NOT NULL,
  handover_id   text NOT NULL DEFAULT gen_random_uuid()::text,
  from_staff    text NOT NULL,
  to_staff      text NOT NULL,
  reason        text NOT NULL,
  handed_by     text NOT NULL,
  handed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, complaint_id, handover_id)
);
