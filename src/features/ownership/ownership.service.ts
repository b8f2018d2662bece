import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import type { Role } from '../access/access.permissions.js';
import { nameFor, requireCustomer } from '../access/access.scope.js';
import { eventsPolicyInEffect } from '../events/events.policies.js';
import { businessToday, latestLoadedDate } from '../system/system.service.js';
import { owningRoles, responsibilityMap } from './ownership.map.js';
import * as q from './ownership.sql.js';

// Ownership as the branch head runs it: the unassigned pool, the nightly proposals (accept, edit,
// reject in bulk), manual assign / re-assign / recall with a reason, and the monthly report of
// customers whose owner has not kept up the contact frequency of their tier. Every change is
// written to the audit trail in the same transaction.

/** Who acts, as the audit trail records it. */
export interface Actor {
  user: SignedInUser;
  ip: string | null;
}
const by = (a: Actor) => a.user.login;
export const audit = (s: SqlSession, a: Actor, action: string, customerIds: readonly string[], reason: string | null, detail: Record<string, unknown> = {}) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, customerIds: [...customerIds].sort(), outcome: 'allowed', reason, detail });

// Contact frequency in days by band (../shared/POLICIES.md defaults; seed 000: 20万+ at least
// monthly): the events policy in effect on the date says it (contact.frequency_days; null: no duty).
async function contactDays(s: SqlSession, asOf: string): Promise<Record<string, number>> {
  const { document } = await eventsPolicyInEffect(s, asOf);
  return Object.fromEntries(Object.entries(document.contact.frequency_days).flatMap(([band, days]) => (typeof days === 'number' ? [[band, days]] : [])));
}

export const requireReason = (reason: string | undefined | null, field = 'reason'): string => {
  const r = reason?.trim() ?? '';
  if (!r) throw new AppError('bad_request', text('请填写原因。', 'Give a reason.'), { [field]: text('请填写原因', 'a reason is required') });
  return r;
};

const notInScope = (ids: string[]) =>
  new AppError('not_found', text('有客户不存在，或不在您的权限范围内。', 'Some customers do not exist within your scope.'), {
    customerIds: text(`不在权限范围内：${ids.join('、')}`, `not within your scope: ${ids.join(', ')}`),
  });

/** All the customers must be within the user's branches (404 naming the others). */
async function assertAllInScope(s: SqlSession, user: SignedInUser, ids: readonly string[]) {
  const found = await q.customersIn(s, ids, user.scope);
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  if (missing.length) throw notInScope(missing.slice(0, 20));
  return found;
}

/** A staff member the user may hand customers to: active, of an owning role, within the user's branches. */
async function assignableStaff(s: SqlSession, user: SignedInUser, staffId: string, date: string, roles?: readonly string[]) {
  const st = await q.staffById(s, staffId);
  const allowed = roles ?? owningRoles(await responsibilityMap(s, date));
  if (!st || !st.active || (user.scope && !user.scope.includes(st.branch_id))) {
    throw new AppError('bad_request', text('没有这位在职员工，或不在您的机构范围内。', 'There is no active staff member with this number within your branches.'), {
      staffId: text('员工不存在或不在范围内', 'no such active staff member within your branches'),
    });
  }
  if (!allowed.includes(st.role)) {
    throw new AppError('bad_request', text('这位员工的岗位不管户。', "This staff member's role does not own customers."), {
      staffId: text(`岗位须为：${allowed.join('、')}`, `the role must be one of ${allowed.join(', ')}`),
    });
  }
  return st;
}

const today = businessToday;

/** Assign (or re-assign, when there is an owner) customers to a staff member as primary owner. */
export async function assignCustomers(db: Db, a: Actor, body: { customerIds: string[]; staffId: string; reason: string }) {
  const reason = requireReason(body.reason);
  const date = await today(db);
  return db.transaction(async (s) => {
    await assertAllInScope(s, a.user, body.customerIds);
    await assignableStaff(s, a.user, body.staffId, date);
    const ids = [...new Set(body.customerIds)];
    const before = await q.ownersOf(s, ids);
    const had = new Set(before.filter((o) => o.kind === 'primary').map((o) => o.customer_id));
    await q.setPrimary(s, ids, body.staffId, 'manual', by(a), reason);
    await q.supersedeOpenProposals(s, ids, by(a));
    const fresh = ids.filter((id) => !had.has(id));
    const again = ids.filter((id) => had.has(id));
    if (fresh.length) await audit(s, a, 'assign', fresh, reason, { staffId: body.staffId });
    if (again.length) {
      const previous = Object.fromEntries(before.filter((o) => o.kind === 'primary' && again.includes(o.customer_id)).map((o) => [o.customer_id, o.staff_id]));
      await audit(s, a, 'reassign', again, reason, { staffId: body.staffId, previous });
    }
    return { changed: ids.length, customerIds: ids };
  });
}

