import type { SqlSession } from './db.js';

/**
 * The name of the month's partition of a table partitioned by month on a date column
 * (<table>_YYYY_MM). A statement that joins a million rows of one date names the partition rather
 * than the table: the planner estimates a join through a partitioned table from the table's own
 * statistics, which nothing gathers (autovacuum never analyses a partitioned table), so it would
 * expect 1/200 of all rows to match each key and choose a plan for billions of rows.
 */
export function monthPartition(table: string, date: string): string {
  const [y, m] = date.split('-').map(Number);
  if (!y || !m) throw new Error(`not a business date: ${date}`);
  return `${table}_${y}_${String(m).padStart(2, '0')}`;
}

/** Creates the month's partition of a table partitioned by month on a date column (<table>_YYYY_MM) when missing; its name. */
export async function ensureMonthPartition(s: SqlSession, table: string, date: string): Promise<string> {
  const [y, m] = date.split('-').map(Number);
  if (!y || !m) throw new Error(`not a business date: ${date}`);
  const mm = String(m).padStart(2, '0');
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const partition = monthPartition(table, date);
  await s.exec(`CREATE TABLE IF NOT EXISTS ${partition} PARTITION OF ${table} FOR VALUES FROM ('${y}-${mm}-01') TO ('${next}')`);
  return partition;
}
