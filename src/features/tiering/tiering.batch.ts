import type { Db, SqlSession } from '../../platform/db.js';
import { fillEmpty, hasRows, probingKeys } from '../../platform/bulk.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { syncOverviewTiers } from '../customers/customers.overview.js';
import { AppError } from '../../platform/errors.js';
import { monthPartition } from '../../platform/partitions.js';
import { computeFacts } from './tiering.facts.js';
import { ensureBuiltInPolicies, policiesInEffect } from './tiering.policies.js';
import { compilePolicy, type CompiledModel } from './tiering.policy.js';
import { ensureTierPartition, lastEvaluatedDate, tiersOnDate } from './tiering.sql.js';

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
  /** the one pass over the facts that evaluates every model (part of evaluationSeconds) */
  pass?: EvaluationPass;
  seconds: number;
}

/** Puts back the state before a date's evaluation (for a rerun of that date), for every model at once. */
async function undoDate(s: SqlSession, date: string): Promise<void> {
  // An ordinary day changed a few thousand tiers of millions: each is found through the key. The
  // planner, not counting on the model picking one partition per row, would hash every model's
  // tiers instead (5.8 s at 1M customers against a fraction of a second).
  const runs = await s.query<{ changed: number | null; tiers: number | null }>(
    'SELECT sum(changed)::float8 AS changed, sum(customers)::float8 AS tiers FROM tier_runs WHERE business_date = $1::date',
    [date],
  );
  // not evaluated yet (tier_runs is written in the transaction of every evaluation): nothing to put back
  if (runs.rows[0]?.tiers == null) return;
  const few = (runs.rows[0]?.changed ?? 0) < 0.05 * (runs.rows[0]?.tiers ?? 0);
  await probingKeys(s, few, async () => {
    // the tiers the date changed get back the tier each change ended (which began before the date)
    await s.query(
      `UPDATE customer_tiers t SET tier = h.from_tier, since = h.from_since, policy_version = h.from_version
         FROM tier_history h
        WHERE h.business_date = $1::date AND t.customer_id = h.customer_id AND t.model = h.model`,
      [date],
    );
  });
  // so every tier still begun on the date is a first tier given on it (no join: with the history
  // just written and not yet analysed, the planner took a day's 66,000 changes for 171 and compared
  // each first tier with every change, 71 s at 1M)
  await s.query('DELETE FROM customer_tiers WHERE since = $1::date', [date]);
  await s.query('DELETE FROM tier_history WHERE business_date = $1::date', [date]);
  await s.query('DELETE FROM tier_runs WHERE business_date = $1::date', [date]);
}

/** A compiled expression's parameters $1 … $n renumbered to follow `offset` others. */
const shiftParams = (expression: string, offset: number) => expression.replace(/\$(\d+)/g, (_, k: string) => `$${Number(k) + offset}`);

export interface EvaluationPass {
  /** the last date evaluated before, whose facts the steady models were compared on; null: none */
  base: string | null;
  /** the models evaluated on both dates' facts (see steadyModels) */
  steady: string[];
  /** customers in tier_eval: those whose tier may change under some model */
  rows: number;
  seconds: number;
}

/**
 * Every model evaluated in one pass over the date's facts, into the temporary table tier_eval
 * (customer_id, t0 … tn), one column per model: the tier its facts give, or NULL where it cannot
 * have changed. A steady model (one whose current tiers are what the same version gave on the facts
 * of the last date evaluated, `base`) is evaluated on that date's facts too, in the same pass, and
 * keeps a tier only where the two differ or the customer had no facts then; so on an ordinary day
 * only a few thousand customers of a million are matched with their current tiers afterwards. Any
 * other model keeps every customer's tier.
 */
