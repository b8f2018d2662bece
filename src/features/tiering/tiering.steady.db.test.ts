import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccount, buildBranches, buildCustomer, buildLoan, buildProducts, buildStaff, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering, tiersAsOf } from './tiering.batch.js';
import { builtInPolicies, policiesInEffect, publishPolicy } from './tiering.policies.js';
import { compilePolicy } from './tiering.policy.js';

// A model evaluated on the previous date with the version still in effect is evaluated on both
// dates' facts in one pass, and only the customers whose result differs are matched with their
// current tier. It must leave exactly the tiers and history a full evaluation leaves: every
// customer with facts on the date has the tier its facts give under the version in effect.

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
});

let n = 0;
function person(id: string, accounts: Row[], over: Row = {}): { customer: Row; accounts: Row[] } {
  n++;
  return {
    customer: buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19800101', String(200 + n)), phone: `1390000${String(n).padStart(4, '0')}`, ...over }),
    accounts: accounts.map((a, i) => buildAccount({ account_id: `${id}-A${i}`, customer_id: id, ...a })),
  };
}
const people = [
  person('UP', [{ balance: '49999.99' }]),
  person('DOWN', [{ balance: '500000.00' }]),
  person('SAME', [{ balance: '1000.00' }]),
  person('TERM', [{ balance: '60000.00', kind: 'time_deposit', product_code: 'TD12', opened_on: '2025-11-18', matures_on: '2026-11-18' }]),
  person('SPEND', [{ balance: '30000.00' }]),
  person('LOAN', [{ balance: '80000.00' }]),
];

async function day(date: string, files: Partial<FeedFiles>, mode: 'full' | 'delta' = 'delta') {
  const all: FeedFiles =
    mode === 'full'
      ? { branches: buildBranches(), staff: buildStaff(), products: buildProducts(), customers: people.map((p) => p.customer), accounts: people.flatMap((p) => p.accounts), cards: [], loans: [], transactions: [], ...files }
      : (files as FeedFiles);
  const r = await loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode }, all));
  expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
}

/** What a full evaluation gives: every model in effect on the date, on every customer's facts of the date. */
async function fullEvaluation(date: string): Promise<string[]> {
  return db.session(async (s) => {
    const out: string[] = [];
    for (const p of await policiesInEffect(s, date)) {
      for (const m of compilePolicy(p.document)) {
        const k = m.params.length;
        const r = await s.query<{ customer_id: string; tier: string }>(
          `SELECT f.customer_id, ${m.expression} AS tier FROM customer_facts f WHERE f.business_date = $${k + 1}::date`,
          [...m.params, date],
        );
        out.push(...r.rows.map((x) => `${x.customer_id} ${m.model} ${x.tier}`));
      }
    }
    return out.sort();
  });
}

/** The current tiers of the customers with facts on the date. */
async function currentTiers(date: string): Promise<string[]> {
  const r = await db.session((s) =>
    s.query<{ line: string }>(
      `SELECT t.customer_id || ' ' || t.model || ' ' || t.tier AS line FROM customer_tiers t
        WHERE EXISTS (SELECT 1 FROM customer_facts f WHERE f.customer_id = t.customer_id AND f.business_date = $1::date)`,
      [date],
    ),
  );
  return r.rows.map((x) => x.line).sort();
}

/** Every model's tiers as of a date, as `stratum tiers export --date` gives them (three a page). */
async function tiersOn(date: string): Promise<string[]> {
  const models = (await db.session((s) => s.query<{ model: string }>('SELECT DISTINCT model FROM tier_runs'))).rows;
  const out: string[] = [];
  for (const { model } of models) for await (const rows of tiersAsOf(db, model, date, 3)) out.push(...rows.map((r) => `${r.customer_id} ${model} ${r.tier}`));
  return out.sort();
}

/**
 * The history replays to the current tiers: each customer's changes under a model form one chain
 * (each ends the tier the one before began, on the date it began) that ends in the current tier;
 * no change is to the same tier.
 */
async function historyProblems(): Promise<unknown[]> {
  const r = await db.session((s) =>
    s.query(
      `WITH chain AS (
         SELECT h.*, lag(to_tier) OVER w AS prev_tier, lag(business_date) OVER w AS prev_date, lag(policy_version) OVER w AS prev_version,
                row_number() OVER (PARTITION BY customer_id, model ORDER BY business_date DESC) AS from_last
           FROM tier_history h WINDOW w AS (PARTITION BY customer_id, model ORDER BY business_date)
       )
       SELECT 'same tier' AS problem, customer_id, model, business_date FROM tier_history WHERE from_tier = to_tier
       UNION ALL
       SELECT 'broken chain', customer_id, model, business_date FROM chain
        WHERE prev_tier IS NOT NULL AND (from_tier, from_since, from_version) IS DISTINCT FROM (prev_tier, prev_date, prev_version)
       UNION ALL
       SELECT 'not the current tier', c.customer_id, c.model, c.business_date FROM chain c
         JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = c.model
        WHERE c.from_last = 1 AND (t.tier, t.since, t.policy_version) IS DISTINCT FROM (c.to_tier, c.business_date, c.policy_version)`,
    ),
  );
  return r.rows;
}

