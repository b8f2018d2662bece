import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ID_SQL_TYPE } from '../../platform/schema.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { nextWorkingDay } from '../events/events.calendar.js';
import { eventsPolicyInEffect } from '../events/events.policies.js';
import { ASSESSMENT_VALID_DAYS } from '../selling/suitability.rules.js';
import { COMPLETE_AT, CORE_FIELDS, PROFILE_FIELDS, TELLER_BELOW_BAND, type CoreField } from './profile.rules.js';

// The profile step of the daily batch (issue 23 §2; POLICIES "Profile completeness"), after the
// worklist step (whose rerun of D removes the open reminders D's first run made): set-based, in one
// transaction, idempotent for its date.
//   1. Proposals for the core system close once the feed carries their value ('entered') or
//      another value than it carried when they were made ('feed_changed': the feed's value wins).
//   2. Completeness of every active customer: the 9 fields filled (a core field by the feed's value
//      or an open proposal), the missing ones, and since when the customer has been under 7.
//   3. A customer under 7 of 9 gives a collection task (work_task 'profile_collect') to the primary
//      owner, or, below band_3 (or without an active primary owner), to each active counter teller
//      of the customer's outlet: one per spell under 7; one done or dismissed stays closed while the
//      spell lasts; the open ones of customers no longer under 7 (or now someone else's) expire, and
//      open again if a spell begins on the date the last one ended (the same occurrence).

export const COLLECT_EVENT = 'profile_collect';
const LOCK = 7_310_038;

export interface ProfileResult {
  businessDate: string;
  customers: number;
  /** customers under 7 of 9 */
  below: number;
  /** collection tasks called for (made or refreshed) */
  tasks: number;
  expired: number;
  /** proposals closed because the feed now carries a value */
  closed: number;
  seconds: number;
}

/** The feed's value of a core field, as text (proposals are kept as text in the same form). */
export const FEED_VALUE_SQL = (c: string, field: string) =>
  `CASE ${field} WHEN 'phone' THEN nullif(${c}.phone, '') WHEN 'address' THEN nullif(${c}.address, '') WHEN 'birth_date' THEN ${c}.birth_date::text
     WHEN 'occupation' THEN nullif(${c}.occupation, '') WHEN 'annual_income' THEN ${c}.annual_income::text END`;

/** The feed's value of one core field as text, as FEED_VALUE_SQL, without a CASE (Citus refuses a CASE over a non-immutable cast in a write). */
const FEED_COLUMN: Record<CoreField, string> = {
  phone: "nullif(c.phone, '')",
  address: "nullif(c.address, '')",
  // YYYY-MM-DD from immutable parts: Citus calls no STABLE function (date's text cast) on a column in an UPDATE
  birth_date: "lpad(extract(year FROM c.birth_date)::int::text, 4, '0') || '-' || lpad(extract(month FROM c.birth_date)::int::text, 2, '0') || '-' || lpad(extract(day FROM c.birth_date)::int::text, 2, '0')",
  occupation: "nullif(c.occupation, '')",
  annual_income: 'c.annual_income::text',
};

async function closeProposals(s: SqlSession, date: string): Promise<number> {
  let closed = 0;
  // one statement per field, each set-based over the open proposals of that field
  for (const field of CORE_FIELDS) {
    const r = await s.query(
      `UPDATE profile_proposals p
          SET status = CASE WHEN x.cur = p.value THEN 'entered' ELSE 'feed_changed' END, closed_on = $1::date
         FROM (SELECT p2.customer_id, p2.proposal_id, ${FEED_COLUMN[field]} AS cur
                 FROM profile_proposals p2 JOIN customers c ON c.customer_id = p2.customer_id
                WHERE p2.status = 'open' AND p2.field = $2) x
        WHERE p.customer_id = x.customer_id AND p.proposal_id = x.proposal_id AND p.status = 'open'
          AND x.cur IS NOT NULL AND (x.cur = p.value OR x.cur IS DISTINCT FROM p.feed_value)`,
      [date, field],
    );
    closed += r.rowCount;
  }
  return closed;
}

// Steps 2 and 3 as queries: `only` restricts them to one customer (a parameter placeholder), else
// they cover every active customer. prof_fields: which of the 9 fields are filled; prof_new: the
// count and the missing ones; prof_rows: with the spell under 7 and who collects.
const ONE = (only: string | null, col: string) => (only === null ? '' : ` AND ${col} = ${only}`);

