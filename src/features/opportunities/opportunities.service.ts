import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { viewName } from '../../platform/pii.js';
import { can, ROLE_SCOPE, type Role } from '../access/access.permissions.js';
import { customerNotFound, piiView, requireCustomer, visibleAmong } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { nextWorkingDay } from '../events/events.calendar.js';
import { staffById, staffByIds, type StaffRow } from '../ownership/ownership.sql.js';
import { addDays, me, staffRefOr, today, type WorkActor } from '../worklist/worklist.common.js';
import * as w from '../worklist/worklist.sql.js';
import type {
  CreateOpportunityBody,
  Opportunity,
  OpportunitiesQuery,
  OpportunityDetail,
  StageBody,
  TargetBody,
  UpdateOpportunityBody,
} from './opportunities.contract.js';
import { OPPORTUNITY_STAGES } from './opportunities.contract.js';
import { daysFrom, isOpen, stageRank, staleReasons, suggestionFor, targetLabel } from './opportunities.rules.js';
import * as q from './opportunities.sql.js';

// Opportunities (商机, issue 19 §1): made from a reminder in one click, from a contact of the work
// log, a referral, a walk-in or a campaign, or by hand; worked by their owner through the stages in
// order, to won or lost (with a reason); seen by the branch head. Scope is the customer's: a
// manager sees and touches only their own, of customers they still see; anyone else's is answered
// as one that does not exist (404).

/** The reminders the batch makes about opportunities (opportunities.batch.ts). */
export const DUE_EVENT = 'opportunity_due';
export const STALE_EVENT = 'opportunity_stale';

/** Roles that work opportunities of their own (the weekly review lists them). */
export const WORKING_ROLES: readonly Role[] = ['customer_manager', 'cm_supervisor', 'branch_head'];

/** The day an opportunity's next step counts as due for: the working day after the business date, when owners read My day. */
export const dueBy = (asOf: string) => nextWorkingDay(addDays(asOf, 1));

export interface Ctx {
  user: SignedInUser;
  lang: Lang;
  asOf: string;
  dueBy: string;
}

export const notFound = () => new AppError('not_found', text('没有这个商机，或它不在您的权限范围内。', 'There is no such opportunity within your scope.'));
const conflict = (zh: string, en: string) => new AppError('conflict', text(zh, en));
const bad = (field: string, zh: string, en: string, fieldZh = zh, fieldEn = en) => new AppError('bad_request', text(zh, en), { [field]: text(fieldZh, fieldEn) });

/** Free text of 1..max characters once trimmed, named at its field. */
export function required(field: string, value: string | undefined | null, max: number, what: { zh: string; en: string }): string {
  const v = (value ?? '').trim();
  if (!v || [...v].length > max) throw bad(field, `请填写${what.zh}（1–${max} 个字）。`, `Give the ${what.en} (1 to ${max} characters).`, `请填写${what.zh}`, `the ${what.en} is required (1 to ${max} characters)`);
  return v;
}
const optionalText = (v: string | null | undefined) => (v === null || v === undefined ? null : v.trim() || null);

/** A next step's date: from today (the latest business date) to a year ahead. */
export function checkNextStepOn(field: string, d: string, asOf: string): string {
  const latest = addDays(asOf, 366);
  if (d < asOf || d > latest) {
    throw bad(field, `下次跟进日期须在 ${asOf} 至 ${latest} 之间。`, `The next step's date must be from ${asOf} to ${latest}.`, `须在 ${asOf} 至 ${latest} 之间`, `must be from ${asOf} to ${latest}`);
  }
  return d;
}

export async function context(db: Db, a: WorkActor): Promise<Ctx> {
  const asOf = await today(db);
  return { user: a.user, lang: a.lang, asOf, dueBy: dueBy(asOf) };
}

