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
 * The customers who churned between A and B, as the CTE `churned` (customer_id, on_a, on_b,
 * branch_id: at their last change, how: left or zeroed): each one's standings on A and B from their
 * changes in the period, those recorded at the branches `branchesParam` names (null: all; a
 * customer's changes are recorded at their branch then).
 */
function churnWith(from: string, to: string, branchesParam: string) {
  const period = `business_date > '${isoDate(from)}'::date AND business_date <= '${isoDate(to)}'::date
          AND (${branchesParam}::text[] IS NULL OR branch_id = ANY(${branchesParam}::text[]))`;
  // only a customer who left the feed or fell to 0 in the period can have churned: those first
  // (customer_standing_changes_gone_idx), then their changes by key. The first change's from and
  // the last change's to (with its branch) are the least and the greatest of date-prefixed texts:
  // a customer's few changes compared as strings, no sorting.
  return `WITH ends AS (
       SELECT customer_id,
              substr(min(business_date::text || from_standing), 11) AS on_a,
              substr(max(business_date::text || to_standing || ':' || branch_id), 11) AS last
         FROM customer_standing_changes
        WHERE ${period}
          AND customer_id IN (SELECT customer_id FROM customer_standing_changes WHERE ${period} AND to_standing IN ('absent', 'zero'))
        GROUP BY customer_id
     ), churned AS (
       SELECT customer_id, on_a, on_b, branch_id, CASE WHEN on_b = 'absent' THEN 'left' ELSE 'zeroed' END AS how
         FROM (SELECT customer_id, on_a, split_part(last, ':', 1) AS on_b, substr(last, strpos(last, ':') + 1) AS branch_id FROM ends) e
        WHERE ${churnedSql('on_a', 'on_b')}
     )`;
}
/** A's snapshot of a churned customer `ch` as `sa` (their AUM lost; absent when the step did not run for a date). */
const onA = (from: string) => `LEFT JOIN ${monthPartition('balance_snapshots', from)} sa ON sa.customer_id = ch.customer_id AND sa.business_date = '${isoDate(from)}'::date`;

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
    `${churnWith(from, to, '$1')}
     SELECT ch.branch_id, count(*)::int AS customers, count(*) FILTER (WHERE ch.how = 'left')::int AS left_feed,
            count(*) FILTER (WHERE ch.how = 'zeroed')::int AS zeroed, coalesce(sum(sa.aum), 0)::text AS aum_lost
       FROM churned ch ${onA(from)}
      WHERE $1::text[] IS NULL OR ch.branch_id = ANY($1::text[])
      GROUP BY ch.branch_id`,
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
}

/** A list counts its rows up to this many; more is shown as "10,000 or more". */
export const LIST_COUNT_CAP = 10_000;

export interface ListPage {
  rows: ItemRow[];
  total: number;
  /** more rows than LIST_COUNT_CAP: `total` is the cap */
  totalIsLowerBound: boolean;
}

export interface ListFilter {
  branches: Branches;
  status: string | null;
  staffId: string | null;
  /** the viewer's scope as a condition (on customers `c`, or opportunities `o`), its values already in `params` */
  visible: string;
  params: unknown[];
  limit: number;
  offset: number;
}

/**
 * A page of a list (`select` and `order` over `from`, which holds the joins and the conditions,
 * after an optional `with`) and its count up to the cap (over `count`: the same rows without the
 * joins only the page shows), each from the indexes the order and the conditions name: never every
 * row of a bank's period sorted or counted for one page.
 */