const FIELDS_SQL = (only: string | null) => `
  SELECT c.customer_id, c.branch_id,
         (c.phone IS NOT NULL AND c.phone <> '') OR 'phone' = ANY(coalesce(pp.fields, '{}')) AS phone,
         c.birth_date IS NOT NULL OR 'birth_date' = ANY(coalesce(pp.fields, '{}')) AS birth_date,
         (c.address IS NOT NULL AND c.address <> '') OR 'address' = ANY(coalesce(pp.fields, '{}')) AS address,
         (c.occupation IS NOT NULL AND c.occupation <> '') OR 'occupation' = ANY(coalesce(pp.fields, '{}')) AS occupation,
         c.annual_income IS NOT NULL OR 'annual_income' = ANY(coalesce(pp.fields, '{}')) AS annual_income,
         c.risk_level IS NOT NULL AND (c.risk_assessed_on IS NULL OR c.risk_assessed_on >= $1::date - $2::int) AS risk_assessment,
         coalesce(cardinality(pr.interests), 0) > 0 AS interests,
         -- family: notes saying there is none, or a household of the date (the households step runs first)
         coalesce(lower(btrim(pr.family_notes)) IN ('none', '无', '没有'), false)
           OR EXISTS (SELECT 1 FROM customer_households h WHERE h.customer_id = c.customer_id AND h.business_date = $1::date) AS family,
         pr.contact_time IS NOT NULL AS contact_time
    FROM customers c
    LEFT JOIN customer_profiles pr ON pr.customer_id = c.customer_id
    LEFT JOIN (SELECT customer_id, array_agg(field) AS fields FROM profile_proposals WHERE status = 'open'${ONE(only, 'customer_id')} GROUP BY customer_id) pp ON pp.customer_id = c.customer_id
   WHERE c.status = 'active'${ONE(only, 'c.customer_id')}`;

const NEW_SQL = `SELECT f.customer_id, f.branch_id, (${PROFILE_FIELDS.map((f) => `f.${f}::int`).join(' + ')})::smallint AS filled,
  array_remove(ARRAY[${PROFILE_FIELDS.map((f) => `CASE WHEN f.${f} THEN NULL ELSE '${f}' END`).join(', ')}]::text[], NULL) AS missing FROM prof_fields f`;

// the spell under 7 carries on from the last computation (a rerun of D keeps D's spells)
const ROWS_SQL = `
  SELECT n.customer_id, n.branch_id, n.filled, n.missing,
         CASE WHEN n.filled < ${COMPLETE_AT} THEN coalesce(CASE WHEN o.business_date <= $1::date THEN o.below_since END, $1::date) END AS below_since,
         CASE WHEN n.filled >= ${COMPLETE_AT} THEN NULL
              WHEN coalesce(substring(t.tier FROM '^band_([0-9]+)$')::int, 0) >= ${TELLER_BELOW_BAND} AND ow.staff_id IS NOT NULL THEN 'owner'
              ELSE 'tellers' END AS assignee,
         ow.staff_id AS owner_id, t.tier AS band
    FROM prof_new n
    LEFT JOIN customer_completeness o ON o.customer_id = n.customer_id
    LEFT JOIN customer_tiers t ON t.customer_id = n.customer_id AND t.model = 'aum_band'
    LEFT JOIN (SELECT o2.customer_id, o2.staff_id FROM customer_owners o2 JOIN staff st ON st.staff_id = o2.staff_id AND st.active WHERE o2.kind = 'primary') ow
      ON ow.customer_id = n.customer_id`;

/** Why a task expires: its customer is no longer under 7, or someone else collects now. */
const EXPIRED_REASON = 'no longer detected';

/** A collection task's facts, from a row of prof_rows `r`. */
const FACTS_SQL = `jsonb_build_object('filled', r.filled, 'of', ${PROFILE_FIELDS.length}, 'missing', to_jsonb(r.missing), 'band', r.band, 'assignee', r.assignee)`;

/**
 * The tasks called for are made, or refreshed while open ($1 the event, $2 the date, $3 the due day,
 * $4 the policy version). One that expired because its spell ended opens again when a spell begins
 * on the same date (a value recorded and then cleared: the same occurrence); one staff closed (done,
 * dismissed) stays closed while the spell lasts.
 */
