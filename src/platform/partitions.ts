import type { SqlSession } from './db.js';

/** Creates the month's partition of a table partitioned by month on a date column (<table>_YYYY_MM). */
export async function ensureMonthPartition(s: SqlSession, table: string, date: string): Promise<void> {
  const [y, m] = date.split('-').map(Number);
  if (!y || !m) throw new Error(`not a business date: ${date}`);
  const mm = String(m).padStart(2, '0');
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  await s.exec(`CREATE TABLE IF NOT EXISTS ${table}_${y}_${mm} PARTITION OF ${table} FOR VALUES FROM ('${y}-${mm}-01') TO ('${next}')`);
}
