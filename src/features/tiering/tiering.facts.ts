import type { SqlSession } from '../../platform/db.js';
import { fillEmpty, hasRows } from '../../platform/bulk.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { ensureMonthPartition, monthPartition } from '../../platform/partitions.js';

// The facts the models read, per customer and business date (../shared/POLICIES.md "Facts"),
// computed for every customer in one INSERT … SELECT and kept per date: balances, holdings and
// loans from the date's balance snapshot (the accounts and loans as they stood that day), the
// rolling windows from the transactions and earlier snapshots, the rest from the customer.

export type FactType = 'money' | 'integer' | 'number' | 'text' | 'boolean';

export interface FactSpec {
  type: FactType;
  zh: string;
  en: string;
  /** read from personal details (platform/pii.ts): its value is shown only to roles holding pii.details */
  details?: true;
}

/** Every fact a policy may name; a policy naming another is refused. */
export const FACTS = {
  aum: { type: 'money', zh: 'AUM', en: 'AUM' },
  aum_avg_mtd: { type: 'money', zh: '月日均 AUM', en: 'month-to-date average AUM' },
  deposits: { type: 'money', zh: '存款', en: 'deposits' },
  deposit_term_months: { type: 'number', zh: '存款加权期限（月）', en: 'weighted deposit term (months)' },
  current_balance: { type: 'money', zh: '活期', en: 'current accounts' },
  time_deposit: { type: 'money', zh: '定期', en: 'time deposits' },
  wealth: { type: 'money', zh: '理财', en: 'wealth products' },
  fund: { type: 'money', zh: '基金', en: 'funds' },
  insurance: { type: 'money', zh: '保险', en: 'insurance' },
  loans_outstanding: { type: 'money', zh: '贷款余额', en: 'loans outstanding' },
  loan_count: { type: 'integer', zh: '贷款笔数', en: 'loans' },
  worst_overdue_days: { type: 'integer', zh: '最长逾期天数', en: 'worst overdue days' },
  spending_90d: { type: 'money', zh: '近90天消费', en: 'spending over 90 days' },
  txns_90d: { type: 'integer', zh: '近90天交易笔数', en: 'transactions over 90 days' },
  counter_txns_90d: { type: 'integer', zh: '近90天柜面交易笔数', en: 'counter transactions over 90 days' },
  mobile_txns_90d: { type: 'integer', zh: '近90天手机/网银交易笔数', en: 'mobile and online transactions over 90 days' },
  atm_txns_90d: { type: 'integer', zh: '近90天自助设备交易笔数', en: 'ATM transactions over 90 days' },
  pos_txns_90d: { type: 'integer', zh: '近90天刷卡交易笔数', en: 'card (POS) transactions over 90 days' },
  // read from the counterparties, which roles without pii.details see masked
  education_payee_90d: { type: 'boolean', zh: '近90天有学费/留学支付', en: 'paid tuition or study abroad in 90 days', details: true },
  preferred_channel: { type: 'text', zh: '偏好渠道', en: 'preferred channel' },
  net_contribution: { type: 'money', zh: '年净贡献', en: 'net contribution (yearly)' },
  age: { type: 'integer', zh: '年龄', en: 'age' },
  annual_income: { type: 'money', zh: '年收入', en: 'annual income', details: true },
  occupation: { type: 'text', zh: '职业', en: 'occupation' },
  risk_level: { type: 'text', zh: '风险等级', en: 'risk level' },
  tenure_years: { type: 'integer', zh: '开户年限', en: 'years as a customer' },
  aum_growth_90d: { type: 'number', zh: '90天 AUM 增长率', en: 'AUM growth over 90 days' },
  product_kinds: { type: 'integer', zh: '持有产品种类', en: 'product kinds held' },
  investment_share: { type: 'number', zh: '投资类占 AUM 比例', en: 'share of AUM in wealth, funds and insurance' },
} as const satisfies Record<string, FactSpec>;
export type FactName = keyof typeof FACTS;

/**
 * The fact a policy names, looked up among FACTS' own names only: 'constructor', 'toString' or
 * '__proto__' are no facts, whatever every JavaScript object inherits.
 */
