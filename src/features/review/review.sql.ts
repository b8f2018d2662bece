import type { SqlSession } from '../../platform/db.js';

// The only SQL of the monthly review: spot checks and their sampled customers, customers'
// feedback, the coaching log and its follow-up reminders. Branch lists are the caller's scope:
// null means every branch. Set-based throughout: the sample of a whole scope is one statement.

export type Branches = readonly string[] | null;
const arr = (b: Branches) => (b ? [...b] : null);
const inBranches = (column: string, param: string) => `(${param}::text[] IS NULL OR ${column} = ANY(${param}::text[]))`;

// ---- spot checks ---------------------------------------------------------------------------------

export interface SpotCheckRow {
  review_id: string;
  reviewer_id: string;
  month: string;
  branch_id: string;
  branch_name: string;
  sample_size: number;
  managers: string[];
  business_date: string;
  drawn_at: Date;
}
const SPOT_CHECK = `k.review_id, k.reviewer_id, to_char(k.month, 'YYYY-MM') AS month, k.branch_id, coalesce(b.name, k.branch_id) AS branch_name,
  k.sample_size, k.managers, k.business_date, k.drawn_at`;

/** Makes the spot check of a reviewer, month and branch, unless it exists; its id and whether it is new. */
export async function insertSpotCheck(
  s: SqlSession,
  x: { reviewerId: string; month: string; branchId: string; size: number; managers: readonly string[]; businessDate: string },
): Promise<{ reviewId: string; created: boolean }> {
  const made = await s.query<{ review_id: string }>(
    `INSERT INTO spot_checks (reviewer_id, month, branch_id, sample_size, managers, business_date)
     VALUES ($1, ($2 || '-01')::date, $3, $4, $5::text[], $6::date)
     ON CONFLICT (reviewer_id, month, branch_id) DO NOTHING RETURNING review_id`,
    [x.reviewerId, x.month, x.branchId, x.size, [...x.managers], x.businessDate],
  );
  const id = made.rows[0]?.review_id;
  if (id) return { reviewId: id, created: true };
  const found = await s.query<{ review_id: string }>(`SELECT review_id FROM spot_checks WHERE reviewer_id = $1 AND month = ($2 || '-01')::date AND branch_id = $3`, [
    x.reviewerId,
    x.month,
    x.branchId,
  ]);
  return { reviewId: found.rows[0]?.review_id ?? '', created: false };
}

/**
 * Draws the sample of a spot check in one statement: per manager, the active customers of the
 * branches they own (primary or co) or have claimed (pending or approved), in the order of
 * md5(review_id || ':' || customer_id) (bytes, so every engine sorts alike), the first `size`.
 * The pool is gathered on the customers' shards, then numbered (on Citus, on the coordinator).
 */
export async function drawSample(s: SqlSession, reviewId: string, managers: readonly string[], branches: Branches, size: number): Promise<number> {
  const r = await s.query(
    `INSERT INTO spot_check_items (customer_id, review_id, staff_id, position, basis)
     WITH pool AS MATERIALIZED (
       SELECT x.staff_id, x.customer_id, min(x.basis) AS basis
         FROM (SELECT o.staff_id, o.customer_id, CASE o.kind WHEN 'primary' THEN 1 ELSE 2 END AS basis
                 FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id
                WHERE o.staff_id = ANY($2::text[]) AND c.status = 'active' AND ${inBranches('c.branch_id', '$3')}
               UNION ALL
               SELECT cl.staff_id, cl.customer_id, 3
                 FROM ownership_claims cl JOIN customers c ON c.customer_id = cl.customer_id
                WHERE cl.staff_id = ANY($2::text[]) AND cl.status IN ('pending', 'approved') AND c.status = 'active' AND ${inBranches('c.branch_id', '$3')}) x
        GROUP BY x.staff_id, x.customer_id
     ), ranked AS (
       SELECT p.staff_id, p.customer_id, p.basis,
              row_number() OVER (PARTITION BY p.staff_id ORDER BY md5($1 || ':' || p.customer_id) COLLATE "C", p.customer_id) AS position
         FROM pool p
     )
     SELECT customer_id, $1, staff_id, position, (ARRAY['primary', 'co', 'claim'])[basis]
       FROM ranked WHERE position <= $4`,
    [reviewId, [...managers], arr(branches), size],
  );
  return r.rowCount;
}

