import type { SqlSession } from '../../platform/db.js';
import { rowScopeSql, type CustomerScope } from '../access/access.scope.js';

// The only SQL of reminders and contact plans (the work log, maturing list and sheets are in
// worklist.log.sql.ts). Reminders and plans are always read for one staff member.

export type Branches = readonly string[] | null;
const arr = (b: Branches) => (b ? [...b] : null);

export interface BriefRow {
  customer_id: string;
  name: string;
  aum: string;
  aum_band: string | null;
  relationship_tier: string | null;
  do_not_disturb: boolean;
  marketing_consent: boolean;
}
export const BRIEF = `c.customer_id, c.name, coalesce(ov.aum, 0)::text AS aum, c.do_not_disturb, c.marketing_consent,
  (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band') AS aum_band,
  (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'relationship_tier') AS relationship_tier`;
export const BRIEF_JOIN = 'LEFT JOIN customer_overview ov ON ov.customer_id = c.customer_id';

export interface ReminderRow extends BriefRow {
  staff_id: string;
  event: string;
  occurrence: string;
  kind: 'risk' | 'opportunity' | 'information' | 'work_task';
  facts: Record<string, unknown>;
  first_date: string;
  last_date: string;
  due_on: string;
  status: 'open' | 'done' | 'dismissed' | 'expired';
  snoozed_until: string | null;
  closed_reason: string | null;
  closed_by: string | null;
  closed_at: Date | null;
  contact_id: string | null;
}
const REMINDER = `r.staff_id, r.event, r.occurrence, r.kind, r.facts, r.first_date, r.last_date, r.due_on, r.status, r.snoozed_until,
  r.closed_reason, r.closed_by, r.closed_at, r.contact_id, ${BRIEF}`;
const KIND_ORDER = `array_position(ARRAY['risk', 'opportunity', 'information', 'work_task'], r.kind)`;

// open: open and not snoozed past today; snoozed: open, hidden until a later day; closed: the rest
const STATUS_WHERE = {
  open: `r.status = 'open' AND (r.snoozed_until IS NULL OR r.snoozed_until <= $2::date)`,
  snoozed: `r.status = 'open' AND r.snoozed_until > $2::date`,
  closed: `r.status <> 'open' AND $2::date IS NOT NULL`, // ($2 typed in every shape)
} as const;

/**
 * Only reminders about customers the owner still sees: a reminder made for a former owner (before a
 * re-assignment or a recall) stays theirs until it expires, but shows them nothing of the customer.
 * A reminder about no customer (customer_id '': a coaching follow-up of the monthly review) is
 * its staff member's alone.
 */
// a profile collection task given to the outlet's counter tellers (issue 23) is about a customer they need not own
const stillSeen = (scope: CustomerScope, params: unknown[]) => `(r.customer_id = '' OR r.event = 'profile_collect' OR ${rowScopeSql(scope, 'r.customer_id', params)})`;

export async function reminderCounts(s: SqlSession, staffId: string, today: string, scope: CustomerScope) {
  const params: unknown[] = [staffId, today];
  const r = await s.query<{ kind: string; n: number }>(
    `SELECT r.kind, count(*)::int AS n FROM reminders r WHERE r.staff_id = $1 AND ${STATUS_WHERE.open} AND ${stillSeen(scope, params)} GROUP BY r.kind`,
    params,
  );
  return new Map(r.rows.map((x) => [x.kind, x.n]));
}