export function factSpec(name: string): FactSpec | undefined {
  return Object.hasOwn(FACTS, name) ? (FACTS as Record<string, FactSpec>)[name] : undefined;
}
export const FACT_NAMES = Object.keys(FACTS) as FactName[];

// The transaction aggregates of the 90-day window, over a set of rows carrying a sign (+1 entering
// the window, −1 leaving it; null: every row counts once); spending is money paid out through card
// and electronic channels. Without signs, counts and one sum: over the 30 million rows of a whole
// window, a sum of ones and a product per row cost a sixth of the aggregate.
const TX_AGGREGATES = (sign: string | null) => {
  const count = (filter?: string) => (sign ? `coalesce(sum(${sign})${filter ? ` FILTER (WHERE ${filter})` : ''}, 0)` : `count(*)${filter ? ` FILTER (WHERE ${filter})` : ''}`);
  return `
  coalesce(${sign ? `sum(${sign} * -amount)` : '-sum(amount)'} FILTER (WHERE amount < 0 AND channel IN ('pos', 'online', 'mobile')), 0) AS spending,
  ${count()} AS n,
  ${count(`channel = 'counter'`)} AS counter_n,
  ${count(`channel IN ('mobile', 'online')`)} AS mobile_n,
  ${count(`channel = 'atm'`)} AS atm_n,
  ${count(`channel = 'pos'`)} AS pos_n,
  ${count(`counterparty LIKE '%学费%' OR counterparty LIKE '%留学%'`)} AS edu_n`;
};
const TX_COLUMNS = ['spending', 'n', 'counter_n', 'mobile_n', 'atm_n', 'pos_n', 'edu_n'] as const;
const BASE_COLUMNS: Record<(typeof TX_COLUMNS)[number], string> = {
  spending: 'spending_90d',
  n: 'txns_90d',
  counter_n: 'counter_txns_90d',
  mobile_n: 'mobile_txns_90d',
  atm_n: 'atm_txns_90d',
  pos_n: 'pos_txns_90d',
  edu_n: 'education_txns_90d',
};

// A transaction counts for date D when it was booked (China time) within D−89 … D and loaded by D.
const IN_WINDOW = `booked_on BETWEEN $1::date - 89 AND $1::date AND business_date <= $1::date`;

/**
 * The rolling windows as CTEs and the joins that bring them to each customer `c` as `tx` (the
 * columns of TX_COLUMNS) and `mtd` (aum_sum, aum_days). Every CTE that is joined is a GROUP BY on
 * customer_id, or a partition's rows of one date: the planner knows each side has one row per
 * customer. (A UNION ALL of two sources has no statistics; the planner then expects 200 rows per
 * customer, a plan for billions of rows, merge joins and sorts spilling to disk: twice the time.)
 */
interface Windows {
  ctes: string;
  joins: string;
  params: unknown[];
}

/**
 * The 90-day window of every customer, from all its transactions, and the month to date from the
 * month's snapshots (`snapshots`: the date's month partition): aggregated first into temporary
 * tables, each in memory, then joined. Inside the one statement the planner, taking a whole
 * history's transactions for a third as many customers as they have, sized the aggregate of 30
 * million rows for too few and spilled 400 MB of it to disk, then sorted the result on disk too.
 * `memory` is the work_mem for the two aggregates (a server's; the embedded engine has less).
 */
