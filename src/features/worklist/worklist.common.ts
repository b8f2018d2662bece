import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { viewName } from '../../platform/pii.js';
import { can, piiViewOf, type Role } from '../access/access.permissions.js';
import type { SignedInUser } from '../access/access.service.js';
import { staffById, staffByIds, type StaffRow } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import type { CustomerBrief } from './worklist.contract.js';
import type { BriefRow } from './worklist.sql.js';

// What every worklist action shares: who acts (and in which language), today's date for the
// API, the customer as every row shows it, and whose worklist a reviewer may read.

export interface WorkActor {
  user: SignedInUser;
  ip: string | null;
  lang: Lang;
}

/** Today for the API: the latest loaded business date (as the ownership pages count it). */
export const today = businessToday;

export { addDays } from '../events/events.calendar.js';
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
/** The China-time day of an instant. */
export const chinaDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The staff number the user works as ('' for an administrator: matches nobody's rows). */
export const me = (user: SignedInUser) => user.staffId ?? '';

export const SERVICE_ONLY = {
  dnd: text('客户已设免打扰：仅可服务性联系，不可营销', 'do-not-disturb: service contact only, no marketing'),
  consent: text('客户未同意营销：仅可服务性联系，不可营销', 'no marketing consent: service contact only, no marketing'),
};

export function presentBrief(r: BriefRow, user: SignedInUser, lang: Lang): CustomerBrief {
  const reason = r.do_not_disturb ? SERVICE_ONLY.dnd : r.marketing_consent ? null : SERVICE_ONLY.consent;
  return {
    customerId: r.customer_id,
    name: viewName(piiViewOf(user.role), r.name),
    aum: r.aum,
    aumBand: r.aum_band,
    relationshipTier: r.relationship_tier,
    serviceOnly: reason !== null,
    serviceOnlyReason: reason ? reason[lang] : null,
  };
}

export const staffRef = (st: StaffRow) => ({ staffId: st.staff_id, name: st.name, role: st.role as Role });
export const staffRefOr = (m: Map<string, StaffRow>, id: string) => {
  const st = m.get(id);
  return st ? staffRef(st) : { staffId: id, name: id, role: 'customer_manager' as Role };
};
export { staffByIds };

const noStaff = () =>
  new AppError('not_found', text('没有这位员工，或不在您的机构范围内。', 'There is no such staff member within your branches.'), {
    staffId: text('员工不存在或不在范围内', 'no such staff member within your branches'),
  });

/**
 * Whose worklist a request reads: the user's own, or (with worklist.review) another staff
 * member's within the user's branches. Someone without worklist.review asking for another's is
 * refused (403); a staff member outside the branches answers 404.
 */
export async function worklistOwner(s: SqlSession, user: SignedInUser, staffId: string | undefined): Promise<StaffRow> {
  const id = staffId ?? me(user);
  if (id !== me(user) && !can(user.role, 'worklist.review')) {
    throw new AppError('forbidden', text('您只能查看自己的工作台。', 'You can only read your own worklist.'));
  }
  const st = await staffById(s, id);
  if (!st) throw noStaff();
  if (id !== me(user) && user.scope && !user.scope.includes(st.branch_id)) throw noStaff();
  return st;
}

/** The customers a user works on in the lists (maturing, sheets): their own, or, for reviewers, their scope. */
export interface WorkScope {
  /** only customers this staff member owns (primary or co) */
  ownerId: string | null;
  /** only customers of these branches (null: all) */
  branches: readonly string[] | null;
}
export async function workScope(s: SqlSession, user: SignedInUser, staffId: string | undefined): Promise<WorkScope> {
  if (!can(user.role, 'worklist.review')) {
    if (staffId && staffId !== me(user)) await worklistOwner(s, user, staffId);
    return { ownerId: me(user), branches: null };
  }
  if (staffId) {
    await worklistOwner(s, user, staffId);
    return { ownerId: staffId, branches: user.scope };
  }
  return { ownerId: null, branches: user.scope };
}
