import { sql } from 'kysely';
import type { Db } from '../../platform/db.js';

// What is in the database: rows per table, and per loaded business date its customers and AUM.

export const COUNTED_TABLES = [
  'branches',
  'staff',
  'products',
  'customers',
  'accounts',
  'cards',
  'loans',
  'transactions',
  'customer_relations',
  'balance_snapshots',
  'business_dates',
] as const;

export interface DbStats {
  engine: string;
  tables: Record<(typeof COUNTED_TABLES)[number], number>;
  businessDates: { businessDate: string; mode: string; customers: number; totalAum: string; loadedAt: string }[];
}

export async function databaseStats(db: Db): Promise<DbStats> {
  const tables = {} as DbStats['tables'];
  for (const t of COUNTED_TABLES) {
    const r = await db.kysely.selectFrom(t).select(sql<number>`count(*)::int8`.as('n')).executeTakeFirstOrThrow();
    tables[t] = Number(r.n);
  }
  const dates = await db.kysely
    .selectFrom('business_dates as d')
    .leftJoin('balance_snapshots as b', 'b.business_date', 'd.business_date')
    .select([
      'd.business_date',
      'd.mode',
      'd.loaded_at',
      sql<number>`count(b.customer_id)::int8`.as('customers'),
      sql<string>`coalesce(sum(b.aum), 0)::numeric(20, 2)`.as('total_aum'),
    ])
    .groupBy(['d.business_date', 'd.mode', 'd.loaded_at'])
    .orderBy('d.business_date')
    .execute();
  return {
    engine: db.engine,
    tables,
    businessDates: dates.map((d) => ({
      businessDate: d.business_date,
      mode: d.mode,
      customers: Number(d.customers),
      totalAum: d.total_aum,
      loadedAt: new Date(d.loaded_at).toISOString(),
    })),
  };
}