async function fullWindows(s: SqlSession, businessDate: string, snapshots: string, memory: string): Promise<Windows> {
  await s.exec(`SET LOCAL work_mem = '${memory}'`);
  await s.exec('DROP TABLE IF EXISTS facts_tx; DROP TABLE IF EXISTS facts_mtd');
  await createWorkTable(s, 'facts_tx', {
    as: `SELECT customer_id, ${TX_AGGREGATES(null)} FROM transactions WHERE ${IN_WINDOW} GROUP BY customer_id`,
    params: [businessDate],
  });
  await createWorkTable(s, 'facts_mtd', {
    as: `SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM ${snapshots}
      WHERE business_date >= date_trunc('month', $1::date)::date AND business_date <= $1::date
      GROUP BY customer_id`,
    params: [businessDate],
  });
  await s.exec('ANALYZE facts_tx; ANALYZE facts_mtd');
  await s.exec(`SET LOCAL work_mem = '${FACTS_WORK_MEM}'`);
  return {
    ctes: 'tx AS (SELECT * FROM facts_tx), mtd AS (SELECT * FROM facts_mtd)',
    joins: `LEFT JOIN tx ON tx.customer_id = c.customer_id
       LEFT JOIN mtd ON mtd.customer_id = c.customer_id`,
    params: [],
  };
}

/**
 * The 90-day window brought forward from the facts of base date $2 (B < D): plus what was loaded
 * after B and falls in D's window, minus what was loaded by B and booked in B's window but before
 * D's. (Nothing loaded by B is booked after B: the loader refuses a transaction booked after its
 * business date.) A customer without facts on B (new, or back: `fresh`, a list) gets its whole
 * window, through its own rows of the primary key. The month-to-date sum adds D's snapshot when D
 * is the only date loaded since B, the snapshots after B when B is in D's month, and starts again
 * otherwise.
 */
function incrementalWindows(o: { baseFacts: string; snapshots: string; leaving: string[]; fresh: string[]; sameMonth: boolean; onlyDateSinceBase: boolean }): Windows {
  const params: unknown[] = [];
  const param = (v: unknown, type: string) => {
    params.push(v);
    return `$${params.length + 2}::${type}`;
  };
  const leaving = o.leaving.length
    ? `UNION ALL
  SELECT customer_id, amount, channel, counterparty, -1 FROM transactions
   WHERE business_date = ANY(${param(o.leaving, 'date[]')}) AND booked_on BETWEEN $2::date - 89 AND $1::date - 90`
    : '';
  const fresh = o.fresh.length ? param(o.fresh, 'text[]') : null;
  const monthStart = `date_trunc('month', $1::date)::date`;
  const ctes = [
    `delta AS (
  SELECT customer_id, ${TX_AGGREGATES('sign')} FROM (
    SELECT customer_id, amount, channel, counterparty, 1 AS sign FROM transactions
     WHERE business_date > $2::date AND business_date <= $1::date AND booked_on BETWEEN $1::date - 89 AND $1::date
    ${leaving}
  ) moves GROUP BY customer_id
)`,
    fresh
      ? `fresh_tx AS (
  SELECT customer_id, ${TX_AGGREGATES(null)} FROM transactions WHERE customer_id = ANY(${fresh}) AND ${IN_WINDOW} GROUP BY customer_id
), fresh_mtd AS (
  SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM ${o.snapshots}
   WHERE customer_id = ANY(${fresh}) AND business_date >= ${monthStart} AND business_date <= $1::date GROUP BY customer_id
)`
      : `fresh_tx AS (SELECT NULL::text AS customer_id, ${TX_COLUMNS.map((c) => `NULL::numeric AS ${c}`).join(', ')} WHERE false),
fresh_mtd AS (SELECT NULL::text AS customer_id, NULL::numeric AS aum_sum, NULL::bigint AS aum_days WHERE false)`,
    // the snapshots since B of the month (or of the whole month when B was in an earlier one)
    o.sameMonth && o.onlyDateSinceBase
      ? null
      : `since_base AS (
  SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM ${o.snapshots}
   WHERE business_date > ${o.sameMonth ? '$2::date' : `${monthStart} - 1`} AND business_date <= $1::date GROUP BY customer_id
)`,
  ].filter(Boolean);
  const baseMtd = o.sameMonth
    ? o.onlyDateSinceBase
      ? { sum: 'b.aum_sum_mtd + sn.aum', days: 'b.aum_days_mtd + 1' }
      : { sum: 'b.aum_sum_mtd + coalesce(sb.aum_sum, 0)', days: 'b.aum_days_mtd + coalesce(sb.aum_days, 0)' }
    : { sum: 'sb.aum_sum', days: 'sb.aum_days' };
  const joins = `LEFT JOIN ${o.baseFacts} b ON b.customer_id = c.customer_id AND b.business_date = $2::date
       LEFT JOIN delta d ON d.customer_id = c.customer_id
       LEFT JOIN fresh_tx ft ON ft.customer_id = c.customer_id
       LEFT JOIN fresh_mtd fm ON fm.customer_id = c.customer_id
       ${o.sameMonth && o.onlyDateSinceBase ? '' : 'LEFT JOIN since_base sb ON sb.customer_id = c.customer_id'}
       CROSS JOIN LATERAL (SELECT ${TX_COLUMNS.map((col) => `CASE WHEN b.customer_id IS NULL THEN ft.${col} ELSE b.${BASE_COLUMNS[col]} + coalesce(d.${col}, 0) END AS ${col}`).join(', ')}) tx
       CROSS JOIN LATERAL (SELECT CASE WHEN b.customer_id IS NULL THEN fm.aum_sum ELSE ${baseMtd.sum} END AS aum_sum,
                                  CASE WHEN b.customer_id IS NULL THEN fm.aum_days ELSE ${baseMtd.days} END AS aum_days) mtd`;
  return { ctes: ctes.join(',\n'), joins, params };
}

