-- Reaching out (issue 21 §1–2): customer groups (客户分组) and message templates (短信模板).
-- A group is a saved filter (a few rows per staff member: a reference table on Citus); its
-- membership taken on a date is one row per customer, distributed by customer_id and co-located
-- with customers (platform/citus.ts places every table with a customer_id column so).

-- The product kinds each customer holds on the latest business date, as bits (time deposit 1,
-- wealth 2, fund 4, insurance 8), kept with the customer overview by its refresh
-- (customers/customers.overview.ts): a group's "products held" is then a test on the overview's
-- row, not a probe of a million customers' balances (1,000,000 customers: 1.5 s → the overview's scan).
ALTER TABLE customer_overview ADD COLUMN products smallint NOT NULL DEFAULT 0;

-- A saved filter: `filter` is the JSON the API validates (outreach/groups.contract.ts GroupFilter).
-- `branch_id` is the branch the group belongs to (its creator's): the heads and the department
-- whose scope covers it see it too. Who is in it is always read within the reader's own scope.
CREATE TABLE customer_groups (
  group_id    text PRIMARY KEY DEFAULT gen_random_uuid()::text,
  name        text NOT NULL,
  filter      jsonb NOT NULL,
  branch_id   text NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_groups_branch_idx ON customer_groups (branch_id);
CREATE INDEX customer_groups_creator_idx ON customer_groups (created_by);

-- A group's members as they were on a date (a campaign keeps the date it took them on); taken
-- set-based by one INSERT … SELECT (outreach/groups.sql.ts takeMembership), again on the same
-- date replaces that date's rows.
CREATE TABLE group_members (
  customer_id text COLLATE "C" NOT NULL,
  group_id    text NOT NULL,
  taken_on    date NOT NULL,
  PRIMARY KEY (customer_id, group_id, taken_on)
);
CREATE INDEX group_members_group_idx ON group_members (group_id, taken_on);

-- A message template, every version of it: `template_id` names the template across versions, a
-- version once approved is never edited (an edit makes the next version, a draft). `branch_id`
-- NULL: bank-wide (the department approves); else the branch whose head approves it.
CREATE TABLE message_templates (
  template_id   text NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  name          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('marketing', 'service')),
  body          text NOT NULL,
  branch_id     text,
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  submitted_by  text,
  submitted_at  timestamptz,
  decided_by    text,
  decided_at    timestamptz,
  decision_note text,
  PRIMARY KEY (template_id, version)
);
CREATE INDEX message_templates_branch_idx ON message_templates (branch_id, status);
