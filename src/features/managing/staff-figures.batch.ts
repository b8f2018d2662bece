import type { Db } from '../../platform/db.js';
import { ownedOn } from './performance.sql.js';

// The owners' figures of a business date (migration 0029): for each staff member, the customers they
// own as primary owner on D (owner_history) that are in D's feed, and those customers' AUM, deposits
// and holdings on D. Run by the owner_history step after it records D's owners, and for any date it
// is run for (an older date's owners are read from the intervals already recorded). Manager
// performance reads these rows for a period's end and start instead of every owned customer's
// balances (performance.sql.ts). One set-based statement grouped by staff: on a Citus cluster each
// shard sums its customers and the coordinator writes the staff's sums.

export interface StaffFiguresResult {
  businessDate: string;
  /** staff members with a row for the date */
  staff: number;
  seconds: number;
}

export async function writeStaffFigures(db: Db, businessDate: string): Promise<StaffFiguresResult> {
  const started = performance.now();
  return db.transaction(async (s) => {
    // a whole-bank aggregate: hashed in memory, and not worth compiling (JIT) on a server
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off');
    await s.exec(`SET LOCAL work_mem = '64MB'`);
    await s.query('DELETE FROM staff_figures WHERE business_date = $1::date', [businessDate]);
    const r = await s.query(
      `INSERT INTO staff_figures (business_date, staff_id, customers, aum, deposits, time_deposit, wealth, fund, insurance, mobile)
       SELECT $1::date, o.staff_id, count(*)::int, sum(b.aum), sum(b.deposits),
              count(*) FILTER (WHERE b.time_deposit > 0)::int, count(*) FILTER (WHERE b.wealth > 0)::int,
              count(*) FILTER (WHERE b.fund > 0)::int, count(*) FILTER (WHERE b.insurance > 0)::int,
              count(*) FILTER (WHERE f.mobile_txns_90d > 0)::int
         FROM (${ownedOn('$1', () => 'true')}) o
         JOIN balance_snapshots b ON b.customer_id = o.customer_id AND b.business_date = $1::date
         LEFT JOIN customer_facts f ON f.customer_id = o.customer_id AND f.business_date = $1::date
        GROUP BY o.staff_id`,
      [businessDate],
    );
    const seconds = (performance.now() - started) / 1000;
    await s.query(
      `INSERT INTO staff_figure_dates (business_date, staff, seconds, finished_at) VALUES ($1::date, $2, $3, now())
       ON CONFLICT (business_date) DO UPDATE SET staff = EXCLUDED.staff, seconds = EXCLUDED.seconds, finished_at = EXCLUDED.finished_at`,
      [businessDate, r.rowCount, seconds.toFixed(3)],
    );
    return { businessDate, staff: r.rowCount, seconds };
  });
}