const tx = (id: string, customer: string, bookedAt: string, amount: string, over: Row = {}) =>
  buildTransaction({ txn_id: id, customer_id: customer, account_id: `${customer}-A0`, booked_at: bookedAt, amount, ...over });

describe('steady models: only the customers whose result changed are matched', () => {
  it('leave exactly the tiers and history of a full evaluation, date after date, with a new version and a rerun', async () => {
    await day('2026-11-17', { loans: [buildLoan({ loan_id: 'L1', customer_id: 'LOAN', outstanding: '100000.00', overdue_days: '0' })] }, 'full');
    const first = await runTiering(db, '2026-11-17');
    expect(first.pass?.base).toBeNull(); // nothing evaluated before: every model in full
    expect(await currentTiers('2026-11-17')).toEqual(await fullEvaluation('2026-11-17'));

    // UP crosses 5万 to the fen, DOWN falls below 50万, LOAN becomes 90 days overdue, SPEND spends,
    // a newcomer arrives
    const newcomer = person('NEW', [{ balance: '3000000.00' }], { opened_on: '2026-11-18' });
    await day('2026-11-18', {
      customers: [newcomer.customer],
      accounts: [...newcomer.accounts, buildAccount({ account_id: 'UP-A0', customer_id: 'UP', balance: '50000.00' }), buildAccount({ account_id: 'DOWN-A0', customer_id: 'DOWN', balance: '499999.99' })],
      loans: [buildLoan({ loan_id: 'L1', customer_id: 'LOAN', outstanding: '100000.00', overdue_days: '90' })],
      transactions: [tx('T1', 'SPEND', '2026-11-18T10:00:00+08:00', '-20000.00', { channel: 'pos' }), tx('T2', 'SPEND', '2026-11-18T11:00:00+08:00', '-100.00', { channel: 'counter' })],
    });
    const second = await runTiering(db, '2026-11-18');
    expect(second.pass?.base).toBe('2026-11-17');
    // the customers whose tier may change (the newcomer among them), not every customer
    expect(second.pass?.steady).toHaveLength(second.models.length);
    expect(second.pass?.rows).toBeGreaterThanOrEqual(4);
    expect(second.pass?.rows).toBeLessThan(second.customers);
    expect(await currentTiers('2026-11-18')).toEqual(await fullEvaluation('2026-11-18'));
    expect(await historyProblems()).toEqual([]);
    const changed = await db.session((s) =>
      s.query<{ line: string }>(`SELECT customer_id || ' ' || from_tier || '>' || to_tier AS line FROM tier_history WHERE model = 'aum_band' AND business_date = '2026-11-18' ORDER BY 1`),
    );
    // the newcomer's first tier is its current tier, no change
    expect(changed.rows.map((r) => r.line)).toEqual(['DOWN band_4>band_3', 'UP band_1>band_2']);
    // a rerun of that date takes the newcomer's first tiers back with the changes, then gives them again
    const rerun = await runTiering(db, '2026-11-18');
    expect(rerun.models.map((m) => [m.model, m.changed])).toEqual(second.models.map((m) => [m.model, m.changed]));
    expect(await currentTiers('2026-11-18')).toEqual(await fullEvaluation('2026-11-18'));
    expect(await historyProblems()).toEqual([]);

    // a new version of aum_band from 11-19 (band_4 from 40万): that model in full, the others steady
    const base = builtInPolicies().find((p) => p.model === 'aum_band');
    if (!base || base.kind !== 'bands') throw new Error('no aum_band');
    await publishPolicy(db, { ...base, tiers: base.tiers.map((t) => (t.id === 'band_4' ? { ...t, min: 400000 } : t)) }, { publishedBy: 'S01', reason: '40万', effectiveFrom: '2026-11-19' });
    await day('2026-11-19', { accounts: [buildAccount({ account_id: 'UP-A0', customer_id: 'UP', balance: '49999.99' })] });
    const third = await runTiering(db, '2026-11-19');
    expect(third.pass?.base).toBe('2026-11-18');
    expect(third.pass?.steady).not.toContain('aum_band');
    expect(third.pass?.steady).toHaveLength(third.models.length - 1);
    expect(await currentTiers('2026-11-19')).toEqual(await fullEvaluation('2026-11-19'));
    expect(third.models.find((m) => m.model === 'aum_band')?.changed).toBe(2); // DOWN back to band_4 under 40万, UP down
    // a rerun of the date puts its changes back first, then finds the same
    const again = await runTiering(db, '2026-11-19');
    expect(again.models.map((m) => [m.model, m.changed])).toEqual(third.models.map((m) => [m.model, m.changed]));
    expect(await currentTiers('2026-11-19')).toEqual(await fullEvaluation('2026-11-19'));
    expect(await historyProblems()).toEqual([]);
    // every date's tiers can be read back afterwards: those its evaluation gave (no newcomer before it came)
    for (const d of ['2026-11-17', '2026-11-18', '2026-11-19']) expect(await tiersOn(d), d).toEqual(await fullEvaluation(d));
  });
});
