import type { SqlSession } from '../../platform/db.js';

/** The last business date the tiering batch evaluated (a model, or any), or null before the first run. */
export async function lastEvaluatedDate(s: SqlSession, model?: string): Promise<string | null> {
  const r = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM tier_runs WHERE $1::text IS NULL OR model = $1', [model ?? null]);
  return r.rows[0]?.d ?? null;
}

/**
 * The partition of customer_tiers that holds a model's current tiers, created when missing; its
 * name. A statement joining a whole bank's tiers of one model names it (see monthPartition).
 */
export async function ensureTierPartition(s: SqlSession, model: string): Promise<string> {
  if (!/^[a-z][a-z0-9_.]*$/.test(model)) throw new Error(`not a model identifier: ${model}`);
  const partition = `customer_tiers_${model.replace(/\./g, '_')}`;
  await s.exec(`CREATE TABLE IF NOT EXISTS ${partition} PARTITION OF customer_tiers FOR VALUES IN ('${model}')`);
  return partition;
}
