import type { SqlSession } from '../../platform/db.js';
import { ensureMonthPartition } from '../../platform/partitions.js';

// The facts the models read, per customer and business date (../shared/POLICIES.md "Facts"),
// computed for every customer in one INSERT … SELECT and kept per date.

export type FactType = 'money' | 'integer' | 'number' | 'text' | 'boolean';

export interface FactSpec {
  type: FactType;
  zh: string;
  en: string;
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
  education_payee_90d: { type: 'boolean', zh: '近90天有学费/留学支付', en: 'paid tuition or study abroad in 90 days' },
  preferred_channel: { type: 'text', zh: '偏好渠道', en: 'preferred channel' },
  net_contribution: { type: 'money', zh: '年净贡献', en: 'net contribution (yearly)' },
  age: { type: 'integer', zh: '年龄', en: 'age' },
  annual_income: { type: 'money', zh: '年收入', en: 'annual income' },
  occupation: { type: 'text', zh: '职业', en: 'occupation' },
  risk_level: { type: 'text', zh: '风险等级', en: 'risk level' },
  tenure_years: { type: 'integer', zh: '开户年限', en: 'years as a customer' },
  aum_growth_90d: { type: 'number', zh: '90天 AUM 增长率', en: 'AUM growth over 90 days' },
  product_kinds: { type: 'integer', zh: '持有产品种类', en: 'product kinds held' },
  investment_share: { type: 'number', zh: '投资类占 AUM 比例', en: 'share of AUM in wealth, funds and insurance' },
} as const satisfies Record<string, FactSpec>;
export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as FactName[];

// whole months from a to b: 2024-03-15 → 2025-03-15 is 12, → 2025-03-14 is 11
const MONTHS = (a: string, b: string) =>
  `((extract(year FROM ${b}) - extract(year FROM ${a})) * 12 + extract(month FROM ${b}) - extract(month FROM ${a})
    - CASE WHEN extract(day FROM ${b}) < extract(day FROM ${a}) THEN 1 ELSE 0 END)`;

// The transaction aggregates of the 90-day window, over a set of rows carrying a sign (+1 entering
// the window, −1 leaving it); spending is money paid out through card and electronic channels.
const TX_AGGREGATES = (sign: string) => `
  coalesce(sum(${sign} * -amount) FILTER (WHERE amount < 0 AND channel IN ('pos', 'online', 'mobile')), 0) AS spending,
  coalesce(sum(${sign}), 0) AS n,
  coalesce(sum(${sign}) FILTER (WHERE channel = 'counter'), 0) AS counter_n,
  coalesce(sum(${sign}) FILTER (WHERE channel IN ('mobile', 'online')), 0) AS mobile_n,
  coalesce(sum(${sign}) FILTER (WHERE channel = 'atm'), 0) AS atm_n,
  coalesce(sum(${sign}) FILTER (WHERE channel = 'pos'), 0) AS pos_n,
  coalesce(sum(${sign}) FILTER (WHERE counterparty LIKE '%学费%' OR counterparty LIKE '%留学%'), 0) AS edu_n`;
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

/** The 90-day window of every customer, from all its transactions. */
const FULL_TX = `tx AS (
  SELECT customer_id, ${TX_AGGREGATES('1')} FROM transactions WHERE ${IN_WINDOW} GROUP BY customer_id
), mtd AS (
  SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM balance_snapshots
   WHERE business_date >= date_trunc('month', $1::date)::date AND business_date <= $1::date
   GROUP BY customer_id
)`;

/**
 * The 90-day window brought forward from the facts of base date $2 (B < D): plus what was loaded
 * after B and falls in D's window, minus what was loaded by B and booked in B's window but before
 * D's. (Nothing loaded by B is booked after B: the loader refuses a transaction booked after its
 * business date.) A customer without facts on B (new, or
 * back) gets its whole window, through its own rows of the primary key. The month-to-date sum
 * adds the snapshots after B when B is in D's month, and starts again otherwise.
 */