/** Recall customers to the branch's unassigned pool: every owner removed. */
export async function recallCustomers(db: Db, a: Actor, body: { customerIds: string[]; reason: string }) {
  const reason = requireReason(body.reason);
  return db.transaction(async (s) => {
    await assertAllInScope(s, a.user, body.customerIds);
    const before = await q.ownersOf(s, body.customerIds);
    const recalled = await q.removeOwners(s, body.customerIds);
    await q.supersedeOpenProposals(s, body.customerIds, by(a));
    if (recalled.length) {
      const previous = Object.fromEntries(before.filter((o) => o.kind === 'primary').map((o) => [o.customer_id, o.staff_id]));
      await audit(s, a, 'recall', recalled, reason, { previous });
    }
    return { changed: recalled.length, customerIds: recalled };
  });
}

/** Accept (optionally with another staff member of the same role), or reject, proposals in bulk. */
export async function decideProposals(db: Db, a: Actor, body: { decisions: { customerId: string; decision: 'accept' | 'reject'; staffId?: string | undefined }[]; reason?: string | undefined }) {
  const reason = body.reason?.trim() || null;
  const date = await today(db);
  return db.transaction(async (s) => {
    const ids = body.decisions.map((d) => d.customerId);
    await assertAllInScope(s, a.user, ids);
    const open = new Map((await q.openProposals(s, a.user.scope, ids, 1, 1000)).rows.map((p) => [p.customer_id, p]));
    const closed = ids.filter((id) => !open.has(id));
    if (closed.length) {
      throw new AppError('conflict', text('有的建议已处理或已被新的建议取代，请刷新。', 'Some proposals were decided already or replaced by newer ones; reload.'), {
        decisions: text(`无待处理建议：${closed.slice(0, 20).join('、')}`, `no open proposal: ${closed.slice(0, 20).join(', ')}`),
      });
    }
    const accepts = body.decisions.filter((d) => d.decision === 'accept');
    const edited = accepts.filter((d) => d.staffId && d.staffId !== open.get(d.customerId)?.staff_id);
    if (edited.length && !reason) requireReason(reason);
    for (const d of edited) {
      const proposedRole = (await q.staffById(s, open.get(d.customerId)?.staff_id ?? ''))?.role;
      await assignableStaff(s, a.user, d.staffId ?? '', date, proposedRole ? [proposedRole] : undefined);
    }
    const rejects = body.decisions.filter((d) => d.decision === 'reject');
    if (rejects.length) {
      await q.decideProposals(s, rejects.map((d) => ({ customerId: d.customerId, staffId: null })), 'rejected', by(a), reason);
      await audit(s, a, 'proposal_reject', rejects.map((d) => d.customerId), reason);
    }
    if (accepts.length) {
      const keys = await q.decideProposals(s, accepts.map((d) => ({ customerId: d.customerId, staffId: d.staffId ?? null })), 'accepted', by(a), reason);
      await q.applyAcceptedProposals(s, keys, by(a), reason);
      await audit(s, a, 'proposal_accept', keys.map((k) => k.customer_id), reason, { owners: Object.fromEntries(keys.map((k) => [k.customer_id, k.decided_staff_id])) });
    }
    return { changed: body.decisions.length, customerIds: ids };
  });
}

/**
 * The system accepts every open proposal (the demo bank's first night), except those the caller
 * keeps open for the branch head to see. Recorded as done by 'system'.
 */
export async function acceptProposalsAsSystem(db: Db, keepOpen: (p: { customer_id: string; branch_id: string; priority: number }) => boolean): Promise<number> {
  return db.transaction(async (s) => {
    const open = await s.query<{ customer_id: string; branch_id: string; priority: number }>(`SELECT customer_id, branch_id, priority FROM ownership_proposals WHERE status = 'open'`);
    const take = open.rows.filter((p) => !keepOpen(p)).map((p) => ({ customerId: p.customer_id, staffId: null }));
    if (!take.length) return 0;
    const keys = await q.decideProposals(s, take, 'accepted', 'system', 'first assignment of the demo bank');
    await q.applyAcceptedProposals(s, keys, 'system', 'first assignment of the demo bank');
    await recordAudit(s, { actor: 'system', action: 'proposal_accept', customerIds: keys.map((k) => k.customer_id), outcome: 'allowed', reason: 'first assignment of the demo bank' });
    return keys.length;
  });
}

const staffRef = (m: Map<string, q.StaffRow>, id: string | null) => {
  const st = id ? m.get(id) : undefined;
  return st ? { staffId: st.staff_id, name: st.name, role: st.role as Role } : null;
};
export const presentCustomer = (r: q.CustomerRefRow, maskName: (n: string) => string = (n) => n) => ({
  customerId: r.customer_id,
  name: maskName(r.name),
  branch: { id: r.branch_id, name: r.branch_name },
  aum: r.aum,
  aumBand: r.aum_band,
  vipCard: r.vip_grade,
});

