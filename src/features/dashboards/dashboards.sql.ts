import type { SqlSession } from '../../platform/db.js';
import { monthPartition } from '../../platform/partitions.js';
import { tiersOnDate } from '../tiering/tiering.sql.js';
import { churnedSql, EVENT_KINDS, NOT_EVENTS, standingSql } from './dashboards.rules.js';

// The only SQL of the dashboards: what the nightly step writes, and what the pages read. A scope of
// branches is a text[] parameter (null: the whole bank).

type Branches = readonly string[] | null;
const arr = (b: Branches) => (b ? [...b] : null);
const KINDS = `ARRAY[${EVENT_KINDS.map((k) => `'${k}'`).join(', ')}]::text[]`;

/** A date read from the database or checked by the contract, before it is written into a statement's text. */
const isoDate = (d: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`not a date: ${d}`);
  return d;
};

/** Whether a table (a month's partition) exists. */
async function tableExists(s: SqlSession, name: string): Promise<boolean> {
  const r = await s.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace`, [name]);
  return r.rows.length > 0;
}

// ── the nightly step ────────────────────────────────────────────────────────────────────────

/** The loaded business date before D, or null. */
export async function previousLoadedDate(s: SqlSession, businessDate: string): Promise<string | null> {
  const r = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM business_dates WHERE business_date < $1::date', [businessDate]);
  return r.rows[0]?.d ?? null;
}

/**
 * Customers and AUM per branch and tier of the band model on D: the customers with facts on D, in
 * their tier on D (the current one, or the one a later change ended), at their branch. Nothing when
 * D has no facts (its tiering has not run).
 */
export async function writeBandDay(s: SqlSession, businessDate: string, model: string): Promise<number> {
  await s.query('DELETE FROM branch_band_days WHERE business_date = $1::date', [businessDate]);
  const facts = monthPartition('customer_facts', businessDate);
  if (!(await tableExists(s, facts))) return 0;
  const r = await s.query(
    `INSERT INTO branch_band_days (business_date, branch_id, band, customers, aum)
     SELECT $2::date, c.branch_id, t.tier, count(*), coalesce(sum(f.aum), 0)
       FROM (${tiersOnDate('$2')}) t
       JOIN ${facts} f ON f.customer_id = t.customer_id AND f.business_date = $2::date
       JOIN customers c ON c.customer_id = t.customer_id
      GROUP BY c.branch_id, t.tier`,
    [model, businessDate],
  );
  return r.rowCount;
}

/**
 * Each customer's standing on D where it differs from their standing on P, the loaded date before
 * (none when D is the first): those in D's snapshot, then those in P's and not in D's (left the feed).
 * Two statements, each joining the two dates' snapshots on the customer (on Citus, shard by shard).
 */
export async function writeStandingChanges(s: SqlSession, businessDate: string, previousDate: string | null): Promise<number> {
  await s.query('DELETE FROM customer_standing_changes WHERE business_date = $1::date', [businessDate]);
  if (!previousDate) return 0;
  const onD = monthPartition('balance_snapshots', businessDate);
  const onP = monthPartition('balance_snapshots', previousDate);
  if (!(await tableExists(s, onD)) || !(await tableExists(s, onP))) return 0;
  const d = `'${isoDate(businessDate)}'::date`;
  const p = `'${isoDate(previousDate)}'::date`;
  const present = await s.query(
    `INSERT INTO customer_standing_changes (customer_id, business_date, branch_id, from_standing, to_standing)
     SELECT b.customer_id, ${d}, c.branch_id, ${standingSql('a')}, ${standingSql('b')}
       FROM ${onD} b
       JOIN customers c ON c.customer_id = b.customer_id
       LEFT JOIN ${onP} a ON a.customer_id = b.customer_id AND a.business_date = ${p}
      WHERE b.business_date = ${d} AND ${standingSql('a')} <> ${standingSql('b')}`,
  );
  const gone = await s.query(
    `INSERT INTO customer_standing_changes (customer_id, business_date, branch_id, from_standing, to_standing)
     SELECT a.customer_id, ${d}, c.branch_id, ${standingSql('a')}, 'absent'
       FROM ${onP} a
       JOIN customers c ON c.customer_id = a.customer_id
      WHERE a.business_date = ${p}
        AND NOT EXISTS (SELECT 1 FROM ${onD} b WHERE b.customer_id = a.customer_id AND b.business_date = ${d})`,
  );
  return present.rowCount + gone.rowCount;
}

/** Planned and done of every plan made from D − days to D, counted again. The number of plans. */
export async function writePlanFigures(s: SqlSession, businessDate: string, days: number): Promise<number> {
  await s.query('DELETE FROM plan_figures WHERE plan_date BETWEEN $1::date - $2::int AND $1::date', [businessDate, days]);
  const r = await s.query(
    `INSERT INTO plan_figures (staff_id, plan_date, work_date, branch_id, planned, done)
     SELECT p.staff_id, p.plan_date, p.work_date, p.branch_id, coalesce(i.planned, 0), coalesce(i.done, 0)
       FROM contact_plans p
       LEFT JOIN (
         SELECT i.staff_id, i.plan_date, count(*) FILTER (WHERE i.status <> 'removed') AS planned, count(*) FILTER (WHERE i.status = 'contacted') AS done
           FROM contact_plan_items i JOIN contact_plans ip ON ip.staff_id = i.staff_id AND ip.plan_date = i.plan_date
          WHERE ip.plan_date BETWEEN $1::date - $2::int AND $1::date AND i.plan_date BETWEEN $1::date - $2::int AND $1::date
          GROUP BY i.staff_id, i.plan_date
       ) i ON i.staff_id = p.staff_id AND i.plan_date = p.plan_date
      WHERE p.plan_date BETWEEN $1::date - $2::int AND $1::date`,
    [businessDate, days],
  );
  return r.rowCount;
}

/** The events step's risk and opportunity reminders raised from D − days to D, per staff member, date and kind, by how they stand now. */
export async function writeEventFigures(s: SqlSession, businessDate: string, days: number): Promise<number> {
  await s.query('DELETE FROM event_figures WHERE first_date BETWEEN $1::date - $2::int AND $1::date', [businessDate, days]);
  const r = await s.query(
    `INSERT INTO event_figures (staff_id, first_date, kind, branch_id, raised, handled, open, expired)
     SELECT r.staff_id, r.first_date, r.kind, coalesce(st.branch_id, ''), sum(r.n), sum(r.handled), sum(r.open), sum(r.expired)
       FROM (SELECT staff_id, first_date, kind, count(*) AS n,
                    count(*) FILTER (WHERE status IN ('done', 'dismissed')) AS handled,
                    count(*) FILTER (WHERE status = 'open') AS open,
                    count(*) FILTER (WHERE status = 'expired') AS expired
               FROM reminders
              WHERE kind IN ('risk', 'opportunity') AND first_date BETWEEN $1::date - $2::int AND $1::date AND NOT (event = ANY($3::text[]))
              GROUP BY staff_id, first_date, kind) r
       LEFT JOIN staff st ON st.staff_id = r.staff_id
      GROUP BY r.staff_id, r.first_date, r.kind, coalesce(st.branch_id, '')`,
    [businessDate, days, [...NOT_EVENTS]],
  );
  return r.rowCount;
}

export async function recordRun(s: SqlSession, businessDate: string, previousDate: string | null, seconds: number): Promise<void> {
  await s.query(
    `INSERT INTO dashboard_runs (business_date, previous_date, seconds, finished_at) VALUES ($1::date, $2::date, $3, now())
     ON CONFLICT (business_date) DO UPDATE SET previous_date = EXCLUDED.previous_date, seconds = EXCLUDED.seconds, finished_at = EXCLUDED.finished_at`,
    [businessDate, previousDate, seconds.toFixed(3)],
  );
}

// ── the period ──────────────────────────────────────────────────────────────────────────────

/** Which of these dates are loaded business dates. */
export async function loadedAmong(s: SqlSession, dates: readonly string[]): Promise<Set<string>> {
  const r = await s.query<{ d: string }>('SELECT business_date AS d FROM business_dates WHERE business_date = ANY($1::date[])', [[...dates]]);
  return new Set(r.rows.map((x) => x.d));
}

/** The latest loaded business date, and the latest before the first day of its month (or the first loaded date). */
export async function defaultPeriod(s: SqlSession, to: string | null): Promise<{ from: string | null; to: string | null }> {
  const r = await s.query<{ to: string | null; from: string | null; first: string | null }>(
    `WITH t AS (SELECT coalesce($1::date, (SELECT max(business_date) FROM business_dates)) AS d)
     SELECT t.d AS to,
            (SELECT max(business_date) FROM business_dates WHERE business_date < date_trunc('month', t.d)::date) AS from,
            (SELECT min(business_date) FROM business_dates) AS first
       FROM t`,
    [to],
  );
  const row = r.rows[0];
  return { to: row?.to ?? null, from: row?.from ?? row?.first ?? null };
}

/** The loaded business dates after A up to B, and which of them the dashboards step has run for. */
export async function periodDates(s: SqlSession, from: string, to: string): Promise<{ loaded: string[]; run: Set<string>; lastRun: string | null }> {
  const r = await s.query<{ d: string; run: boolean }>(
    `SELECT d.business_date AS d, (r.business_date IS NOT NULL) AS run FROM business_dates d LEFT JOIN dashboard_runs r ON r.business_date = d.business_date
      WHERE d.business_date > $1::date AND d.business_date <= $2::date ORDER BY 1`,
    [from, to],
  );
  const last = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM dashboard_runs');
  return { loaded: r.rows.map((x) => x.d), run: new Set(r.rows.filter((x) => x.run).map((x) => x.d)), lastRun: last.rows[0]?.d ?? null };
}

/** The latest loaded business dates, newest first. */
export async function latestDates(s: SqlSession, limit: number): Promise<string[]> {
  const r = await s.query<{ d: string }>(`SELECT business_date AS d FROM business_dates ORDER BY business_date DESC LIMIT ${Math.trunc(limit)}`);
  return r.rows.map((x) => x.d);
}

// ── the figures ─────────────────────────────────────────────────────────────────────────────

export interface BandRow {
  business_date: string;
  branch_id: string;
  band: string;
  customers: number;
  aum: string;
}

/** Customers and AUM per band on the dates, per branch of the scope (`perBranch`) or summed. */
export async function bandFigures(s: SqlSession, dates: readonly string[], branches: Branches, perBranch: boolean): Promise<BandRow[]> {
  if (!dates.length) return [];
  const key = perBranch ? 'branch_id' : `''::text`;
  const r = await s.query<BandRow>(
    `SELECT business_date, ${key} AS branch_id, band, sum(customers)::int AS customers, sum(aum)::text AS aum
       FROM branch_band_days
      WHERE business_date = ANY($1::date[]) AND ($2::text[] IS NULL OR branch_id = ANY($2::text[]))
      GROUP BY business_date, ${key}, band`,
    [[...dates], arr(branches)],
  );
  return r.rows;
}

/** The last date of each month the step ran for, up to `to`, from `since` on (newest first). */
export async function monthEnds(s: SqlSession, since: string, to: string): Promise<string[]> {
  const r = await s.query<{ d: string }>(
    `SELECT max(business_date) AS d FROM dashboard_runs WHERE business_date > $1::date AND business_date <= $2::date
      GROUP BY date_trunc('month', business_date) ORDER BY 1 DESC`,
    [since, to],
  );
  return r.rows.map((x) => x.d);
}

/**
 * The customers who churned between A and B (in scope by their branch at their last change): each
 * one's standings on A and B from their changes in the period, those recorded at the branches
 * `branchesParam` names (null: all; a customer's changes are recorded at their branch then).
 * `select` reads `churned` (customer_id, on_a, on_b, branch_id, how) and A's snapshot `sa` (absent
 * when the step did not run for a date).
 */
function churnSql(from: string, to: string, branchesParam: string, select: string, tail = '') {
  const onA = monthPartition('balance_snapshots', from);
  return `WITH ends AS (
       SELECT customer_id,
              (array_agg(from_standing ORDER BY business_date))[1] AS on_a,
              (array_agg(to_standing ORDER BY business_date DESC))[1] AS on_b,
              (array_agg(branch_id ORDER BY business_date DESC))[1] AS branch_id
         FROM customer_standing_changes
        WHERE business_date > '${isoDate(from)}'::date AND business_date <= '${isoDate(to)}'::date
          AND (${branchesParam}::text[] IS NULL OR branch_id = ANY(${branchesParam}::text[]))
        GROUP BY customer_id
     ), churned AS (
       SELECT customer_id, on_a, on_b, branch_id, CASE WHEN on_b = 'absent' THEN 'left' ELSE 'zeroed' END AS how
         FROM ends WHERE ${churnedSql('on_a', 'on_b')}
     )
     SELECT ${select}
       FROM churned ch
       LEFT JOIN ${onA} sa ON sa.customer_id = ch.customer_id AND sa.business_date = '${isoDate(from)}'::date
     ${tail}`;
}

export interface ChurnRow {
  branch_id: string;
  customers: number;
  left_feed: number;
  zeroed: number;
  aum_lost: string;
}

/** Churn between A and B per branch of the scope. */
export async function churnByBranch(s: SqlSession, from: string, to: string, branches: Branches): Promise<ChurnRow[]> {
  if (!(await tableExists(s, monthPartition('balance_snapshots', from)))) return [];
  const r = await s.query<ChurnRow>(
    churnSql(
      from,
      to,
      '$1',
      `ch.branch_id, count(*)::int AS customers, count(*) FILTER (WHERE ch.how = 'left')::int AS left_feed,
       count(*) FILTER (WHERE ch.how = 'zeroed')::int AS zeroed, coalesce(sum(sa.aum), 0)::text AS aum_lost`,
      `WHERE $1::text[] IS NULL OR ch.branch_id = ANY($1::text[]) GROUP BY ch.branch_id`,
    ),
    [arr(branches)],
  );
  return r.rows;
}

export interface PlanRow {
  staff_id: string;
  branch_id: string;
  planned: number;
  done: number;
}

/** Plan items planned and done on the working days after A up to B, per staff member and outlet. */
export async function planFigures(s: SqlSession, from: string, to: string, branches: Branches): Promise<PlanRow[]> {
  const r = await s.query<PlanRow>(
    `SELECT staff_id, branch_id, sum(planned)::int AS planned, sum(done)::int AS done FROM plan_figures
      WHERE work_date > $1::date AND work_date <= $2::date AND ($3::text[] IS NULL OR branch_id = ANY($3::text[]))
      GROUP BY staff_id, branch_id`,
    [from, to, arr(branches)],
  );
  return r.rows;
}

export interface EventRow {
  staff_id: string;
  branch_id: string;
  kind: 'risk' | 'opportunity';
  raised: number;
  handled: number;
  open: number;
  expired: number;
}

/** Risk and opportunity events raised after A up to B, per staff member, outlet and kind. */
export async function eventFigures(s: SqlSession, from: string, to: string, branches: Branches): Promise<EventRow[]> {
  const r = await s.query<EventRow>(
    `SELECT staff_id, branch_id, kind, sum(raised)::int AS raised, sum(handled)::int AS handled, sum(open)::int AS open, sum(expired)::int AS expired
       FROM event_figures
      WHERE first_date > $1::date AND first_date <= $2::date AND ($3::text[] IS NULL OR branch_id = ANY($3::text[]))
      GROUP BY staff_id, branch_id, kind`,
    [from, to, arr(branches)],
  );
  return r.rows;
}

export interface ReferralRow {
  referrer_id: string;
  branch_id: string;
  sent: number;
  pending: number;
  signed: number;
  product_sold: number;
  declined: number;
}

/** China time's midnight starting a date, as an instant. */
export const chinaMidnight = (date: string) => `${isoDate(date)}T00:00:00+08:00`;

/** Referrals made after A up to B (China time), per referrer and outlet, by how they stand. */
export async function referralFigures(s: SqlSession, since: string, until: string, branches: Branches): Promise<ReferralRow[]> {
  const r = await s.query<ReferralRow>(
    `SELECT referrer_id, branch_id, count(*)::int AS sent, count(*) FILTER (WHERE status <> 'closed')::int AS pending,
            count(*) FILTER (WHERE status = 'closed' AND outcome = 'signed')::int AS signed,
            count(*) FILTER (WHERE status = 'closed' AND outcome = 'product_sold')::int AS product_sold,
            count(*) FILTER (WHERE status = 'closed' AND (outcome = 'declined' OR outcome IS NULL))::int AS declined
       FROM referrals
      WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz AND ($3::text[] IS NULL OR branch_id = ANY($3::text[]))
      GROUP BY referrer_id, branch_id`,
    [since, until, arr(branches)],
  );
  return r.rows;
}

/** The open opportunities per outlet (the owner's) and stage; `visible` is the viewer's condition on `o` (opportunities.sql visibleSql). */
export async function openByStage(s: SqlSession, branches: Branches, visible: string, params: unknown[]): Promise<{ branch_id: string; stage: string; n: number }[]> {
  params.push(arr(branches));
  const b = `$${params.length}::text[]`;
  const r = await s.query<{ branch_id: string; stage: string; n: number }>(
    `SELECT o.branch_id, o.stage, count(*)::int AS n FROM opportunities o
      WHERE o.stage IN ('identified', 'contacted', 'needs_confirmed', 'proposed') AND (${b} IS NULL OR o.branch_id = ANY(${b})) AND ${visible}
      GROUP BY o.branch_id, o.stage`,
    params,
  );
  return r.rows;
}

// ── the lists behind the numbers ────────────────────────────────────────────────────────────

export interface ItemRow {
  customer_id: string | null;
  customer_name: string | null;
  branch_id: string;
  branch_name: string | null;
  staff_id: string | null;
  staff_name: string | null;
  staff_role: string | null;
  date: string;
  status: string;
  detail: string | null;
  amount_from: string | null;
  amount_to: string | null;
  total: number;
}

const page = (limit: number, offset: number) => `LIMIT ${Math.trunc(limit)} OFFSET ${Math.trunc(offset)}`;

/** The churned customers (scope: their branch at their last change, and `visible` on customers `c`), the largest AUM lost first. */
export async function churnItems(
  s: SqlSession,
  f: { from: string; to: string; branches: Branches; status: string | null; staffId: string | null; visible: string; params: unknown[]; limit: number; offset: number },
): Promise<ItemRow[]> {
  if (!(await tableExists(s, monthPartition('balance_snapshots', f.from)))) return [];
  const onB = monthPartition('balance_snapshots', f.to);
  const params = f.params;
  params.push(arr(f.branches), f.status, f.staffId);
  const n = params.length;
  const r = await s.query<ItemRow>(
    churnSql(
      f.from,
      f.to,
      `$${n - 2}`,
      `ch.customer_id, c.name AS customer_name, ch.branch_id, b.name AS branch_name, o.staff_id, st.name AS staff_name, st.role AS staff_role,
       '${isoDate(f.to)}' AS date, ch.how AS status, NULL::text AS detail, sa.aum::text AS amount_from, sb.aum::text AS amount_to, count(*) OVER ()::int AS total`,
      `JOIN customers c ON c.customer_id = ch.customer_id
       LEFT JOIN ${onB} sb ON sb.customer_id = ch.customer_id AND sb.business_date = '${isoDate(f.to)}'::date
       LEFT JOIN customer_owners o ON o.customer_id = ch.customer_id AND o.kind = 'primary'
       LEFT JOIN staff st ON st.staff_id = o.staff_id
       LEFT JOIN branches b ON b.branch_id = ch.branch_id
      WHERE ($${n - 2}::text[] IS NULL OR ch.branch_id = ANY($${n - 2}::text[])) AND ($${n - 1}::text IS NULL OR ch.how = $${n - 1}::text)
        AND ($${n}::text IS NULL OR o.staff_id = $${n}::text) AND ${f.visible}
      ORDER BY sa.aum DESC NULLS LAST, ch.customer_id
      ${page(f.limit, f.offset)}`,
    ),
    params,
  );
  return r.rows;
}

/** The plan items of the plans carried out on the working days after A up to B (removed ones left out). */
export async function planItems(
  s: SqlSession,
  f: { from: string; to: string; branches: Branches; status: string | null; staffId: string | null; visible: string; params: unknown[]; limit: number; offset: number },
): Promise<ItemRow[]> {
  const params = f.params;
  params.push(f.from, f.to, arr(f.branches), f.status, f.staffId);
  const n = params.length;
  const r = await s.query<ItemRow>(
    `SELECT i.customer_id, c.name AS customer_name, p.branch_id, b.name AS branch_name, i.staff_id, st.name AS staff_name, st.role AS staff_role,
            p.work_date AS date, CASE WHEN i.status = 'contacted' THEN 'done' ELSE 'not_done' END AS status, i.reason AS detail,
            NULL::text AS amount_from, NULL::text AS amount_to, count(*) OVER ()::int AS total
       FROM contact_plans p
       JOIN contact_plan_items i ON i.staff_id = p.staff_id AND i.plan_date = p.plan_date
       JOIN customers c ON c.customer_id = i.customer_id
       LEFT JOIN staff st ON st.staff_id = i.staff_id
       LEFT JOIN branches b ON b.branch_id = p.branch_id
      WHERE p.work_date > $${n - 4}::date AND p.work_date <= $${n - 3}::date
        -- a plan is made at most a fortnight before its working day (the longest holiday): the plans' index finds them
        AND p.plan_date BETWEEN $${n - 4}::date - 15 AND $${n - 3}::date AND i.plan_date BETWEEN $${n - 4}::date - 15 AND $${n - 3}::date
        AND ($${n - 2}::text[] IS NULL OR p.branch_id = ANY($${n - 2}::text[])) AND i.status <> 'removed'
        AND ($${n - 1}::text IS NULL OR (CASE WHEN i.status = 'contacted' THEN 'done' ELSE 'not_done' END) = $${n - 1}::text)
        AND ($${n}::text IS NULL OR p.staff_id = $${n}::text) AND ${f.visible}
      ORDER BY p.work_date DESC, i.staff_id, i.position, i.customer_id
      ${page(f.limit, f.offset)}`,
    params,
  );
  return r.rows;
}

/** The events step's risk and opportunity reminders raised after A up to B, by the outlet of the staff member they are for. */
export async function eventItems(
  s: SqlSession,
  f: { from: string; to: string; branches: Branches; status: string | null; staffId: string | null; visible: string; params: unknown[]; limit: number; offset: number },
): Promise<ItemRow[]> {
  const params = f.params;
  params.push(f.from, f.to, arr(f.branches), f.status, f.staffId, [...NOT_EVENTS]);
  const n = params.length;
  const state = `CASE WHEN r.status IN ('done', 'dismissed') THEN 'handled' ELSE r.status END`;
  const r = await s.query<ItemRow>(
    `SELECT r.customer_id, c.name AS customer_name, st.branch_id, b.name AS branch_name, r.staff_id, st.name AS staff_name, st.role AS staff_role,
            r.first_date AS date, ${state} AS status, r.event AS detail, NULL::text AS amount_from, NULL::text AS amount_to, count(*) OVER ()::int AS total
       FROM reminders r
       JOIN staff st ON st.staff_id = r.staff_id
       JOIN customers c ON c.customer_id = r.customer_id
       LEFT JOIN branches b ON b.branch_id = st.branch_id
      WHERE r.kind = ANY(${KINDS}) AND r.first_date > $${n - 5}::date AND r.first_date <= $${n - 4}::date
        -- last seen no earlier than first raised: a staff member's reminders are found through their index by date
        AND r.last_date > $${n - 5}::date AND NOT (r.event = ANY($${n}::text[]))
        AND ($${n - 3}::text[] IS NULL OR st.branch_id = ANY($${n - 3}::text[]))
        AND ($${n - 2}::text IS NULL OR ${state} = $${n - 2}::text) AND ($${n - 1}::text IS NULL OR r.staff_id = $${n - 1}::text) AND ${f.visible}
      ORDER BY r.first_date DESC, r.staff_id, r.customer_id, r.event, r.occurrence
      ${page(f.limit, f.offset)}`,
    params,
  );
  return r.rows;
}

/** The referrals made after A up to B (China time), by the referrer's outlet. */
export async function referralItems(
  s: SqlSession,
  f: { since: string; until: string; branches: Branches; status: string | null; staffId: string | null; visible: string; params: unknown[]; limit: number; offset: number },
): Promise<ItemRow[]> {
  const params = f.params;
  params.push(f.since, f.until, arr(f.branches), f.status, f.staffId);
  const n = params.length;
  const state = `CASE WHEN r.status <> 'closed' THEN 'pending' ELSE coalesce(r.outcome, 'declined') END`;
  const r = await s.query<ItemRow>(
    `SELECT r.customer_id, c.name AS customer_name, r.branch_id, b.name AS branch_name, r.referrer_id AS staff_id, st.name AS staff_name, st.role AS staff_role,
            (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS date, ${state} AS status, r.need AS detail,
            NULL::text AS amount_from, NULL::text AS amount_to, count(*) OVER ()::int AS total
       FROM referrals r
       JOIN customers c ON c.customer_id = r.customer_id
       LEFT JOIN staff st ON st.staff_id = r.referrer_id
       LEFT JOIN branches b ON b.branch_id = r.branch_id
      WHERE r.created_at >= $${n - 4}::timestamptz AND r.created_at < $${n - 3}::timestamptz
        AND ($${n - 2}::text[] IS NULL OR r.branch_id = ANY($${n - 2}::text[]))
        AND ($${n - 1}::text IS NULL OR ${state} = $${n - 1}::text) AND ($${n}::text IS NULL OR r.referrer_id = $${n}::text) AND ${f.visible}
      ORDER BY r.created_at DESC, r.referral_id
      ${page(f.limit, f.offset)}`,
    params,
  );
  return r.rows;
}

/**
 * The opportunities of the owners' outlets of the scope: created after A up to B, won or lost in
 * it, or open now (of a stage); `visible` is the viewer's condition on `o`.
 */
export async function opportunityItems(
  s: SqlSession,
  f: { from: string; to: string; branches: Branches; status: string | null; staffId: string | null; visible: string; params: unknown[]; limit: number; offset: number },
): Promise<ItemRow[]> {
  const params = f.params;
  params.push(f.from, f.to, arr(f.branches), f.status, f.staffId);
  const n = params.length;
  const A = `$${n - 4}::date`;
  const B = `$${n - 3}::date`;
  const st = `$${n - 1}::text`;
  const which = `CASE ${st}
      WHEN 'created' THEN o.created_on > ${A} AND o.created_on <= ${B}
      WHEN 'won' THEN o.stage = 'won' AND o.closed_on > ${A} AND o.closed_on <= ${B}
      WHEN 'lost' THEN o.stage = 'lost' AND o.closed_on > ${A} AND o.closed_on <= ${B}
      WHEN 'open' THEN o.closed_at IS NULL
      ELSE o.closed_at IS NULL AND o.stage = ${st} END`;
  const r = await s.query<ItemRow>(
    `SELECT nullif(o.customer_id, '') AS customer_id, coalesce(c.name, p.name) AS customer_name, o.branch_id, b.name AS branch_name,
            o.owner_id AS staff_id, sf.name AS staff_name, sf.role AS staff_role,
            CASE WHEN ${st} IN ('won', 'lost') THEN o.closed_on ELSE o.created_on END AS date, o.stage AS status,
            CASE WHEN o.target_type = 'vip_signing' THEN 'vip_signing' ELSE coalesce(o.target_code, o.target_type) END AS detail,
            o.expected_amount::text AS amount_from, NULL::text AS amount_to, count(*) OVER ()::int AS total
       FROM opportunities o
       LEFT JOIN customers c ON c.customer_id = o.customer_id
       LEFT JOIN prospects p ON p.prospect_id = o.prospect_id
       LEFT JOIN staff sf ON sf.staff_id = o.owner_id
       LEFT JOIN branches b ON b.branch_id = o.branch_id
      WHERE (${which}) AND ($${n - 2}::text[] IS NULL OR o.branch_id = ANY($${n - 2}::text[])) AND ($${n}::text IS NULL OR o.owner_id = $${n}::text)
        AND ${f.visible}
      ORDER BY date DESC, o.opportunity_id
      ${page(f.limit, f.offset)}`,
    params,
  );
  return r.rows;
}
