import type { Db, SqlSession } from '../../platform/db.js';
import type { CustomerMeasure } from './performance.contract.js';

// Manager performance (管户业绩统计, seed 003; POLICIES.md "Manager performance") for a period
// from business date A to business date B, per staff member. Balances are those of the dates'
// snapshots (balance_snapshots, the state at each date's close); what staff did counts on the
// days after A up to and including B, the days whose effect is B − A (a month's report: A is the
// previous month's last business date, B the month's last).
//
// One statement. The customers' figures come from the batch's sums of A and B (staff_figures, see
// customersFromSums), or, for a date the batch has not summed, from every owned customer's balances
// on A and B (customersFromBalances): the same figures, the second at the cost of a join of the
// bank's owners with two dates' snapshots. Either way grouped by staff: on a Citus cluster each
// shard sums its customers and the coordinator adds the shards' sums. The period's work (contacts,
// plan items, opportunities, referrals) is read through each table's own date.

/** One staff member's figures for the period (sums in yuan as exact decimal strings). */
export interface PerformanceRow {
  staff_id: string;
  name: string;
  role: string;
  branch_id: string;
  branch_name: string;
  active: boolean;
  /** owned as primary owner on B and in the feed on B */
  customers: number;
  aum_end: string;
  aum_start: string;
  deposits_end: string;
  deposits_start: string;
  /** of those customers: in the feed on A too */
  customers_start: number;
  signed: number;
  time_deposit: number;
  wealth: number;
  fund: number;
  insurance: number;
  mobile: number;
  contacts: number;
  plan_done: number;
  plan_items: number;
  up_moves: number;
  down_moves: number;
  /** owned on A; on B out of the feed, or AUM 0 after ≥ 1,000 on A */
  churned: number;
  churned_aum: string;
  opportunities_won: number;
  opportunities_lost: number;
  referrals_sent: number;
  referrals_converted: number;
}

export interface PerformanceQuery {
  from: string;
  to: string;
  /** the staff of these branches (null: every branch) */
  branches: readonly string[] | null;
  /** one staff member only */
  staffId: string | null;
  /** the AUM bands from lowest to highest (tier moves up and down) */
  bandOrder: readonly string[];
}

/** The first instant after a business date's day in China time (the day's contacts end before it). */
const DAY_END = (p: string) => `((${p}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`;

/** Primary owners on a date: an assignment held from from_date until before to_date; `staffIs` narrows h.staff_id. */
export const ownedOn = (dateParam: string, staffIs: (column: string) => string) => `
  SELECT h.customer_id, h.staff_id FROM owner_history h
   WHERE h.kind = 'primary' AND h.from_date <= ${dateParam}::date AND (h.to_date IS NULL OR h.to_date > ${dateParam}::date)
     AND ${staffIs('h.staff_id')}`;

/**
 * Whose lines: one staff member (an index range of owner_history by staff), the staff of some
 * branches, or everyone — as a condition on a staff column, its values bound in `params`. Written
 * out for each case rather than one condition with "or null" tests, which hide from the planner
 * that one manager's few hundred customers are read through the index.
 */
export function staffCondition(q: { branches: readonly string[] | null; staffId: string | null }, params: unknown[]): (column: string) => string {
  if (q.staffId !== null) {
    params.push(q.staffId);
    const p = `$${params.length}::text`;
    return (column) => `${column} = ${p}`;
  }
  if (q.branches) {
    params.push([...q.branches]);
    const p = `$${params.length}::text[]`;
    return (column) => `${column} IN (SELECT st_f.staff_id FROM staff st_f WHERE st_f.branch_id = ANY(${p}))`;
  }
  return () => 'true';
}

/**
 * The net band move of the customer `alias` (band_a, band_b): for the whole bank one aggregate of
 * the period's band changes, hashed; for a few customers a lookup by key per customer.
 */
