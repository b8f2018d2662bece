import type { SqlSession } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';

// The only SQL of prospects (递进沟通表's people who are not customers yet). Prospects and their
// contacts are small tables (reference tables on Citus); their opportunities live with the
// customers' (opportunities.sql.ts) under the empty customer_id.

export interface ProspectRow {
  prospect_id: string;
  name: string;
  phone: string | null;
  id_number: string | null;
  source: string;
  notes: string | null;
  owner_id: string;
  owner_name: string | null;
  owner_role: string | null;
  branch_id: string;
  branch_name: string | null;
  status: string;
  converted_customer: string | null;
  converted_on: string | null;
  created_at: Date;
  contacts: number;
  last_contact_at: Date | null;
  next_contact_on: string | null;
}

const PROSPECT = `p.prospect_id, p.name, p.phone, p.id_number, p.source, p.notes, p.owner_id, st.name AS owner_name, st.role AS owner_role,
  p.branch_id, b.name AS branch_name, p.status, p.converted_customer, p.converted_on, p.created_at,
  (SELECT count(*)::int FROM prospect_contacts pc WHERE pc.prospect_id = p.prospect_id) AS contacts,
  (SELECT max(pc.contacted_at) FROM prospect_contacts pc WHERE pc.prospect_id = p.prospect_id) AS last_contact_at,
  (SELECT pc.next_contact_on FROM prospect_contacts pc WHERE pc.prospect_id = p.prospect_id AND pc.next_contact_on IS NOT NULL
    ORDER BY pc.contacted_at DESC, pc.contact_id LIMIT 1) AS next_contact_on`;
const JOIN = 'LEFT JOIN staff st ON st.staff_id = p.owner_id LEFT JOIN branches b ON b.branch_id = p.branch_id';

/** The prospects a user sees: an owner (manager) their own; a branch head their branches'; the department all. */
export function prospectScopeSql(user: SignedInUser, params: unknown[], p = 'p'): string {
  if (user.ownerId !== null) {
    params.push(user.ownerId);
    return `${p}.owner_id = $${params.length}`;
  }
  if (user.scope === null) return 'true';
  params.push([...user.scope]);
  return `${p}.branch_id = ANY($${params.length}::text[])`;
}

export async function prospectVisible(s: SqlSession, user: SignedInUser, prospectId: string): Promise<ProspectRow | undefined> {
  const params: unknown[] = [prospectId];
  const r = await s.query<ProspectRow>(`SELECT ${PROSPECT} FROM prospects p ${JOIN} WHERE p.prospect_id = $1 AND ${prospectScopeSql(user, params)}`, params);
  return r.rows[0];
}