export async function listReminders(
  s: SqlSession,
  staffId: string,
  today: string,
  f: { kind?: string | undefined; status: keyof typeof STATUS_WHERE; customerId?: string | undefined; page: number; pageSize: number },
  scope: CustomerScope,
  /** the open reminders per kind, when already counted: the total of an open list needs no count of its own */
  counted?: ReadonlyMap<string, number>,
) {
  const params: unknown[] = [staffId, today, f.kind ?? null, f.customerId ?? null];
  const where = `r.staff_id = $1 AND ${STATUS_WHERE[f.status]} AND ($3::text IS NULL OR r.kind = $3) AND ($4::text IS NULL OR r.customer_id = $4) AND ${stillSeen(scope, params)}`;
  const page = params.length;
  // closed ones newest first; open ones by kind, then what is due first, then the richest customer
  const order = (t: 'r' | 'x') =>
    f.status === 'closed'
      ? `${t}.closed_at DESC NULLS LAST, ${t}.last_date DESC`
      : `${KIND_ORDER.replace('r.kind', `${t}.kind`)}, ${t}.due_on, ${t === 'r' ? 'coalesce(ov.aum, 0)' : 'x.aum_rank'} DESC`;
  // The page is chosen on the reminders and the customers' AUM alone; names, consent and tiers
  // are looked up for its rows only (a busy owner has hundreds of open reminders, a page 50–200).
  // A reminder about no customer (customer_id '') has none of them: the page's rows of those come
  // in a second part of the answer (on Citus the page's rows and customers' join inner only).
  const P = 'p.staff_id, p.event, p.occurrence, p.kind, p.facts, p.first_date, p.last_date, p.due_on, p.status, p.snoozed_until, p.closed_reason, p.closed_by, p.closed_at, p.contact_id';
  const rows = await s.query<ReminderRow>(
    `WITH p AS (
       SELECT r.*, coalesce(ov.aum, 0) AS aum FROM reminders r LEFT JOIN customer_overview ov ON ov.customer_id = r.customer_id
        WHERE ${where}
        ORDER BY ${order('r')}, r.customer_id, r.event, r.occurrence LIMIT $${page + 1} OFFSET $${page + 2}
     )
     SELECT x.* FROM (
       SELECT ${P}, c.customer_id, c.name, p.aum::text AS aum, p.aum AS aum_rank, c.do_not_disturb, c.marketing_consent,
              (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band') AS aum_band,
              (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'relationship_tier') AS relationship_tier
         FROM p JOIN customers c ON c.customer_id = p.customer_id
       UNION ALL
       SELECT ${P}, p.customer_id, NULL, p.aum::text, p.aum, NULL, NULL, NULL, NULL FROM p WHERE p.customer_id = ''
     ) x
     ORDER BY ${order('x')}, x.customer_id, x.event, x.occurrence`,
    [...params, f.pageSize, (f.page - 1) * f.pageSize],
  );
  const fromCounts = f.status === 'open' && !f.customerId && counted ? (f.kind ? (counted.get(f.kind) ?? 0) : [...counted.values()].reduce((a, b) => a + b, 0)) : undefined;
  const total = fromCounts ?? (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders r WHERE ${where}`, params)).rows[0]?.n ?? 0;
  return { rows: rows.rows, total };
}

export interface ReminderKeyRow {
  customer_id: string;
  event: string;
  occurrence: string;
}

export async function reminderOf(s: SqlSession, staffId: string, k: ReminderKeyRow, lock = false): Promise<ReminderRow | undefined> {
  const key = [k.customer_id, staffId, k.event, k.occurrence];
  // the row is locked by a statement of its own, on the reminders alone: Citus locks rows only in a
  // statement it can send whole to the customer's shard
  if (lock) await s.query('SELECT 1 FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND event = $3 AND occurrence = $4 FOR UPDATE', key);
  const r = await s.query<ReminderRow>(
    `SELECT ${REMINDER} FROM reminders r JOIN customers c ON c.customer_id = r.customer_id ${BRIEF_JOIN}
      WHERE r.customer_id = $1 AND r.staff_id = $2 AND r.event = $3 AND r.occurrence = $4`,
    key,
  );
  return r.rows[0];
}

export async function updateReminder(
  s: SqlSession,
  staffId: string,
  k: ReminderKeyRow,
  set: { status: string; snoozedUntil: string | null; closedReason: string | null; closedBy: string | null; closed: boolean; contactId?: string | null },
): Promise<void> {
  // the moment it closed is the transaction's, read first: Citus sends an update to the customer's
  // shard only with its values decided (no now() inside a CASE)
  const closedAt = set.closed ? ((await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? null) : null;
  await s.query(
    `UPDATE reminders SET status = $5, snoozed_until = $6, closed_reason = $7, closed_by = $8, closed_at = $9::timestamptz, contact_id = $10
      WHERE customer_id = $1 AND staff_id = $2 AND event = $3 AND occurrence = $4`,
    [k.customer_id, staffId, k.event, k.occurrence, set.status, set.snoozedUntil, set.closedReason, set.closedBy, closedAt, set.contactId ?? null],
  );
}

/** Open reminders of one owner about some customers (the plan's linked reminders). */
export async function openRemindersFor(s: SqlSession, staffId: string, customerIds: readonly string[], today: string) {
  const r = await s.query<{ customer_id: string; event: string; occurrence: string; kind: ReminderRow['kind']; facts: Record<string, unknown> }>(
    `SELECT r.customer_id, r.event, r.occurrence, r.kind, r.facts FROM reminders r
      WHERE r.staff_id = $1 AND r.customer_id = ANY($3::text[]) AND ${STATUS_WHERE.open}
      ORDER BY r.customer_id, ${KIND_ORDER}, r.due_on, r.event, r.occurrence`,
    [staffId, today, [...customerIds]],
  );
  return r.rows;
}

// contact plans

export interface PlanRow {
  staff_id: string;
  plan_date: string;
  work_date: string;
  branch_id: string;
  size: number;
  reviewed_by: string | null;
  reviewed_at: Date | null;
}
const PLAN = 'p.staff_id, p.plan_date, p.work_date, p.branch_id, p.size, p.reviewed_by, p.reviewed_at';

/** The staff member's plan of a date, or their latest. */
export async function planOf(s: SqlSession, staffId: string, date: string | null): Promise<PlanRow | undefined> {
  const r = await s.query<PlanRow>(
    `SELECT ${PLAN} FROM contact_plans p WHERE p.staff_id = $1 AND ($2::date IS NULL OR p.plan_date = $2::date) ORDER BY p.plan_date DESC LIMIT 1`,
    [staffId, date],
  );
  return r.rows[0];
}

export interface PlanItemRow extends BriefRow {
  position: number;
  reason: string;
  facts: Record<string, unknown>;
  service_only: boolean;
  source: 'batch' | 'manual';
  status: 'planned' | 'contacted' | 'removed';
  last_contact: Date | null;
}

export async function planItems(s: SqlSession, staffId: string, planDate: string): Promise<PlanItemRow[]> {
  const r = await s.query<PlanItemRow>(
    `SELECT i.position, i.reason, i.facts, i.service_only, i.source, i.status, ${BRIEF},
            (SELECT max(l.contacted_at) FROM contact_log l WHERE l.customer_id = i.customer_id) AS last_contact
       FROM contact_plan_items i JOIN customers c ON c.customer_id = i.customer_id ${BRIEF_JOIN}
      WHERE i.staff_id = $1 AND i.plan_date = $2::date
      ORDER BY i.status = 'removed', i.position, i.customer_id`,
    [staffId, planDate],
  );
  return r.rows;
}

export async function setPositions(s: SqlSession, staffId: string, planDate: string, customerIds: readonly string[], by: string): Promise<void> {
  await s.query(
    `UPDATE contact_plan_items i SET position = x.pos::int, changed_by = $4
       FROM unnest($3::text[]) WITH ORDINALITY AS x(customer_id, pos)
      WHERE i.staff_id = $1 AND i.plan_date = $2::date AND i.customer_id = x.customer_id AND i.position <> x.pos::int`,
    [staffId, planDate, [...customerIds], by],
  );
}

export async function addPlanItem(s: SqlSession, staffId: string, planDate: string, customerId: string, serviceOnly: boolean, by: string): Promise<void> {
  await s.query(
    `INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, service_only, source, status, changed_by)
     SELECT $3, $1, $2::date, coalesce(max(position), 0) + 1, 'manual', '{}'::jsonb, $4, 'manual', 'planned', $5
       FROM contact_plan_items WHERE staff_id = $1 AND plan_date = $2::date
     ON CONFLICT (customer_id, staff_id, plan_date) DO UPDATE SET status = 'planned', changed_by = EXCLUDED.changed_by, position = EXCLUDED.position`,
    [staffId, planDate, customerId, serviceOnly, by],
  );
}

export async function setItemStatus(s: SqlSession, staffId: string, planDate: string, customerId: string, status: string, by: string): Promise<void> {
  await s.query('UPDATE contact_plan_items SET status = $4, changed_by = $5 WHERE staff_id = $1 AND plan_date = $2::date AND customer_id = $3', [
    staffId,
    planDate,
    customerId,
    status,
    by,
  ]);
}

/** Customers the staff member owns (primary or co), of a list. */
export async function ownedOf(s: SqlSession, staffId: string, customerIds: readonly string[]): Promise<Set<string>> {
  const r = await s.query<{ customer_id: string }>('SELECT customer_id FROM customer_owners WHERE staff_id = $1 AND customer_id = ANY($2::text[])', [staffId, [...customerIds]]);
  return new Set(r.rows.map((x) => x.customer_id));
}

export async function customerBrief(s: SqlSession, customerId: string): Promise<BriefRow | undefined> {
  return (await s.query<BriefRow>(`SELECT ${BRIEF} FROM customers c ${BRIEF_JOIN} WHERE c.customer_id = $1`, [customerId])).rows[0];
}

export interface CommentRow {
  staff_id: string;
  plan_date: string;
  comment_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}
export async function planComments(s: SqlSession, staffId: string, planDate: string): Promise<CommentRow[]> {
  const r = await s.query<CommentRow>(
    'SELECT staff_id, plan_date, comment_id, author_id, body, created_at FROM contact_plan_comments WHERE staff_id = $1 AND plan_date = $2::date ORDER BY created_at, comment_id',
    [staffId, planDate],
  );
  return r.rows;
}

export async function addComment(s: SqlSession, staffId: string, planDate: string, authorId: string, body: string): Promise<CommentRow> {
  const r = await s.query<CommentRow>(
    `INSERT INTO contact_plan_comments (staff_id, plan_date, author_id, body) VALUES ($1, $2::date, $3, $4)
     RETURNING staff_id, plan_date, comment_id, author_id, body, created_at`,
    [staffId, planDate, authorId, body],
  );
  await s.query('UPDATE contact_plans SET reviewed_by = $3, reviewed_at = now() WHERE staff_id = $1 AND plan_date = $2::date', [staffId, planDate, authorId]);
  const row = r.rows[0];
  if (!row) throw new Error('the comment was not written');
  return row;
}

export async function latestPlanDate(s: SqlSession, branches: Branches): Promise<string | null> {
  const r = await s.query<{ d: string | null }>('SELECT max(plan_date) AS d FROM contact_plans WHERE ($1::text[] IS NULL OR branch_id = ANY($1::text[]))', [arr(branches)]);
  return r.rows[0]?.d ?? null;
}

export interface PlanSummaryRow {
  staff_id: string;
  staff_name: string;
  staff_role: string;
  branch_id: string;
  branch_name: string;
  plan_date: string;
  planned: number;
  contacted: number;
  removed: number;
  added: number;
  open_risk: number;
  comments: number;
  reviewed_at: Date | null;
}

/** Every owner's plan of a date within the branches, with its execution. */
export async function planSummaries(s: SqlSession, branches: Branches, planDate: string, today: string): Promise<PlanSummaryRow[]> {
  const r = await s.query<PlanSummaryRow>(
    // counted per owner first (on Citus each shard counts its own), then set beside each plan
    `WITH plans AS (
       SELECT p.* FROM contact_plans p WHERE p.plan_date = $2::date AND ($1::text[] IS NULL OR p.branch_id = ANY($1::text[]))
     ), items AS (
       SELECT i.staff_id,
              count(*) FILTER (WHERE i.status <> 'removed')::int AS planned,
              count(*) FILTER (WHERE i.status = 'contacted')::int AS contacted,
              count(*) FILTER (WHERE i.status = 'removed')::int AS removed,
              count(*) FILTER (WHERE i.source = 'manual' AND i.status <> 'removed')::int AS added
         FROM contact_plan_items i WHERE i.plan_date = $2::date AND i.staff_id IN (SELECT staff_id FROM plans) GROUP BY i.staff_id
     ), risks AS (
       SELECT r.staff_id, count(*)::int AS n FROM reminders r
        WHERE r.kind = 'risk' AND r.status = 'open' AND (r.snoozed_until IS NULL OR r.snoozed_until <= $3::date)
          AND r.staff_id IN (SELECT staff_id FROM plans)
        GROUP BY r.staff_id
     ), comments AS (
       SELECT k.staff_id, count(*)::int AS n FROM contact_plan_comments k WHERE k.plan_date = $2::date GROUP BY k.staff_id
     )
     SELECT p.staff_id, st.name AS staff_name, st.role AS staff_role, p.branch_id, b.name AS branch_name, p.plan_date, p.reviewed_at,
            coalesce(i.planned, 0) AS planned, coalesce(i.contacted, 0) AS contacted, coalesce(i.removed, 0) AS removed, coalesce(i.added, 0) AS added,
            coalesce(r.n, 0) AS open_risk, coalesce(k.n, 0) AS comments
       FROM plans p
       JOIN staff st ON st.staff_id = p.staff_id
       JOIN branches b ON b.branch_id = p.branch_id
       LEFT JOIN items i ON i.staff_id = p.staff_id
       LEFT JOIN risks r ON r.staff_id = p.staff_id
       LEFT JOIN comments k ON k.staff_id = p.staff_id
      ORDER BY p.branch_id, st.role, p.staff_id`,
    [arr(branches), planDate, today],
  );
  return r.rows;
}