const INCREMENTAL_TX = (sameMonth: boolean, leaving: boolean) => `base AS (
  SELECT customer_id, ${Object.values(BASE_COLUMNS).join(', ')}, aum_sum_mtd, aum_days_mtd
    FROM customer_facts WHERE business_date = $2::date
), moves AS (
  SELECT customer_id, amount, channel, counterparty, 1 AS sign FROM transactions
   WHERE business_date > $2::date AND business_date <= $1::date AND booked_on BETWEEN $1::date - 89 AND $1::date
${
  leaving
    ? `  UNION ALL
  SELECT customer_id, amount, channel, counterparty, -1 FROM transactions
   WHERE business_date = ANY($3::date[]) AND booked_on BETWEEN $2::date - 89 AND $1::date - 90`
    : ''
}
), delta AS (
  SELECT customer_id, ${TX_AGGREGATES('sign')} FROM moves GROUP BY customer_id
), fresh AS (
  SELECT sn.customer_id FROM snap sn WHERE NOT EXISTS (SELECT 1 FROM base b WHERE b.customer_id = sn.customer_id)
), tx AS (
  SELECT b.customer_id, ${TX_COLUMNS.map((c) => `b.${BASE_COLUMNS[c]} + coalesce(d.${c}, 0) AS ${c}`).join(', ')}
    FROM base b LEFT JOIN delta d ON d.customer_id = b.customer_id
  UNION ALL
  SELECT fr.customer_id, w.* FROM fresh fr
   CROSS JOIN LATERAL (SELECT ${TX_AGGREGATES('1')} FROM transactions t WHERE t.customer_id = fr.customer_id AND ${IN_WINDOW}) w
), mtd AS (
  ${
    sameMonth
      ? `SELECT b.customer_id, b.aum_sum_mtd + coalesce(a.aum_sum, 0) AS aum_sum, b.aum_days_mtd + coalesce(a.aum_days, 0) AS aum_days
    FROM base b LEFT JOIN (
      SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM balance_snapshots
       WHERE business_date > $2::date AND business_date <= $1::date GROUP BY customer_id
    ) a ON a.customer_id = b.customer_id
  UNION ALL
  SELECT fr.customer_id, m.aum_sum, m.aum_days FROM fresh fr
   CROSS JOIN LATERAL (SELECT sum(aum) AS aum_sum, count(*) AS aum_days FROM balance_snapshots s
     WHERE s.customer_id = fr.customer_id AND s.business_date >= date_trunc('month', $1::date)::date AND s.business_date <= $1::date) m`
      : `SELECT customer_id, sum(aum) AS aum_sum, count(*) AS aum_days FROM balance_snapshots
   WHERE business_date >= date_trunc('month', $1::date)::date AND business_date <= $1::date
   GROUP BY customer_id`
  }
)`;

/**
 * Records the days of bookings of each load up to the date not yet recorded, or loaded again (a
 * correction) since it was. Reads only those loads' rows, through the BRIN index on business_date.
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
    `INSERT INTO transaction_loads (business_date, rows, first_booked_on, last_booked_on)
     SELECT business_date, count(*), min(booked_on), max(booked_on) FROM transactions
      WHERE business_date = ANY($1::date[])
      GROUP BY business_date
     ON CONFLICT (business_date) DO UPDATE SET rows = EXCLUDED.rows, first_booked_on = EXCLUDED.first_booked_on,
       last_booked_on = EXCLUDED.last_booked_on, recorded_at = now()`,
    [due.rows.map((r) => r.d)],
  );
}

/** A base more than this many days back is not worth bringing forward: the date is computed from scratch. */
const MAX_BASE_GAP_DAYS = 31;

