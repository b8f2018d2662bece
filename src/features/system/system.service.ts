import type { Db } from '../../platform/db.js';

export async function latestLoadedDate(db: Db): Promise<string | null> {
  const r = await db.kysely.selectFrom('business_dates').select('business_date').orderBy('business_date', 'desc').limit(1).executeTakeFirst();
  return r?.business_date ?? null;
}

/** Today for the API: the latest loaded business date (the calendar day before anything is loaded). */
export async function businessToday(db: Db): Promise<string> {
  return (await latestLoadedDate(db)) ?? new Date().toISOString().slice(0, 10);
}