async function listPage(s: SqlSession, l: { with?: string; select: string; from: string; order: string; count?: string }, f: ListFilter): Promise<ListPage> {
  const head = l.with ?? '';
  const rows = (await s.query<ItemRow>(`${head} SELECT ${l.select} ${l.from} ORDER BY ${l.order} LIMIT ${Math.trunc(f.limit)} OFFSET ${Math.trunc(f.offset)}`, f.params)).rows;
  if (f.offset === 0 && rows.length < f.limit) return { rows, total: rows.length, totalIsLowerBound: false };
  const n = (await s.query<{ n: number }>(`${head} SELECT count(*)::int AS n FROM (SELECT 1 ${l.count ?? l.from} LIMIT ${LIST_COUNT_CAP + 1}) x`, f.params)).rows[0]?.n ?? 0;
  return { rows, total: Math.min(n, LIST_COUNT_CAP), totalIsLowerBound: n > LIST_COUNT_CAP };
}

/** Appends values to the list's parameters; their placeholders. */
function bind(f: ListFilter, ...values: unknown[]): string[] {
  return values.map((v) => {
    f.params.push(v);
    return `$${f.params.length}`;
  });
}

/** The join of customers `c` a count needs: only when the viewer's scope is a condition on them (not the department's `true`). */
const customersFor = (f: ListFilter, on: string) => (f.visible === 'true' ? '' : `JOIN customers c ON c.customer_id = ${on}`);

/** The churned customers (scope: their branch at their last change, and `visible` on customers `c`), the largest AUM lost first. */
export async function churnItems(s: SqlSession, f: ListFilter & { from: string; to: string }): Promise<ListPage> {
  if (!(await tableExists(s, monthPartition('balance_snapshots', f.from)))) return { rows: [], total: 0, totalIsLowerBound: false };
  const onB = monthPartition('balance_snapshots', f.to);
  const [branches] = bind(f, arr(f.branches)) as [string];
  const where = [`(${branches}::text[] IS NULL OR ch.branch_id = ANY(${branches}::text[]))`, f.visible];
  if (f.status !== null) where.push(`ch.how = ${bind(f, f.status)[0]}::text`);
  if (f.staffId !== null) where.push(`o.staff_id = ${bind(f, f.staffId)[0]}::text`);
  const owner = `LEFT JOIN customer_owners o ON o.customer_id = ch.customer_id AND o.kind = 'primary'`;
  return listPage(
    s,
    {
      with: churnWith(f.from, f.to, branches),
      select: `ch.customer_id, c.name AS customer_name, ch.branch_id, b.name AS branch_name, o.staff_id, st.name AS staff_name, st.role AS staff_role,
               '${isoDate(f.to)}' AS date, ch.how AS status, NULL::text AS detail, sa.aum::text AS amount_from, sb.aum::text AS amount_to`,
      from: `FROM churned ch ${onA(f.from)}
       JOIN customers c ON c.customer_id = ch.customer_id
       LEFT JOIN ${onB} sb ON sb.customer_id = ch.customer_id AND sb.business_date = '${isoDate(f.to)}'::date
       ${owner}
       LEFT JOIN staff st ON st.staff_id = o.staff_id
       LEFT JOIN branches b ON b.branch_id = ch.branch_id
      WHERE ${where.join(' AND ')}`,
      count: `FROM churned ch ${customersFor(f, 'ch.customer_id')} ${f.staffId !== null ? owner : ''} WHERE ${where.join(' AND ')}`,
      order: 'sa.aum DESC NULLS LAST, ch.customer_id',
    },
    f,
  );
}

