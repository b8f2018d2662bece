import type { SqlSession } from '../../platform/db.js';

// The SQL of complaints (投诉). Due times and escalation are computed here, set-based: the limits
// by band (POLICIES "Complaints") and "past a limit" from the time given (now, or a test's clock).

/** Hours to the first response and to the resolution by the customer's aum_band at receipt (POLICIES "Complaints"). */
export function limitHours(band: string | null): { response: number; resolution: number } {
  if (band === 'band_4' || band === 'band_5') return { response: 2, resolution: 48 };
  if (band === 'band_3') return { response: 4, resolution: 120 };
  return { response: 24, resolution: 360 };
}

export interface ComplaintRow {
  customer_id: string;
  complaint_id: string;
  channel: string;
  category: string;
  description: string;
  person_name: string | null;
  person_phone: string | null;
  branch_id: string;
  branch_name: string | null;
  customer_name: string | null;
  band: string | null;
  received_at: Date | string;
  first_response_due: Date | string;
  resolution_due: Date | string;
  department_due: Date | string;
  first_response_at: Date | string | null;
  resolved_at: Date | string | null;
  closed_at: Date | string | null;
  status: string;
  customer_answer: string | null;
  reopened_once: boolean;
  root_cause: string | null;
  escalation: string;
  escalation_reason: string | null;
  escalated_at: Date | string | null;
  owner_id: string;
  recorded_by: string;
  due_state: string;
}

/** Where a complaint stands against its due times at $at (the same test as the escalation's). */
export const dueStateSql = (k: string, at: string) => `CASE
  WHEN ${k}.status IN ('resolved', 'closed') THEN 'done'
  WHEN ${at} > ${k}.department_due THEN 'resolution_150'
  WHEN ${at} > ${k}.resolution_due THEN 'resolution_overdue'
  WHEN ${k}.first_response_at IS NULL AND ${at} > ${k}.first_response_due THEN 'response_overdue'
  ELSE 'on_time' END`;

export const SELECT_COMPLAINT = (at: string) => `SELECT k.*, b.name AS branch_name, c.name AS customer_name, ${dueStateSql('k', at)} AS due_state
   FROM complaints k
   LEFT JOIN branches b ON b.branch_id = k.branch_id
   LEFT JOIN customers c ON c.customer_id = k.customer_id`;

/** The customer's aum_band now (null: none, or a non-customer). */
export async function bandOf(s: SqlSession, customerId: string): Promise<string | null> {
  if (!customerId) return null;
  const r = await s.query<{ tier: string }>(`SELECT tier FROM customer_tiers WHERE customer_id = $1 AND model = 'aum_band'`, [customerId]);
  return r.rows[0]?.tier ?? null;
}

/** Times are bound as epoch seconds (to_timestamp(float8) is immutable: Citus takes it in any statement). */
export async function insertComplaint(
  s: SqlSession,
  x: { complaintId: string; customerId: string; channel: string; category: string; description: string; personName: string | null; personPhone: string | null; branchId: string; band: string | null; receivedAt: Date; by: string },
): Promise<void> {
  const t = x.receivedAt.getTime();
  const l = limitHours(x.band);
  const sec = (ms: number) => ms / 1000;
  await s.query(
    `INSERT INTO complaints (customer_id, complaint_id, channel, category, description, person_name, person_phone, branch_id, band,
                             received_at, first_response_due, resolution_due, department_due, owner_id, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8), to_timestamp($11::float8), to_timestamp($12::float8), to_timestamp($13::float8), $14, $14)`,
    [x.customerId, x.complaintId, x.channel, x.category, x.description, x.personName, x.personPhone, x.branchId, x.band, sec(t), sec(t + l.response * 3600_000), sec(t + l.resolution * 3600_000), sec(t + l.resolution * 1.5 * 3600_000), x.by],
  );
}

/**
 * Escalates, in one statement, every complaint not closed that is past a limit at $1 and not yet
 * at that level: past the first response or the resolution limit → the branch head; past the
 * resolution limit by 50% → the department. Then a risk reminder for whom it went to: the nearest
 * active branch head at or above the complaint's branch, or every active department member.
 * Returns how many were escalated.
 */
export async function escalateComplaints(s: SqlSession, at: Date, businessDate: string): Promise<number> {
  const r = await s.query<{ customer_id: string; complaint_id: string; branch_id: string; escalation: string; escalation_reason: string; band: string | null; channel: string; category: string }>(
    `UPDATE complaints k
        SET escalation = x.level, escalation_reason = x.reason, escalated_at = to_timestamp($1::float8)
       FROM (SELECT customer_id, complaint_id,
                    CASE WHEN resolved_at IS NULL AND to_timestamp($1::float8) > department_due THEN 'department' ELSE 'branch_head' END AS level,
                    CASE WHEN resolved_at IS NULL AND to_timestamp($1::float8) > department_due THEN 'resolution_150'
                         WHEN resolved_at IS NULL AND to_timestamp($1::float8) > resolution_due THEN 'resolution_late'
                         ELSE 'first_response_late' END AS reason
               FROM complaints
              WHERE status NOT IN ('closed', 'resolved')
                AND ((resolved_at IS NULL AND to_timestamp($1::float8) > resolution_due) OR (first_response_at IS NULL AND to_timestamp($1::float8) > first_response_due))) x
      WHERE k.customer_id = x.customer_id AND k.complaint_id = x.complaint_id
        AND (CASE k.escalation WHEN 'none' THEN 0 WHEN 'branch_head' THEN 1 ELSE 2 END) < (CASE x.level WHEN 'branch_head' THEN 1 ELSE 2 END)
      RETURNING k.customer_id, k.complaint_id, k.branch_id, k.escalation, k.escalation_reason, k.band, k.channel, k.category`,
    [at.getTime() / 1000],
  );
  if (r.rows.length) await escalationReminders(s, r.rows, businessDate);
  return r.rows.length;
}

