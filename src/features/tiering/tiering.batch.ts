import type { Db, SqlSession } from '../../platform/db.js';
import { fillEmpty, hasRows } from '../../platform/bulk.js';
import { AppError } from '../../platform/errors.js';
import { monthPartition } from '../../platform/partitions.js';
import { computeFacts } from './tiering.facts.js';
import { ensureBuiltInPolicies, policiesInEffect } from './tiering.policies.js';
import { compilePolicy, type CompiledModel } from './tiering.policy.js';
import { ensureTierPartition, lastEvaluatedDate } from './tiering.sql.js';

// The tiering step of the daily batch: facts for the date, then every published model, each
// one set-based statement. One transaction: a crash leaves the previous state, a rerun of the
// same date puts that date's changes back first and gives the same result.

const TIERING_LOCK = 7_310_004;

export interface TieringProgress {
  step: string;
  done: number;
  total: number;
}

export interface TieringResult {
  businessDate: string;
  customers: number;
  /** the date whose rolling windows the facts were brought forward from; null: computed from scratch */
  factsBaseDate: string | null;
  models: { model: string; version: number; changed: number; seconds: number }[];
  factsSeconds: number;
  /** every model's evaluation */
  evaluationSeconds: number;
  seconds: number;
}

/** Puts back the state before a date's evaluation (for a rerun of that date), for every model at once. */
async function undoDate(s: SqlSession, date: string): Promise<void> {
  await s.query(
    `UPDATE customer_tiers t SET tier = h.from_tier, since = h.from_since, policy_version = h.from_version
       FROM tier_history h
      WHERE h.business_date = $1::date AND h.from_tier IS NOT NULL
        AND t.customer_id = h.customer_id AND t.model = h.model`,
    [date],
  );
  await s.query(
    `DELETE FROM customer_tiers t USING tier_history h
      WHERE h.business_date = $1::date AND h.from_tier IS NULL
        AND t.customer_id = h.customer_id AND t.model = h.model`,
    [date],
  );
  await s.query('DELETE FROM tier_history WHERE business_date = $1::date', [date]);
  await s.query('DELETE FROM tier_runs WHERE business_date = $1::date', [date]);
}

/**
 * Evaluates one model for every customer with facts on the date, set-based: one pass over the
 * facts, one join with the model's current tiers (its own partition), and only the changes are
 * written, to the history and the current tier. Returns how many changed. Both sides are named by
 * partition (see monthPartition): through the partitioned tables the planner expected billions of
 * matches and probed the tiers' index a million times (2.7 s a model at 1M, against 1.7 s hashed).
 */
export async function evaluateModel(s: SqlSession, m: CompiledModel, date: string, version: number): Promise<number> {
  const partition = await ensureTierPartition(s, m.model);
  // A model's first evaluation writes a tier for every customer: into its empty partition, plain
  // inserts (nothing can conflict), as one loads anything in bulk.
  const first = !(await s.query('SELECT 1 FROM customer_tiers WHERE model = $1 LIMIT 1', [m.model])).rows.length;
  const n = m.params.length;
  const [d, model, v] = [`$${n + 1}::date`, `$${n + 2}::text`, `$${n + 3}::int`];
  const r = await s.query(
    `WITH eval AS (
       SELECT f.customer_id, ${m.expression} AS tier FROM ${monthPartition('customer_facts', date)} f WHERE f.business_date = ${d}
     ), changed AS (
       SELECT e.customer_id, e.tier, t.tier AS from_tier, t.since AS from_since, t.policy_version AS from_version
         FROM eval e LEFT JOIN ${partition} t ON t.customer_id = e.customer_id
        WHERE t.tier IS DISTINCT FROM e.tier
     ), history AS (
       INSERT INTO tier_history (customer_id, model, business_date, from_tier, from_since, from_version, to_tier, policy_version)
       SELECT customer_id, ${model}, ${d}, from_tier, from_since, from_version, tier, ${v} FROM changed
     )
     INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version)
     SELECT customer_id, ${model}, tier, ${d}, ${v} FROM changed
     ${first ? '' : `ON CONFLICT (customer_id, model) DO UPDATE SET tier = EXCLUDED.tier, since = EXCLUDED.since, policy_version = EXCLUDED.policy_version`}`,
    [...m.params, date, m.model, version],
  );
  // After a bulk write the planner would still take the partition for empty (autovacuum analyses
  // it later): the next evaluation would probe a million tiers one by one instead of hashing them.
  if (first || r.rowCount > 10_000) await s.exec(`ANALYZE ${partition}`);
  return r.rowCount;
}

