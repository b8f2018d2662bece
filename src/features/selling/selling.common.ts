import type { SqlSession } from '../../platform/db.js';
import { text, type Lang } from '../../platform/i18n.js';
import { AppError } from '../../platform/errors.js';
import { can, ROLE_SCOPE, type Role } from '../access/access.permissions.js';
import { visibleAmong } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { staffById, type StaffRow } from '../ownership/ownership.sql.js';

// What signing and suitability share: who acts (and in which language), times in China time, and
// whether another staff member serves a customer.

export interface SellingActor {
  user: SignedInUser;
  ip: string | null;
  lang: Lang;
}

/** 2026-12-05T10:31:00+08:00: times are shown in the bank's time, whatever the server's zone. */
export function chinaTime(d: Date | string): string {
  const t = typeof d === 'string' ? new Date(d) : d;
  return new Date(t.getTime() + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}
export const chinaTimeOrNull = (d: Date | string | null) => (d === null ? null : chinaTime(d));

export const staffRef = (st: StaffRow) => ({ staffId: st.staff_id, name: st.name, role: st.role as Role });
/** A staff member as a list shows them (the number alone for one no longer in the feed). */
export const staffRefOr = (m: Map<string, StaffRow>, id: string | null) => {
  if (id === null) return null;
  const st = m.get(id);
  return st ? staffRef(st) : { staffId: id, name: id, role: 'customer_manager' as Role };
};

/** The staff number the user works as ('' for an administrator: matches nobody). */
export const me = (user: SignedInUser) => user.staffId ?? '';

/** A free-text reason: 2 to 500 characters once trimmed, named at the field. */
export function requireText(value: string | undefined, field: string, what: { zh: string; en: string }): string {
  const r = (value ?? '').trim();
  if ([...r].length < 2 || [...r].length > 500) {
    throw new AppError('bad_request', text(`请填写${what.zh}（2–500 个字）。`, `Give the ${what.en} (2 to 500 characters).`), {
      [field]: text(`请填写${what.zh}（2–500 个字）`, `a ${what.en} of 2 to 500 characters is required`),
    });
  }
  return r;
}

/** A branch and every branch under it (in the caller's session: access.sql's branchSubtree takes a connection of its own). */
async function subtree(s: SqlSession, branchId: string): Promise<string[]> {
  const r = await s.query<{ branch_id: string }>(
    `WITH RECURSIVE tree AS (
       SELECT branch_id FROM branches WHERE branch_id = $1
       UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
     SELECT branch_id FROM tree`,
    [branchId],
  );
  return r.rows.map((x) => x.branch_id);
}

/**
 * Whether a staff member (not the one signed in) sees a customer as their role's scope says, as
 * the customer's page would answer them: the scope test of access.scope.ts, for a user made from
 * the staff row. An inactive staff member sees nobody.
 */
export async function staffSees(s: SqlSession, staffId: string, customerId: string, permission: Parameters<typeof can>[1]): Promise<StaffRow | null> {
  const st = await staffById(s, staffId);
  if (!st?.active) return null;
  const role = st.role as Role;
  if (!can(role, permission)) return null;
  const kind = ROLE_SCOPE[role];
  const scope = kind === 'all' ? null : kind === 'subtree' ? await subtree(s, st.branch_id) : kind === 'none' ? [] : [st.branch_id];
  const user: SignedInUser = {
    login: st.staff_id,
    name: st.name,
    role,
    staffId: st.staff_id,
    branchId: st.branch_id,
    branchName: null,
    permissions: [],
    scope,
    ownerId: kind === 'owned' ? st.staff_id : null,
    masked: false,
    csrfToken: '',
    tokenHash: '',
  };
  return (await visibleAmong(s, user, [customerId])).has(customerId) ? st : null;
}