export async function spotCheckById(s: SqlSession, reviewId: string): Promise<SpotCheckRow | undefined> {
  const r = await s.query<SpotCheckRow>(`SELECT ${SPOT_CHECK} FROM spot_checks k LEFT JOIN branches b ON b.branch_id = k.branch_id WHERE k.review_id = $1`, [reviewId]);
  return r.rows[0];
}

/** The spot checks of a month whose branch is among the branches (null: all), newest first. */
export async function spotChecksOf(s: SqlSession, month: string, branches: Branches): Promise<SpotCheckRow[]> {
  const r = await s.query<SpotCheckRow>(
    `SELECT ${SPOT_CHECK} FROM spot_checks k LEFT JOIN branches b ON b.branch_id = k.branch_id
      WHERE k.month = ($1 || '-01')::date AND ${inBranches('k.branch_id', '$2')}
      ORDER BY k.drawn_at DESC, k.review_id`,
    [month, arr(branches)],
  );
  return r.rows;
}

export interface SpotFigureRow {
  review_id: string;
  staff_id: string;
  sampled: number;
  checked: number;
  familiar: number;
  not_familiar: number;
}

/** Per spot check and manager: sampled, checked, familiar, not familiar. */
export async function spotFigures(s: SqlSession, reviewIds: readonly string[]): Promise<SpotFigureRow[]> {
  const r = await s.query<SpotFigureRow>(
    `SELECT i.review_id, i.staff_id, count(*)::int AS sampled, count(i.result)::int AS checked,
            count(*) FILTER (WHERE i.result = 'familiar')::int AS familiar, count(*) FILTER (WHERE i.result = 'not_familiar')::int AS not_familiar
       FROM spot_check_items i WHERE i.review_id = ANY($1::text[]) GROUP BY i.review_id, i.staff_id`,
    [[...reviewIds]],
  );
  return r.rows;
}

export interface SpotItemRow {
  customer_id: string;
  name: string;
  branch_id: string;
  branch_name: string;
  aum: string;
  aum_band: string | null;
  staff_id: string;
  position: number;
  basis: 'primary' | 'co' | 'claim';
  result: 'familiar' | 'not_familiar' | null;
  note: string | null;
  checked_by: string | null;
  checked_at: Date | null;
  owner_now: 'primary' | 'co' | null;
}
const SPOT_ITEM = `i.customer_id, c.name, c.branch_id, coalesce(b.name, c.branch_id) AS branch_name, coalesce(ov.aum, 0)::text AS aum,
  (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = i.customer_id AND t.model = 'aum_band') AS aum_band,
  i.staff_id, i.position, i.basis, i.result, i.note, i.checked_by, i.checked_at,
  (SELECT o.kind FROM customer_owners o WHERE o.customer_id = i.customer_id AND o.staff_id = i.staff_id) AS owner_now`;
const SPOT_ITEM_JOIN = `JOIN customers c ON c.customer_id = i.customer_id LEFT JOIN branches b ON b.branch_id = c.branch_id
  LEFT JOIN customer_overview ov ON ov.customer_id = i.customer_id`;

/** The sampled customers of a spot check (of one manager, or all), by manager and seeded order. */
export async function spotItems(s: SqlSession, reviewId: string, staffId: string | null): Promise<SpotItemRow[]> {
  const r = await s.query<SpotItemRow>(
    `SELECT ${SPOT_ITEM} FROM spot_check_items i ${SPOT_ITEM_JOIN}
      WHERE i.review_id = $1 AND ($2::text IS NULL OR i.staff_id = $2)
      ORDER BY i.staff_id, i.position`,
    [reviewId, staffId],
  );
  return r.rows;
}

export async function spotItem(s: SqlSession, reviewId: string, customerId: string, staffId: string): Promise<SpotItemRow | undefined> {
  const r = await s.query<SpotItemRow>(`SELECT ${SPOT_ITEM} FROM spot_check_items i ${SPOT_ITEM_JOIN} WHERE i.customer_id = $1 AND i.review_id = $2 AND i.staff_id = $3`, [
    customerId,
    reviewId,
    staffId,
  ]);
  return r.rows[0];
}

/** Records (or changes) the finding on one sampled customer; false when there is no such item. */
export async function recordSpotResult(s: SqlSession, x: { reviewId: string; customerId: string; staffId: string; result: string; note: string | null; by: string }): Promise<boolean> {
  // the moment is the transaction's, read first: Citus sends an update to the customer's shard only with its values decided
  const at = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t;
  const r = await s.query(
    `UPDATE spot_check_items SET result = $4, note = $5, checked_by = $6, checked_at = $7::timestamptz
      WHERE customer_id = $1 AND review_id = $2 AND staff_id = $3`,
    [x.customerId, x.reviewId, x.staffId, x.result, x.note, x.by, at],
  );
  return r.rowCount > 0;
}