/** `stratum batch run --date D`: facts, then every model in effect on D. */
export async function runTiering(
  db: Db,
  businessDate: string,
  onProgress?: (p: TieringProgress) => void,
  opts: { fromScratch?: boolean } = {},
): Promise<TieringResult> {
  const started = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [TIERING_LOCK]);
    const loaded = await s.query<{ latest: string | null; has: boolean }>(
      'SELECT max(business_date) AS latest, bool_or(business_date = $1::date) AS has FROM business_dates',
      [businessDate],
    );
    const latestLoaded = loaded.rows[0]?.latest ?? null;
    if (!loaded.rows[0]?.has) {
      throw new AppError('bad_request', `${businessDate} has not been loaded${latestLoaded ? ` (the latest loaded business date is ${latestLoaded})` : ''}: load its feed first, then run the batch for it.`);
    }
    const last = await lastEvaluatedDate(s);
    if (last && businessDate < last) {
      throw new AppError('bad_request', `${businessDate} is before ${last}, the last business date evaluated; dates are evaluated in order (${last} itself may be run again).`);
    }
    await ensureBuiltInPolicies(s);
    const policies = await policiesInEffect(s, businessDate);
    const models = policies.flatMap((p) => compilePolicy(p.document).map((m) => ({ m, version: p.version })));
    const total = models.length + 1;
    onProgress?.({ step: 'facts', done: 0, total });
    const facts = await computeFacts(s, businessDate, { fromScratch: opts.fromScratch ?? false });
    const customers = facts.customers;
    const result: TieringResult = { businessDate, customers, factsBaseDate: facts.baseDate, models: [], factsSeconds: facts.seconds, evaluationSeconds: 0, seconds: 0 };
    await undoDate(s, businessDate);
    const t0 = performance.now();
    const evaluateAll = async () => {
      for (const [i, { m, version }] of models.entries()) {
        onProgress?.({ step: m.model, done: i + 1, total });
        const m0 = performance.now();
        const changed = await evaluateModel(s, m, businessDate, version);
        const seconds = (performance.now() - m0) / 1000;
        await s.query(
          'INSERT INTO tier_runs (model, business_date, policy_version, customers, changed, seconds) VALUES ($1, $2::date, $3, $4, $5, $6)',
          [m.model, businessDate, version, customers, changed, seconds.toFixed(3)],
        );
        result.models.push({ model: m.model, version, changed, seconds });
      }
    };
    // The very first evaluation (no tier and no history yet) writes two rows per customer and
    // model, a current tier and its history: written like a bank's first load, without the keys
    // and indexes, which are built once after every model.
    const firstEver = !(await hasRows(s, 'customer_tiers')) && !(await hasRows(s, 'tier_history'));
    if (firstEver) await fillEmpty(s, 'customer_tiers', () => fillEmpty(s, 'tier_history', evaluateAll));
    else await evaluateAll();
    result.evaluationSeconds = (performance.now() - t0) / 1000;
    onProgress?.({ step: 'done', done: total, total });
    result.seconds = (performance.now() - started) / 1000;
    return result;
  });
}

/** Every customer's tier under a model as of a date, from the history: customer_id, tier, since. */
export async function* tiersAsOf(db: Db, model: string, date: string, chunk = 50_000): AsyncGenerator<{ customer_id: string; tier: string; since: string }[]> {
  let after = '';
  for (;;) {
    const r = await db.session((s) =>
      s.query<{ customer_id: string; tier: string; since: string }>(
        `SELECT DISTINCT ON (customer_id) customer_id, to_tier AS tier, business_date AS since
           FROM tier_history
          WHERE model = $1 AND business_date <= $2::date AND customer_id > $3
          ORDER BY customer_id, business_date DESC
          LIMIT $4`,
        [model, date, after, chunk],
      ),
    );
    if (!r.rows.length) return;
    yield r.rows;
    after = r.rows[r.rows.length - 1]?.customer_id ?? after;
    if (r.rows.length < chunk) return;
  }
}