const movesJoin = (alias: string, narrow: boolean) =>
  narrow
    ? `LEFT JOIN LATERAL (
         SELECT (array_agg(t.from_tier ORDER BY t.business_date))[1] AS band_a, (array_agg(t.to_tier ORDER BY t.business_date DESC))[1] AS band_b
           FROM tier_history t
          WHERE t.customer_id = ${alias}.customer_id AND t.model = 'aum_band' AND t.business_date > $1::date AND t.business_date <= $2::date) m ON true`
    : `LEFT JOIN (${bandMoves('$1', '$2')}) m ON m.customer_id = ${alias}.customer_id`;

/** Net AUM band move of each customer whose band changed on the days after A up to B. */
export const bandMoves = (fromParam: string, toParam: string) => `
  SELECT customer_id,
         (array_agg(from_tier ORDER BY business_date))[1] AS band_a,
         (array_agg(to_tier ORDER BY business_date DESC))[1] AS band_b
    FROM tier_history
   WHERE model = 'aum_band' AND business_date > ${fromParam}::date AND business_date <= ${toParam}::date
   GROUP BY customer_id`;

/** An active VIP signing on B: signed on or before B and not cancelled by then. */
export const signedOn = (alias: string, dateParam: string) =>
  `(${alias}.agreement_no IS NOT NULL
    AND (coalesce(${alias}.decided_at, ${alias}.requested_at) AT TIME ZONE 'Asia/Shanghai')::date <= ${dateParam}::date
    AND (${alias}.cancelled_at IS NULL OR (${alias}.cancelled_at AT TIME ZONE 'Asia/Shanghai')::date > ${dateParam}::date))`;

/**
 * Whether the batch summed the owners' figures of A and B (staff_figures) and recorded every
 * standing change between them (the dashboards step on each loaded date after A up to B, each
 * against the loaded date before it): then the report reads those rows, not every customer's
 * balances.
 */
export async function figuresSummed(s: SqlSession, from: string, to: string): Promise<boolean> {
  const r = await s.query<{ ok: boolean }>(
    `SELECT (SELECT count(*) FROM staff_figure_dates WHERE business_date IN ($1::date, $2::date)) = (CASE WHEN $1::date = $2::date THEN 1 ELSE 2 END)
        AND NOT EXISTS (
              SELECT 1 FROM (SELECT business_date, lag(business_date) OVER (ORDER BY business_date) AS previous_date FROM business_dates) d
                LEFT JOIN dashboard_runs r ON r.business_date = d.business_date AND r.previous_date = d.previous_date
               WHERE d.business_date > $1::date AND d.business_date <= $2::date AND r.business_date IS NULL) AS ok`,
    [from, to],
  );
  return r.rows[0]?.ok === true;
}

/**
 * The customers' figures from every owned customer's balances on A and B (a date the batch has not
 * summed): owners on B joined with B's and A's snapshots and B's facts; churn among the owners on A.
 */
const customersFromBalances = (staffIs: (column: string) => string, narrow: boolean, rank: (t: string) => string) => `
     cust AS (
       SELECT ob.staff_id,
              count(*)::int AS customers,
              sum(b.aum) AS aum_end, sum(a.aum) AS aum_start,
              sum(b.deposits) AS deposits_end, sum(a.deposits) AS deposits_start,
              count(a.customer_id)::int AS customers_start,
              count(*) FILTER (WHERE b.time_deposit > 0)::int AS time_deposit,
              count(*) FILTER (WHERE b.wealth > 0)::int AS wealth,
              count(*) FILTER (WHERE b.fund > 0)::int AS fund,
              count(*) FILTER (WHERE b.insurance > 0)::int AS insurance,
              count(*) FILTER (WHERE f.mobile_txns_90d > 0)::int AS mobile,
              count(*) FILTER (WHERE ${rank('m.band_b')} > ${rank('m.band_a')})::int AS up_moves,
              count(*) FILTER (WHERE ${rank('m.band_b')} < ${rank('m.band_a')})::int AS down_moves
         FROM (${ownedOn('$2', staffIs)}) ob
         JOIN balance_snapshots b ON b.customer_id = ob.customer_id AND b.business_date = $2::date
         LEFT JOIN balance_snapshots a ON a.customer_id = ob.customer_id AND a.business_date = $1::date
         LEFT JOIN customer_facts f ON f.customer_id = ob.customer_id AND f.business_date = $2::date
         ${movesJoin('ob', narrow)}
        GROUP BY ob.staff_id
     ), churn AS (
       SELECT oa.staff_id, count(*)::int AS churned, sum(a.aum) AS churned_aum
         FROM (${ownedOn('$1', staffIs)}) oa
         JOIN balance_snapshots a ON a.customer_id = oa.customer_id AND a.business_date = $1::date
         LEFT JOIN balance_snapshots b ON b.customer_id = oa.customer_id AND b.business_date = $2::date
        WHERE b.customer_id IS NULL OR (b.aum = 0 AND a.aum >= 1000)
        GROUP BY oa.staff_id
     )`;