// ---- customers' feedback ------------------------------------------------------------------------

export interface FeedbackRow {
  feedback_id: string;
  kind: string;
  feedback_on: string;
  note: string | null;
  owner_id: string | null;
  recorded_by: string;
  recorded_at: Date;
}
const FEEDBACK = 'f.feedback_id, f.kind, f.feedback_on, f.note, f.owner_id, f.recorded_by, f.recorded_at';

/** Records a feedback: the customer's primary owner and branch now are kept with it. */
export async function insertFeedback(s: SqlSession, x: { customerId: string; kind: string; on: string; note: string | null; by: string }): Promise<FeedbackRow | undefined> {
  const r = await s.query<FeedbackRow>(
    `INSERT INTO customer_feedback AS f (customer_id, kind, feedback_on, note, owner_id, branch_id, recorded_by)
     SELECT c.customer_id, $2, $3::date, $4, (SELECT o.staff_id FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.kind = 'primary'), c.branch_id, $5
       FROM customers c WHERE c.customer_id = $1
     RETURNING ${FEEDBACK}`,
    [x.customerId, x.kind, x.on, x.note, x.by],
  );
  return r.rows[0];
}

export async function feedbackOf(s: SqlSession, customerId: string): Promise<FeedbackRow[]> {
  const r = await s.query<FeedbackRow>(`SELECT ${FEEDBACK} FROM customer_feedback f WHERE f.customer_id = $1 ORDER BY f.feedback_on DESC, f.recorded_at DESC`, [customerId]);
  return r.rows;
}

/** Feedback of a period counted per owner at record time and kind, within the branches (the customers' then). */
export async function feedbackCounts(s: SqlSession, branches: Branches, from: string, to: string): Promise<{ owner_id: string; kind: string; n: number }[]> {
  const r = await s.query<{ owner_id: string; kind: string; n: number }>(
    `SELECT f.owner_id, f.kind, count(*)::int AS n FROM customer_feedback f
      WHERE f.feedback_on BETWEEN $2::date AND $3::date AND f.owner_id IS NOT NULL AND ${inBranches('f.branch_id', '$1')}
      GROUP BY f.owner_id, f.kind`,
    [arr(branches), from, to],
  );
  return r.rows;
}

// ---- the coaching log ---------------------------------------------------------------------------

export interface CoachingRow {
  coaching_id: string;
  staff_id: string;
  author_id: string;
  coached_on: string;
  findings: string;
  actions: string;
  follow_up_on: string | null;
  followed_up_at: Date | null;
  followed_up_by: string | null;
  follow_up_note: string | null;
  created_at: Date;
  updated_at: Date;
  branch_id: string;
  branch_name: string;
}
const COACHING = `r.coaching_id, r.staff_id, r.author_id, r.coached_on, r.findings, r.actions, r.follow_up_on, r.followed_up_at, r.followed_up_by,
  r.follow_up_note, r.created_at, r.updated_at, st.branch_id, coalesce(b.name, st.branch_id) AS branch_name`;
const COACHING_JOIN = 'JOIN staff st ON st.staff_id = r.staff_id LEFT JOIN branches b ON b.branch_id = st.branch_id';

/**
 * Who may read a record: the manager's branch (now) within the branches, or its author (a record
 * stays readable to the head who wrote it after the manager moved away). $1: the branches, $2: the reader.
 */
const READABLE = `(${inBranches('st.branch_id', '$1')} OR r.author_id = $2)`;

export async function insertCoaching(s: SqlSession, x: { staffId: string; authorId: string; coachedOn: string; findings: string; actions: string; followUpOn: string | null }): Promise<string> {
  const r = await s.query<{ coaching_id: string }>(
    `INSERT INTO coaching_records (staff_id, author_id, coached_on, findings, actions, follow_up_on) VALUES ($1, $2, $3::date, $4, $5, $6::date) RETURNING coaching_id`,
    [x.staffId, x.authorId, x.coachedOn, x.findings, x.actions, x.followUpOn],
  );
  return r.rows[0]?.coaching_id ?? '';
}

