import type { SqlSession } from '../../platform/db.js';
import type { CustomerMeasure } from './performance.contract.js';

// Manager performance (管户业绩统计, seed 003; POLICIES.md "Manager performance") for a period
// from business date A to business date B, per staff member. Balances are those of the dates'
// snapshots (balance_snapshots, the state at each date's close); what staff did counts on the
// days after A up to and including B, the days whose effect is B − A (a month's report: A is the
// previous month's last business date, B the month's last).
//
// One statement. The customers' figures join owner_history, balance_snapshots on A and B and the
// facts on B on customer_id, grouped by staff: on a Citus cluster each shard sums its customers and
// the coordinator adds the shards' sums. The period's work (contacts, plan items, opportunities,
// referrals) is read through each table's own date.

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

export async function performanceRows(s: SqlSession, q: PerformanceQuery): Promise<PerformanceRow[]> {
  const params: unknown[] = [q.from, q.to, [...q.bandOrder]];
  const staffIs = staffCondition(q, params);
  const narrow = q.staffId !== null || q.branches !== null;
  const rank = (t: string) => `array_position($3::text[], ${t})`;
  const r = await s.query<PerformanceRow>(
    `WITH cust AS (
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
     ), signed AS (
       SELECT ob.staff_id, count(DISTINCT ob.customer_id)::int AS signed
         FROM (${ownedOn('$2', staffIs)}) ob
         JOIN vip_signings v ON v.customer_id = ob.customer_id AND ${signedOn('v', '$2')}
        GROUP BY ob.staff_id
     ), churn AS (
       SELECT oa.staff_id, count(*)::int AS churned, sum(a.aum) AS churned_aum
         FROM (${ownedOn('$1', staffIs)}) oa
         JOIN balance_snapshots a ON a.customer_id = oa.customer_id AND a.business_date = $1::date
         LEFT JOIN balance_snapshots b ON b.customer_id = oa.customer_id AND b.business_date = $2::date
        WHERE b.customer_id IS NULL OR (b.aum = 0 AND a.aum >= 1000)
        GROUP BY oa.staff_id
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
