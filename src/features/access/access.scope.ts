import { sql, type RawBuilder } from 'kysely';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskName, type PiiView } from '../../platform/pii.js';
import { piiViewOf } from './access.permissions.js';
import type { SignedInUser } from './access.service.js';

// The one answer to "may this user see this customer, and what of them" (issue 15). Every route,
// list, aggregate, export and derived text asks here:
//   - a manager, supervisor or teller (ROLE_SCOPE 'owned') sees the customers they own or co-own,
//     wherever those are;
//   - the lobby manager and the lobby assistant the customers of their outlet (names masked);
//   - a branch head the customers of the branches under theirs; the department every customer;
//   - an administrator none.
// What a visible customer shows of personal data is the role's PiiView (platform/pii.ts). A customer
// the user may not see is answered exactly like one that does not exist (404), and where a list
// names such a customer for a workflow of the outlet (a claim, a referral) it shows the customer
// number and the masked name only: no AUM, tier or card.

/**
 * Which customers a user sees: with `ownerId` set, those that staff member owns or co-owns, and
 * (with `referrals`) those whose referral they accepted and have not closed yet; else by branches
 * (null: all).
 */
export interface CustomerScope {
  ownerId: string | null;
  branches: readonly string[] | null;
  referrals: boolean;
}

/**
 * The user's customers; `mine` narrows anyone to the customers they own or co-own ("my
 * customers"). A referral accepted (issue 15's decision) gives its manager the customer's page, to
 * contact them and record the outcome, until the referral closes: ownership itself changes only by
 * a branch head's decision (assignment, a proposal, a claim).
 */
export function customerScope(user: SignedInUser, mine = false): CustomerScope {
  if (user.ownerId !== null) return { ownerId: user.ownerId, branches: null, referrals: !mine };
  return { ownerId: mine ? (user.staffId ?? '') : null, branches: user.scope, referrals: false };
}

/** What the user sees of a visible customer's personal data. */
export const piiView = (user: SignedInUser): PiiView => piiViewOf(user.role);

/**
 * The customers a staff member owns or co-owns (an index range of customer_owners (staff_id,
 * customer_id)) and, with referrals, those whose referral they accepted and have not closed (a
 * partial index of referrals): one IN over a UNION ALL, so the planner can still drive the query
 * from these few rows rather than test every customer.
 */
const ownedSql = (me: string, referrals: boolean) =>
  `SELECT o_scope.customer_id FROM customer_owners o_scope WHERE o_scope.staff_id = ${me}` +
  (referrals ? ` UNION ALL SELECT r_scope.customer_id FROM referrals r_scope WHERE r_scope.accepted_by = ${me} AND r_scope.status IN ('accepted', 'contacted')` : '');

/**
 * The scope as a SQL condition on a customers row (`alias.customer_id`, `alias.branch_id`), with
 * its values bound as parameters appended to `params` (plain SQL) — the same test as
 * `scopeCondition` for Kysely.
 */
export function scopeSql(scope: CustomerScope, alias: string, params: unknown[]): string {
  const parts: string[] = [];
  if (scope.ownerId !== null) {
    params.push(scope.ownerId);
    parts.push(`${alias}.customer_id IN (${ownedSql(`$${params.length}`, scope.referrals)})`);
  }
  if (scope.branches) {
    params.push([...scope.branches]);
    parts.push(`${alias}.branch_id = ANY($${params.length}::text[])`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'true';
}

/**
 * The same test for a few rows found some other way (a staff member's reminders, a list of ids):
 * a probe by key per row (`column` holds the customer id) rather than the whole owned set first,
 * which is what a query that starts from all the user's customers wants (scopeSql). On a busy
 * manager's 731 reminders: 1.5 ms against 7.4 ms.
 */
export function rowScopeSql(scope: CustomerScope, column: string, params: unknown[]): string {
  const parts: string[] = [];
  if (scope.ownerId !== null) {
    params.push(scope.ownerId);
    const me = `$${params.length}`;
    const owned = `EXISTS (SELECT 1 FROM customer_owners o_scope WHERE o_scope.customer_id = ${column} AND o_scope.staff_id = ${me})`;
    const referred = `EXISTS (SELECT 1 FROM referrals r_scope WHERE r_scope.customer_id = ${column} AND r_scope.accepted_by = ${me} AND r_scope.status IN ('accepted', 'contacted'))`;
    parts.push(scope.referrals ? `(${owned} OR ${referred})` : owned);
  }
  if (scope.branches) {
    params.push([...scope.branches]);
    parts.push(`EXISTS (SELECT 1 FROM customers c_scope WHERE c_scope.customer_id = ${column} AND c_scope.branch_id = ANY($${params.length}::text[]))`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'true';
}

/** The scope as a Kysely condition on a table with customer_id and branch_id columns. */
export function scopeCondition(scope: CustomerScope, alias: string): RawBuilder<boolean> {
  const parts: RawBuilder<boolean>[] = [];
  if (scope.ownerId !== null) {
    // the same SQL text as scopeSql, the staff id bound at each of its places
    const pieces = ownedSql('\u0001', scope.referrals).split('\u0001').map((p) => sql.raw(p));
    parts.push(sql<boolean>`${sql.ref(`${alias}.customer_id`)} IN (${sql.join(pieces, sql`${scope.ownerId}`)})`);
  }
  if (scope.branches) {
    // one branch (an outlet's staff) as an equality: the planner then reads an index on
    // (branch_id, …) in its order; with `= ANY` of one it took every row of the branch and sorted
    // them (measured at 1,000,000 customers, an outlet's list sorted by AUM: p95 37 ms against 1 ms)
    const [one, ...more] = scope.branches;
    parts.push(
      one !== undefined && more.length === 0
        ? sql<boolean>`${sql.ref(`${alias}.branch_id`)} = ${one}`
        : sql<boolean>`${sql.ref(`${alias}.branch_id`)} = ANY(${sql.val([...scope.branches])}::text[])`,
    );
  }
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` AND `)})` : sql<boolean>`true`;
}

/** Of these customers, the ones the user sees (one query through the key). */
export async function visibleAmong(s: SqlSession, user: SignedInUser, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Set();
  const scope = customerScope(user);
  const params: unknown[] = [unique];
  const r = await s.query<{ customer_id: string }>(`SELECT c.customer_id FROM customers c WHERE c.customer_id = ANY($1::text[]) AND ${rowScopeSql(scope, 'c.customer_id', params)}`, params);
  return new Set(r.rows.map((x) => x.customer_id));
}

export const customerNotFound = () =>
  new AppError('not_found', text('没有这位客户，或该客户不在您的权限范围内。', 'There is no such customer within your scope.'));

/** The user's view of one customer, or 404 (the same for a customer outside the scope and one that does not exist). */
export async function requireCustomer(db: Db, user: SignedInUser, customerId: string): Promise<PiiView> {
  const seen = await db.session((s) => visibleAmong(s, user, [customerId]));
  if (!seen.has(customerId)) throw customerNotFound();
  return piiView(user);
}

/**
 * A customer's name as this user may see it: in full within the scope (masked for roles that see
 * names masked); masked for a customer outside the scope that a workflow of the outlet names
 * (a claim, a referral).
 */
export function nameFor(user: SignedInUser, visible: boolean, name: string): string {
  return (visible && !piiView(user).namesMasked ? name : maskName(name)) ?? '';
}