/**
 * Records the days of bookings of each load up to the date not yet recorded, or loaded again (a
 * correction) since it was. Reads only those loads' rows, through the BRIN index on business_date.
 * A load records its own as it reads its file (recordTransactionLoad); this covers the loads of
 * earlier versions, and a load that wrote no new transaction.
 */
async function recordTransactionLoads(s: SqlSession, businessDate: string): Promise<void> {
  const due = await s.query<{ d: string }>(
    `SELECT d.business_date AS d FROM business_dates d LEFT JOIN transaction_loads l ON l.business_date = d.business_date
      WHERE d.business_date <= $1::date AND (l.business_date IS NULL OR d.loaded_at > l.recorded_at)`,
    [businessDate],
  );
  if (!due.rows.length) return;
  // the dates as a constant list, so that the BRIN index picks their pages (a join would scan all)
  await s.query(
    `INSERT INTO transaction_loads (business_date, rows, first_booked_on, last_booked_on, recorded_at)
     SELECT business_date, count(*), min(booked_on), max(booked_on), now() FROM transactions
      WHERE business_date = ANY($1::date[])
      GROUP BY business_date
     ON CONFLICT (business_date) DO UPDATE SET rows = EXCLUDED.rows, first_booked_on = EXCLUDED.first_booked_on,
       last_booked_on = EXCLUDED.last_booked_on, recorded_at = EXCLUDED.recorded_at`,
    [due.rows.map((r) => r.d)],
  );
}

/** A base more than this many days back is not worth bringing forward: the date is computed from scratch. */
const MAX_BASE_GAP_DAYS = 31;

/** How many customers without facts on the base date are looked up one by one (more: from scratch). */
const MAX_FRESH = 50_000;

/** The windows of D brought forward from base date B, or null when too many customers have no facts on B. */
async function bringForward(s: SqlSession, businessDate: string, baseDate: string, snapshots: string): Promise<Windows | null> {
  const baseFacts = monthPartition('customer_facts', baseDate);
  // the loads (by B) that can hold transactions booked in B's window but before D's: passed as a
  // list, so the BRIN index on business_date reads only their pages; none, and nothing is read
  const leaving = (
    await s.query<{ d: string }>(
      `SELECT business_date AS d FROM transaction_loads
        WHERE business_date <= $2::date AND last_booked_on >= $2::date - 89 AND first_booked_on <= $1::date - 90`,
      [businessDate, baseDate],
    )
  ).rows.map((r) => r.d);
  const fresh = (
    await s.query<{ customer_id: string }>(
      `SELECT sn.customer_id FROM ${snapshots} sn
        WHERE sn.business_date = $1::date
          AND NOT EXISTS (SELECT 1 FROM ${baseFacts} b WHERE b.customer_id = sn.customer_id AND b.business_date = $2::date)
        LIMIT ${MAX_FRESH + 1}`,
      [businessDate, baseDate],
    )
  ).rows.map((r) => r.customer_id);
  if (fresh.length > MAX_FRESH) return null;
  const since = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM business_dates WHERE business_date > $2::date AND business_date <= $1::date', [businessDate, baseDate]);
  return incrementalWindows({
    baseFacts,
    snapshots,
    leaving,
    fresh,
    sameMonth: baseDate.slice(0, 7) === businessDate.slice(0, 7),
    onlyDateSinceBase: since.rows[0]?.n === 1,
  });
}

