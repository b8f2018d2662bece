import { inChunks, chunksOn, type Chunks } from '../../platform/chunks.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { NO_LOCAL_EXECUTION } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { tierOrder } from './tiering.explain.js';
import { computeFacts } from './tiering.facts.js';
import { builtInPolicies, policiesInEffect } from './tiering.policies.js';
import { checkPolicy, compilePolicy, type CompiledModel } from './tiering.policy.js';

// What a draft policy would do on a business date, without changing anything: customers and AUM
// per tier, and how many would move from each published tier to each draft tier, for the
// customers of the branches in the caller's scope only (issue 15: a branch head sees its subtree,
// the department the bank). Both sides are evaluated on the same facts.
//
// The facts are read in chunks of customers (keyset on customer_id, see platform/chunks.ts), so
// that a simulation over a whole bank never holds the embedded engine's one connection for more
// than a chunk. A date without facts is refused on the request path (missingFacts 'refuse'): the
// facts of a date are one statement over every customer and its 90 days of transactions (seconds
// at a million customers, blocking the embedded engine all along), and the daily batch computes
// and keeps them for every date it runs, so every date a bank would simulate on has them. Offline
// callers (the CLI, the batch's tests) may still compute them in a transaction rolled back after.

export interface SimulatedModel {
  model: string;
  publishedVersion: number | null;
  tiers: { tier: string; customers: number; aum: string }[];
  /** from published tier (null: no published version) → to draft tier → customers */
  migration: { from: string | null; to: string; customers: number }[];
  moved: number;
}

/** Whose customers a simulation counts: the whole bank, or the branches of a scope (its top branches, named). */
export interface SimulationScope {
  all: boolean;
  /** the top branches of the scope (each with its subtree); empty for the whole bank */
  branches: { branchId: string; name: string }[];
}

export interface Simulation {
  businessDate: string;
  /** customers counted: those of the scope with facts on the date */
  customers: number;
  scope: SimulationScope;
  models: SimulatedModel[];
}

export interface SimulateOptions {
  /** count only customers of these branches; null or absent: the whole bank */
  branches?: readonly string[] | null;
  /**
   * A date without facts: 'compute' them in a transaction rolled back afterwards (one statement
   * over the whole bank: offline use only), or 'refuse' with a 400 naming the date (the API).
   */
  missingFacts?: 'compute' | 'refuse';
}

/** Customers per chunk: each chunk evaluates every model of the draft on this many customers' facts. */
const CHUNK_CUSTOMERS = 5_000;

const shift = (m: CompiledModel, by: number) => m.expression.replace(/\$(\d+)/g, (_, d: string) => `$${Number(d) + by}`);

/** A sum of money as text ('-12.30', '0') to cents. */
function cents(v: string | null): bigint {
  if (!v) return 0n;
  const neg = v.startsWith('-');
  const [whole = '0', frac = ''] = (neg ? v.slice(1) : v).split('.');
  const c = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  return neg ? -c : c;
}
const money = (c: bigint) => {
  const abs = c < 0n ? -c : c;
  return `${c < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
};

/** The latest business date whose facts were computed (by the daily batch), or null. */
export async function latestFactsDate(db: Db): Promise<string | null> {
  const r = await db.session((s) => s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM fact_runs'));
  return r.rows[0]?.d ?? null;
}

export async function simulatePolicy(db: Db, document: unknown, businessDate: string, opts: SimulateOptions = {}): Promise<Simulation> {
  const { policy, problems } = checkPolicy(document);
  if (!policy) throw new AppError('bad_request', `The policy is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const branches = opts.branches ? [...opts.branches] : null;
  const state = await db.session(
    async (s) =>
      (
        await s.query<{ loaded: boolean; has_facts: boolean; latest: string | null }>(
          `SELECT EXISTS (SELECT 1 FROM business_dates WHERE business_date = $1::date) AS loaded,
                  EXISTS (SELECT 1 FROM customer_facts WHERE business_date = $1::date) AS has_facts,
                  (SELECT max(business_date) FROM fact_runs) AS latest`,
          [businessDate],
        )
      ).rows[0],
  );
  if (!state?.loaded) {
    throw new AppError('bad_request', text(`${businessDate} 的数据尚未加载：请在已加载的业务日期上试算。`, `${businessDate} has not been loaded: simulate on a loaded business date.`));
  }
  const evaluate = (c: Chunks) => simulateOn(c, policy, businessDate, branches);
  if (state.has_facts) return inChunks(db, 'policy_simulation', CHUNK_CUSTOMERS, evaluate);
  if (opts.missingFacts === 'refuse') {
    const latest = state.latest;
    throw new AppError(
      'bad_request',
      text(
        `${businessDate} 还没有客户指标（日批没有跑过这一天），不能试算。请选择日批跑过的日期${latest ? `（最近为 ${latest}）` : ''}，或先为 ${businessDate} 跑日批。`,
        `${businessDate} has no customer facts (the daily batch has not run for it), so it cannot be simulated on. Choose a date the batch has run for${latest ? ` (the latest is ${latest})` : ''}, or run the batch for ${businessDate} first.`,
      ),
    );
  }
  return db.session(async (s) => {
    await s.exec(s.citus ? `BEGIN; ${NO_LOCAL_EXECUTION}` : 'BEGIN');
    try {
      await computeFacts(s, businessDate, { server: db.engine === 'postgres' });
      return await simulateOn(chunksOn(s, 'policy_simulation', CHUNK_CUSTOMERS), policy, businessDate, branches);
    } finally {
      await s.exec('ROLLBACK');
    }
  });
}