async function evaluationPass(s: SqlSession, models: { m: CompiledModel }[], date: string, base: string | null, steady: Set<string>): Promise<EvaluationPass> {
  const t0 = performance.now();
  if (!models.length) return { base: null, steady: [], rows: 0, seconds: 0 };
  const compared = base ? models.flatMap(({ m }, i) => (steady.has(m.model) ? [i] : [])) : [];
  // $1 the date, $2 the base date when there is something to compare, then every model's own
  const params: unknown[] = compared.length ? [date, base] : [date];
  const expressions = models.map(({ m }) => {
    const expression = shiftParams(m.expression, params.length);
    params.push(...m.params);
    return expression;
  });
  const columns = models.map((_, i) => `t${i}`);
  const facts = (table: string, dateParam: string, which: number[]) =>
    `SELECT f.customer_id, ${which.map((i) => `${expressions[i]} AS t${i}`).join(',\n              ')} FROM ${table} f WHERE f.business_date = ${dateParam}`;
  const all = models.map((_, i) => i);
  // created from the query (CREATE TABLE AS may use parallel workers; an INSERT may not)
  await s.exec('DROP TABLE IF EXISTS tier_eval');
  await createWorkTable(s, 'tier_eval', {
    names: `customer_id, ${columns.join(', ')}`,
    as: compared.length
      ? `SELECT d.customer_id, ${all.map((i) => (compared.includes(i) ? `CASE WHEN b.customer_id IS NULL OR d.t${i} IS DISTINCT FROM b.t${i} THEN d.t${i} END` : `d.t${i}`)).join(', ')}
           FROM (${facts(monthPartition('customer_facts', date), '$1::date', all)}) d
           LEFT JOIN (${facts(monthPartition('customer_facts', base ?? date), '$2::date', compared)}) b ON b.customer_id = d.customer_id
          ${compared.length === models.length ? `WHERE b.customer_id IS NULL OR ${compared.map((i) => `d.t${i} IS DISTINCT FROM b.t${i}`).join(' OR ')}` : ''}`
      : facts(monthPartition('customer_facts', date), '$1::date', all),
    params,
  });
  // the statements that follow join it with the current tiers: hashed when it is big, probed when small
  await s.exec('ANALYZE tier_eval');
  // (the embedded engine reports no row count for CREATE TABLE AS)
  const rows = (await s.query<{ n: number }>('SELECT count(*)::int AS n FROM tier_eval')).rows[0]?.n ?? 0;
  return { base: compared.length ? base : null, steady: compared.map((i) => models[i]?.m.model ?? ''), rows, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The models whose current tiers follow from the facts of the last date evaluated before this one:
 * each was evaluated on that date with the version in effect now, and the facts of that date are
 * those it was evaluated on (facts are written only by the batch, in the transaction of the
 * evaluation that follows, and a date's rerun first puts back the state before it: undoDate).
 */
async function steadyModels(s: SqlSession, models: { m: CompiledModel; version: number }[], date: string): Promise<{ base: string | null; steady: Set<string> }> {
  const r = await s.query<{ model: string; policy_version: number; d: string }>(
    `SELECT r.model, r.policy_version, r.business_date AS d
       FROM tier_runs r
      WHERE r.business_date = (SELECT max(business_date) FROM tier_runs WHERE business_date < $1::date)
        AND EXISTS (SELECT 1 FROM fact_runs f WHERE f.business_date = r.business_date)`,
    [date],
  );
  const base = r.rows[0]?.d ?? null;
  const evaluated = new Map(r.rows.map((x) => [x.model, x.policy_version]));
  return { base, steady: new Set(models.filter(({ m, version }) => evaluated.get(m.model) === version).map(({ m }) => m.model)) };
}

/**
 * Writes one model's changes from its column of tier_eval (see evaluationPass): one join with the
 * model's current tiers (its own partition, named: through the partitioned table the planner
 * expected billions of matches), and only the changes are written: the current tier, and a history
 * row where it ends an earlier tier (a first tier has none: see tiersOnDate). Returns how many
 * tiers were written. A model's first evaluation (its partition empty) writes every tier with one
 * plain insert: nothing to compare with, nothing can conflict, no history.
 */
export async function writeModelChanges(s: SqlSession, model: string, column: string, date: string, version: number): Promise<number> {
  const partition = await ensureTierPartition(s, model);
  const first = !(await s.query('SELECT 1 FROM customer_tiers WHERE model = $1 LIMIT 1', [model])).rows.length;
  const params = [date, model, version];
  if (first) {
    const r = await s.query(
      `INSERT INTO ${partition} (customer_id, model, tier, since, policy_version)
       SELECT customer_id, $2::text, ${column}, $1::date, $3::int FROM tier_eval WHERE ${column} IS NOT NULL`,
      params,
    );
    // after a bulk write the planner would still take the partition for empty (autovacuum analyses
    // it later): the next evaluation would probe a million tiers one by one instead of hashing them
    await s.exec(`ANALYZE ${partition}`);
    return r.rowCount;
  }
  const r = await s.query(
    `WITH changed AS (
       SELECT e.customer_id, e.${column} AS tier, t.tier AS from_tier, t.since AS from_since, t.policy_version AS from_version
         FROM tier_eval e LEFT JOIN ${partition} t ON t.customer_id = e.customer_id
        WHERE e.${column} IS NOT NULL AND t.tier IS DISTINCT FROM e.${column}
     ), history AS (
       INSERT INTO tier_history (customer_id, model, business_date, from_tier, from_since, from_version, to_tier, policy_version)
       SELECT customer_id, $2::text, $1::date, from_tier, from_since, from_version, tier, $3::int FROM changed
        WHERE from_tier IS NOT NULL ORDER BY customer_id
     )
     -- in key order: each page of the keys is visited once, not once per change on it
     INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version)
     SELECT customer_id, $2::text, tier, $1::date, $3::int FROM changed ORDER BY customer_id
     ON CONFLICT (customer_id, model) DO UPDATE SET tier = EXCLUDED.tier, since = EXCLUDED.since, policy_version = EXCLUDED.policy_version`,
    params,
  );
  if (r.rowCount > 10_000) await s.exec(`ANALYZE ${partition}`);
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
    const facts = await computeFacts(s, businessDate, { fromScratch: opts.fromScratch ?? false, server: db.engine === 'postgres' });
    const customers = facts.customers;
    const result: TieringResult = { businessDate, customers, factsBaseDate: facts.baseDate, models: [], factsSeconds: facts.seconds, evaluationSeconds: 0, seconds: 0 };
    await undoDate(s, businessDate);
    const t0 = performance.now();
    // The models whose tiers follow from the last evaluated date's facts are evaluated on both
    // dates' facts in one pass; only the customers whose result differs are then matched with the
    // current tiers. The others (a new version in effect, a new model) are evaluated in full.
    const { base, steady } = await steadyModels(s, models, businessDate);
    result.pass = await evaluationPass(s, models, businessDate, base, steady);
    const evaluateAll = async () => {
      for (const [i, { m, version }] of models.entries()) {
        onProgress?.({ step: m.model, done: i + 1, total });
        const m0 = performance.now();
        const changed = await writeModelChanges(s, m.model, `t${i}`, businessDate, version);
        const seconds = (performance.now() - m0) / 1000;
        await s.query(
          'INSERT INTO tier_runs (model, business_date, policy_version, customers, changed, seconds) VALUES ($1, $2::date, $3, $4, $5, $6)',
          [m.model, businessDate, version, customers, changed, seconds.toFixed(3)],
        );
        result.models.push({ model: m.model, version, changed, seconds });
      }
    };
    // The very first evaluation (no tier yet) writes a tier per customer and model: written like a
    // bank's first load, without the key and index, which are built once after every model.
    const firstEver = !(await hasRows(s, 'customer_tiers'));
    if (firstEver) await fillEmpty(s, 'customer_tiers', evaluateAll);
    else await evaluateAll();
    // the customer list shows the current band and relationship tier from its overview
    await syncOverviewTiers(s);
    result.evaluationSeconds = (performance.now() - t0) / 1000;
    onProgress?.({ step: 'done', done: total, total });
    result.seconds = (performance.now() - started) / 1000;
    return result;
  });
}

/** Every customer's tier under a model as of a date (see tiersOnDate): customer_id, tier, since, by customer. */
export async function* tiersAsOf(db: Db, model: string, date: string, chunk = 50_000): AsyncGenerator<{ customer_id: string; tier: string; since: string }[]> {
  let after = '';
  for (;;) {
    const r = await db.session((s) =>
      s.query<{ customer_id: string; tier: string; since: string }>(
        `SELECT customer_id, tier, since FROM (${tiersOnDate('$2')}) t WHERE customer_id > $3 ORDER BY customer_id LIMIT $4`,
        [model, date, after, chunk],
      ),
    );
    if (!r.rows.length) return;
    yield r.rows;
    after = r.rows[r.rows.length - 1]?.customer_id ?? after;
    if (r.rows.length < chunk) return;
  }
}