export function present(r: q.OppRow, c: Ctx, comments?: { count: number; latest: q.CommentRow }, staff?: Map<string, StaffRow>): Opportunity {
  const view = piiView(c.user);
  const reasons = staleReasons(r, c.asOf);
  const latest = comments?.latest;
  return {
    opportunityId: r.opportunity_id,
    customer: r.customer_id ? { customerId: r.customer_id, name: viewName(view, r.customer_name ?? r.customer_id) } : null,
    prospect: r.prospect_id ? { prospectId: r.prospect_id, name: viewName(view, r.prospect_name ?? '') } : null,
    target: { type: r.target_type as Opportunity['target']['type'], code: r.target_code, label: targetLabel(r.target_type, r.target_code, r.product_name, c.lang) },
    source: r.source as Opportunity['source'],
    sourceRef: r.source_ref,
    stage: r.stage as Opportunity['stage'],
    stageSince: r.stage_since,
    daysInStage: Math.max(0, daysFrom(r.stage_since, c.asOf)),
    status: r.stage === 'won' ? 'won' : r.stage === 'lost' ? 'lost' : 'open',
    expectedAmount: r.expected_amount,
    nextStep: r.next_step,
    nextStepOn: r.next_step_on,
    notes: r.notes,
    lostReason: r.lost_reason,
    owner: { staffId: r.owner_id, name: r.owner_name ?? r.owner_id, role: (r.owner_role ?? 'customer_manager') as Role },
    stale: reasons.length > 0,
    staleReasons: reasons,
    due: isOpen(r.stage) && r.next_step_on !== null && r.next_step_on <= c.dueBy,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    commentCount: comments?.count ?? 0,
    latestComment: latest
      ? { body: latest.body, author: staffRefOr(staff ?? new Map(), latest.author_id), reviewDate: latest.review_date, createdAt: new Date(latest.created_at).toISOString() }
      : null,
  };
}

/** A page of rows presented, with their comments (count and latest) looked up for the page only. */
export async function presentAll(s: SqlSession, rows: q.OppRow[], c: Ctx): Promise<Opportunity[]> {
  const comments = await q.commentSummaries(s, rows);
  const staff = await staffByIds(s, [...comments.values()].map((x) => x.latest.author_id));
  return rows.map((r) => present(r, c, comments.get(r.opportunity_id), staff));
}

async function detail(s: SqlSession, row: q.OppRow, c: Ctx): Promise<OpportunityDetail> {
  const [base] = await presentAll(s, [row], c);
  if (!base) throw notFound();
  const stages = await q.stagesOf(s, row.customer_id, row.opportunity_id);
  const comments = await q.commentsOf(s, row.customer_id, row.opportunity_id);
  const staff = await staffByIds(s, [...stages.map((x) => x.changed_by), ...comments.map((x) => x.author_id)]);
  return {
    ...base,
    stages: stages.map((x) => ({
      from: x.from_stage as OpportunityDetail['stages'][number]['from'],
      to: x.to_stage as OpportunityDetail['stages'][number]['to'],
      by: staffRefOr(staff, x.changed_by),
      at: new Date(x.changed_at).toISOString(),
      reason: x.reason,
    })),
    comments: comments.map((x) => ({ reviewDate: x.review_date, author: staffRefOr(staff, x.author_id), body: x.body, createdAt: new Date(x.created_at).toISOString() })),
  };
}

/** The opportunity as the user may see it, or 404. */
async function visible(s: SqlSession, user: SignedInUser, opportunityId: string): Promise<q.OppRow> {
  const key = await q.keyOf(s, opportunityId);
  const row = key === undefined ? undefined : await q.oneVisible(s, user, key, opportunityId);
  if (!row) throw notFound();
  return row;
}

export async function getOpportunity(db: Db, a: WorkActor, opportunityId: string): Promise<OpportunityDetail> {
  const c = await context(db, a);
  return db.session(async (s) => detail(s, await visible(s, a.user, opportunityId), c));
}

// ---- lists -----------------------------------------------------------------------------------

/** Whose opportunities a list or board reads: the user's own, or (a reviewer) another staff member's of their branches. */
async function ownerFor(s: SqlSession, user: SignedInUser, staffId: string | undefined): Promise<StaffRow> {
  const id = staffId ?? me(user);
  if (id !== me(user) && !can(user.role, 'opportunities.review')) {
    throw new AppError('forbidden', text('您只能查看自己的商机。', 'You can only read your own opportunities.'));
  }
  const st = await staffById(s, id);
  if (!st || (id !== me(user) && user.scope && !user.scope.includes(st.branch_id))) {
    throw bad('staffId', '没有这位员工，或不在您的机构范围内。', 'There is no such staff member within your branches.', '员工不存在或不在范围内', 'no such staff member within your branches');
  }
  return st;
}

