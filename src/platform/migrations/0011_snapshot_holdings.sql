-- The balance snapshot of a date also keeps what the tiering facts read from the accounts and
-- loans as they stood on that date: the weighted term of the deposits, the product kinds held, the
-- active loans and their worst overdue days. The facts then read them from the date's snapshot
-- instead of aggregating every account again, and a date's facts no longer depend on what a later
-- day's feed changed in the accounts when that day was loaded before the date's batch ran.
-- (added with a default, which rewrites nothing; the default goes once the rows are filled)
ALTER TABLE balance_snapshots
  ADD COLUMN deposit_term_months numeric(10, 4) NOT NULL DEFAULT 0,
  ADD COLUMN product_kinds integer NOT NULL DEFAULT 0,
  ADD COLUMN loan_count integer NOT NULL DEFAULT 0,
  ADD COLUMN worst_overdue_days integer NOT NULL DEFAULT 0;

-- Snapshots written before: from the accounts and loans as they are now, which is what the facts
-- of those dates read until this migration.
UPDATE balance_snapshots sn
   SET deposit_term_months = CASE WHEN sn.deposits > 0 THEN coalesce(a.term, 0) ELSE 0 END,
       product_kinds = coalesce(a.kinds, 0) + CASE WHEN coalesce(l.n, 0) > 0 AND NOT coalesce(a.loan_account, false) THEN 1 ELSE 0 END,
       loan_count = coalesce(l.n, 0),
       worst_overdue_days = coalesce(l.worst, 0)
  FROM (
    SELECT customer_id,
           sum(balance * CASE WHEN kind = 'time_deposit' AND matures_on IS NOT NULL THEN
                 (extract(year FROM matures_on) - extract(year FROM opened_on)) * 12 + extract(month FROM matures_on) - extract(month FROM opened_on)
                 - CASE WHEN extract(day FROM matures_on) < extract(day FROM opened_on) THEN 1 ELSE 0 END
               ELSE 0 END) FILTER (WHERE kind IN ('current', 'time_deposit'))
             / nullif(sum(balance) FILTER (WHERE kind IN ('current', 'time_deposit')), 0) AS term,
           bool_or(kind = 'current')::int + bool_or(kind = 'time_deposit')::int + bool_or(kind = 'wealth')::int
             + bool_or(kind = 'fund')::int + bool_or(kind = 'insurance')::int + bool_or(kind = 'loan')::int AS kinds,
           bool_or(kind = 'loan') AS loan_account
      FROM accounts WHERE status = 'active' GROUP BY customer_id
  ) a
  FULL JOIN (
    SELECT customer_id, count(*) AS n, max(overdue_days) AS worst FROM loans WHERE status = 'active' GROUP BY customer_id
  ) l ON l.customer_id = a.customer_id
 WHERE sn.customer_id = coalesce(a.customer_id, l.customer_id);

ALTER TABLE balance_snapshots
  ALTER COLUMN deposit_term_months DROP DEFAULT,
  ALTER COLUMN product_kinds DROP DEFAULT,
  ALTER COLUMN loan_count DROP DEFAULT,
  ALTER COLUMN worst_overdue_days DROP DEFAULT;
