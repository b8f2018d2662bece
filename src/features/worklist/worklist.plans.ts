import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope } from '../access/access.service.js';
import type { StaffRow } from '../ownership/ownership.sql.js';
import { me, presentBrief, staffByIds, staffRef, staffRefOr, today, worklistOwner, type WorkActor } from './worklist.common.js';
import type { Plan, PlanItem } from './worklist.contract.js';
import * as q from './worklist.sql.js';
import { planFactsFor, planReasonText, reminderSummary } from './worklist.summary.js';
import { piiView, visibleAmong } from '../access/access.scope.js';

// The daily contact plan: the owner's own (latest, or of a date), read by a reviewer for an owner
// within their branches; the owner reorders, adds and removes; the branch head reviews every
// owner's plan of a date and comments (seed 003: daily review).

async function presentPlan(s: SqlSession, a: WorkActor, owner: StaffRow, plan: q.PlanRow, asOf: string): Promise<Plan> {
  // a customer re-assigned or recalled since the plan was made is no longer shown to its former owner
  const planned = await q.planItems(s, plan.staff_id, plan.plan_date);
  const seen = await visibleAmong(s, a.user, planned.map((i) => i.customer_id));
  const items = planned.filter((i) => seen.has(i.customer_id));
  const open = await q.openRemindersFor(s, plan.staff_id, items.map((i) => i.customer_id), asOf);
  const comments = await q.planComments(s, plan.staff_id, plan.plan_date);
  const staff = await staffByIds(s, comments.map((c) => c.author_id));
  const byCustomer = new Map<string, typeof open>();
  for (const r of open) byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), r]);
  const view = piiView(a.user);
  const present = (i: q.PlanItemRow): PlanItem => {
    const rs = byCustomer.get(i.customer_id) ?? [];
    const customer = presentBrief(i, a.user, a.lang);
    // the plan step's mark counts too: it may know of a do-not-disturb the customer row no longer says
    const serviceOnly = customer.serviceOnly || i.service_only;
    return {
      customer: { ...customer, serviceOnly, serviceOnlyReason: customer.serviceOnlyReason ?? (serviceOnly ? text('仅可服务性联系，不可营销', 'service contact only, no marketing')[a.lang] : null) },
      position: i.position,
      reason: i.reason as PlanItem['reason'],
      reasonText: planReasonText(i.reason, i.facts, rs, a.lang, view),
      facts: planFactsFor(view, i.facts),
      source: i.source,
      status: i.status,
      reminders: rs.map((r) => ({ customerId: r.customer_id, event: r.event, occurrence: r.occurrence, kind: r.kind, summary: reminderSummary(r.event, r.facts, a.lang, view) })),
      lastContact: i.last_contact ? new Date(i.last_contact).toISOString() : null,
    };
  };
  const list = items.map(present);
  return {
    staff: staffRef(owner),
    planDate: plan.plan_date,
    workDate: plan.work_date,
    size: plan.size,
    items: list,
    contacted: list.filter((i) => i.status === 'contacted').length,
    planned: list.filter((i) => i.status !== 'removed').length,
    comments: comments.map((c) => ({ commentId: c.comment_id, author: staffRefOr(staff, c.author_id), body: c.body, createdAt: new Date(c.created_at).toISOString() })),
    reviewedAt: plan.reviewed_at ? new Date(plan.reviewed_at).toISOString() : null,
  };
}

/** The user's plan (latest, or of a date), or with worklist.review an owner's within scope; null when none. */
export async function planFor(db: Db, a: WorkActor, f: { date?: string | undefined; staffId?: string | undefined }): Promise<Plan | null> {
  const asOf = await today(db);
  return db.session(async (s) => {
    const owner = await worklistOwner(s, a.user, f.staffId);
    const plan = await q.planOf(s, owner.staff_id, f.date ?? null);
    return plan ? presentPlan(s, a, owner, plan, asOf) : null;
  });
}

const noPlan = () => new AppError('not_found', text('您还没有联络计划。', 'You have no contact plan yet.'));
const notInPlan = () =>
  new AppError('not_found', text('这位客户不在您的计划中。', 'This customer is not in your plan.'), { customerId: text('不在计划中', 'not in the plan') });

export type PlanChange = { action: 'reorder'; customerIds: string[] } | { action: 'add'; customerId: string } | { action: 'remove'; customerId: string };