/** The primary owner of the customer `alias` on a date (one at most: the intervals of a customer do not overlap). */
const ownerOf = (alias: string, dateParam: string) =>
  `SELECT max(h.staff_id) AS staff_id FROM owner_history h
    WHERE h.customer_id = ${alias}.customer_id AND h.kind = 'primary' AND h.from_date <= ${dateParam}::date AND (h.to_date IS NULL OR h.to_date > ${dateParam}::date)`;

/** The customer `alias`'s balances on a date, by key: n = 0 when not in the date's feed (an aggregate, so looked up per customer). */
const snapshotOf = (alias: string, dateParam: string) =>
  `SELECT count(*) AS n, max(x.aum) AS aum, max(x.deposits) AS deposits FROM balance_snapshots x
    WHERE x.customer_id = ${alias}.customer_id AND x.business_date = ${dateParam}::date`;

/**
 * The customers' figures from the batch's sums (staff_figures): B's row gives the end figures and
 * coverage; the start is A's row (the customers owned on A, their balances on A) corrected by the
 * customers whose owner or presence may differ between A and B — an owner_history interval
 * beginning or ending in the period, or a standing change to "absent" or "zero" in it. Any other
 * customer had the same primary owner and was in the feed on A and on B, so counts alike in A's
 * row and in the report's start. Churn is among the same few customers.
 */