/** The plan items of the plans carried out on the working days after A up to B (removed ones left out). */
export async function planItems(s: SqlSession, f: ListFilter & { from: string; to: string }): Promise<ListPage> {
  const [A, B, branches] = bind(f, f.from, f.to, arr(f.branches)) as [string, string, string];
  const done = `CASE WHEN i.status = 'contacted' THEN 'done' ELSE 'not_done' END`;
  const where = [
    `p.work_date > ${A}::date AND p.work_date <= ${B}::date`,
    // a plan is made at most a fortnight before its working day (the longest holiday)
    `i.plan_date BETWEEN ${A}::date - 15 AND ${B}::date`,
    `(${branches}::text[] IS NULL OR p.branch_id = ANY(${branches}::text[])) AND i.status <> 'removed'`,
    f.visible,
  ];
  if (f.status !== null) where.push(`${done} = ${bind(f, f.status)[0]}::text`);
  if (f.staffId !== null) where.push(`p.staff_id = ${bind(f, f.staffId)[0]}::text`);
  const plans = `FROM contact_plans p JOIN contact_plan_items i ON i.staff_id = p.staff_id AND i.plan_date = p.plan_date`;
  return listPage(
    s,
    {
      select: `i.customer_id, c.name AS customer_name, p.branch_id, b.name AS branch_name, i.staff_id, st.name AS staff_name, st.role AS staff_role,
               p.work_date AS date, ${done} AS status, i.reason AS detail, NULL::text AS amount_from, NULL::text AS amount_to`,
      from: `${plans}
       JOIN customers c ON c.customer_id = i.customer_id
       LEFT JOIN staff st ON st.staff_id = i.staff_id
       LEFT JOIN branches b ON b.branch_id = p.branch_id
      WHERE ${where.join(' AND ')}`,
      count: `${plans} ${customersFor(f, 'i.customer_id')} WHERE ${where.join(' AND ')}`,
      order: 'p.work_date DESC, p.staff_id, i.position, i.customer_id',
    },
    f,
  );
}

/** The events step's risk and opportunity reminders raised after A up to B, by the outlet of the staff member they are for. */
export async function eventItems(s: SqlSession, f: ListFilter & { from: string; to: string }): Promise<ListPage> {
  const [A, B, others] = bind(f, f.from, f.to, [...NOT_EVENTS]) as [string, string, string];
  const state = `CASE WHEN r.status IN ('done', 'dismissed') THEN 'handled' ELSE r.status END`;
  const where = [`r.kind IN ('risk', 'opportunity') AND r.first_date > ${A}::date AND r.first_date <= ${B}::date AND NOT (r.event = ANY(${others}::text[]))`, f.visible];
  if (f.branches) {
    // a few branches: their staff's reminders, through each one's index by date (last seen no
    // earlier than first raised); the bank: the period's, through the index of raised ones
    const [branches] = bind(f, [...f.branches]);
    where.push(`r.staff_id IN (SELECT sb.staff_id FROM staff sb WHERE sb.branch_id = ANY(${branches}::text[])) AND r.last_date > ${A}::date`);
  }
  if (f.status !== null) where.push(`${state} = ${bind(f, f.status)[0]}::text`);
  if (f.staffId !== null) where.push(`r.staff_id = ${bind(f, f.staffId)[0]}::text`);
  return listPage(
    s,
    {
      select: `r.customer_id, c.name AS customer_name, st.branch_id, b.name AS branch_name, r.staff_id, st.name AS staff_name, st.role AS staff_role,
               r.first_date AS date, ${state} AS status, r.event AS detail, NULL::text AS amount_from, NULL::text AS amount_to`,
      from: `FROM reminders r
       JOIN staff st ON st.staff_id = r.staff_id
       JOIN customers c ON c.customer_id = r.customer_id
       LEFT JOIN branches b ON b.branch_id = st.branch_id
      WHERE ${where.join(' AND ')}`,
      count: `FROM reminders r ${customersFor(f, 'r.customer_id')} WHERE ${where.join(' AND ')}`,
      order: 'r.first_date DESC, r.staff_id, r.customer_id, r.event, r.occurrence',
    },
    f,
  );
}

