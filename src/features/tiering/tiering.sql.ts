import type { SqlSession } from '../../platform/db.js';

/** The last business date the tiering batch evaluated (a model, or any), or null before the first run. */
export async function lastEvaluatedDate(s: SqlSession, model?: string): Promise<string | null> {
  const r = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM tier_runs WHERE $1::text IS NULL OR model = $1', [model ?? null]);
  return r.rows[0]?.d ?? null;
}
