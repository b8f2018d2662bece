import type { SqlSession } from '../../platform/db.js';

// The only SQL of ownership, claims and referrals (the nightly proposals are in ownership.batch.ts).
// Branch lists are the caller's scope: null means every branch.

export type Branches = readonly string[] | null;
const inBranches = (column: string, param: string) => `(${param}::text[] IS NULL OR ${column} = ANY(${param}::text[]))`;
const arr = (b: Branches) => (b ? [...b] : null);

export interface CustomerRefRow {
  customer_id: string;
  name: string;
  branch_id: string;
  branch_name: string;
  aum: string;
  aum_band: string | null;
  vip_grade: string | null;
}
const CUSTOMER_REF = `c.customer_id, c.name, c.branch_id, b.name AS branch_name, coalesce(ov.aum, 0)::text AS aum,
       (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band') AS aum_band, ov.vip_grade`;
const CUSTOMER_JOIN = `JOIN branches b ON b.branch_id = c.branch_id LEFT JOIN customer_overview ov ON ov.customer_id = c.customer_id`;

export interface StaffRow {
  staff_id: string;
  name: string;
  role: string;
  branch_id: string;
  active: boolean;
}

export async function staffById(s: SqlSession, staffId: string): Promise<StaffRow | undefined> {
  return (await s.query<StaffRow>('SELECT staff_id, name, role, branch_id, active FROM staff WHERE staff_id = $1', [staffId])).rows[0];
}

export async function staffByIds(s: SqlSession, ids: readonly string[]): Promise<Map<string, StaffRow>> {
  const r = await s.query<StaffRow>('SELECT staff_id, name, role, branch_id, active FROM staff WHERE staff_id = ANY($1::text[])', [[...new Set(ids)]]);
  return new Map(r.rows.map((x) => [x.staff_id, x]));
}

/** The customers of a list that exist within the branches (with their outlet). */
export async function customersIn(s: SqlSession, ids: readonly string[], branches: Branches): Promise<Map<string, { branch_id: string }>> {
  const r = await s.query<{ customer_id: string; branch_id: string }>(
    `SELECT customer_id, branch_id FROM customers WHERE customer_id = ANY($1::text[]) AND ${inBranches('branch_id', '$2')}`,
    [[...new Set(ids)], arr(branches)],
  );
  return new Map(r.rows.map((x) => [x.customer_id, { branch_id: x.branch_id }]));
}

export async function customerRef(s: SqlSession, customerId: string): Promise<CustomerRefRow | undefined> {
  return (await s.query<CustomerRefRow>(`SELECT ${CUSTOMER_REF} FROM customers c ${CUSTOMER_JOIN} WHERE c.customer_id = $1`, [customerId])).rows[0];
}

export interface OwnerRow {
  customer_id: string;
  staff_id: string;
  name: string;
  role: string;
  kind: 'primary' | 'co';
  since: Date;
  source: string;
  reason: string | null;
}

export async function ownersOf(s: SqlSession, customerIds: readonly string[]): Promise<OwnerRow[]> {
  const r = await s.query<OwnerRow>(
    `SELECT o.customer_id, o.staff_id, st.name, st.role, o.kind, o.since, o.source, o.reason
       FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id
      WHERE o.customer_id = ANY($1::text[]) ORDER BY o.customer_id, o.kind DESC, o.staff_id`,
    [[...customerIds]],
  );
  return r.rows;
}

/** Makes a staff member the primary owner of customers (the previous primary is no longer an owner). */
export async function setPrimary(s: SqlSession, ids: readonly string[], staffId: string, source: string, by: string, reason: string | null): Promise<void> {
  await s.query(`DELETE FROM customer_owners WHERE customer_id = ANY($1::text[]) AND (kind = 'primary' OR staff_id = $2)`, [[...ids], staffId]);
  await s.query(
    `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, reason)
     SELECT id, $2, 'primary', $3, $4, $5 FROM unnest($1::text[]) AS id`,
    [[...ids], staffId, source, by, reason],
  );
}

/** Back to the unassigned pool: no owner at all. Returns the customers that had one. */
export async function removeOwners(s: SqlSession, ids: readonly string[]): Promise<string[]> {
  const r = await s.query<{ customer_id: string }>('DELETE FROM customer_owners WHERE customer_id = ANY($1::text[]) RETURNING customer_id', [[...ids]]);
  return [...new Set(r.rows.map((x) => x.customer_id))];
}