export async function listProspects(
  s: SqlSession,
  user: SignedInUser,
  f: { status: string; ownerId: string | null; q: string | null; limit: number; offset: number },
): Promise<{ rows: ProspectRow[]; total: number }> {
  const params: unknown[] = [];
  const parts = [prospectScopeSql(user, params)];
  if (f.status !== 'all') {
    params.push(f.status);
    parts.push(`p.status = $${params.length}`);
  }
  if (f.ownerId !== null) {
    params.push(f.ownerId);
    parts.push(`p.owner_id = $${params.length}`);
  }
  if (f.q) {
    if (/^\d{4}$/.test(f.q)) {
      params.push(f.q);
      parts.push(`right(p.phone, 4) = $${params.length}`);
    } else {
      params.push(`${f.q.replace(/[\\%_]/g, '\\$&')}%`);
      parts.push(`p.name LIKE $${params.length}`);
    }
  }
  const where = parts.join(' AND ');
  const rows = await s.query<ProspectRow>(`SELECT ${PROSPECT} FROM prospects p ${JOIN} WHERE ${where} ORDER BY p.created_at DESC, p.prospect_id LIMIT ${f.limit} OFFSET ${f.offset}`, params);
  const n = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM prospects p WHERE ${where}`, params);
  return { rows: rows.rows, total: n.rows[0]?.n ?? 0 };
}

/** Open opportunities per prospect (still a prospect's: the empty customer_id). */
export async function openOpportunities(s: SqlSession, prospectIds: readonly string[]): Promise<Map<string, number>> {
  if (!prospectIds.length) return new Map();
  const r = await s.query<{ prospect_id: string; n: number }>(
    `SELECT prospect_id, count(*)::int AS n FROM opportunities WHERE customer_id = '' AND prospect_id = ANY($1::text[]) AND closed_at IS NULL GROUP BY prospect_id`,
    [[...prospectIds]],
  );
  return new Map(r.rows.map((x) => [x.prospect_id, x.n]));
}

export async function insertProspect(
  s: SqlSession,
  p: { name: string; phone: string | null; idNumber: string | null; source: string; notes: string | null; ownerId: string; branchId: string; by: string },
): Promise<string> {
  const r = await s.query<{ prospect_id: string }>(
    `INSERT INTO prospects (name, phone, id_number, source, notes, owner_id, branch_id, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING prospect_id`,
    [p.name, p.phone, p.idNumber, p.source, p.notes, p.ownerId, p.branchId, p.by],
  );
  const id = r.rows[0]?.prospect_id;
  if (!id) throw new Error('the prospect was not written');
  return id;
}

export async function updateProspect(
  s: SqlSession,
  prospectId: string,
  p: { name: string; phone: string | null; idNumber: string | null; source: string; notes: string | null; status: string },
): Promise<void> {
  await s.query(`UPDATE prospects SET name = $2, phone = $3, id_number = $4, source = $5, notes = $6, status = $7, updated_at = now() WHERE prospect_id = $1`, [
    prospectId,
    p.name,
    p.phone,
    p.idNumber,
    p.source,
    p.notes,
    p.status,
  ]);
}

/** Another open prospect with this phone or ID number (registered twice), whoever owns it. */
export async function sameProspect(s: SqlSession, phone: string | null, idNumber: string | null, except: string | null): Promise<boolean> {
  const r = await s.query(
    `SELECT 1 FROM prospects WHERE status = 'open' AND prospect_id IS DISTINCT FROM $3
        AND ((phone = $1 AND $1::text IS NOT NULL) OR (id_number = $2 AND $2::text IS NOT NULL)) LIMIT 1`,
    [phone, idNumber, except],
  );
  return r.rows.length > 0;
}

/** A customer with this phone and name already (through the overview's index on the phone's last four digits). */
export async function customerWithPhoneAndName(s: SqlSession, phone: string, name: string): Promise<boolean> {
  const r = await s.query(
    `SELECT 1 FROM customer_overview ov JOIN customers c ON c.customer_id = ov.customer_id
      WHERE ov.phone_tail = $1 AND c.phone = $2 AND c.name = $3 LIMIT 1`,
    [phone.slice(-4), phone, name],
  );
  return r.rows.length > 0;
}

export interface ProspectContactRow {
  contact_id: string;
  prospect_id: string;
  staff_id: string;
  contacted_at: Date;
  channel: string;
  outcome: string | null;
  notes: string | null;
  next_contact_on: string | null;
}
export async function contactsOfProspect(s: SqlSession, prospectId: string): Promise<ProspectContactRow[]> {
  const r = await s.query<ProspectContactRow>(
    `SELECT contact_id, prospect_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on FROM prospect_contacts
      WHERE prospect_id = $1 ORDER BY contacted_at DESC, contact_id LIMIT 500`,
    [prospectId],
  );
  return r.rows;
}

export async function insertProspectContact(
  s: SqlSession,
  c: { prospectId: string; staffId: string; contactedAt: string; channel: string; outcome: string; notes: string | null; nextContactOn: string | null },
): Promise<ProspectContactRow> {
  const r = await s.query<ProspectContactRow>(
    `INSERT INTO prospect_contacts (prospect_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on)
     VALUES ($1, $2, $3::timestamptz, $4, $5, $6, $7::date)
     RETURNING contact_id, prospect_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on`,
    [c.prospectId, c.staffId, c.contactedAt, c.channel, c.outcome, c.notes, c.nextContactOn],
  );
  const row = r.rows[0];
  if (!row) throw new Error('the contact was not written');
  return row;
}