export async function listOpportunities(db: Db, a: WorkActor, f: OpportunitiesQuery) {
  const c = await context(db, a);
  return db.session(async (s) => {
    let ownerId: string | null = null;
    if (f.staffId !== undefined) ownerId = (await ownerFor(s, a.user, f.staffId)).staff_id;
    else if (f.view === 'mine' || !can(a.user.role, 'opportunities.review')) ownerId = me(a.user);
    const filter: q.ListFilter = {
      ownerId,
      customerId: f.customerId ?? null,
      prospectId: f.prospectId ?? null,
      stage: f.stage ?? null,
      status: f.status,
      stale: f.stale === undefined ? null : f.stale === 'true',
      dueBy: f.due === 'true' ? c.dueBy : null,
      sort: f.sort,
    };
    const r = await q.listOpportunities(s, a.user, filter, c.asOf, { limit: f.pageSize, offset: (f.page - 1) * f.pageSize });
    return { asOf: c.asOf, items: await presentAll(s, r.rows, c), total: r.total, totalAmount: r.amount };
  });
}

const BOARD_LIMIT = 50;
const BOARD_CLOSED_DAYS = 30;

/** "My opportunities" as a board: a column per stage (won and lost: the last 30 days). */
export async function board(db: Db, a: WorkActor, f: { staffId?: string | undefined }) {
  const c = await context(db, a);
  return db.session(async (s) => {
    const owner = await ownerFor(s, a.user, f.staffId);
    const since = addDays(c.asOf, -BOARD_CLOSED_DAYS);
    const rows = await q.board(s, a.user, owner.staff_id, { closedSince: since, asOf: c.asOf, dueBy: c.dueBy, limit: BOARD_LIMIT });
    const shown = await presentAll(s, rows, c);
    const columns = OPPORTUNITY_STAGES.map((stage) => {
      const first = rows.find((r) => r.stage === stage);
      return { stage, total: first?.col_n ?? 0, amount: first?.col_amount ?? '0', items: shown.filter((o) => o.stage === stage) };
    });
    const counts = { stale: rows[0]?.stale_n ?? 0, due: rows[0]?.due_n ?? 0 };
    return { asOf: c.asOf, owner: { staffId: owner.staff_id, name: owner.name, role: owner.role as Role }, columns, stale: counts.stale, due: counts.due };
  });
}

/** The customer's opportunities on the 360 page (those the user may see): open ones first. */
export async function customerOpportunities(db: Db, a: WorkActor, customerId: string) {
  await requireCustomer(db, a.user, customerId);
  const c = await context(db, a);
  // tellers and the lobby read the customer, not the managers' opportunities
  if (!can(a.user.role, 'opportunities.own')) return { asOf: c.asOf, items: [] };
  return db.session(async (s) => {
    const open = await q.listOpportunities(s, a.user, { ownerId: null, customerId, prospectId: null, stage: null, status: 'open', stale: null, dueBy: null, sort: 'next_step_on' }, c.asOf, { limit: 100, offset: 0 });
    const closed = await q.listOpportunities(s, a.user, { ownerId: null, customerId, prospectId: null, stage: null, status: 'closed', stale: null, dueBy: null, sort: 'created_at' }, c.asOf, { limit: 50, offset: 0 });
    return { asOf: c.asOf, items: await presentAll(s, [...open.rows, ...closed.rows], c) };
  });
}

// ---- changes ---------------------------------------------------------------------------------

async function checkTarget(s: SqlSession, t: TargetBody): Promise<{ type: string; code: string | null }> {
  if (t.type === 'vip_signing') return { type: t.type, code: null };
  if (t.type === 'product') {
    const p = await s.query('SELECT 1 FROM products WHERE product_code = $1', [t.code]);
    if (!p.rows.length) throw bad('target.code', '产品目录中没有这个产品。', 'There is no such product in the catalogue.', '产品不存在', 'no such product');
  }
  return { type: t.type, code: t.code };
}

