import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { tierOrder } from './tiering.explain.js';
import { computeFacts } from './tiering.facts.js';
import { ensureBuiltInPolicies, policiesInEffect } from './tiering.policies.js';
import { checkPolicy, compilePolicy, type CompiledModel } from './tiering.policy.js';

// What a draft policy would do on a business date, without changing anything: customers and AUM
// per tier, and how many would move from each published tier to each draft tier. Both sides are
// evaluated on the same facts in one query, inside a transaction that is always rolled back.

export interface SimulatedModel {
  model: string;
  publishedVersion: number | null;
  tiers: { tier: string; customers: number; aum: string }[];
  /** from published tier (null: no published version) → to draft tier → customers */
  migration: { from: string | null; to: string; customers: number }[];
  moved: number;
}

const shift = (m: CompiledModel, by: number) => m.expression.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + by}`);

export async function simulatePolicy(db: Db, document: unknown, businessDate: string): Promise<{ businessDate: string; customers: number; models: SimulatedModel[] }> {
  const { policy, problems } = checkPolicy(document);
  if (!policy) throw new AppError('bad_request', `The policy is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return db.session(async (s) => {
    await s.exec('BEGIN');
    try {
      const loaded = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM business_dates WHERE business_date = $1::date', [businessDate]);
      if (!loaded.rows[0]?.n) throw new AppError('bad_request', `${businessDate} has not been loaded: simulate on a loaded business date.`);
      const have = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_facts WHERE business_date = $1::date', [businessDate]);
      const customers = have.rows[0]?.n ? have.rows[0].n : (await computeFacts(s, businessDate)).customers;
      await ensureBuiltInPolicies(s);
      const published = (await policiesInEffect(s, businessDate)).find((p) => p.model === policy.model);
      const publishedModels = published ? compilePolicy(published.document) : [];
      const models: SimulatedModel[] = [];
      for (const draft of compilePolicy(policy)) {
        const current = publishedModels.find((m) => m.model === draft.model);
        const params: unknown[] = [...draft.params];
        let fromExpr = 'NULL::text';
        if (current) {
          fromExpr = shift(current, params.length);
          params.push(...current.params);
        }
        params.push(businessDate);
        const r = await s.query<{ from_tier: string | null; to_tier: string; customers: number; aum: string }>(
          `SELECT ${fromExpr} AS from_tier, ${draft.expression} AS to_tier, count(*)::int AS customers, sum(f.aum)::text AS aum
             FROM customer_facts f WHERE f.business_date = $${params.length}::date
            GROUP BY 1, 2 ORDER BY 2, 1`,
          params,
        );
        const byTier = new Map<string, { customers: number; cents: bigint }>();
        for (const row of r.rows) {
          const t = byTier.get(row.to_tier) ?? { customers: 0, cents: 0n };
          t.customers += row.customers;
          t.cents += BigInt(row.aum.replace('.', ''));
          byTier.set(row.to_tier, t);
        }
        const order = tierOrder(policy, draft.model);
        models.push({
          model: draft.model,
          publishedVersion: published?.version ?? null,
          tiers: order.map((tier) => {
            const t = byTier.get(tier) ?? { customers: 0, cents: 0n };
            const abs = t.cents < 0n ? -t.cents : t.cents;
            return { tier, customers: t.customers, aum: `${t.cents < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}` };
          }),
          migration: r.rows.map((x) => ({ from: x.from_tier, to: x.to_tier, customers: x.customers })),
          moved: r.rows.filter((x) => x.from_tier !== x.to_tier).reduce((n, x) => n + x.customers, 0),
        });
      }
      return { businessDate, customers, models };
    } finally {
      await s.exec('ROLLBACK');
    }
  });
}