/** The referrals made after A up to B (China time), by the referrer's outlet. */
export async function referralItems(s: SqlSession, f: ListFilter & { since: string; until: string }): Promise<ListPage> {
  const [since, until, branches] = bind(f, f.since, f.until, arr(f.branches)) as [string, string, string];
  const state = `CASE WHEN r.status <> 'closed' THEN 'pending' ELSE coalesce(r.outcome, 'declined') END`;
  const where = [`r.created_at >= ${since}::timestamptz AND r.created_at < ${until}::timestamptz`, `(${branches}::text[] IS NULL OR r.branch_id = ANY(${branches}::text[]))`, f.visible];
  if (f.status !== null) where.push(`${state} = ${bind(f, f.status)[0]}::text`);
  if (f.staffId !== null) where.push(`r.referrer_id = ${bind(f, f.staffId)[0]}::text`);
  return listPage(
    s,
    {
      select: `r.customer_id, c.name AS customer_name, r.branch_id, b.name AS branch_name, r.referrer_id AS staff_id, st.name AS staff_name, st.role AS staff_role,
               (r.created_at AT TIME ZONE 'Asia/Shanghai')::date AS date, ${state} AS status, r.need AS detail, NULL::text AS amount_from, NULL::text AS amount_to`,
      from: `FROM referrals r
       JOIN customers c ON c.customer_id = r.customer_id
       LEFT JOIN staff st ON st.staff_id = r.referrer_id
       LEFT JOIN branches b ON b.branch_id = r.branch_id
      WHERE ${where.join(' AND ')}`,
      count: `FROM referrals r ${customersFor(f, 'r.customer_id')} WHERE ${where.join(' AND ')}`,
      order: 'r.created_at DESC, r.referral_id',
    },
    f,
  );
}

/**
 * The opportunities of the owners' outlets of the scope: created after A up to B, won or lost in
 * it, or open now (of a stage); `visible` is the viewer's condition on `o`. Newest first: by the
 * day closed (won, lost) or made (the others), which their indexes keep in order.
 */
export async function opportunityItems(s: SqlSession, f: ListFilter & { from: string; to: string }): Promise<ListPage> {
  const [branches] = bind(f, arr(f.branches)) as [string];
  const st = f.status;
  const where = [`(${branches}::text[] IS NULL OR o.branch_id = ANY(${branches}::text[]))`, f.visible];
  const inPeriod = (column: string) => {
    const [A, B] = bind(f, f.from, f.to) as [string, string];
    return `${column} > ${A}::date AND ${column} <= ${B}::date`;
  };
  if (st === 'created') where.push(inPeriod('o.created_on'));
  else if (st === 'won' || st === 'lost') where.push(`${inPeriod('o.closed_on')} AND o.stage = '${st}'`);
  else if (st === 'open' || st === null) where.push('o.closed_at IS NULL');
  else where.push(`o.closed_at IS NULL AND o.stage = ${bind(f, st)[0]}::text`);
  if (f.staffId !== null) where.push(`o.owner_id = ${bind(f, f.staffId)[0]}::text`);
  const day = st === 'won' || st === 'lost' ? 'o.closed_on' : 'o.created_on';
  return listPage(
    s,
    {
      select: `nullif(o.customer_id, '') AS customer_id, coalesce(c.name, p.name) AS customer_name, o.branch_id, b.name AS branch_name,
               o.owner_id AS staff_id, sf.name AS staff_name, sf.role AS staff_role, ${day} AS date, o.stage AS status,
               CASE WHEN o.target_type = 'vip_signing' THEN 'vip_signing' ELSE coalesce(o.target_code, o.target_type) END AS detail,
               o.expected_amount::text AS amount_from, NULL::text AS amount_to`,
      from: `FROM opportunities o
       LEFT JOIN customers c ON c.customer_id = o.customer_id
       LEFT JOIN prospects p ON p.prospect_id = o.prospect_id
       LEFT JOIN staff sf ON sf.staff_id = o.owner_id
       LEFT JOIN branches b ON b.branch_id = o.branch_id
      WHERE ${where.join(' AND ')}`,
      count: `FROM opportunities o WHERE ${where.join(' AND ')}`,
      order: `${day} DESC, o.opportunity_id`,
    },
    f,
  );
}
