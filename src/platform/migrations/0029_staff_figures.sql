-- Manager performance at a whole bank's size (issue 20 §5). A report for A → B would otherwise join
-- every owned customer's balances on A and on B; instead the daily batch's owner_history step sums,
-- for each business date D, the customers each staff member owns as primary owner on D and their
-- balances and holdings on D (a row per staff member and date). A report then reads B's rows for the
-- period's end figures and A's rows for its start, corrected by the few customers whose owner or
-- presence changed between A and B (those with an owner_history interval beginning or ending in the
-- period, or who left the feed or fell to AUM 0 in it: customer_standing_changes). Per staff member
-- and date: a reference table on Citus.
CREATE TABLE staff_figures (
  business_date date NOT NULL,
  staff_id      text NOT NULL,
  customers     integer NOT NULL CHECK (customers >= 0),  -- owned as primary owner on D and in D's feed
  aum           numeric(20, 2) NOT NULL,
  deposits      numeric(20, 2) NOT NULL,
  time_deposit  integer NOT NULL,                         -- of them: holding a time deposit on D
  wealth        integer NOT NULL,
  fund          integer NOT NULL,
  insurance     integer NOT NULL,
  mobile        integer NOT NULL,                         -- using mobile/online channels in the 90 days to D
  PRIMARY KEY (business_date, staff_id)
);

-- The dates summed, and when (a report falls back to reading the balances when A or B is missing).
CREATE TABLE staff_figure_dates (
  business_date date PRIMARY KEY,
  staff         integer NOT NULL,
  seconds       numeric(10, 3) NOT NULL,
  finished_at   timestamptz NOT NULL DEFAULT now()
);

-- The customers whose primary owner changed in a period: intervals beginning or ending in it.
CREATE INDEX owner_history_from_idx ON owner_history (from_date) INCLUDE (customer_id) WHERE kind = 'primary';
CREATE INDEX owner_history_to_idx ON owner_history (to_date) INCLUDE (customer_id) WHERE kind = 'primary' AND to_date IS NOT NULL;
