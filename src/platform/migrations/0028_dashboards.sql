-- The branch and department dashboards (issue 20 §2). What a dashboard would otherwise count over a
-- whole bank's customers, plan items or reminders on every request, the daily batch's dashboards
-- step (src/features/dashboards/dashboards.batch.ts) counts once per business date into these
-- tables; a request sums a few of their rows. Each is rewritten for its date by a rerun.

-- Customers and AUM per branch and aum_band tier on each business date the step ran for: the
-- customers with facts on the date, at their branch then, in their tier on the date. Small (a row
-- per branch, band and date): a reference table on Citus.
CREATE TABLE branch_band_days (
  business_date date NOT NULL,
  branch_id     text NOT NULL,
  band          text NOT NULL,
  customers     integer NOT NULL CHECK (customers >= 0),
  aum           numeric(20, 2) NOT NULL,
  PRIMARY KEY (business_date, branch_id, band)
);

-- Churn (POLICIES "Manager performance"): each customer's standing on a business date, written only
-- where it differs from the standing on the previous loaded date: absent (not in the day's feed),
-- zero (AUM 0), low (AUM above 0 and below 1,000), held (1,000 or more). The standings on A and B
-- of every customer whose standing changed between them are the first change's from and the last
-- change's to; the others did not change. Per customer: distributed by customer_id on Citus.
CREATE TABLE customer_standing_changes (
  customer_id    text COLLATE "C" NOT NULL,
  business_date  date NOT NULL,
  branch_id      text NOT NULL,             -- the customer's branch when the step ran
  from_standing  text NOT NULL CHECK (from_standing IN ('absent', 'zero', 'low', 'held')),
  to_standing    text NOT NULL CHECK (to_standing IN ('absent', 'zero', 'low', 'held')),
  PRIMARY KEY (customer_id, business_date)
);
-- who may have churned in a period: the customers who left the feed or fell to 0 in it (a few of
-- those whose standing changed), from the index alone; their other changes are then read by key
CREATE INDEX customer_standing_changes_gone_idx ON customer_standing_changes (business_date) INCLUDE (customer_id, branch_id)
  WHERE to_standing IN ('absent', 'zero');

-- Contact-plan execution per plan (a staff member's plan of a date): items planned (not removed)
-- and done (contacted). A plan is carried out on its working day and no longer changes once its
-- owner's next plan is made; the step counts the plans of the last 14 days again each night.
-- Per staff member and date: a reference table.
CREATE TABLE plan_figures (
  staff_id   text NOT NULL,
  plan_date  date NOT NULL,
  work_date  date NOT NULL,
  branch_id  text NOT NULL,                -- the owner's outlet when the plan was made
  planned    integer NOT NULL CHECK (planned >= 0),
  done       integer NOT NULL CHECK (done >= 0),
  PRIMARY KEY (staff_id, plan_date)
);
-- a period's plans of a few branches, and of the whole bank
CREATE INDEX plan_figures_branch_idx ON plan_figures (branch_id, work_date);
CREATE INDEX plan_figures_work_idx ON plan_figures (work_date);

-- The events step's risk and opportunity reminders per staff member, date first raised and kind:
-- how many were raised, and of them how many handled (done or dismissed), still open, expired, as
-- they stood when the step last counted them (each night for the last 62 days). A reference table.
CREATE TABLE event_figures (
  staff_id    text NOT NULL,
  first_date  date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('risk', 'opportunity')),
  branch_id   text NOT NULL,               -- the staff member's outlet when counted
  raised      integer NOT NULL CHECK (raised >= 0),
  handled     integer NOT NULL CHECK (handled >= 0),
  open        integer NOT NULL CHECK (open >= 0),
  expired     integer NOT NULL CHECK (expired >= 0),
  PRIMARY KEY (staff_id, first_date, kind)
);
CREATE INDEX event_figures_branch_idx ON event_figures (branch_id, first_date);
CREATE INDEX event_figures_date_idx ON event_figures (first_date);

-- Which business dates the step ran for (a reference table, like worklist_runs).
CREATE TABLE dashboard_runs (
  business_date  date PRIMARY KEY,
  previous_date  date,                     -- the loaded date the standings were compared with
  seconds        numeric(10, 3) NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now()
);

-- The step counts the last 62 days' risk and opportunity reminders from this index, not a scan of
-- every reminder ever made.
CREATE INDEX reminders_raised_idx ON reminders (first_date) WHERE kind IN ('risk', 'opportunity');
-- The referrals and the plan items of a period across the bank (the department's lists and counts),
-- without a pass over every referral and plan ever made.
CREATE INDEX referrals_created_idx ON referrals (created_at) INCLUDE (referrer_id, branch_id, status, outcome);
CREATE INDEX contact_plans_work_idx ON contact_plans (work_date, staff_id);
