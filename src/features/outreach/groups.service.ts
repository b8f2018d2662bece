import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskPhone, viewName } from '../../platform/pii.js';
import { customerScope, piiView } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { latestLoadedDate } from '../system/system.service.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import { PREVIEW_SIZE, type Group, type GroupFilter, type GroupMember } from './groups.contract.js';
import * as q from './groups.sql.js';

// Customer groups (客户分组, issue 21 §1): a filter counted and previewed at once, saved under a
// name; every answer within the reader's scope (the customer list's), names and phones as the
// list shows them. A group belongs to its creator's branch: the creator, and the heads and the
// department whose scope covers that branch, see it; another branch's group answers 404.

const groupNotFound = () => new AppError('not_found', text('没有这个客户分组，或它不在您的权限范围内。', 'There is no such customer group within your scope.'));

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

/** Checks what the schema cannot: AUM bounds in order, branches within the scope (404 otherwise, as the customer list). */
async function resolve(s: SqlSession, user: SignedInUser, f: GroupFilter): Promise<readonly string[] | null> {
  if (f.aumMin !== undefined && f.aumMax !== undefined && f.aumMin >= f.aumMax) {
    throw bad('filter.aumMax', 'AUM 上限必须大于下限。', 'The AUM upper bound must be above the lower bound.');
  }
  if (!f.branchIds) return null;
  const expanded = await q.expandBranches(s, f.branchIds);
  const known = new Set(expanded);
  const missing = f.branchIds.find((b) => !known.has(b) || (user.scope !== null && !user.scope.includes(b) && user.ownerId === null));
  if (missing) throw new AppError('not_found', text(`没有网点 ${missing}，或它不在您的权限范围内。`, `There is no branch ${missing} within your scope.`), { 'filter.branchIds': text(`网点 ${missing} 不在您的权限范围内`, `branch ${missing} is not within your scope`) });
  return expanded;
}

function present(user: SignedInUser, rows: q.PreviewRow[]): GroupMember[] {
  const view = piiView(user);
  return rows.map((r) => ({
    customerId: r.customer_id,
    name: viewName(view, r.name),
    gender: r.gender,
    phone: maskPhone(r.phone),
    branch: { id: r.branch_id, name: r.branch_name },
    aum: r.aum,
    aumBand: r.aum_band,
  }));
}

/** How many customers of the reader's scope a filter holds, and the first 20 by AUM. */
export async function countFilter(db: Db, user: SignedInUser, f: GroupFilter) {
  const scope = customerScope(user);
  const [result, asOf] = await Promise.all([
    db.session(async (s) => {
      const branches = await resolve(s, user, f);
      const [count, rows] = [await q.countMatching(s, f, scope, branches), await q.previewMatching(s, f, scope, branches, PREVIEW_SIZE)];
      return { count, rows };
    }),
    latestLoadedDate(db),
  ]);
  return { count: result.count, preview: present(user, result.rows), asOf };
}

const may = (user: SignedInUser, g: q.GroupRow) => g.created_by === user.staffId || ((user.role === 'branch_head' || user.role === 'pb_dept') && (user.scope === null || user.scope.includes(g.branch_id)));

function presentGroup(user: SignedInUser, g: q.GroupRow): Group {
  return {
    groupId: g.group_id,
    name: g.name,
    filter: g.filter,
    branch: { id: g.branch_id, name: g.branch_name },
    createdBy: { staffId: g.created_by, name: g.creator_name },
    createdAt: new Date(g.created_at).toISOString(),
    updatedAt: new Date(g.updated_at).toISOString(),
    editable: may(user, g),
  };
}

async function visible(s: SqlSession, user: SignedInUser, groupId: string): Promise<q.GroupRow> {
  const [g] = await q.groupsVisible(s, user.staffId ?? '', groupScope(user), groupId);
  if (!g) throw groupNotFound();
  return g;
}

/** The branches whose groups a user sees beside their own: an owner's outlet, a head's subtree, the department all. */
const groupScope = (user: SignedInUser) => user.scope;

export async function listGroups(db: Db, user: SignedInUser) {
  const rows = await db.session((s) => q.groupsVisible(s, user.staffId ?? '', groupScope(user)));
  return { items: rows.map((g) => presentGroup(user, g)) };
}

export async function getGroup(db: Db, user: SignedInUser, groupId: string) {
  return presentGroup(user, await db.session((s) => visible(s, user, groupId)));
}

const cleanName = (name: string) => {
  const n = name.trim();
  if (!n) throw bad('name', '请填写分组名称。', 'Give the group a name.');
  return n;
};

const audit = (s: SqlSession, a: WorkActor, action: string, detail: Record<string, unknown>) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, outcome: 'allowed', detail });

export async function createGroup(db: Db, a: WorkActor, body: { name: string; filter: GroupFilter }) {
  const name = cleanName(body.name);
  if (!a.user.staffId || !a.user.branchId) throw new AppError('forbidden', text('只有员工可以建立客户分组。', 'Only staff members make customer groups.'));
  const groupId = await db.transaction(async (s) => {
    await resolve(s, a.user, body.filter);
    const id = await q.insertGroup(s, { name, filter: body.filter, branchId: a.user.branchId ?? '', by: a.user.staffId ?? '' });
    await audit(s, a, 'group_create', { groupId: id, name, filter: body.filter });
    return id;
  });
  return getGroup(db, a.user, groupId);
}

export async function changeGroup(db: Db, a: WorkActor, groupId: string, body: { name: string; filter: GroupFilter }) {
  const name = cleanName(body.name);
  await db.transaction(async (s) => {
    const g = await visible(s, a.user, groupId);
    if (!may(a.user, g)) throw new AppError('forbidden', text('只有分组的建立者或其网点的负责人可以修改它。', 'Only whoever made the group, or the head of its branch, may change it.'));
    await resolve(s, a.user, body.filter);
    await q.updateGroup(s, groupId, { name, filter: body.filter, by: a.user.staffId ?? a.user.login });
    await audit(s, a, 'group_update', { groupId, name, filter: body.filter });
  });
  return getGroup(db, a.user, groupId);
}

export async function removeGroup(db: Db, a: WorkActor, groupId: string) {
  await db.transaction(async (s) => {
    const g = await visible(s, a.user, groupId);
    if (!may(a.user, g)) throw new AppError('forbidden', text('只有分组的建立者或其网点的负责人可以删除它。', 'Only whoever made the group, or the head of its branch, may delete it.'));
    await q.deleteGroup(s, groupId);
    await audit(s, a, 'group_delete', { groupId, name: g.name });
  });
  return { deleted: true };
}

/** A saved group's count and preview, within the reader's scope. */
export async function countGroup(db: Db, user: SignedInUser, groupId: string) {
  const g = await db.session((s) => visible(s, user, groupId));
  return countFilter(db, user, g.filter);
}

export { takeMembership } from './groups.sql.js';