/**
 * A customer named by a workflow of the outlet (a claim, a referral) as this user may see them
 * (access.scope.ts): within the user's scope as on the customer's page; outside it, the customer
 * number and the masked name only, no AUM, band or card.
 */
export const presentOutletCustomer = (user: SignedInUser, visible: ReadonlySet<string>, r: q.CustomerRefRow) => {
  const seen = visible.has(r.customer_id);
  return {
    customerId: r.customer_id,
    name: nameFor(user, seen, r.name),
    branch: { id: r.branch_id, name: r.branch_name },
    visible: seen,
    aum: seen ? r.aum : null,
    aumBand: seen ? r.aum_band : null,
    vipCard: seen ? r.vip_grade : null,
  };
};

async function presentProposals(s: SqlSession, rows: q.ProposalRow[]) {
  const staff = await q.staffByIds(s, rows.flatMap((p) => [p.staff_id, ...p.co_staff_ids, ...(p.current_staff_id ? [p.current_staff_id] : [])]));
  return rows.map((p) => ({
    customer: presentCustomer(p),
    businessDate: p.business_date,
    band: p.band,
    cause: p.cause,
    priority: p.priority,
    proposed: staffRef(staff, p.staff_id) ?? { staffId: p.staff_id, name: p.staff_id, role: 'customer_manager' as Role },
    coOwners: p.co_staff_ids.flatMap((id) => staffRef(staff, id) ?? []),
    current: staffRef(staff, p.current_staff_id),
  }));
}

export async function listProposals(db: Db, user: SignedInUser, f: { branchId?: string | undefined; page: number; pageSize: number }) {
  const branches = await branchesWithinScope(db, user, f.branchId);
  return db.session(async (s) => {
    const { rows, total } = await q.openProposals(s, branches, null, f.page, f.pageSize);
    return { items: await presentProposals(s, rows), total };
  });
}

export async function listPool(db: Db, user: SignedInUser, f: { branchId?: string | undefined; band?: string | undefined; page: number; pageSize: number }) {
  const branches = await branchesWithinScope(db, user, f.branchId);
  return db.session(async (s) => {
    const { rows, total } = await q.unassignedPool(s, branches, f.band ?? null, f.page, f.pageSize);
    return { items: rows.map((r) => presentCustomer(r)), total };
  });
}

export async function listStaff(db: Db, user: SignedInUser, f: { branchId?: string | undefined }) {
  const branches = await branchesWithinScope(db, user, f.branchId);
  const date = await today(db);
  return db.session(async (s) => {
    const rows = await q.staffLoads(s, branches, owningRoles(await responsibilityMap(s, date)));
    return {
      items: rows.map((r) => ({ staffId: r.staff_id, name: r.name, role: r.role as Role, branch: { id: r.branch_id, name: r.branch_name }, primaryCustomers: r.primary_n, coCustomers: r.co_n })),
    };
  });
}

/** The monthly re-allocation report (seed 003 客户二次分配): owners behind on contact. */
export async function reallocationReport(db: Db, user: SignedInUser, f: { branchId?: string | undefined }) {
  const branches = await branchesWithinScope(db, user, f.branchId);
  const asOf = await latestLoadedDate(db);
  if (!asOf) return { asOf: null, items: [] };
  const day = Date.parse(`${asOf}T00:00:00+08:00`);
  return db.session(async (s) => {
    const rows = await q.contactsOverdue(s, branches, asOf, await contactDays(s, asOf));
    return {
      asOf,
      items: rows.map((r) => ({
        customer: presentCustomer(r),
        owner: { staffId: r.staff_id, name: r.owner_name, role: r.owner_role as Role },
        ownedSince: new Date(r.owned_since).toISOString(),
        lastContact: r.last_contact ? new Date(r.last_contact).toISOString() : null,
        frequencyDays: r.frequency_days,
        daysWithoutContact: r.last_contact ? Math.floor((day - new Date(r.last_contact).getTime()) / 86_400_000) : null,
      })),
    };
  });
}

/** A customer's owners and open proposal (within the caller's scope, else 404). */
export async function customerOwnership(db: Db, user: SignedInUser, customerId: string) {
  await requireCustomer(db, user, customerId);
  return db.session(async (s) => {
    const owners = await q.ownersOf(s, [customerId]);
    const proposal = (await q.openProposals(s, null, [customerId], 1, 1)).rows;
    return {
      owners: owners.map((o) => ({ staffId: o.staff_id, name: o.name, role: o.role as Role, kind: o.kind, since: new Date(o.since).toISOString(), source: o.source, reason: o.reason })),
      proposal: (await presentProposals(s, proposal))[0] ?? null,
    };
  });
}