/** One record, if the reader may see it (with `staffId`: only that manager's own). */
export async function coachingById(s: SqlSession, coachingId: string, reader: { branches: Branches; me: string; staffId?: string }): Promise<CoachingRow | undefined> {
  const r = await s.query<CoachingRow>(
    `SELECT ${COACHING} FROM coaching_records r ${COACHING_JOIN}
      WHERE r.coaching_id = $3 AND ${READABLE} AND ($4::text IS NULL OR r.staff_id = $4)`,
    [arr(reader.branches), reader.me, coachingId, reader.staffId ?? null],
  );
  return r.rows[0];
}

/** The records a reader may see, newest first: of one manager, or of the branches. */
export async function coachingList(s: SqlSession, f: { branches: Branches; me: string; staffId: string | null; from: string | null; to: string | null }): Promise<CoachingRow[]> {
  const r = await s.query<CoachingRow>(
    `SELECT ${COACHING} FROM coaching_records r ${COACHING_JOIN}
      WHERE ${READABLE} AND ($3::text IS NULL OR r.staff_id = $3) AND ($4::date IS NULL OR r.coached_on >= $4::date) AND ($5::date IS NULL OR r.coached_on <= $5::date)
      ORDER BY r.coached_on DESC, r.created_at DESC`,
    [arr(f.branches), f.me, f.staffId, f.from, f.to],
  );
  return r.rows;
}

/** A manager's own records (read-only for them), newest first. */
export async function coachingOfManager(s: SqlSession, staffId: string): Promise<CoachingRow[]> {
  const r = await s.query<CoachingRow>(`SELECT ${COACHING} FROM coaching_records r ${COACHING_JOIN} WHERE r.staff_id = $1 ORDER BY r.coached_on DESC, r.created_at DESC`, [staffId]);
  return r.rows;
}

export async function updateCoaching(s: SqlSession, coachingId: string, x: { findings: string; actions: string; followUpOn: string | null }): Promise<void> {
  await s.query(`UPDATE coaching_records SET findings = $2, actions = $3, follow_up_on = $4::date, updated_at = now() WHERE coaching_id = $1`, [coachingId, x.findings, x.actions, x.followUpOn]);
}

export async function recordFollowUp(s: SqlSession, coachingId: string, x: { by: string; note: string }): Promise<void> {
  await s.query(`UPDATE coaching_records SET followed_up_at = now(), followed_up_by = $2, follow_up_note = $3, updated_at = now() WHERE coaching_id = $1`, [coachingId, x.by, x.note]);
}

// ---- the follow-up's reminder ---------------------------------------------------------------------

/** The reminders' event of a coaching follow-up; its occurrence is the coaching id, its customer none (''). */
export const FOLLOW_UP_EVENT = 'coaching_follow_up';
/** Not made by the events policy: no version of it (as the opportunities step's reminders). */
const POLICY_VERSION = 0;

/**
 * The author's work task for a follow-up date: open, due on the date, hidden (snoozed) until the
 * day before it, so that it shows on My day the morning of the follow-up (My day's today is the
 * latest loaded business date, the day before). Made again when the date moves.
 */
export async function upsertFollowUpReminder(
  s: SqlSession,
  x: { authorId: string; coachingId: string; dueOn: string; showFrom: string; businessDate: string; facts: Record<string, unknown> },
): Promise<void> {
  await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, snoozed_until, policy_version)
     VALUES ('', $1, $2, $3, 'work_task', $4::jsonb, $5::date, $5::date, $6::date, $7::date, $8)
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO UPDATE
       SET facts = EXCLUDED.facts, last_date = greatest(reminders.last_date, EXCLUDED.last_date), due_on = EXCLUDED.due_on, snoozed_until = EXCLUDED.snoozed_until,
           status = 'open', closed_reason = NULL, closed_by = NULL, closed_at = NULL`,
    [x.authorId, FOLLOW_UP_EVENT, x.coachingId, JSON.stringify(x.facts), x.businessDate, x.dueOn, x.showFrom, POLICY_VERSION],
  );
}

/** Closes the follow-up's open reminder: done (the follow-up recorded) or expired (the date removed). */
export async function closeFollowUpReminder(s: SqlSession, x: { authorId: string; coachingId: string; status: 'done' | 'expired'; reason: string; by: string | null }): Promise<void> {
  const at = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t;
  await s.query(
    `UPDATE reminders SET status = $4, closed_reason = $5, closed_by = $6, closed_at = $7::timestamptz
      WHERE customer_id = '' AND staff_id = $1 AND event = $2 AND occurrence = $3 AND status = 'open'`,
    [x.authorId, FOLLOW_UP_EVENT, x.coachingId, x.status, x.reason, x.by, at],
  );
}
