import type { SqlSession } from '../../platform/db.js';
import { customerTierHistory } from '../tiering/tiering.sql.js';
import { BRIEF, BRIEF_JOIN, type BriefRow, type ReminderKeyRow } from './worklist.sql.js';

// The only SQL of the work log, the customer's timeline, the products maturing list and the
// bank's sheets. A work scope is an owner (customers they own or co-own) and/or branches.

export interface Scope {
  ownerId: string | null;
  branches: readonly string[] | null;
}
const inScope = (customer: string, p: number) =>
  `($${p}::text IS NULL OR ${customer} IN (SELECT o.customer_id FROM customer_owners o WHERE o.staff_id = $${p}))
   AND ($${p + 1}::text[] IS NULL OR c.branch_id = ANY($${p + 1}::text[]))`;
const scopeParams = (w: Scope) => [w.ownerId, w.branches ? [...w.branches] : null];

export async function insertContact(
  s: SqlSession,
  c: { customerId: string; staffId: string; contactedAt: string; channel: string; outcome: string; notes: string | null; nextContactOn: string | null; source: string },
): Promise<string> {
  const r = await s.query<{ contact_id: string }>(
    `INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on, source)
     VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7::date, $8) RETURNING contact_id`,
    [c.customerId, c.staffId, c.contactedAt, c.channel, c.outcome, c.notes, c.nextContactOn, c.source],
  );
  const id = r.rows[0]?.contact_id;
  if (!id) throw new Error('the contact was not written');
  return id;
}

/** Closes (done) the listed open reminders and every open work task of this owner about the customer. */
export async function closeByContact(s: SqlSession, staffId: string, customerId: string, keys: readonly ReminderKeyRow[], contactId: string, by: string) {
  const r = await s.query<{ event: string; occurrence: string; kind: 'risk' | 'opportunity' | 'information' | 'work_task'; facts: Record<string, unknown> }>(
    `UPDATE reminders r SET status = 'done', contact_id = $5, closed_by = $6, closed_at = now()
      WHERE r.customer_id = $1 AND r.staff_id = $2 AND r.status = 'open'
        AND (r.kind = 'work_task' OR (r.event, r.occurrence) IN (SELECT * FROM unnest($3::text[], $4::text[])))
      RETURNING r.event, r.occurrence, r.kind, r.facts`,
    [customerId, staffId, keys.map((k) => k.event), keys.map((k) => k.occurrence), contactId, by],
  );
  return r.rows;
}

/** The customer's planned item in the owner's latest plan becomes 'contacted'. */
export async function markPlanContacted(s: SqlSession, staffId: string, customerId: string, contactId: string): Promise<void> {
  await s.query(
    `UPDATE contact_plan_items i SET status = 'contacted', contact_id = $3
      WHERE i.staff_id = $1 AND i.customer_id = $2 AND i.status = 'planned'
        AND i.plan_date = (SELECT max(p.plan_date) FROM contact_plans p WHERE p.staff_id = $1)`,
    [staffId, customerId, contactId],
  );
}