const TASKS_UPSERT = `
  INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
  SELECT d.customer_id, d.staff_id, $1, d.occurrence, 'work_task', d.facts, $2::date, $2::date, $3::date, $4 FROM prof_due d
   ORDER BY d.customer_id, d.staff_id, d.occurrence
  ON CONFLICT (customer_id, staff_id, event, occurrence) DO UPDATE
    SET facts = EXCLUDED.facts, last_date = greatest(reminders.last_date, EXCLUDED.last_date),
        due_on = CASE WHEN reminders.status = 'open' THEN reminders.due_on ELSE EXCLUDED.due_on END,
        status = 'open', closed_at = NULL, closed_reason = NULL, closed_by = NULL
  WHERE (reminders.status = 'open' AND (reminders.facts, reminders.last_date) IS DISTINCT FROM (EXCLUDED.facts, greatest(reminders.last_date, EXCLUDED.last_date)))
     OR (reminders.status = 'expired' AND reminders.closed_reason = '${EXPIRED_REASON}')`;

/** The open tasks no longer called for expire ($1 the event, $2 the time). */
const TASKS_EXPIRE = (only: string | null) => `
  UPDATE reminders r SET status = 'expired', closed_at = $2::timestamptz, closed_reason = '${EXPIRED_REASON}'
   WHERE r.event = $1 AND r.status = 'open'
     AND NOT EXISTS (SELECT 1 FROM prof_due d WHERE d.customer_id = r.customer_id AND d.staff_id = r.staff_id AND d.occurrence = r.occurrence)${ONE(only, 'r.customer_id')}`;

/**
 * One customer's tasks called for, as the CTE prof_due, from parameter $k on: the customer, the
 * start of their spell under 7, the facts and the staff who collect (none: no task).
 */
const ONE_DUE = (k: number) => `WITH prof_due AS (
  SELECT $${k}::text AS customer_id, x.staff_id, 'since:' || $${k + 1}::text AS occurrence, $${k + 2}::jsonb AS facts
    FROM unnest($${k + 3}::text[]) AS x(staff_id))`;

/** Completeness of every active customer, through work tables (prof_rows stays for mergeTasks). */
async function computeCompleteness(s: SqlSession, date: string): Promise<void> {
  await createWorkTable(s, 'prof_fields', { as: FIELDS_SQL(null), params: [date, ASSESSMENT_VALID_DAYS] });
  await createWorkTable(s, 'prof_new', { as: NEW_SQL });
  await createWorkTable(s, 'prof_rows', { as: ROWS_SQL, params: [date] });
  await s.query('DELETE FROM customer_completeness');
  await s.query(
    `INSERT INTO customer_completeness (customer_id, business_date, branch_id, filled, missing, below_since, assignee)
     SELECT customer_id, $1::date, branch_id, filled, missing, below_since::date, assignee FROM prof_rows ORDER BY customer_id`,
    [date],
  );
}

async function mergeTasks(s: SqlSession, date: string, policyVersion: number, now: string | null): Promise<{ tasks: number; expired: number }> {
  await createWorkTable(s, 'prof_due', {
    columns: `customer_id ${ID_SQL_TYPE} NOT NULL, staff_id text NOT NULL, occurrence text NOT NULL, facts jsonb NOT NULL`,
  });
  await s.query(
    `INSERT INTO prof_due (customer_id, staff_id, occurrence, facts)
     SELECT r.customer_id, r.owner_id, 'since:' || r.below_since::text, ${FACTS_SQL} FROM prof_rows r WHERE r.assignee = 'owner'
     UNION ALL
     SELECT r.customer_id, st.staff_id, 'since:' || r.below_since::text, ${FACTS_SQL}
       FROM prof_rows r JOIN staff st ON st.branch_id = r.branch_id AND st.role = 'counter_teller' AND st.active
      WHERE r.assignee = 'tellers'`,
  );
  await s.query(TASKS_UPSERT, [COLLECT_EVENT, date, nextWorkingDay(date), policyVersion]);
  const expired = await s.query(TASKS_EXPIRE(null), [COLLECT_EVENT, now]);
  const n = await s.query<{ n: number }>('SELECT count(*)::int AS n FROM prof_due');
  return { tasks: n.rows[0]?.n ?? 0, expired: expired.rowCount };
}

/** Waits for a profile step running now (and keeps it from starting) until the caller's transaction ends. */
export async function lockProfile(s: SqlSession): Promise<void> {
  await s.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
}

/**
 * One customer's completeness and collection task again, inside the caller's transaction, right
 * after staff recorded a value for them: the batch's statements (steps 2 and 3) restricted to the
 * customer, for the business date of the last computation (its spell under 7 carries on). A
 * customer reaching 7 of 9 drops their open collection task at once; the outlet's page and the
 * customer's page show the new count without waiting for the night. Nothing before the first
 * batch has computed completeness. Call lockProfile before the transaction's first write.
 */
