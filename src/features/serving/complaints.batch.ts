import type { Db } from '../../platform/db.js';
import { escalateComplaints } from './complaints.sql.js';

// The daily batch's complaints step (issue 22 §1): every complaint not closed that is past a limit
// at the time of the run is escalated in one statement (complaints.sql.ts escalateComplaints), and
// the branch head (or the personal banking department) gets a risk reminder dated the business
// date. Reading and working complaints escalate too, so this step catches the complaints nobody
// opened since they went past a limit: the reminders are there the next morning.

export interface ComplaintsBatchResult {
  escalated: number;
  open: number;
}

/** Escalates as of `now` (the run's time); the reminders carry the business date. Idempotent: a complaint already at its level is left. */
export async function runComplaintEscalation(db: Db, businessDate: string, now: Date = new Date()): Promise<ComplaintsBatchResult> {
  const escalated = await db.transaction((s) => escalateComplaints(s, now, businessDate));
  const open = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM complaints WHERE status <> 'closed'`));
  return { escalated, open: open.rows[0]?.n ?? 0 };
}