export interface FactsResult {
  customers: number;
  /** the date whose rolling windows were brought forward, or null when computed from scratch */
  baseDate: string | null;
  seconds: number;
}

/** A date read from the database, checked before it is written into a statement. */
const isoDate = (d: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`not a date: ${d}`);
  return d;
};

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The facts statement's work_mem (see computeFacts). */
const FACTS_WORK_MEM = '128MB';

/**
 * Computes the facts of every customer with a balance snapshot on the date, replacing that date's.
 * When the facts of a recent earlier date exist, its rolling windows are brought forward;
 * otherwise (or with `fromScratch`) every window is computed from all rows. Both give the same facts.
 * `server`: on a PostgreSQL server, whose memory allows the whole window's aggregate a gigabyte.
 */
export async function computeFacts(s: SqlSession, businessDate: string, opts: { fromScratch?: boolean; server?: boolean } = {}): Promise<FactsResult> {
  const t0 = performance.now();
  // A BRIN index only knows the page ranges summarised so far; ranges the loads filled since are
  // read whole by every query until autovacuum gets to them. Summarising them now (only the new
  // ones) lets the window's edges and the day's new transactions be found for almost nothing.
  await s.query(`SELECT count(brin_summarize_new_values(c.oid)) FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'brin' AND c.relkind = 'i'`);
  // the per-customer aggregates of a whole bank: hashed in memory rather than sorted on disk (more
  // did not help the statement: at 1M the planner then hashed where it merged, and took longer)
  await s.exec(`SET LOCAL work_mem = '${FACTS_WORK_MEM}'`);
  // compiling this one big statement (JIT) costs seconds and saves less than it costs
  await s.exec('SET LOCAL jit = off');
  await recordTransactionLoads(s, businessDate);
  const facts = await ensureMonthPartition(s, 'customer_facts', businessDate);
  await s.query('DELETE FROM customer_facts WHERE business_date = $1', [businessDate]);
  const prior = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM fact_runs WHERE business_date < $1::date', [businessDate]);
  const candidate = prior.rows[0]?.d ?? null;
  const usable = !opts.fromScratch && candidate && daysBetween(candidate, businessDate) <= MAX_BASE_GAP_DAYS ? candidate : null;
  // every big table named by the partition that holds the date (see monthPartition)
  const snapshots = monthPartition('balance_snapshots', businessDate);
  const forward = usable ? await bringForward(s, businessDate, usable, snapshots) : null;
  const baseDate = forward ? usable : null;
  const windows = forward ?? (await fullWindows(s, businessDate, snapshots, opts.server ? '1GB' : FACTS_WORK_MEM));
  // the snapshot of 90 days back (the latest date loaded by then), for the growth of AUM
  const pastDate = (
    await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM business_dates WHERE business_date <= $1::date - 90', [businessDate])
  ).rows[0]?.d;
  const past = pastDate
    ? `SELECT customer_id, aum FROM ${monthPartition('balance_snapshots', pastDate)} WHERE business_date = '${isoDate(pastDate)}'::date`
    : 'SELECT NULL::text AS customer_id, NULL::numeric AS aum WHERE false';
  const firstEver = !(await hasRows(s, 'customer_facts'));
  const insert = `WITH snap AS (
       SELECT * FROM ${snapshots} WHERE business_date = $1::date
     ), ${windows.ctes}, past AS (
       ${past}
     )
     INSERT INTO ${facts} (customer_id, business_date, aum, aum_avg_mtd, aum_sum_mtd, aum_days_mtd, deposits, deposit_term_months,
        current_balance, time_deposit, wealth, fund, insurance, loans_outstanding, loan_count, worst_overdue_days,
        spending_90d, txns_90d, counter_txns_90d, mobile_txns_90d, atm_txns_90d, pos_txns_90d, education_txns_90d, education_payee_90d,
        preferred_channel, net_contribution, age, annual_income, occupation, risk_level, tenure_years,
        aum_growth_90d, product_kinds, investment_share)
     SELECT c.customer_id, $1::date, sn.aum,
            CASE WHEN mtd.aum_days > 0 THEN round(mtd.aum_sum / mtd.aum_days, 2) ELSE sn.aum END,
            coalesce(mtd.aum_sum, sn.aum), coalesce(mtd.aum_days, 1),
            sn.deposits,
            sn.deposit_term_months,
            sn.current_balance, sn.time_deposit, sn.wealth, sn.fund, sn.insurance, sn.loans_outstanding,
            sn.loan_count, sn.worst_overdue_days,
            coalesce(tx.spending, 0), coalesce(tx.n, 0), coalesce(tx.counter_n, 0), coalesce(tx.mobile_n, 0),
            coalesce(tx.atm_n, 0), coalesce(tx.pos_n, 0), coalesce(tx.edu_n, 0), coalesce(tx.edu_n, 0) > 0,
            CASE WHEN greatest(tx.mobile_n, tx.counter_n, tx.atm_n, tx.pos_n) > 0 THEN
              CASE WHEN tx.mobile_n >= greatest(tx.counter_n, tx.atm_n, tx.pos_n) THEN 'mobile'
                   WHEN tx.counter_n >= greatest(tx.atm_n, tx.pos_n) THEN 'branch'
                   WHEN tx.atm_n >= tx.pos_n THEN 'self_service'
                   ELSE 'card' END
            END,
            0.020 * sn.current_balance + 0.008 * sn.time_deposit + 0.005 * sn.wealth + 0.010 * sn.fund
              + 0.015 * sn.insurance + 0.020 * sn.loans_outstanding
              - (50 + 4 * (15 * coalesce(tx.counter_n, 0) + 0.5 * (coalesce(tx.n, 0) - coalesce(tx.counter_n, 0)))),
            CASE WHEN c.birth_date IS NOT NULL THEN extract(year FROM age($1::date, c.birth_date))::int END,
            c.annual_income, c.occupation, c.risk_level,
            greatest(extract(year FROM age($1::date, c.opened_on))::int, 0),
            CASE WHEN past.aum > 0 THEN sn.aum / past.aum - 1 END,
            sn.product_kinds,
            CASE WHEN sn.aum > 0 THEN (sn.wealth + sn.fund + sn.insurance) / sn.aum END
       FROM customers c
       JOIN snap sn ON sn.customer_id = c.customer_id
       ${windows.joins}
       LEFT JOIN past ON past.customer_id = c.customer_id
      ${firstEver ? '' : `-- in key order: a million rows inserted at random places would thrash the primary key's pages
      ORDER BY c.customer_id`}`;
  const params = baseDate ? [businessDate, baseDate, ...windows.params] : [businessDate];
  // the very first facts (a bank's first date): written without the key, which is built after
  const r = firstEver ? await fillEmpty(s, 'customer_facts', () => s.query(insert, params)) : await s.query(insert, params);
  // the evaluation that follows in the same transaction plans on these rows, not on an empty table
  await s.exec(`ANALYZE ${facts}`);
  const seconds = (performance.now() - t0) / 1000;
  await s.query(
    `INSERT INTO fact_runs (business_date, base_date, customers, seconds, computed_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (business_date) DO UPDATE SET base_date = EXCLUDED.base_date, customers = EXCLUDED.customers,
       seconds = EXCLUDED.seconds, computed_at = EXCLUDED.computed_at`,
    [businessDate, baseDate, r.rowCount, seconds.toFixed(3)],
  );
  return { customers: r.rowCount, baseDate, seconds };
}