/** Closes the open reminders about an opportunity (its next step due, stale) as done, with why. */
export async function closeReminders(s: SqlSession, customerId: string, opportunityId: string, why: string, by: string, events: readonly string[] = [DUE_EVENT, STALE_EVENT]): Promise<void> {
  if (!customerId) return;
  const at = (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t;
  await s.query(
    `UPDATE reminders SET status = 'done', closed_reason = $4, closed_by = $5, closed_at = $6::timestamptz
      WHERE customer_id = $1 AND event = ANY($2::text[]) AND occurrence LIKE $3 AND status = 'open'`,
    [customerId, [...events], `${opportunityId.replace(/[\\%_]/g, '\\$&')}:%`, why, by, at],
  );
}

interface Subject {
  customerId: string;
  prospectId: string | null;
}

export async function createOpportunity(db: Db, a: WorkActor, body: CreateOpportunityBody): Promise<OpportunityDetail> {
  const c = await context(db, a);
  const staffId = me(a.user);
  const reminder = body.reminder === undefined ? undefined : reminderKey(body.reminder, body.customerId);
  const customerId = body.customerId;
  if (customerId !== undefined && body.prospectId !== undefined) {
    throw bad('prospectId', '商机只能属于一位客户或一位潜在客户。', 'An opportunity is for a customer or a prospect, not both.', '客户与潜在客户只能选一个', 'give a customer or a prospect, not both');
  }
  if (customerId === undefined && body.prospectId === undefined) {
    throw bad('customerId', '请选择客户或潜在客户。', 'Choose a customer or a prospect.', '请选择客户或潜在客户', 'a customer or a prospect is required');
  }
  // where it came from: one reference at most, and the source it implies
  const refs = (['reminder', 'contactId', 'referralId', 'campaign'] as const).filter((k) => body[k] !== undefined);
  if (refs.length > 1) {
    const names = refs.map((k) => [k, text('只能有一个来源', 'one source only')] as const);
    throw new AppError('bad_request', text('一个商机只有一个来源。', 'An opportunity has one source.'), Object.fromEntries(names));
  }
  const implied = reminder ? 'event' : body.contactId !== undefined ? 'contact' : body.referralId !== undefined ? 'referral' : body.campaign !== undefined ? 'campaign' : undefined;
  if (implied && body.source !== undefined && body.source !== implied) {
    // both named: the source given, and the reference that implies another
    throw new AppError('bad_request', text(`来源应为“${implied}”。`, `The source must be '${implied}'.`), { source: text(`应为 ${implied}`, `must be ${implied}`), [refs[0] ?? 'source']: text(`来源为 ${implied}`, `makes the source ${implied}`) });
  }
  const source = implied ?? body.source;
  if (source === undefined) throw bad('source', '请选择商机来源。', 'Choose where the opportunity came from.', '请选择来源', 'the source is required');
  if (source === 'event' && !reminder) throw bad('reminder', '来自事件提醒的商机请从提醒创建。', 'An opportunity from a reminder is made from the reminder.', '请指明提醒', 'the reminder is required');
  if (body.prospectId !== undefined && (source === 'referral' || body.referralId !== undefined)) {
    throw bad('referralId', '潜在客户没有转介记录。', 'A prospect has no referrals.', '潜在客户不适用', 'not for a prospect');
  }

  return db.transaction(async (s) => {
    let subject: Subject;
    let sourceRef: string | null = null;
    let suggestion: ReturnType<typeof suggestionFor> | null = null;
    let suggestedOn: string | null = null;
    if (customerId !== undefined) {
      if (!(await visibleAmong(s, a.user, [customerId])).has(customerId)) throw customerNotFound();
      subject = { customerId, prospectId: null };
    } else {
      const p = await prospectForOwner(s, a.user, body.prospectId ?? '');
      subject = { customerId: '', prospectId: p.prospect_id };
    }
    if (reminder) {
      const r = await w.reminderOf(s, staffId, { customer_id: subject.customerId, event: reminder.event, occurrence: reminder.occurrence }, true);
      if (!r) throw new AppError('not_found', text('没有这条提醒，或它不是您的。', 'There is no such reminder of yours.'));
      sourceRef = `${r.event}/${r.occurrence}`;
      const dup = await s.query<{ opportunity_id: string }>(
        `SELECT opportunity_id FROM opportunities WHERE customer_id = $1 AND owner_id = $2 AND source = 'event' AND source_ref = $3 AND closed_at IS NULL`,
        [subject.customerId, staffId, sourceRef],
      );
      if (dup.rows.length) throw conflict('这条提醒已创建过商机，请在“我的商机”中跟进。', 'An opportunity was made from this reminder already; follow it up in My opportunities.');
      suggestion = suggestionFor(r.event, r.facts);
      suggestedOn = r.due_on > c.asOf ? r.due_on : c.asOf;
      if (r.status === 'open') {
        await w.updateReminder(s, staffId, { customer_id: r.customer_id, event: r.event, occurrence: r.occurrence }, {
          status: 'done', snoozedUntil: r.snoozed_until, closedReason: a.lang === 'zh' ? '已创建商机' : 'opportunity created', closedBy: a.user.login, closed: true,
        });
      }
    } else if (body.contactId !== undefined) {
      const found = subject.prospectId
        ? await s.query('SELECT 1 FROM prospect_contacts WHERE prospect_id = $1 AND contact_id = $2', [subject.prospectId, body.contactId])
        : await s.query('SELECT 1 FROM contact_log WHERE customer_id = $1 AND contact_id = $2', [subject.customerId, body.contactId]);
      if (!found.rows.length) throw new AppError('not_found', text('没有这条联络记录。', 'There is no such contact.'), { contactId: text('联络记录不存在', 'no such contact') });
      sourceRef = body.contactId;
    } else if (body.referralId !== undefined) {
      const found = await s.query('SELECT 1 FROM referrals WHERE customer_id = $1 AND referral_id = $2', [subject.customerId, body.referralId]);
      if (!found.rows.length) throw new AppError('not_found', text('没有这条转介。', 'There is no such referral.'), { referralId: text('转介不存在', 'no such referral') });
      sourceRef = body.referralId;
    } else if (body.campaign !== undefined) {
      sourceRef = required('campaign', body.campaign, 100, { zh: '营销活动名称', en: "campaign's name" });
    }
    const targetBody = body.target ?? (suggestion?.target as TargetBody | undefined);
    if (!targetBody) throw bad('target', '请选择目标产品。', 'Choose the target product.', '请选择目标产品', 'the target is required');
    const target = await checkTarget(s, targetBody);
    const nextStep = required('nextStep', body.nextStep ?? (suggestion ? defaultNextStep(target.type, a.lang) : undefined), 200, { zh: '下一步', en: 'next step' });
    const nextStepOnText = body.nextStepOn ?? suggestedOn;
    if (nextStepOnText === null) throw bad('nextStepOn', '请填写下次跟进日期。', "Give the next step's date.", '请填写日期', 'the date is required');
    const nextStepOn = checkNextStepOn('nextStepOn', nextStepOnText, c.asOf);
    const id = await q.insertOpportunity(s, {
      customerId: subject.customerId,
      prospectId: subject.prospectId,
      targetType: target.type,
      targetCode: target.code,
      source,
      sourceRef,
      expectedAmount: body.expectedAmount ?? suggestion?.amount ?? null,
      nextStep,
      nextStepOn,
      notes: optionalText(body.notes),
      ownerId: staffId,
      branchId: a.user.branchId ?? '',
      by: staffId,
      today: c.asOf,
    });
    const row = await q.oneVisible(s, a.user, subject.customerId, id);
    if (!row) throw new Error('the opportunity just made is not visible to its owner');
    return detail(s, row, c);
  });
}

/** A reminder named as event/occurrence (its customer is the opportunity's). */
function reminderKey(ref: string, customerId: string | undefined): { event: string; occurrence: string } {
  const at = ref.indexOf('/');
  const event = at > 0 ? ref.slice(0, at) : '';
  const occurrence = at > 0 ? ref.slice(at + 1) : '';
  if (!event || event.length > 60 || !occurrence || occurrence.length > 200) {
    throw bad('reminder', '提醒应写作“事件/发生”，如 vip_card_due/platinum:2026-11-20。', 'A reminder is written event/occurrence, e.g. vip_card_due/platinum:2026-11-20.', '应写作 事件/发生', 'must be event/occurrence');
  }
  if (customerId === undefined) throw bad('customerId', '请指明提醒的客户。', "Give the reminder's customer.", '请指明客户', "the reminder's customer is required");
  return { event, occurrence };
}

const defaultNextStep = (type: string, lang: Lang) =>
  type === 'vip_signing' ? (lang === 'zh' ? '联系客户，邀请办理贵宾客户签约' : 'Contact the customer about VIP signing') : lang === 'zh' ? '联系客户，了解需求' : 'Contact the customer about their needs';

/** An open prospect the user owns (a reviewer: one of their branches), for a change; else 404, or 409 once converted or closed. */
export async function prospectForOwner(s: SqlSession, user: SignedInUser, prospectId: string) {
  const r = await s.query<{ prospect_id: string; owner_id: string; branch_id: string; status: string }>('SELECT prospect_id, owner_id, branch_id, status FROM prospects WHERE prospect_id = $1', [
    prospectId,
  ]);
  const p = r.rows[0];
  if (!p || p.owner_id !== me(user)) throw new AppError('not_found', text('没有这位潜在客户，或不是您的。', 'There is no such prospect of yours.'));
  if (p.status !== 'open') throw conflict('这位潜在客户已转为客户或已关闭。', 'This prospect has become a customer or is closed.');
  return p;
}

/** Only its owner works an opportunity; a reviewer who sees it is told so (403). */
function ownerOnly(row: q.OppRow, user: SignedInUser): void {
  if (row.owner_id !== me(user)) throw new AppError('forbidden', text('只有商机的负责人可以修改它。', 'Only the owner of an opportunity changes it.'));
}

export async function moveStage(db: Db, a: WorkActor, opportunityId: string, body: StageBody): Promise<OpportunityDetail> {
  const c = await context(db, a);
  return db.transaction(async (s) => {
    const seen = await visible(s, a.user, opportunityId);
    ownerOnly(seen, a.user);
    await q.lock(s, seen.customer_id, opportunityId);
    const row = (await q.oneVisible(s, a.user, seen.customer_id, opportunityId)) ?? seen;
    if (!isOpen(row.stage)) throw conflict('这个商机已关闭（成交或未成交）。', 'This opportunity is closed (won or lost).');
    if (body.stage === row.stage) throw conflict('商机已在这个阶段。', 'The opportunity is in this stage already.');
    const closing = body.stage === 'won' || body.stage === 'lost';
    if (!closing && stageRank(body.stage) < stageRank(row.stage)) {
      throw bad('stage', '商机阶段只能向前推进（已识别 → 已联系 → 需求已确认 → 已提供方案），或关闭为成交、未成交。', 'Stages only move forward (identified → contacted → needs confirmed → proposed), or close as won or lost.', '只能向前推进', 'stages only move forward');
    }
    const reason = body.stage === 'lost' ? lostReason(body.lostReason) : null;
    let nextStep = row.next_step;
    let nextStepOn = row.next_step_on;
    if (!closing) {
      if (body.nextStep !== undefined) nextStep = required('nextStep', body.nextStep, 200, { zh: '下一步', en: 'next step' });
      if (body.nextStepOn !== undefined) nextStepOn = checkNextStepOn('nextStepOn', body.nextStepOn, c.asOf);
    }
    await q.changeStage(s, { customerId: row.customer_id, opportunityId }, {
      from: row.stage, to: body.stage, by: me(a.user), today: c.asOf, branchId: row.branch_id, reason, nextStep, nextStepOn, closed: closing,
    });
    if (closing) await closeReminders(s, row.customer_id, opportunityId, body.stage === 'won' ? (a.lang === 'zh' ? '商机已成交' : 'opportunity won') : a.lang === 'zh' ? '商机未成交' : 'opportunity lost', a.user.login);
    else if (nextStepOn !== row.next_step_on) await closeReminders(s, row.customer_id, opportunityId, a.lang === 'zh' ? '下一步已更新' : 'next step changed', a.user.login, [DUE_EVENT]);
    const after = await q.oneVisible(s, a.user, row.customer_id, opportunityId);
    if (!after) throw notFound();
    return detail(s, after, c);
  });
}

export async function updateOpportunity(db: Db, a: WorkActor, opportunityId: string, body: UpdateOpportunityBody): Promise<OpportunityDetail> {
  const c = await context(db, a);
  return db.transaction(async (s) => {
    const seen = await visible(s, a.user, opportunityId);
    const edits = (['target', 'expectedAmount', 'nextStep', 'nextStepOn', 'notes'] as const).some((k) => body[k] !== undefined);
    if (edits) ownerOnly(seen, a.user);
    await q.lock(s, seen.customer_id, opportunityId);
    const row = (await q.oneVisible(s, a.user, seen.customer_id, opportunityId)) ?? seen;
    if (!isOpen(row.stage)) throw conflict('这个商机已关闭（成交或未成交），不能再修改。', 'This opportunity is closed (won or lost) and can no longer change.');
    const target = body.target ? await checkTarget(s, body.target) : { type: row.target_type, code: row.target_code };
    const nextStep = body.nextStep !== undefined ? required('nextStep', body.nextStep, 200, { zh: '下一步', en: 'next step' }) : row.next_step;
    const nextStepOn = body.nextStepOn !== undefined ? checkNextStepOn('nextStepOn', body.nextStepOn, c.asOf) : row.next_step_on;
    let ownerId = row.owner_id;
    let branchId = row.branch_id;
    if (body.ownerId !== undefined && body.ownerId !== row.owner_id) {
      const to = await newOwner(s, a.user, row, body.ownerId);
      ownerId = to.staff_id;
      branchId = to.branch_id;
    }
    await q.updateFields(s, { customerId: row.customer_id, opportunityId }, {
      targetType: target.type,
      targetCode: target.code,
      expectedAmount: body.expectedAmount !== undefined ? body.expectedAmount : row.expected_amount,
      nextStep,
      nextStepOn,
      notes: body.notes !== undefined ? optionalText(body.notes) : row.notes,
      ownerId,
      branchId,
    });
    if (nextStepOn !== row.next_step_on || ownerId !== row.owner_id) {
      await closeReminders(s, row.customer_id, opportunityId, a.lang === 'zh' ? '下一步已更新' : 'next step changed', a.user.login, [DUE_EVENT]);
    }
    if (ownerId !== row.owner_id) {
      await recordAudit(s, {
        actor: a.user.login, role: a.user.role, ip: a.ip, action: 'opportunity_reassign', outcome: 'allowed',
        customerIds: row.customer_id ? [row.customer_id] : [], detail: { opportunityId, from: row.owner_id, to: ownerId },
      });
    }
    const after = await q.oneVisible(s, a.user, row.customer_id, opportunityId);
    // handed to someone else, the previous owner no longer sees it: the answer is as it is now
    if (!after) return detail(s, { ...row, owner_id: ownerId, branch_id: branchId }, c);
    return detail(s, after, c);
  });
}

/** A reviewer hands an opportunity to a staff member of their branches who works opportunities and looks after the customer. */
async function newOwner(s: SqlSession, user: SignedInUser, row: q.OppRow, staffId: string): Promise<StaffRow> {
  if (!can(user.role, 'opportunities.review')) throw new AppError('forbidden', text('只有网点负责人可以转交商机。', 'Only a branch head hands an opportunity to someone else.'));
  const st = await staffById(s, staffId);
  const role = st?.role as Role | undefined;
  if (!st || !st.active || !role || !can(role, 'opportunities.own') || (user.scope && !user.scope.includes(st.branch_id))) {
    throw bad('ownerId', '没有这位可跟进商机的员工，或不在您的机构范围内。', 'There is no such staff member who works opportunities within your branches.', '员工不存在、不可跟进商机或不在范围内', 'no such staff member who works opportunities within your branches');
  }
  if (row.customer_id && ROLE_SCOPE[role] === 'owned') {
    const owns = await w.ownedOf(s, st.staff_id, [row.customer_id]);
    if (!owns.has(row.customer_id)) throw bad('ownerId', '这位员工不是该客户的管户人。', 'This staff member does not look after the customer.', '不是该客户的管户人', 'does not look after the customer');
  }
  return st;
}

/** A lost opportunity's reason: 2 to 200 characters once trimmed, named at the field. */
function lostReason(v: string | undefined): string {
  const r = (v ?? '').trim();
  if ([...r].length < 2 || [...r].length > 200) {
    throw bad('lostReason', '未成交须填写原因（2–200 个字）。', 'A lost opportunity needs its reason (2 to 200 characters).', '请填写原因（2–200 个字）', 'a reason of 2 to 200 characters is required');
  }
  return r;
}
