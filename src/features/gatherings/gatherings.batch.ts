import type { Db } from '../../platform/db.js';
import { addDays } from '../events/events.calendar.js';
import { RESULT_DAYS } from './gatherings.policy.js';
import { followUpDue } from './gatherings.service.js';
import { closeEvents, followUps } from './gatherings.sql.js';

// The daily batch's relationship-events step for business date D: every event held before D and
// still open is closed (its invitees not come become no_show), and each attendee of the events it
// closed, and of the closed ones held within the last 30 days, has a follow-up for their owner, due
// the working day after the event. Idempotent: a rerun closes nothing more and adds no reminder twice.

export const GATHERINGS_BATCH_AUTHOR = 'batch:gatherings';

export interface GatheringsBatchResult {
  closed: number;
  followUps: number;
}

export async function runGatherings(db: Db, businessDate: string): Promise<GatheringsBatchResult> {
  return db.transaction(async (s) => {
    const closed = await closeEvents(s, GATHERINGS_BATCH_AUTHOR, { before: businessDate });
    const recent = await s.query<{ gathering_id: string; event_date: string }>(
      `SELECT gathering_id, to_char(event_date, 'YYYY-MM-DD') AS event_date FROM gatherings
        WHERE status = 'closed' AND (gathering_id = ANY($3::text[]) OR (event_date >= $1::date AND event_date <= $2::date))`,
      [addDays(businessDate, -RESULT_DAYS), businessDate, closed],
    );
    const made = await followUps(s, recent.rows.map((r) => ({ id: r.gathering_id, due: followUpDue(r.event_date) })), businessDate);
    return { closed: closed.length, followUps: made };
  });
}