/** The version of the draft's model in effect on the date; the shipped default stands in when none was recorded yet (a simulation never writes). */
async function publishedOn(s: SqlSession, model: string, businessDate: string) {
  const published = (await policiesInEffect(s, businessDate)).find((p) => p.model === model);
  if (published) return { version: published.version, models: compilePolicy(published.document) };
  const recorded = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM policies WHERE model = $1', [model]);
  const shipped = builtInPolicies().find((p) => p.model === model);
  // a built-in model with no version recorded: its shipped default is version 1 once anything runs
  if (shipped && !recorded.rows[0]?.n) return { version: 1, models: compilePolicy(shipped) };
  return { version: null, models: [] };
}

async function scopeOf(s: SqlSession, branches: string[] | null): Promise<SimulationScope> {
  if (!branches) return { all: true, branches: [] };
  const r = await s.query<{ branch_id: string; name: string }>(
    `SELECT branch_id, name FROM branches
      WHERE branch_id = ANY($1::text[]) AND (parent_id IS NULL OR NOT parent_id = ANY($1::text[]))
      ORDER BY branch_id`,
    [branches],
  );
  return { all: false, branches: r.rows.map((b) => ({ branchId: b.branch_id, name: b.name })) };
}

async function simulateOn(c: Chunks, policy: NonNullable<ReturnType<typeof checkPolicy>['policy']>, businessDate: string, branches: string[] | null): Promise<Simulation> {
  const { published, scope } = await c.run(async (s) => ({ published: await publishedOn(s, policy.model, businessDate), scope: await scopeOf(s, branches) }));
  const drafts = compilePolicy(policy);
  // $1 date, $2 the last customer of the chunk before, $3 the chunk's last customer, $4 the branches (when not the whole bank)
  const params: unknown[] = [businessDate, '', '', ...(branches ? [branches] : [])];
  const perModel = drafts.map((draft, i) => {
    const current = published.models.find((m) => m.model === draft.model);
    const to = shift(draft, params.length);
    params.push(...draft.params);
    let from = 'NULL::text';
    if (current) {
      from = shift(current, params.length);
      params.push(...current.params);
    }
    return `SELECT ${i} AS m, ${from} AS from_tier, ${to} AS to_tier, count(*)::int AS customers, sum(f.aum)::text AS aum FROM f GROUP BY 2, 3`;
  });
  // A chunk is a range of customer ids: the bank's next customers in key order (a walk of the
  // customers' primary key that stops after a chunk, whatever the scope, so that a chunk never
  // spans the bank), then the facts on the date of those of the scope in that range (customer_facts
  // and customers go by customer_id, as they are distributed), evaluated once per model.
  const bounds = `SELECT count(*)::int AS n, max(k) AS upto FROM (SELECT customer_id AS k FROM customers WHERE customer_id > $1::text ORDER BY customer_id LIMIT $2) x`;
  const sql = `WITH f AS MATERIALIZED (
      SELECT f.* FROM customer_facts f
       WHERE f.business_date = $1::date AND f.customer_id > $2::text AND f.customer_id <= $3::text
       ${branches ? 'AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = f.customer_id AND c.branch_id = ANY($4::text[]))' : ''})
    SELECT -1 AS m, NULL::text AS from_tier, NULL::text AS to_tier, count(*)::int AS customers, NULL::text AS aum FROM f
    ${perModel.map((q) => `UNION ALL ${q}`).join('\n    ')}`;
  const cells = drafts.map(() => new Map<string, { from: string | null; to: string; customers: number; cents: bigint }>());
  let customers = 0;
  for (let more = true; more; ) {
    const r = await c.run(async (s) => {
      const b = (await s.query<{ n: number; upto: string | null }>(bounds, [params[1], c.rows])).rows[0];
      if (!b?.upto) return null;
      more = b.n === c.rows;
      params[2] = b.upto;
      const out = await s.query<{ m: number; from_tier: string | null; to_tier: string | null; customers: number; aum: string | null }>(sql, params);
      params[1] = b.upto;
      return out;
    });
    if (!r) break;
    for (const row of r.rows) {
      if (row.m < 0) {
        customers += row.customers;
        continue;
      }
      const to = row.to_tier ?? '';
      const key = JSON.stringify([row.from_tier, to]);
      const map = cells[row.m];
      if (!map) continue;
      const cell = map.get(key) ?? { from: row.from_tier, to, customers: 0, cents: 0n };
      cell.customers += row.customers;
      cell.cents += cents(row.aum);
      map.set(key, cell);
    }
  }
  const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const models = drafts.map((draft, i): SimulatedModel => {
    const migration = [...(cells[i]?.values() ?? [])].sort((a, b) => byName(a.to, b.to) || byName(a.from, b.from));
    const byTier = new Map<string, { customers: number; cents: bigint }>();
    for (const x of migration) {
      const t = byTier.get(x.to) ?? { customers: 0, cents: 0n };
      t.customers += x.customers;
      t.cents += x.cents;
      byTier.set(x.to, t);
    }
    return {
      model: draft.model,
      publishedVersion: published.version,
      tiers: tierOrder(policy, draft.model).map((tier) => {
        const t = byTier.get(tier) ?? { customers: 0, cents: 0n };
        return { tier, customers: t.customers, aum: money(t.cents) };
      }),
      migration: migration.map((x) => ({ from: x.from, to: x.to, customers: x.customers })),
      moved: migration.filter((x) => x.from !== x.to).reduce((n, x) => n + x.customers, 0),
    };
  });
  return { businessDate, customers, scope, models };
}