/** Undecided proposals of these customers give way to a decision made another way. */
export async function supersedeOpenProposals(s: SqlSession, ids: readonly string[], by: string): Promise<void> {
  await s.query(
    `UPDATE ownership_proposals SET status = 'superseded', decided_by = $2, decided_at = now() WHERE customer_id = ANY($1::text[]) AND status = 'open'`,
    [[...ids], by],
  );
}

export interface ProposalRow extends CustomerRefRow {
  business_date: string;
  band: string;
  cause: 'unassigned' | 'role_mismatch' | 'tier_changed' | 'household';
  priority: number;
  staff_id: string;
  co_staff_ids: string[];
  current_staff_id: string | null;
  proposal_branch_id: string;
}

const PROPOSAL_COLUMNS = `${CUSTOMER_REF}, p.business_date, p.band, p.cause, p.priority, p.staff_id, p.co_staff_ids, p.current_staff_id, p.branch_id AS proposal_branch_id`;

export async function openProposals(s: SqlSession, branches: Branches, customerIds: readonly string[] | null, page: number, pageSize: number) {
  const where = `p.status = 'open' AND ${inBranches('p.branch_id', '$1')} AND ($2::text[] IS NULL OR p.customer_id = ANY($2::text[]))`;
  const params = [arr(branches), customerIds ? [...customerIds] : null];
  const rows = await s.query<ProposalRow>(
    `SELECT ${PROPOSAL_COLUMNS} FROM ownership_proposals p JOIN customers c ON c.customer_id = p.customer_id ${CUSTOMER_JOIN}
      WHERE ${where} ORDER BY p.branch_id, p.priority, p.customer_id LIMIT $3 OFFSET $4`,
    [...params, pageSize, (page - 1) * pageSize],
  );
  const total = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM ownership_proposals p WHERE ${where}`, params);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** Marks open proposals decided; returns the ones that were open (customer, date, chosen staff, co-owners). */
export async function decideProposals(s: SqlSession, decisions: { customerId: string; staffId: string | null }[], status: 'accepted' | 'rejected', by: string, reason: string | null) {
  const r = await s.query<{ customer_id: string; business_date: string; decided_staff_id: string | null; co_staff_ids: string[] }>(
    `UPDATE ownership_proposals p SET status = $3, decided_by = $4, decided_at = now(), reason = $5,
            decided_staff_id = CASE WHEN $3 = 'accepted' THEN coalesce(d.staff_id, p.staff_id) END
       FROM unnest($1::text[], $2::text[]) AS d(customer_id, staff_id)
      WHERE p.customer_id = d.customer_id AND p.status = 'open'
      RETURNING p.customer_id, p.business_date, p.decided_staff_id, p.co_staff_ids`,
    [decisions.map((d) => d.customerId), decisions.map((d) => d.staffId), status, by, reason],
  );
  return r.rows;
}

/** Owners as accepted proposals say: the chosen primary and the proposed co-owners, replacing the old. */
export async function applyAcceptedProposals(s: SqlSession, keys: { customer_id: string; business_date: string }[], by: string, reason: string | null): Promise<void> {
  const ids = keys.map((k) => k.customer_id);
  const dates = keys.map((k) => k.business_date);
  await s.query('DELETE FROM customer_owners WHERE customer_id = ANY($1::text[])', [ids]);
  await s.query(
    `WITH p AS (
       SELECT p.* FROM ownership_proposals p JOIN unnest($1::text[], $2::date[]) AS k(customer_id, d)
           ON p.customer_id = k.customer_id AND p.business_date = k.d)
     INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, reason)
     SELECT customer_id, decided_staff_id, 'primary', 'proposal', $3, $4 FROM p
     UNION ALL
     SELECT p.customer_id, co.staff_id, 'co', 'proposal', $3, $4 FROM p CROSS JOIN LATERAL unnest(p.co_staff_ids) AS co(staff_id)
      WHERE co.staff_id <> p.decided_staff_id`,
    [ids, dates, by, reason],
  );
}

/** Customers in the branches with no active primary owner, richest first. */
export async function unassignedPool(s: SqlSession, branches: Branches, band: string | null, page: number, pageSize: number) {
  const where = `c.status = 'active' AND ${inBranches('c.branch_id', '$1')}
    AND NOT EXISTS (SELECT 1 FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id AND st.active WHERE o.customer_id = c.customer_id AND o.kind = 'primary')
    AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band' AND t.tier = $2))`;
  const rows = await s.query<CustomerRefRow>(
    `SELECT ${CUSTOMER_REF} FROM customers c ${CUSTOMER_JOIN} WHERE ${where} ORDER BY coalesce(ov.aum, 0) DESC, c.customer_id LIMIT $3 OFFSET $4`,
    [arr(branches), band, pageSize, (page - 1) * pageSize],
  );
  const total = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers c WHERE ${where}`, [arr(branches), band]);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** Staff of owning roles in the branches, with how many customers each owns. */
export async function staffLoads(s: SqlSession, branches: Branches, roles: readonly string[]) {
  const r = await s.query<StaffRow & { branch_name: string; primary_n: number; co_n: number }>(
    // the counts per staff member first (on Citus: each shard counts its own, the coordinator adds them up)
    `WITH loads AS (
       SELECT o.staff_id, count(*) FILTER (WHERE o.kind = 'primary')::int AS primary_n, count(*) FILTER (WHERE o.kind = 'co')::int AS co_n
         FROM customer_owners o
        WHERE o.staff_id IN (SELECT st.staff_id FROM staff st WHERE st.active AND st.role = ANY($2::text[]) AND ${inBranches('st.branch_id', '$1')})
        GROUP BY o.staff_id
     )
     SELECT st.staff_id, st.name, st.role, st.branch_id, st.active, b.name AS branch_name,
            coalesce(l.primary_n, 0) AS primary_n, coalesce(l.co_n, 0) AS co_n
       FROM staff st JOIN branches b ON b.branch_id = st.branch_id LEFT JOIN loads l ON l.staff_id = st.staff_id
      WHERE st.active AND st.role = ANY($2::text[]) AND ${inBranches('st.branch_id', '$1')}
      ORDER BY st.branch_id, st.role, st.staff_id`,
    [arr(branches), [...roles]],
  );
  return r.rows;
}

/**
 * Owned customers whose owners have not contacted them within their band's frequency, counted
 * from the later of the last contact and the day the primary owner took them on.
 */
export async function contactsOverdue(s: SqlSession, branches: Branches, asOf: string, frequency: Record<string, number>) {
  const r = await s.query<CustomerRefRow & { staff_id: string; owner_name: string; owner_role: string; owned_since: Date; last_contact: Date | null; frequency_days: number }>(
    `WITH freq AS (SELECT key AS band, value::int AS days FROM jsonb_each_text($3::jsonb))
     SELECT ${CUSTOMER_REF}, o.staff_id, st.name AS owner_name, st.role AS owner_role, o.since AS owned_since, f.days AS frequency_days,
            (SELECT max(l.contacted_at) FROM contact_log l
              WHERE l.customer_id = c.customer_id AND l.staff_id IN (SELECT x.staff_id FROM customer_owners x WHERE x.customer_id = c.customer_id)) AS last_contact
       FROM customer_owners o
       JOIN customers c ON c.customer_id = o.customer_id
       JOIN staff st ON st.staff_id = o.staff_id
       JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = 'aum_band'
       JOIN freq f ON f.band = t.tier
       ${CUSTOMER_JOIN}
      WHERE o.kind = 'primary' AND c.status = 'active' AND ${inBranches('c.branch_id', '$1')}
        AND o.since < ($2::date - f.days)::timestamptz
        AND NOT EXISTS (SELECT 1 FROM contact_log l WHERE l.customer_id = c.customer_id AND l.contacted_at >= ($2::date - f.days)::timestamptz
                          AND l.staff_id IN (SELECT x.staff_id FROM customer_owners x WHERE x.customer_id = c.customer_id))
      ORDER BY coalesce(ov.aum, 0) DESC, c.customer_id LIMIT 1000`,
    [arr(branches), asOf, JSON.stringify(frequency)],
  );
  return r.rows;
}

export async function recordContact(s: SqlSession, c: { customerId: string; staffId: string; channel: string; outcome: string | null; notes: string | null }): Promise<void> {
  // a referral's contact, in the work log as such (migration 0009's source)
  await s.query(`INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, notes, source) VALUES ($1, $2, now(), $3, $4, $5, 'referral')`, [
    c.customerId,
    c.staffId,
    c.channel,
    c.outcome,
    c.notes,
  ]);
}
