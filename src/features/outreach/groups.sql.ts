import type { Db, SqlSession } from '../../platform/db.js';
import { scopeSql, type CustomerScope } from '../access/access.scope.js';
import { ROLE_SCOPE, type Role } from '../access/access.permissions.js';
import { PRODUCT_BITS } from '../customers/customers.overview.js';
import type { GroupFilter } from './groups.contract.js';

// The SQL of customer groups. A filter is compiled to conditions on customer_overview (alias o):
// the indexed one-row-per-customer table the customer list reads (AUM of the latest business
// date, branch, status, the product kinds held), with EXISTS probes by customer_id into the tiers,
// reminders and owners for the criteria that need them — never a join of the raw tables. The
// reader's scope is the customer list's (access.scope.ts scopeSql), so a count, a preview and a
// membership hold only customers the reader (or, for a membership, the group's creator) sees.

/** The conditions of a filter on `customer_overview o`, its values appended to params. */
export function filterSql(f: GroupFilter, scope: CustomerScope, branches: readonly string[] | null, params: unknown[]): string {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`o.status = 'active'`, scopeSql(scope, 'o', params)];
  if (branches) where.push(`o.branch_id = ANY(${p([...branches])}::text[])`);
  if (f.aumMin !== undefined) where.push(`o.aum >= ${p(String(f.aumMin))}::numeric`);
  if (f.aumMax !== undefined) where.push(`o.aum < ${p(String(f.aumMax))}::numeric`);
  const tiers = [
    ...(f.tiers ?? []).map((t) => [t.model, t.tiers] as const),
    ...(f.tags ?? []).map((t) => [`tags.${t.group}`, t.tags] as const),
    ...(f.aumBands ? [['aum_band', f.aumBands] as const] : []),
  ];
  for (const [model, values] of tiers) {
    where.push(`EXISTS (SELECT 1 FROM customer_tiers t WHERE t.customer_id = o.customer_id AND t.model = ${p(model)} AND t.tier = ANY(${p([...values])}::text[]))`);
  }
  if (f.openEventKinds) where.push(`EXISTS (SELECT 1 FROM reminders r WHERE r.customer_id = o.customer_id AND r.status = 'open' AND r.kind = ANY(${p([...f.openEventKinds])}::text[]))`);
  if (f.openEvents) where.push(`EXISTS (SELECT 1 FROM reminders r WHERE r.customer_id = o.customer_id AND r.status = 'open' AND r.event = ANY(${p([...f.openEvents])}::text[]))`);
  if (f.products) {
    // the kinds held on the overview's date, kept with it as bits (customers.overview.ts)
    const mask = f.products.reduce((m, k) => m | PRODUCT_BITS[k], 0);
    where.push(`(o.products & ${p(mask)}::smallint) = ${p(mask)}::smallint`);
  }
  // Stratum's own profile fields and completeness (issue 23 §2)
  if (f.interests) where.push(`EXISTS (SELECT 1 FROM customer_profiles pf WHERE pf.customer_id = o.customer_id AND pf.interests && ${p([...f.interests])}::text[])`);
  if (f.contactChannels) where.push(`EXISTS (SELECT 1 FROM customer_profiles pf WHERE pf.customer_id = o.customer_id AND pf.contact_channel = ANY(${p([...f.contactChannels])}::text[]))`);
  if (f.completenessBelow !== undefined) where.push(`EXISTS (SELECT 1 FROM customer_completeness k WHERE k.customer_id = o.customer_id AND k.filled < ${p(f.completenessBelow)}::int)`);
  if (f.ownerIds) where.push(`o.customer_id IN (SELECT w.customer_id FROM customer_owners w WHERE w.staff_id = ANY(${p([...f.ownerIds])}::text[]))`);
  return where.join('\n   AND ');
}

export async function countMatching(s: SqlSession, f: GroupFilter, scope: CustomerScope, branches: readonly string[] | null): Promise<number> {
  const params: unknown[] = [];
  const r = await s.query<{ n: string }>(`SELECT count(*) AS n FROM customer_overview o WHERE ${filterSql(f, scope, branches, params)}`, params);
  return Number(r.rows[0]?.n ?? 0);
}

export interface PreviewRow {
  customer_id: string;
  name: string;
  gender: 'M' | 'F' | null;
  phone: string | null;
  branch_id: string;
  branch_name: string;
  aum: string;
  aum_band: string | null;
}

/**
 * The first `limit` matching customers by AUM, highest first (the overview's AUM index): the page's
 * ids first, then their details by key (on Citus a join with a LIMIT inside is no plan the
 * workers can run; as the customer list does there, two statements everywhere).
 */
export async function previewMatching(s: SqlSession, f: GroupFilter, scope: CustomerScope, branches: readonly string[] | null, limit: number): Promise<PreviewRow[]> {
  const params: unknown[] = [];
  const where = filterSql(f, scope, branches, params);
  params.push(limit);
  const page = await s.query<{ customer_id: string; aum: string }>(
    `SELECT o.customer_id, o.aum::text AS aum FROM customer_overview o WHERE ${where} ORDER BY o.aum DESC, o.customer_id LIMIT $${params.length}`,
    params,
  );
  if (!page.rows.length) return [];
  const details = await s.query<Omit<PreviewRow, 'aum'>>(
    `SELECT c.customer_id, c.name, c.gender, c.phone, c.branch_id, b.name AS branch_name, band.tier AS aum_band
       FROM customers c
       JOIN branches b ON b.branch_id = c.branch_id
       LEFT JOIN customer_tiers band ON band.customer_id = c.customer_id AND band.model = 'aum_band'
      WHERE c.customer_id = ANY($1::text[])`,
    [page.rows.map((r) => r.customer_id)],
  );
  const byId = new Map(details.rows.map((d) => [d.customer_id, d]));
  // a customer gone between the two statements (a load replacing them) is left out
  return page.rows.flatMap((r) => {
    const d = byId.get(r.customer_id);
    return d ? [{ ...d, aum: r.aum }] : [];
  });
}

