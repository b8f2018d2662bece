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

/** Computes the facts of every customer with a balance snapshot on the date; replaces that date's. */
export async function computeFacts(s: SqlSession, businessDate: string): Promise<number> {
  await ensureMonthPartition(s, 'customer_facts', businessDate);
  await s.query('DELETE FROM customer_facts WHERE business_date = $1', [businessDate]);
  const r = await s.query(
    `WITH snap AS (
       SELECT * FROM balance_snapshots WHERE business_date = $1::date
     ), mtd AS (
       SELECT customer_id, avg(aum) AS aum_avg FROM balance_snapshots
        WHERE business_date >= date_trunc('month', $1::date)::date AND business_date <= $1::date
        GROUP BY customer_id
     ), past AS (
       SELECT customer_id, aum FROM balance_snapshots
        WHERE business_date = (SELECT max(business_date) FROM business_dates WHERE business_date <= $1::date - 90)
     ), dep AS (
       SELECT customer_id,
              sum(balance * CASE WHEN kind = 'time_deposit' AND matures_on IS NOT NULL THEN ${MONTHS('opened_on', 'matures_on')} ELSE 0 END)
                / nullif(sum(balance), 0) AS term
         FROM accounts WHERE status = 'active' AND kind IN ('current', 'time_deposit')
        GROUP BY customer_id
     ), held AS (
       SELECT customer_id, count(DISTINCT kind) AS kinds FROM accounts WHERE status = 'active' GROUP BY customer_id
     ), ln AS (
       SELECT customer_id, max(overdue_days) AS worst, count(*) AS n
         FROM loans WHERE status = 'active' GROUP BY customer_id
     ), tx AS (
       SELECT customer_id,
              coalesce(sum(-amount) FILTER (WHERE amount < 0 AND channel IN ('pos', 'online', 'mobile')), 0) AS spending,
              count(*) AS n,
              count(*) FILTER (WHERE channel = 'counter') AS counter_n,
              count(*) FILTER (WHERE channel IN ('mobile', 'online')) AS mobile_n,
              count(*) FILTER (WHERE channel = 'atm') AS atm_n,
              count(*) FILTER (WHERE channel = 'pos') AS pos_n,
              bool_or(counterparty LIKE '%学费%' OR counterparty LIKE '%留学%') AS edu
         FROM transactions
        WHERE booked_on BETWEEN $1::date - 89 AND $1::date
        GROUP BY customer_id
     )
     INSERT INTO customer_facts (customer_id, business_date, aum, aum_avg_mtd, deposits, deposit_term_months,
        current_balance, time_deposit, wealth, fund, insurance, loans_outstanding, loan_count, worst_overdue_days,
        spending_90d, txns_90d, counter_txns_90d, mobile_txns_90d, atm_txns_90d, pos_txns_90d, education_payee_90d,
        preferred_channel, net_contribution, age, annual_income, occupation, risk_level, tenure_years,
        aum_growth_90d, product_kinds, investment_share)
     SELECT c.customer_id, $1::date, sn.aum, round(coalesce(mtd.aum_avg, sn.aum), 2), sn.deposits,
            CASE WHEN sn.deposits > 0 THEN coalesce(dep.term, 0) ELSE 0 END,
            sn.current_balance, sn.time_deposit, sn.wealth, sn.fund, sn.insurance, sn.loans_outstanding,
            coalesce(ln.n, 0), coalesce(ln.worst, 0),
            coalesce(tx.spending, 0), coalesce(tx.n, 0), coalesce(tx.counter_n, 0), coalesce(tx.mobile_n, 0),
            coalesce(tx.atm_n, 0), coalesce(tx.pos_n, 0), coalesce(tx.edu, false),
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
            coalesce(held.kinds, 0) + CASE WHEN coalesce(ln.n, 0) > 0 AND NOT EXISTS (
              SELECT 1 FROM accounts a WHERE a.customer_id = c.customer_id AND a.status = 'active' AND a.kind = 'loan') THEN 1 ELSE 0 END,
            CASE WHEN sn.aum > 0 THEN (sn.wealth + sn.fund + sn.insurance) / sn.aum END
       FROM customers c
       JOIN snap sn ON sn.customer_id = c.customer_id
       LEFT JOIN mtd ON mtd.customer_id = c.customer_id
       LEFT JOIN past ON past.customer_id = c.customer_id
       LEFT JOIN dep ON dep.customer_id = c.customer_id
       LEFT JOIN held ON held.customer_id = c.customer_id
       LEFT JOIN ln ON ln.customer_id = c.customer_id
       LEFT JOIN tx ON tx.customer_id = c.customer_id`,
    [businessDate],
  );
  return r.rowCount;
}