export interface FactsResult {
  customers: number;
  /** the date whose rolling windows were brought forward, or null when computed from scratch */
  baseDate: string | null;
  seconds: number;
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/**
 * Computes the facts of every customer with a balance snapshot on the date, replacing that date's.
 * When the facts of a recent earlier date exist, its rolling windows are brought forward;
 * otherwise (or with `fromScratch`) every window is computed from all rows. Both give the same facts.
 */
export async function computeFacts(s: SqlSession, businessDate: string, opts: { fromScratch?: boolean } = {}): Promise<FactsResult> {
  const t0 = performance.now();
  // A BRIN index only knows the page ranges summarised so far; ranges the loads filled since are
  // read whole by every query until autovacuum gets to them. Summarising them now (only the new
  // ones) lets the window's edges and the day's new transactions be found for almost nothing.
  await s.query(`SELECT count(brin_summarize_new_values(c.oid)) FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'brin' AND c.relkind = 'i'`);
  // the per-customer aggregates of a whole bank: hashed in memory rather than sorted on disk
  await s.exec(`SET LOCAL work_mem = '128MB'`);
  // compiling this one big statement (JIT) costs seconds and saves less than it costs
  await s.exec('SET LOCAL jit = off');
  await recordTransactionLoads(s, businessDate);
  await ensureMonthPartition(s, 'customer_facts', businessDate);
  await s.query('DELETE FROM customer_facts WHERE business_date = $1', [businessDate]);
  const prior = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM fact_runs WHERE business_date < $1::date', [businessDate]);
  const candidate = prior.rows[0]?.d ?? null;
  const baseDate = !opts.fromScratch && candidate && daysBetween(candidate, businessDate) <= MAX_BASE_GAP_DAYS ? candidate : null;
  // the loads (by B) that can hold transactions booked in B's window but before D's: passed as a
  // list, so the BRIN index on business_date reads only their pages; none, and nothing is read
  const leavingLoads = baseDate
    ? (
        await s.query<{ d: string }>(
          `SELECT business_date AS d FROM transaction_loads
            WHERE business_date <= $2::date AND last_booked_on >= $2::date - 89 AND first_booked_on <= $1::date - 90`,
          [businessDate, baseDate],
        )
      ).rows.map((r) => r.d)
    : [];
  const windows = baseDate ? INCREMENTAL_TX(baseDate.slice(0, 7) === businessDate.slice(0, 7), leavingLoads.length > 0) : FULL_TX;
  const r = await s.query(
    `WITH snap AS (
       SELECT * FROM balance_snapshots WHERE business_date = $1::date
     ), ${windows}, past AS (
       SELECT customer_id, aum FROM balance_snapshots
        WHERE business_date = (SELECT max(business_date) FROM business_dates WHERE business_date <= $1::date - 90)
     ), acc AS (
       SELECT customer_id,
              sum(balance * CASE WHEN kind = 'time_deposit' AND matures_on IS NOT NULL THEN ${MONTHS('opened_on', 'matures_on')} ELSE 0 END)
                FILTER (WHERE kind IN ('current', 'time_deposit'))
                / nullif(sum(balance) FILTER (WHERE kind IN ('current', 'time_deposit')), 0) AS term,
              count(DISTINCT kind) AS kinds,
              bool_or(kind = 'loan') AS loan_account
         FROM accounts WHERE status = 'active'
        GROUP BY customer_id
     ), ln AS (
       SELECT customer_id, max(overdue_days) AS worst, count(*) AS n
         FROM loans WHERE status = 'active' GROUP BY customer_id
     )
     INSERT INTO customer_facts (customer_id, business_date, aum, aum_avg_mtd, aum_sum_mtd, aum_days_mtd, deposits, deposit_term_months,
        current_balance, time_deposit, wealth, fund, insurance, loans_outstanding, loan_count, worst_overdue_days,
        spending_90d, txns_90d, counter_txns_90d, mobile_txns_90d, atm_txns_90d, pos_txns_90d, education_txns_90d, education_payee_90d,
        preferred_channel, net_contribution, age, annual_income, occupation, risk_level, tenure_years,
        aum_growth_90d, product_kinds, investment_share)
     SELECT c.customer_id, $1::date, sn.aum,
            CASE WHEN mtd.aum_days > 0 THEN round(mtd.aum_sum / mtd.aum_days, 2) ELSE sn.aum END,
            coalesce(mtd.aum_sum, sn.aum), coalesce(mtd.aum_days, 1),
            sn.deposits,
            CASE WHEN sn.deposits > 0 THEN coalesce(acc.term, 0) ELSE 0 END,
            sn.current_balance, sn.time_deposit, sn.wealth, sn.fund, sn.insurance, sn.loans_outstanding,
            coalesce(ln.n, 0), coalesce(ln.worst, 0),
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
            coalesce(acc.kinds, 0) + CASE WHEN coalesce(ln.n, 0) > 0 AND NOT coalesce(acc.loan_account, false) THEN 1 ELSE 0 END,
            CASE WHEN sn.aum > 0 THEN (sn.wealth + sn.fund + sn.insurance) / sn.aum END
       FROM customers c
       JOIN snap sn ON sn.customer_id = c.customer_id
       LEFT JOIN mtd ON mtd.customer_id = c.customer_id
       LEFT JOIN past ON past.customer_id = c.customer_id
       LEFT JOIN acc ON acc.customer_id = c.customer_id
       LEFT JOIN ln ON ln.customer_id = c.customer_id
       LEFT JOIN tx ON tx.customer_id = c.customer_id
      -- in key order: a million rows inserted at random places would thrash the primary key's pages
      ORDER BY c.customer_id`,
    baseDate ? [businessDate, baseDate, ...(leavingLoads.length ? [leavingLoads] : [])] : [businessDate],
  );
  // the evaluation that follows in the same transaction plans on these rows, not on an empty table
  await s.exec(`ANALYZE customer_facts_${businessDate.slice(0, 4)}_${businessDate.slice(5, 7)}`);
  const seconds = (performance.now() - t0) / 1000;
  await s.query(
    `INSERT INTO fact_runs (business_date, base_date, customers, seconds) VALUES ($1, $2, $3, $4)
     ON CONFLICT (business_date) DO UPDATE SET base_date = EXCLUDED.base_date, customers = EXCLUDED.customers,
       seconds = EXCLUDED.seconds, computed_at = now()`,
    [businessDate, baseDate, r.rowCount, seconds.toFixed(3)],
  );
  return { customers: r.rowCount, baseDate, seconds };
}
