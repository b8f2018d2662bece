import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ID_SQL_TYPE } from '../../platform/schema.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { nextWorkingDay } from '../events/events.calendar.js';
import { eventsPolicyInEffect } from '../events/events.policies.js';
import { ASSESSMENT_VALID_DAYS } from './suitability.rules.js';

// The suitability step of the daily batch, after the worklist (issue 19 §3): a customer whose risk
// assessment is missing (no risk_level) or expired (risk_assessed_on more than 365 days before D)
// gives the primary owner an information reminder to reassess, on My day. Set-based, in one
// transaction; idempotent for its date.
//   - One reminder per state: occurrence 'missing', or 'expired:<the assessment's day>' (a new
//     assessment that expires in its turn is a new reminder). A reminder once closed stays closed
//     while the state lasts; a rerun of D writes nothing new.
//   - Once the state is over (a new assessment, the customer left, another primary owner), the open
//     reminder expires ('no longer detected'). Like every information reminder with no day of its
//     own, the worklist step expires one not acted on 30 days after it was due.
// It runs after the worklist step, whose rerun of D removes the open reminders D's first run made
// and D no longer calls for: this step makes its own again right after.

export const REASSESS_EVENT = 'risk_reassess';
const LOCK = 7_310_019;

export interface ReassessResult {
  businessDate: string;
  /** customers whose assessment is missing or expired, with an active primary owner */
  due: number;
  made: number;
  expired: number;
  seconds: number;
}

export async function runReassessReminders(db: Db, businessDate: string): Promise<ReassessResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
    const done = await s.query('SELECT 1 FROM worklist_runs WHERE business_date = $1::date', [businessDate]);
    if (!done.rows.length) throw new AppError('bad_request', `The reminders of ${businessDate} have not been made: run the batch for ${businessDate} (the worklist step comes before reassessment reminders).`);
    const policy = await eventsPolicyInEffect(s, businessDate);
    const now = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? null;
    await createWorkTable(s, 'reassess_due', {
      // no key: a customer has one primary owner, so one row each (a key built row by row cost more than the scan)
      columns: `customer_id ${ID_SQL_TYPE} NOT NULL, staff_id text NOT NULL, occurrence text NOT NULL, facts jsonb NOT NULL`,
    });
    await s.query(
      `INSERT INTO reassess_due (customer_id, staff_id, occurrence, facts)
       SELECT c.customer_id, o.staff_id,
              CASE WHEN c.risk_level IS NULL THEN 'missing' ELSE 'expired:' || c.risk_assessed_on::text END,
              CASE WHEN c.risk_level IS NULL THEN jsonb_build_object('reason', 'missing')
                   ELSE jsonb_build_object('reason', 'expired', 'risk_level', c.risk_level, 'assessed_on', c.risk_assessed_on,
                                           'expired_since', c.risk_assessed_on + $2::int + 1) END
         FROM customers c
         JOIN customer_owners o ON o.customer_id = c.customer_id AND o.kind = 'primary'
         JOIN staff st ON st.staff_id = o.staff_id AND st.active
        WHERE c.status = 'active' AND (c.risk_level IS NULL OR c.risk_assessed_on < $1::date - $2::int)`,
      [businessDate, ASSESSMENT_VALID_DAYS],
    );
    const made = await s.query(
      `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
       SELECT d.customer_id, d.staff_id, $1, d.occurrence, 'information', d.facts, $2::date, $2::date, $3::date, $4 FROM reassess_due d
        -- only those not made before (most are, night after night): one anti-join, not a key lookup per row
        WHERE NOT EXISTS (SELECT 1 FROM reminders r WHERE r.customer_id = d.customer_id AND r.staff_id = d.staff_id AND r.event = $1 AND r.occurrence = d.occurrence)
        ORDER BY d.customer_id, d.staff_id, d.occurrence
       ON CONFLICT (customer_id, staff_id, event, occurrence) DO NOTHING`,
      [REASSESS_EVENT, businessDate, nextWorkingDay(businessDate), policy.version],
    );
    const expired = await s.query(
      `UPDATE reminders r SET status = 'expired', closed_at = $2::timestamptz, closed_reason = 'no longer detected'
        WHERE r.event = $1 AND r.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM reassess_due d WHERE d.customer_id = r.customer_id AND d.staff_id = r.staff_id AND d.occurrence = r.occurrence)`,
      [REASSESS_EVENT, now],
    );
    const due = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM reassess_due');
    return { businessDate, due: due.rows[0]?.n ?? 0, made: made.rowCount, expired: expired.rowCount, seconds: (performance.now() - t0) / 1000 };
  });
}