/** Reorder, add (a customer of one's own) or remove, on the owner's latest plan. */
export async function changePlan(db: Db, a: WorkActor, body: PlanChange): Promise<Plan> {
  const asOf = await today(db);
  const staffId = me(a.user);
  return db.transaction(async (s) => {
    const owner = await worklistOwner(s, a.user, undefined);
    const plan = await q.planOf(s, staffId, null);
    if (!plan) throw noPlan();
    const items = await q.planItems(s, staffId, plan.plan_date);
    const by = a.user.login;
    if (body.action === 'reorder') {
      const kept = items.filter((i) => i.status !== 'removed').map((i) => i.customer_id);
      const given = [...new Set(body.customerIds)];
      const same = given.length === body.customerIds.length && given.length === kept.length && kept.every((id) => given.includes(id));
      if (!same) {
        throw new AppError('bad_request', text('请提交计划中全部客户的新顺序。', 'Send the new order of every customer in the plan.'), {
          customerIds: text(`须恰好包含计划中的 ${kept.length} 位客户，各一次`, `must list the plan's ${kept.length} customers, each once`),
        });
      }
      // removed items go after the kept ones, in their old order
      const removed = items.filter((i) => i.status === 'removed').map((i) => i.customer_id);
      await q.setPositions(s, staffId, plan.plan_date, [...given, ...removed], by);
    } else if (body.action === 'add') {
      const existing = items.find((i) => i.customer_id === body.customerId);
      if (existing && existing.status !== 'removed') {
        throw new AppError('conflict', text('这位客户已在计划中。', 'This customer is in the plan already.'), { customerId: text('已在计划中', 'in the plan already') });
      }
      if (!(await q.ownedOf(s, staffId, [body.customerId])).has(body.customerId)) {
        throw new AppError('not_found', text('没有这位客户，或不是您管户的客户。', 'There is no such customer of yours.'), { customerId: text('不是您管户的客户', 'not a customer of yours') });
      }
      const brief = await q.customerBrief(s, body.customerId);
      await q.addPlanItem(s, staffId, plan.plan_date, body.customerId, Boolean(brief && (brief.do_not_disturb || !brief.marketing_consent)), by);
    } else {
      const existing = items.find((i) => i.customer_id === body.customerId);
      if (!existing) throw notInPlan();
      if (existing.status === 'removed') return presentPlan(s, a, owner, plan, asOf);
      await q.setItemStatus(s, staffId, plan.plan_date, body.customerId, 'removed', by);
    }
    return presentPlan(s, a, owner, plan, asOf);
  });
}

/** Every owner's plan of a date (the latest when absent) within the reviewer's branches, with its execution. */
export async function plansOverview(db: Db, a: WorkActor, f: { date?: string | undefined; branchId?: string | undefined }) {
  const branches = await branchesWithinScope(db, a.user, f.branchId);
  const asOf = await today(db);
  return db.session(async (s) => {
    const planDate = f.date ?? (await q.latestPlanDate(s, branches));
    if (!planDate) return { planDate: null, items: [] };
    const rows = await q.planSummaries(s, branches, planDate, asOf);
    return {
      planDate,
      items: rows.map((r) => ({
        staff: { staffId: r.staff_id, name: r.staff_name, role: r.staff_role as ReturnType<typeof staffRef>['role'] },
        branch: { id: r.branch_id, name: r.branch_name },
        planDate: r.plan_date,
        planned: r.planned,
        contacted: r.contacted,
        removed: r.removed,
        added: r.added,
        openRisk: r.open_risk,
        comments: r.comments,
        reviewedAt: r.reviewed_at ? new Date(r.reviewed_at).toISOString() : null,
      })),
    };
  });
}

/** A reviewer's comment on an owner's plan of a date (1–1000 characters); marks the plan reviewed. */
export async function commentOnPlan(db: Db, a: WorkActor, body: { staffId: string; date: string; body: string }) {
  const t = body.body.trim();
  if (!t || [...t].length > 1000) {
    throw new AppError('bad_request', text('请填写点评内容（1–1000 个字）。', 'Write the comment (1 to 1000 characters).'), {
      body: text('请填写 1–1000 个字', '1 to 1000 characters are required'),
    });
  }
  return db.transaction(async (s) => {
    const owner = await worklistOwner(s, a.user, body.staffId);
    const plan = await q.planOf(s, owner.staff_id, body.date);
    if (!plan || (a.user.scope && !a.user.scope.includes(plan.branch_id))) {
      throw new AppError('not_found', text('这位员工当天没有联络计划，或不在您的范围内。', 'This staff member has no plan of that date within your branches.'));
    }
    const c = await q.addComment(s, owner.staff_id, plan.plan_date, me(a.user), t);
    const staff = await staffByIds(s, [c.author_id]);
    return { commentId: c.comment_id, author: staffRefOr(staff, c.author_id), body: c.body, createdAt: new Date(c.created_at).toISOString() };
  });
}