export async function remindersKeys(s: SqlSession, staffId: string, customerId: string, keys: readonly ReminderKeyRow[]) {
  const r = await s.query<{ event: string; occurrence: string }>(
    `SELECT event, occurrence FROM reminders WHERE customer_id = $1 AND staff_id = $2 AND (event, occurrence) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
    [customerId, staffId, keys.map((k) => k.event), keys.map((k) => k.occurrence)],
  );
  return r.rows;
}

export interface ContactRow {
  contact_id: string;
  customer_id: string;
  customer_name: string;
  staff_id: string;
  contacted_at: Date;
  channel: string;
  outcome: string | null;
  notes: string | null;
  next_contact_on: string | null;
  source: string;
}
const CONTACT = `l.contact_id, l.customer_id, c.name AS customer_name, l.staff_id, l.contacted_at, l.channel, l.outcome, l.notes, l.next_contact_on, l.source`;

export async function contactById(s: SqlSession, customerId: string, contactId: string): Promise<ContactRow | undefined> {
  const r = await s.query<ContactRow>(`SELECT ${CONTACT} FROM contact_log l JOIN customers c ON c.customer_id = l.customer_id WHERE l.customer_id = $1 AND l.contact_id = $2`, [
    customerId,
    contactId,
  ]);
  return r.rows[0];
}

/** A staff member's contacts from one instant to another, oldest first (the calendar). */
export async function contactsOf(s: SqlSession, staffId: string, from: string, to: string, limit: number): Promise<ContactRow[]> {
  const r = await s.query<ContactRow>(
    `SELECT ${CONTACT} FROM contact_log l JOIN customers c ON c.customer_id = l.customer_id
      WHERE l.staff_id = $1 AND l.contacted_at >= $2::timestamptz AND l.contacted_at < $3::timestamptz
      ORDER BY l.contacted_at, l.contact_id LIMIT $4`,
    [staffId, from, to, limit],
  );
  return r.rows;
}

/** The reminders each contact closed. */
export async function closedByContacts(s: SqlSession, contactIds: readonly string[]) {
  const r = await s.query<{ contact_id: string; event: string; occurrence: string; kind: 'risk' | 'opportunity' | 'information' | 'work_task'; facts: Record<string, unknown> }>(
    'SELECT contact_id, event, occurrence, kind, facts FROM reminders WHERE contact_id = ANY($1::text[]) ORDER BY event, occurrence',
    [[...contactIds]],
  );
  return r.rows;
}

// the customer's timeline
export async function customerContacts(s: SqlSession, customerId: string, limit: number): Promise<ContactRow[]> {
  const r = await s.query<ContactRow>(
    `SELECT ${CONTACT} FROM contact_log l JOIN customers c ON c.customer_id = l.customer_id WHERE l.customer_id = $1 ORDER BY l.contacted_at DESC, l.contact_id LIMIT $2`,
    [customerId, limit],
  );
  return r.rows;
}
export async function customerReminders(s: SqlSession, customerId: string, limit: number) {
  const r = await s.query<{ staff_id: string; event: string; occurrence: string; kind: string; facts: Record<string, unknown>; first_date: string; status: string; closed_reason: string | null }>(
    `SELECT staff_id, event, occurrence, kind, facts, first_date, status, closed_reason FROM reminders WHERE customer_id = $1
      ORDER BY first_date DESC, event, occurrence, staff_id LIMIT $2`,
    [customerId, limit],
  );
  return r.rows;
}
export async function tierChanges(s: SqlSession, customerId: string, limit: number) {
  return customerTierHistory(s, customerId, ['aum_band', 'relationship_tier'], limit);
}
/** The next contact date the latest contact that set one agreed. */
export async function nextContactOn(s: SqlSession, customerId: string): Promise<string | null> {
  const r = await s.query<{ d: string }>(
    'SELECT next_contact_on AS d FROM contact_log WHERE customer_id = $1 AND next_contact_on IS NOT NULL ORDER BY contacted_at DESC LIMIT 1',
    [customerId],
  );
  return r.rows[0]?.d ?? null;
}

// products maturing
export interface MaturingRow extends BriefRow {
  account_id: string;
  kind: 'wealth' | 'time_deposit';
  product_code: string | null;
  product_name: string | null;
  amount: string;
  matures_on: string;
  reinvested: boolean;
  owner_id: string | null;
}
export async function maturing(s: SqlSession, w: Scope, from: string, to: string, page: number, pageSize: number) {
  const where = `a.kind IN ('wealth', 'time_deposit') AND a.matures_on BETWEEN $3::date AND $4::date AND ${inScope('a.customer_id', 1)}`;
  // a product that has matured is paid out (balance 0, or closed): its amount is the balance the
  // batch saw in the week before, when it detected it maturing
  // (an expression, not a lateral subquery: Citus plans a correlated subquery only beside tables)
  const amount = `CASE WHEN a.balance > 0 AND a.status = 'active' THEN a.balance ELSE coalesce(
      (SELECT round((e.facts->>'balance')::numeric, 2) FROM customer_events e
        WHERE e.customer_id = a.customer_id AND e.event = 'maturing' AND e.subject = a.account_id AND e.facts->>'matures_on' = a.matures_on::text
        ORDER BY e.business_date DESC LIMIT 1), a.balance) END`;
  const params = [...scopeParams(w), from, to];
  const rows = await s.query<MaturingRow>(
    `SELECT ${BRIEF}, a.account_id, a.kind, a.product_code, p.name AS product_name, (${amount})::text AS amount, a.matures_on,
            EXISTS (SELECT 1 FROM accounts n WHERE n.customer_id = a.customer_id AND n.kind IN ('wealth', 'time_deposit')
                     AND n.account_id <> a.account_id AND n.opened_on >= a.matures_on) AS reinvested,
            (SELECT o.staff_id FROM customer_owners o WHERE o.customer_id = a.customer_id AND o.kind = 'primary' LIMIT 1) AS owner_id
       FROM accounts a JOIN customers c ON c.customer_id = a.customer_id ${BRIEF_JOIN}
       LEFT JOIN products p ON p.product_code = a.product_code
      WHERE ${where} ORDER BY a.matures_on, ${amount} DESC, a.customer_id, a.account_id LIMIT $5 OFFSET $6`,
    [...params, pageSize, (page - 1) * pageSize],
  );
  const totals = await s.query<{ n: number; amount: string }>(
    `SELECT count(*)::int AS n, coalesce(sum(${amount}), 0)::text AS amount FROM accounts a JOIN customers c ON c.customer_id = a.customer_id WHERE ${where}`,
    params,
  );
  return { rows: rows.rows, total: totals.rows[0]?.n ?? 0, totalAmount: totals.rows[0]?.amount ?? '0' };
}

// the bank's sheets
export interface SheetCustomerRow {
  customer_id: string;
  name: string;
  gender: string | null;
  birth_date: string | null;
  id_number: string | null;
  phone: string | null;
  occupation: string | null;
  branch_name: string;
  owner_name: string | null;
  aum: string;
  aum_band: string | null;
  relationship_tier: string | null;
  vip_grade: string | null;
  risk_level: string | null;
  do_not_disturb: boolean;
  last_contact: Date | null;
  next_contact_on: string | null;
  /** open proposals for the core system (issue 23 §2): [field, value] */
  proposals?: [string, string][] | null;
}
export interface SheetContactRow extends ContactRow {
  staff_name: string;
}