export async function recomputeCustomerProfile(s: SqlSession, customerId: string): Promise<void> {
  await lockProfile(s);
  const date = (await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM profile_runs')).rows[0]?.d ?? null;
  if (!date) return;
  const policy = await eventsPolicyInEffect(s, date);
  // No work table here: on Citus each would be a distributed table made and dropped for every save.
  // The batch's queries, as one statement's CTEs restricted to the customer, read their row (the
  // old completeness row is read before it is replaced), and their tasks as rows of prof_due.
  const chain = `WITH prof_fields AS (${FIELDS_SQL('$3')}), prof_new AS (${NEW_SQL}), prof_rows AS (${ROWS_SQL})`;
  const [row] = (
    await s.query<{ branch_id: string; filled: number; missing: string[]; below_since: string | null; assignee: string | null; facts: unknown; staff: string[] }>(
      `${chain}
       SELECT r.branch_id, r.filled, r.missing, r.below_since::text AS below_since, r.assignee, ${FACTS_SQL} AS facts,
              CASE r.assignee WHEN 'owner' THEN ARRAY[r.owner_id]
                              WHEN 'tellers' THEN ARRAY(SELECT st.staff_id FROM staff st WHERE st.branch_id = r.branch_id AND st.role = 'counter_teller' AND st.active ORDER BY st.staff_id)
                              ELSE '{}'::text[] END AS staff
         FROM prof_rows r`,
      [date, ASSESSMENT_VALID_DAYS, customerId],
    )
  ).rows;
  await s.query('DELETE FROM customer_completeness WHERE customer_id = $1', [customerId]);
  if (row) {
    await s.query(
      `INSERT INTO customer_completeness (customer_id, business_date, branch_id, filled, missing, below_since, assignee)
       VALUES ($1, $2::date, $3, $4, $5::text[], $6::date, $7)`,
      [customerId, date, row.branch_id, row.filled, row.missing, row.below_since, row.assignee],
    );
  }
  // no staff when the customer is at 7 or more (no spell, no assignee): every open task expires
  const staff = row?.staff ?? [];
  const dueParams = [customerId, row?.below_since ?? null, JSON.stringify(row?.facts ?? {}), staff];
  if (staff.length > 0) await s.query(`${ONE_DUE(5)} ${TASKS_UPSERT}`, [COLLECT_EVENT, date, nextWorkingDay(date), policy.version, ...dueParams]);
  const now = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? null;
  await s.query(`${ONE_DUE(3)} ${TASKS_EXPIRE('$3')}`, [COLLECT_EVENT, now, ...dueParams]);
}

export async function runProfile(db: Db, businessDate: string): Promise<ProfileResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await lockProfile(s);
    const done = await s.query('SELECT 1 FROM worklist_runs WHERE business_date = $1::date', [businessDate]);
    if (!done.rows.length) throw new AppError('bad_request', `The reminders of ${businessDate} have not been made: run the batch for ${businessDate} (the worklist step comes before profile completeness).`);
    const last = (await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM profile_runs')).rows[0]?.d ?? null;
    if (last && last > businessDate) {
      throw new AppError('bad_request', `${businessDate} is before ${last}, the last business date profile completeness was computed for; it only moves forward.`);
    }
    const policy = await eventsPolicyInEffect(s, businessDate);
    const now = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? null;
    const closed = await closeProposals(s, businessDate);
    await computeCompleteness(s, businessDate);
    const { tasks, expired } = await mergeTasks(s, businessDate, policy.version, now);
    const counts = await s.query<{ customers: number; below: number }>(
      `SELECT count(*)::int AS customers, count(*) FILTER (WHERE filled < ${COMPLETE_AT})::int AS below FROM customer_completeness`,
    );
    const customers = counts.rows[0]?.customers ?? 0;
    const below = counts.rows[0]?.below ?? 0;
    const seconds = (performance.now() - t0) / 1000;
    await s.query(
      `INSERT INTO profile_runs (business_date, customers, below, tasks, closed, seconds, finished_at) VALUES ($1::date, $2, $3, $4, $5, $6, now())
       ON CONFLICT (business_date) DO UPDATE SET customers = EXCLUDED.customers, below = EXCLUDED.below, tasks = EXCLUDED.tasks, closed = EXCLUDED.closed,
         seconds = EXCLUDED.seconds, finished_at = EXCLUDED.finished_at`,
      [businessDate, customers, below, tasks, closed, seconds.toFixed(3)],
    );
    return { businessDate, customers, below, tasks, expired, closed, seconds };
  });
}
