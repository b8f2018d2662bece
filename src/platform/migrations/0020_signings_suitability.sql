-- VIP signing with its voucher, and suitable products (issue 19 §2 and §3; POLICIES.md "VIP
-- signing" and "Suitability").

-- A request to sign a customer for a VIP card grade. Signed at once when the customer's
-- aum_avg_mtd meets the grade's standard on the day (automatic signing); otherwise it waits for the
-- approver: gold and platinum the branch head of the customer's outlet (any branch head whose
-- branches hold it), diamond the personal banking department. Per customer: distributed by
-- customer_id on Citus, its keys include customer_id.
CREATE TABLE vip_signings (
  customer_id     text COLLATE "C" NOT NULL,
  signing_id      text NOT NULL DEFAULT gen_random_uuid()::text,
  grade           text NOT NULL CHECK (grade IN ('gold', 'platinum', 'diamond')),
  branch_id       text NOT NULL,                  -- the customer's outlet when requested
  requested_by    text NOT NULL,                  -- staff number
  requested_at    timestamptz NOT NULL DEFAULT now(),
  business_date   date NOT NULL,                  -- the latest loaded business date when requested (its card is one issued on or after it)
  -- what the request was judged on: the latest business date with facts, its aum_avg_mtd (null:
  -- no facts yet) and the grades it met
  facts_date      date,
  aum_avg_mtd     numeric(18, 2),
  qualified       text[] NOT NULL,
  -- null: signed at once; else who approves
  approver_role   text CHECK (approver_role IN ('branch_head', 'pb_dept')),
  status          text NOT NULL CHECK (status IN ('pending_approval', 'signed', 'rejected', 'cancelled')),
  decided_by      text,                           -- the approver's staff number
  decided_at      timestamptz,
  decision_reason text,                           -- required when rejected
  agreement_no    text,                           -- its voucher (signing_vouchers), once signed
  cancelled_by    text,
  cancelled_at    timestamptz,
  cancel_reason   text,
  card_issued_by  text,                           -- "card issued" recorded (only with a voucher)
  card_issued_at  timestamptz,
  PRIMARY KEY (customer_id, signing_id),
  CHECK ((status = 'signed') = (agreement_no IS NOT NULL AND cancelled_at IS NULL) OR status = 'cancelled'),
  CHECK (card_issued_at IS NULL OR agreement_no IS NOT NULL)
);
-- one open request or signing per customer and grade
CREATE UNIQUE INDEX vip_signings_one_open ON vip_signings (customer_id, grade) WHERE status IN ('pending_approval', 'signed');
-- the approvers' page: pending requests by approver and outlet
CREATE INDEX vip_signings_pending_idx ON vip_signings (approver_role, branch_id, requested_at) WHERE status = 'pending_approval';
-- the requester's page
CREATE INDEX vip_signings_requester_idx ON vip_signings (requested_by, requested_at DESC);

-- The signing voucher (签约凭证): its six fields, written once when the signing is signed and never
-- edited or deleted (the triggers below refuse it; a cancelled signing keeps its voucher, marked
-- cancelled on vip_signings). Agreement numbers come from one sequence, never reused: 'QY', the
-- China-time day of signing, and the sequence's number (QY2026120500001); the primary key holds
-- them unique across the bank. A table with triggers stays on the Citus coordinator (like the
-- audit trail), where a plain primary key on the number is possible.
CREATE SEQUENCE signing_agreement_seq;
CREATE TABLE signing_vouchers (
  agreement_no     text PRIMARY KEY,
  customer_id      text COLLATE "C" NOT NULL,
  signing_id       text NOT NULL,
  customer_name    text NOT NULL,
  qualified_grades text[] NOT NULL,               -- the grades the customer qualified for on the day
  applied_grade    text NOT NULL CHECK (applied_grade IN ('gold', 'platinum', 'diamond')),
  signed_at        timestamptz NOT NULL
);
CREATE INDEX signing_vouchers_customer_idx ON signing_vouchers (customer_id, signed_at DESC);
CREATE INDEX signing_vouchers_signed_idx ON signing_vouchers (signed_at);

CREATE FUNCTION signing_vouchers_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a signing voucher is never edited or deleted (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER signing_vouchers_never_edited BEFORE UPDATE OR DELETE ON signing_vouchers FOR EACH ROW EXECUTE FUNCTION signing_vouchers_refuse_change();
CREATE TRIGGER signing_vouchers_no_truncate BEFORE TRUNCATE ON signing_vouchers FOR EACH STATEMENT EXECUTE FUNCTION signing_vouchers_refuse_change();

-- A product recommended or proposed to a customer, recorded only when it suits (suitability is
-- checked in the code: the product's risk against the customer's valid assessment; 65 and over,
-- R4/R5 only with a second staff member's confirmation, kept in confirmed_by and audited). What
-- the check saw is kept with it.
CREATE TABLE product_recommendations (
  customer_id       text COLLATE "C" NOT NULL,
  recommendation_id text NOT NULL DEFAULT gen_random_uuid()::text,
  product_code      text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('recommendation', 'proposal')),
  staff_id          text NOT NULL,
  business_date     date NOT NULL,                -- the day of the check
  product_risk      text NOT NULL,
  customer_level    text,                         -- the assessment's level (null: none)
  assessment        text NOT NULL CHECK (assessment IN ('valid', 'missing', 'expired')),
  age               integer,
  confirmed_by      text,                         -- the second staff member (65 and over, R4/R5)
  note              text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (customer_id, recommendation_id)
);
CREATE INDEX product_recommendations_staff_idx ON product_recommendations (staff_id, created_at DESC);