/** Whose customers a staff member sees, as their session would (access.service.ts userFromSession). */
export async function scopeOfStaff(s: SqlSession, staffId: string): Promise<CustomerScope> {
  const st = (await s.query<{ role: string; branch_id: string }>('SELECT role, branch_id FROM staff WHERE staff_id = $1', [staffId])).rows[0];
  const kind = st ? ROLE_SCOPE[st.role as Role] : 'none';
  if (!st || kind === 'none') return { ownerId: null, branches: [], referrals: false };
  if (kind === 'all') return { ownerId: null, branches: null, referrals: false };
  if (kind === 'owned') return { ownerId: staffId, branches: null, referrals: false };
  if (kind === 'outlet') return { ownerId: null, branches: [st.branch_id], referrals: false };
  return { ownerId: null, branches: await subtreeOf(s, st.branch_id), referrals: false };
}

export async function subtreeOf(s: SqlSession, branchId: string): Promise<string[]> {
  const r = await s.query<{ branch_id: string }>(
    `WITH RECURSIVE tree AS (SELECT branch_id FROM branches WHERE branch_id = $1 UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
     SELECT branch_id FROM tree`,
    [branchId],
  );
  return r.rows.map((x) => x.branch_id);
}

/** The branches and their subtrees. */
export async function expandBranches(s: SqlSession, ids: readonly string[]): Promise<string[]> {
  const r = await s.query<{ branch_id: string }>(
    `WITH RECURSIVE tree AS (SELECT branch_id FROM branches WHERE branch_id = ANY($1::text[]) UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
     SELECT branch_id FROM tree`,
    [[...ids]],
  );
  return r.rows.map((x) => x.branch_id);
}

export interface GroupRow {
  group_id: string;
  name: string;
  filter: GroupFilter;
  branch_id: string;
  branch_name: string;
  created_by: string;
  creator_name: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const GROUP_SELECT = `SELECT g.group_id, g.name, g.filter, g.branch_id, coalesce(b.name, g.branch_id) AS branch_name, g.created_by,
       coalesce(st.name, g.created_by) AS creator_name, g.created_at, g.updated_at
  FROM customer_groups g LEFT JOIN branches b ON b.branch_id = g.branch_id LEFT JOIN staff st ON st.staff_id = g.created_by`;

/** The groups a user sees: their own, and those of the branches their scope covers (null: all). */
export async function groupsVisible(s: SqlSession, staffId: string, scope: readonly string[] | null, groupId?: string): Promise<GroupRow[]> {
  const params: unknown[] = [staffId, scope ? [...scope] : null];
  let where = `(g.created_by = $1 OR $2::text[] IS NULL OR g.branch_id = ANY($2::text[]))`;
  if (groupId !== undefined) {
    params.push(groupId);
    where += ` AND g.group_id = $3`;
  }
  return (await s.query<GroupRow>(`${GROUP_SELECT} WHERE ${where} ORDER BY g.updated_at DESC, g.group_id`, params)).rows;
}

export async function insertGroup(s: SqlSession, g: { name: string; filter: GroupFilter; branchId: string; by: string }): Promise<string> {
  const r = await s.query<{ group_id: string }>(
    `INSERT INTO customer_groups (name, filter, branch_id, created_by, updated_by) VALUES ($1, $2::jsonb, $3, $4, $4) RETURNING group_id`,
    [g.name, JSON.stringify(g.filter), g.branchId, g.by],
  );
  return r.rows[0]?.group_id ?? '';
}

export async function updateGroup(s: SqlSession, groupId: string, g: { name: string; filter: GroupFilter; by: string }): Promise<void> {
  await s.query(`UPDATE customer_groups SET name = $2, filter = $3::jsonb, updated_by = $4, updated_at = now() WHERE group_id = $1`, [groupId, g.name, JSON.stringify(g.filter), g.by]);
}

export async function deleteGroup(s: SqlSession, groupId: string): Promise<void> {
  await s.query(`DELETE FROM customer_groups WHERE group_id = $1`, [groupId]);
}

/**
 * Takes the group's members on a date: every customer matching its filter within its creator's
 * scope, by one INSERT … SELECT (again on the same date: that date's rows replaced). The count.
 */
export async function takeMembership(db: Db, groupId: string, date: string): Promise<number> {
  return db.transaction(async (s) => {
    const g = (await s.query<{ filter: GroupFilter; created_by: string }>('SELECT filter, created_by FROM customer_groups WHERE group_id = $1', [groupId])).rows[0];
    if (!g) throw new Error(`no customer group ${groupId}`);
    const scope = await scopeOfStaff(s, g.created_by);
    await s.query('DELETE FROM group_members WHERE group_id = $1 AND taken_on = $2::date', [groupId, date]);
    const params: unknown[] = [groupId, date];
    const branches = g.filter.branchIds ? await expandBranches(s, g.filter.branchIds) : null;
    const where = filterSql(g.filter, scope, branches, params);
    const r = await s.query(`INSERT INTO group_members (customer_id, group_id, taken_on) SELECT o.customer_id, $1, $2::date FROM customer_overview o WHERE ${where}`, params);
    return r.rowCount ?? 0;
  });
}