/** The escalation's risk reminders: for the nearest branch head (level branch_head) or the department. */
export async function escalationReminders(
  s: SqlSession,
  rows: readonly { customer_id: string; complaint_id: string; branch_id: string; escalation: string; escalation_reason: string | null; band: string | null; channel: string; category: string }[],
  businessDate: string,
): Promise<void> {
  // whom each goes to: the nearest active branch head at or above the complaint's branch (branches
  // and staff are reference tables: one statement), or every active department member
  const heads = await s.query<{ complaint_id: string; staff_id: string }>(
    `WITH RECURSIVE up AS (
       SELECT e.complaint_id, b.branch_id, b.parent_id, 0 AS depth
         FROM unnest($1::text[], $2::text[]) AS e(complaint_id, branch_id) JOIN branches b ON b.branch_id = e.branch_id
       UNION ALL
       SELECT up.complaint_id, b.branch_id, b.parent_id, up.depth + 1 FROM up JOIN branches b ON b.branch_id = up.parent_id WHERE up.depth < 10)
     SELECT DISTINCT ON (up.complaint_id) up.complaint_id, st.staff_id
       FROM up JOIN staff st ON st.branch_id = up.branch_id AND st.role = 'branch_head' AND st.active
      ORDER BY up.complaint_id, up.depth, st.staff_id`,
    [rows.filter((r) => r.escalation === 'branch_head').map((r) => r.complaint_id), rows.filter((r) => r.escalation === 'branch_head').map((r) => r.branch_id)],
  );
  const dept = rows.some((r) => r.escalation === 'department') ? (await s.query<{ staff_id: string }>(`SELECT staff_id FROM staff WHERE role = 'pb_dept' AND active ORDER BY staff_id`)).rows : [];
  const headOf = new Map(heads.rows.map((h) => [h.complaint_id, h.staff_id]));
  const targets = rows.flatMap((r) => (r.escalation === 'department' ? dept.map((d) => ({ r, staff: d.staff_id })) : headOf.has(r.complaint_id) ? [{ r, staff: headOf.get(r.complaint_id) ?? '' }] : []));
  if (!targets.length) return;
  await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT t.customer_id, t.staff_id, 'complaint_escalated', t.complaint_id, 'risk',
            jsonb_build_object('complaint_id', t.complaint_id, 'level', t.level, 'reason', t.reason, 'band', t.band, 'channel', t.channel, 'category', t.category),
            $9::date, $9::date, $9::date, 0
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS t(customer_id, staff_id, complaint_id, level, reason, band, channel, category)
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO UPDATE
       SET facts = EXCLUDED.facts, last_date = greatest(reminders.last_date, EXCLUDED.last_date), status = 'open', closed_reason = NULL, closed_by = NULL, closed_at = NULL`,
    [
      targets.map((t) => t.r.customer_id),
      targets.map((t) => t.staff),
      targets.map((t) => t.r.complaint_id),
      targets.map((t) => t.r.escalation),
      targets.map((t) => t.r.escalation_reason),
      targets.map((t) => t.r.band),
      targets.map((t) => t.r.channel),
      targets.map((t) => t.r.category),
      businessDate,
    ],
  );
}

/** An open complaint is a risk reminder for the customer's primary owner (none for a non-customer). */
export async function openComplaintReminder(s: SqlSession, x: { customerId: string; complaintId: string; channel: string; category: string; businessDate: string }): Promise<void> {
  if (!x.customerId) return;
  await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT o.customer_id, o.staff_id, 'complaint_open', $2, 'risk', jsonb_build_object('complaint_id', $2::text, 'channel', $3::text, 'category', $4::text), $5::date, $5::date, $5::date, 0
       FROM customer_owners o WHERE o.customer_id = $1 AND o.kind = 'primary'
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO NOTHING`,
    [x.customerId, x.complaintId, x.channel, x.category, x.businessDate],
  );
}

/** The complaint's reminders are done once it is closed. */
export async function closeComplaintReminders(s: SqlSession, customerId: string, complaintId: string, by: string): Promise<void> {
  await s.query(
    `UPDATE reminders SET status = 'done', closed_reason = 'complaint closed', closed_by = $3, closed_at = now()
      WHERE customer_id = $1 AND occurrence = $2 AND event IN ('complaint_open', 'complaint_escalated') AND status = 'open'`,
    [customerId, complaintId, by],
  );
}