const customersFromSums = (staffIs: (column: string) => string, narrow: boolean, rank: (t: string) => string) => `
     changed AS (${narrow
       ? `
       -- of these staff only: their intervals beginning or ending in the period, and their customers on A
       -- whose standing changed to absent or zero in it (the others' changes do not touch their lines)
       SELECT h.customer_id FROM owner_history h
        WHERE h.kind = 'primary' AND ${staffIs('h.staff_id')}
          AND ((h.from_date > $1::date AND h.from_date <= $2::date) OR (h.to_date > $1::date AND h.to_date <= $2::date))
       UNION
       SELECT oa.customer_id FROM (${ownedOn('$1', staffIs)}) oa
        WHERE EXISTS (SELECT 1 FROM customer_standing_changes g
                       WHERE g.customer_id = oa.customer_id AND g.business_date > $1::date AND g.business_date <= $2::date
                         AND g.to_standing IN ('absent', 'zero'))`
       : `
       SELECT customer_id FROM owner_history WHERE kind = 'primary' AND from_date > $1::date AND from_date <= $2::date
       UNION
       SELECT customer_id FROM owner_history WHERE kind = 'primary' AND to_date > $1::date AND to_date <= $2::date
       UNION
       SELECT customer_id FROM customer_standing_changes
        WHERE business_date > $1::date AND business_date <= $2::date AND to_standing IN ('absent', 'zero')`}
     ), delta AS (
       SELECT ch.customer_id, oa.staff_id AS staff_a, ob.staff_id AS staff_b,
              a.n > 0 AS in_a, b.n > 0 AS in_b, a.aum AS aum_a, a.deposits AS deposits_a, b.aum AS aum_b
         FROM changed ch
         -- each looked up by key: a few customers of the bank's million
         LEFT JOIN LATERAL (${ownerOf('ch', '$1')}) oa ON true
         LEFT JOIN LATERAL (${ownerOf('ch', '$2')}) ob ON true
         LEFT JOIN LATERAL (${snapshotOf('ch', '$1')}) a ON true
         LEFT JOIN LATERAL (${snapshotOf('ch', '$2')}) b ON true
     ), start_fix AS (
       SELECT staff_id, sum(aum) AS aum, sum(deposits) AS deposits, sum(n)::int AS n
         FROM (SELECT staff_a AS staff_id, -aum_a AS aum, -deposits_a AS deposits, -1 AS n FROM delta WHERE staff_a IS NOT NULL AND in_a
               UNION ALL
               SELECT staff_b, aum_a, deposits_a, 1 FROM delta WHERE staff_b IS NOT NULL AND in_b AND in_a) x
        WHERE ${staffIs('staff_id')}
        GROUP BY staff_id
     ), moves AS (${narrow
       ? `
       SELECT ob.staff_id,
              count(*) FILTER (WHERE ${rank('m.band_b')} > ${rank('m.band_a')})::int AS up_moves,
              count(*) FILTER (WHERE ${rank('m.band_b')} < ${rank('m.band_a')})::int AS down_moves
         FROM (${ownedOn('$2', staffIs)}) ob
         JOIN balance_snapshots b ON b.customer_id = ob.customer_id AND b.business_date = $2::date
         ${movesJoin('ob', true)}
        GROUP BY ob.staff_id`
       : `
       -- the bank's customers whose band changed in the period, each one's owner on B by key; not in
       -- B's feed only if they left it after their move, which their standing change says (delta)
       SELECT o.staff_id,
              count(*) FILTER (WHERE ${rank('m.band_b')} > ${rank('m.band_a')})::int AS up_moves,
              count(*) FILTER (WHERE ${rank('m.band_b')} < ${rank('m.band_a')})::int AS down_moves
         FROM (${bandMoves('$1', '$2')}) m
         JOIN LATERAL (${ownerOf('m', '$2')}) o ON true
         LEFT JOIN delta gone ON gone.customer_id = m.customer_id AND NOT gone.in_b
        WHERE o.staff_id IS NOT NULL AND gone.customer_id IS NULL
        GROUP BY o.staff_id`}
     ), cust AS (
       SELECT e.staff_id, e.customers,
              e.aum AS aum_end, coalesce(s.aum, 0) + coalesce(fx.aum, 0) AS aum_start,
              e.deposits AS deposits_end, coalesce(s.deposits, 0) + coalesce(fx.deposits, 0) AS deposits_start,
              (coalesce(s.customers, 0) + coalesce(fx.n, 0))::int AS customers_start,
              e.time_deposit, e.wealth, e.fund, e.insurance, e.mobile,
              coalesce(mv.up_moves, 0) AS up_moves, coalesce(mv.down_moves, 0) AS down_moves
         FROM staff_figures e
         LEFT JOIN staff_figures s ON s.business_date = $1::date AND s.staff_id = e.staff_id
         LEFT JOIN start_fix fx ON fx.staff_id = e.staff_id
         LEFT JOIN moves mv ON mv.staff_id = e.staff_id
        WHERE e.business_date = $2::date AND ${staffIs('e.staff_id')}
     ), churn AS (
       SELECT staff_a AS staff_id, count(*)::int AS churned, sum(aum_a) AS churned_aum
         FROM delta
        WHERE staff_a IS NOT NULL AND in_a AND (NOT in_b OR (aum_b = 0 AND aum_a >= 1000)) AND ${staffIs('staff_a')}
        GROUP BY staff_a
     )`;

/**
 * A session for the report on a server: its whole-bank aggregates are hashed in memory and not worth
 * compiling (JIT), which would cost more than the statement.
 */
export function reportSession<T>(db: Db, run: (s: SqlSession) => Promise<T>): Promise<T> {
  return db.transaction(async (s) => {
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off');
    return run(s);
  });
}

export async function performanceRows(s: SqlSession, q: PerformanceQuery & { fromBalances?: boolean }): Promise<PerformanceRow[]> {
  const params: unknown[] = [q.from, q.to, [...q.bandOrder]];
  const staffIs = staffCondition(q, params);
  const narrow = q.staffId !== null || q.branches !== null;
  const rank = (t: string) => `array_position($3::text[], ${t})`;
  const summed = !q.fromBalances && (await figuresSummed(s, q.from, q.to));
  const r = await s.query<PerformanceRow>(
    `WITH ${summed ? customersFromSums(staffIs, narrow, rank) : customersFromBalances(staffIs, narrow, rank)}, signed AS (${summed && !narrow
       ? `
       -- the bank's active signings on B, each one's owner on B by key
       SELECT o.staff_id, count(DISTINCT v.customer_id)::int AS signed
         FROM vip_signings v
         JOIN LATERAL (${ownerOf('v', '$2')}) o ON true
        WHERE ${signedOn('v', '$2')} AND o.staff_id IS NOT NULL
        GROUP BY o.staff_id`
       : `
       SELECT ob.staff_id, count(DISTINCT ob.customer_id)::int AS signed
         FROM (${ownedOn('$2', staffIs)}) ob
         JOIN vip_signings v ON v.customer_id = ob.customer_id AND ${signedOn('v', '$2')}
        GROUP BY ob.staff_id`}
     ), contacts AS (
       SELECT staff_id, count(*)::int AS contacts FROM contact_log
        WHERE contacted_at >= ${DAY_END('$1')} AND contacted_at < ${DAY_END('$2')} AND ${staffIs('staff_id')}
        GROUP BY staff_id
     ), plans AS (
       SELECT staff_id, count(*) FILTER (WHERE status = 'contacted')::int AS plan_done, count(*)::int AS plan_items
         FROM contact_plan_items
        WHERE plan_date > $1::date AND plan_date <= $2::date AND ${staffIs('staff_id')}
        GROUP BY staff_id
     ), opps AS (
       SELECT owner_id AS staff_id, count(*) FILTER (WHERE stage = 'won')::int AS won, count(*) FILTER (WHERE stage = 'lost')::int AS lost
         FROM opportunities
        WHERE closed_on > $1::date AND closed_on <= $2::date AND ${staffIs('owner_id')}
        GROUP BY owner_id
     ), refs AS (
       SELECT referrer_id AS staff_id, count(*)::int AS sent,
              count(*) FILTER (WHERE outcome IN ('signed', 'product_sold'))::int AS converted
         FROM referrals
        WHERE created_at >= ${DAY_END('$1')} AND created_at < ${DAY_END('$2')} AND ${staffIs('referrer_id')}
        GROUP BY referrer_id
     )
     SELECT st.staff_id, st.name, st.role, st.branch_id, br.name AS branch_name, st.active,
            coalesce(cust.customers, 0) AS customers,
            coalesce(cust.aum_end, 0)::numeric(20, 2)::text AS aum_end, coalesce(cust.aum_start, 0)::numeric(20, 2)::text AS aum_start,
            coalesce(cust.deposits_end, 0)::numeric(20, 2)::text AS deposits_end, coalesce(cust.deposits_start, 0)::numeric(20, 2)::text AS deposits_start,
            coalesce(cust.customers_start, 0) AS customers_start,
            coalesce(signed.signed, 0) AS signed,
            coalesce(cust.time_deposit, 0) AS time_deposit, coalesce(cust.wealth, 0) AS wealth, coalesce(cust.fund, 0) AS fund,
            coalesce(cust.insurance, 0) AS insurance, coalesce(cust.mobile, 0) AS mobile,
            coalesce(contacts.contacts, 0) AS contacts,
            coalesce(plans.plan_done, 0) AS plan_done, coalesce(plans.plan_items, 0) AS plan_items,
            coalesce(cust.up_moves, 0) AS up_moves, coalesce(cust.down_moves, 0) AS down_moves,
            coalesce(churn.churned, 0) AS churned, coalesce(churn.churned_aum, 0)::numeric(20, 2)::text AS churned_aum,
            coalesce(opps.won, 0) AS opportunities_won, coalesce(opps.lost, 0) AS opportunities_lost,
            coalesce(refs.sent, 0) AS referrals_sent, coalesce(refs.converted, 0) AS referrals_converted
       FROM staff st
       JOIN branches br ON br.branch_id = st.branch_id
       LEFT JOIN cust ON cust.staff_id = st.staff_id
       LEFT JOIN signed ON signed.staff_id = st.staff_id
       LEFT JOIN churn ON churn.staff_id = st.staff_id
       LEFT JOIN contacts ON contacts.staff_id = st.staff_id
       LEFT JOIN plans ON plans.staff_id = st.staff_id
       LEFT JOIN opps ON opps.staff_id = st.staff_id
       LEFT JOIN refs ON refs.staff_id = st.staff_id
      WHERE ${staffIs('st.staff_id')}
        AND ((st.active AND st.role IN ('customer_manager', 'cm_supervisor'))
             OR cust.staff_id IS NOT NULL OR churn.staff_id IS NOT NULL OR contacts.staff_id IS NOT NULL
             OR plans.staff_id IS NOT NULL OR opps.staff_id IS NOT NULL OR refs.staff_id IS NOT NULL)
      ORDER BY st.branch_id, st.staff_id`,
    params,
  );
  return r.rows;
}


export interface MeasureCustomerRow {
  customer_id: string;
  name: string;
  branch_id: string;
  staff_id: string;
  aum_end: string | null;
  aum_start: string | null;
  deposits_end: string | null;
  deposits_start: string | null;
  band_a: string | null;
  band_b: string | null;
}

/**
 * The customers behind one number of the report: those of a staff member (or of every staff member
 * of the branches) counted in the measure, the largest AUM on A or B first, at most `limit`.
 * `scopeSql` narrows them to the reader's scope (a condition on customers `c`).
 */
export async function measureCustomers(
  s: SqlSession,
  q: PerformanceQuery & { measure: CustomerMeasure; limit: number; offset: number },
  scope: (params: unknown[]) => string,
): Promise<{ rows: MeasureCustomerRow[]; total: number }> {
  const params: unknown[] = [q.from, q.to, [...q.bandOrder]];
  const staffIs = staffCondition(q, params);
  const rank = (t: string) => `array_position($3::text[], ${t})`;
  const churn = q.measure === 'churned';
  const where: Record<CustomerMeasure, string> = {
    customers: 'true',
    signed: `EXISTS (SELECT 1 FROM vip_signings v WHERE v.customer_id = o.customer_id AND ${signedOn('v', '$2')})`,
    time_deposit: 'b.time_deposit > 0',
    wealth: 'b.wealth > 0',
    fund: 'b.fund > 0',
    insurance: 'b.insurance > 0',
    mobile: 'f.mobile_txns_90d > 0',
    up_moves: `${rank('m.band_b')} > ${rank('m.band_a')}`,
    down_moves: `${rank('m.band_b')} < ${rank('m.band_a')}`,
    churned: '(b.customer_id IS NULL OR (b.aum = 0 AND a.aum >= 1000))',
  };
  const scopeCond = scope(params);
  params.push(q.limit, q.offset);
  const r = await s.query<MeasureCustomerRow & { total: number; band_step: number | null }>(
    `SELECT c.customer_id, c.name, c.branch_id, o.staff_id,
            b.aum::text AS aum_end, a.aum::text AS aum_start, b.deposits::text AS deposits_end, a.deposits::text AS deposits_start,
            m.band_a, m.band_b, ${rank('m.band_b')} - ${rank('m.band_a')} AS band_step, count(*) OVER ()::int AS total
       FROM (${ownedOn(churn ? '$1' : '$2', staffIs)}) o
       JOIN customers c ON c.customer_id = o.customer_id
       ${churn ? 'JOIN' : 'LEFT JOIN'} balance_snapshots a ON a.customer_id = o.customer_id AND a.business_date = $1::date
       ${churn ? 'LEFT JOIN' : 'JOIN'} balance_snapshots b ON b.customer_id = o.customer_id AND b.business_date = $2::date
       LEFT JOIN customer_facts f ON f.customer_id = o.customer_id AND f.business_date = $2::date
       ${movesJoin('o', true)}
      WHERE ${where[q.measure]} AND ${scopeCond}
      ORDER BY greatest(coalesce(b.aum, 0), coalesce(a.aum, 0)) DESC, c.customer_id
      LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { rows: r.rows.map(({ total: _t, band_step: _s, ...x }) => x), total: r.rows[0]?.total ?? 0 };
}
