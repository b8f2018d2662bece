import type { Db } from '../../platform/db.js';

// The nightly owner_history step (migration 0026): who owned each customer on each business date,
// for manager performance (POLICIES "Manager performance": the customers a staff member owns as
// primary owner on B; churn among those owned on A). customer_owners holds today's assignments;
// this step records them against the date as intervals [from_date, to_date): an assignment that
// ended is closed on the date, one that is new is opened on it. Last in the daily batch, so that a
// rerun from any step (after a branch head's decisions, say) records the owners as they stand.
//
// Rerun-safe: a rerun of the date first undoes what the date's earlier run did (reopens what it
// closed, removes what it opened), then records again. An older date than the newest recorded is
// left alone: history only moves forward, and the owners of a past date are what that night saw.
// Three set-based statements, each joining customer_owners and owner_history on customer_id (on a
// Citus cluster they run shard by shard on the workers).

const LOCK = 7_310_020;

export interface OwnerHistoryResult {
  businessDate: string;
  /** assignments that began on the date */
  opened: number;
  /** assignments that ended on the date */
  closed: number;
  /** set when the date is older than the newest recorded: nothing was written */
  newerDate: string | null;
}

export async function recordOwnerHistory(db: Db, businessDate: string): Promise<OwnerHistoryResult> {
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
    const newest = (await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM owner_history_dates')).rows[0]?.d ?? null;
    if (newest && newest > businessDate) return { businessDate, opened: 0, closed: 0, newerDate: newest };
    if (newest === businessDate) {
      await s.query('UPDATE owner_history SET to_date = NULL WHERE to_date = $1', [businessDate]);
      await s.query('DELETE FROM owner_history WHERE from_date = $1', [businessDate]);
    }
    const closed = await s.query(
      `UPDATE owner_history h SET to_date = $1
        WHERE h.to_date IS NULL
          AND NOT EXISTS (SELECT 1 FROM customer_owners o
                           WHERE o.customer_id = h.customer_id AND o.staff_id = h.staff_id AND o.kind = h.kind)`,
      [businessDate],
    );
    const opened = await s.query(
      `INSERT INTO owner_history (customer_id, staff_id, kind, from_date)
       SELECT o.customer_id, o.staff_id, o.kind, $1::date
         FROM customer_owners o
        WHERE NOT EXISTS (SELECT 1 FROM owner_history h
                           WHERE h.customer_id = o.customer_id AND h.staff_id = o.staff_id AND h.kind = o.kind AND h.to_date IS NULL)`,
      [businessDate],
    );
    await s.query(
      `INSERT INTO owner_history_dates (business_date, opened, closed) VALUES ($1, $2, $3)
       ON CONFLICT (business_date) DO UPDATE SET opened = EXCLUDED.opened, closed = EXCLUDED.closed`,
      [businessDate, opened.rowCount, closed.rowCount],
    );
    return { businessDate, opened: opened.rowCount, closed: closed.rowCount, newerDate: null };
  });
}
