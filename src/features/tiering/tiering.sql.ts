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

// The history holds changes from one tier to another, each with the tier it ended (from_tier, held
// since from_since under from_version). A customer's first tier under a model is no row of its own:
// it is the tier the first change ended, or, before any change, the current tier. A bank's first
// evaluation so writes its millions of tiers once, not twice.

/**
 * Every customer's tier under model $1 on the date bound to `dateParam`, with the date it began
 * (customer_id, tier, since): a current tier begun by then, or a tier that a later change ended
 * and that had begun by then. Each customer's tiers cover disjoint spans, so at most one matches.
 */
export const tiersOnDate = (dateParam: string) => `
  SELECT customer_id, tier, since FROM customer_tiers WHERE model = $1 AND since <= ${dateParam}::date
  UNION ALL
  SELECT customer_id, from_tier, from_since FROM tier_history
   WHERE model = $1 AND business_date > ${dateParam}::date AND from_since <= ${dateParam}::date`;

export interface TierChangeRow {
  model: string;
  business_date: string;
  /** null: the customer's first tier under the model */
  from_tier: string | null;
  to_tier: string;
  policy_version: number;
}

/**
 * One customer's tier history, newest first: every change, and the first tier under each model
 * (from null), for the models given (all when null), at most `limit` rows.
 */
export async function customerTierHistory(s: SqlSession, customerId: string, models: string[] | null, limit: number): Promise<TierChangeRow[]> {
  const r = await s.query<TierChangeRow>(
    `SELECT model, business_date, from_tier, to_tier, policy_version FROM tier_history
      WHERE customer_id = $1 AND ($2::text[] IS NULL OR model = ANY($2::text[]))
     UNION ALL
     SELECT t.model, coalesce(h.from_since, t.since), NULL, coalesce(h.from_tier, t.tier), coalesce(h.from_version, t.policy_version)
       FROM customer_tiers t
       LEFT JOIN LATERAL (
         SELECT from_since, from_tier, from_version FROM tier_history h
          WHERE h.customer_id = t.customer_id AND h.model = t.model ORDER BY h.business_date LIMIT 1
       ) h ON true
      WHERE t.customer_id = $1 AND ($2::text[] IS NULL OR t.model = ANY($2::text[]))
     ORDER BY business_date DESC, model, from_tier NULLS LAST
     LIMIT $3`,
    [customerId, models, limit],
  );
  return r.rows;
}
