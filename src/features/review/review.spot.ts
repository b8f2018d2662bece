import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskName, viewName } from '../../platform/pii.js';
import { piiViewOf } from '../access/access.permissions.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { customerNotFound, visibleAmong } from '../access/access.scope.js';
import { branchNames } from '../opportunities/opportunities.sql.js';
import { staffByIds, type StaffRow } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import { me, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import { bad, chinaToday, managersOf, reviewAudit, roleOf, spotCheckSize } from './review.common.js';
import type { SpotCheck, SpotItem, SpotResult } from './review.contract.js';
import * as q from './review.sql.js';

// The spot check of familiar customers (熟户抽查, seed 003): for a month the reviewer (a branch head
// for their subtree, the department for any branch) draws N customers per manager among those the
// manager owns or has claimed; the sample is random but reproducible, seeded by the spot check's
// id, and saved. For each the reviewer records whether the manager knows the customer (audited);
// the results are counted per manager. A "not familiar" customer the manager still owns as primary
// owner is offered for recall, which goes through ownership's own recall (POST
// /api/ownership/recall, as the re-allocation workbench does): this feature changes no ownership.

const notFound = () => new AppError('not_found', text('没有这次抽查，或它不在您的权限范围内。', 'There is no such spot check within your scope.'));
const noItem = () =>
  new AppError('not_found', text('这次抽查没有抽到这位客户（或不是为这位客户经理抽的）。', 'This spot check did not sample this customer for this manager.'), {
    customerId: text('不在这次抽查的样本中', 'not in the sample of this spot check'),
  });

/** A spot check the user may see: its branch within the user's scope. */
const canSee = (user: SignedInUser, row: q.SpotCheckRow) => user.scope === null || user.scope.includes(row.branch_id);

/** The month a request names (default: the latest loaded business date's), never one still ahead. */
async function monthOf(db: Db, month: string | undefined, now: Date): Promise<string> {
  const m = month ?? (await businessToday(db)).slice(0, 7);
  const current = chinaToday(now).slice(0, 7);
  if (m > current) throw bad('month', `不能抽查尚未到来的月份（本月为 ${current}）。`, `A month still ahead cannot be spot-checked (this month is ${current}).`, `不能晚于 ${current}`, `must not be after ${current}`);
  if (m < '2000-01') throw bad('month', '月份不能早于 2000-01。', 'The month cannot be before 2000-01.', '不能早于 2000-01', 'must not be before 2000-01');
  return m;
}

const share = (familiar: number, checked: number) => (checked ? familiar / checked : null);

/** The spot checks with their figures per manager (the managers they were drawn for, in branch and role order). */
async function present(s: SqlSession, rows: q.SpotCheckRow[]): Promise<SpotCheck[]> {
  if (!rows.length) return [];
  const figures = await q.spotFigures(s, rows.map((r) => r.review_id));
  const staff = await staffByIds(s, rows.flatMap((r) => [r.reviewer_id, ...r.managers]));
  const names = await branchNames(s, [...staff.values()].map((st) => st.branch_id));
  return rows.map((r) => {
    const mine = new Map(figures.filter((f) => f.review_id === r.review_id).map((f) => [f.staff_id, f]));
    const people = r.managers
      .map((id): StaffRow => staff.get(id) ?? { staff_id: id, name: id, role: 'customer_manager', branch_id: '', active: false })
      .sort((a, b) => (a.branch_id + a.role + a.staff_id < b.branch_id + b.role + b.staff_id ? -1 : 1));
    const managers = people.map((st) => {
      const f = mine.get(st.staff_id);
      const x = { sampled: f?.sampled ?? 0, checked: f?.checked ?? 0, familiar: f?.familiar ?? 0, notFamiliar: f?.not_familiar ?? 0 };
      return {
        staff: { staffId: st.staff_id, name: st.name, role: roleOf(st.role) },
        branch: { id: st.branch_id, name: names.get(st.branch_id) ?? st.branch_id },
        ...x,
        share: share(x.familiar, x.checked),
      };
    });
    const sum = (k: 'sampled' | 'checked' | 'familiar' | 'notFamiliar') => managers.reduce((n, m) => n + m[k], 0);
    return {
      reviewId: r.review_id,
      month: r.month,
      branch: { id: r.branch_id, name: r.branch_name },
      reviewer: staffRefOr(staff, r.reviewer_id),
      sampleSize: r.sample_size,
      businessDate: r.business_date,
      drawnAt: new Date(r.drawn_at).toISOString(),
      managers,
      totals: { sampled: sum('sampled'), checked: sum('checked'), familiar: sum('familiar'), notFamiliar: sum('notFamiliar'), share: share(sum('familiar'), sum('checked')) },
    };
  });
}

async function presentItems(s: SqlSession, user: SignedInUser, rows: q.SpotItemRow[]): Promise<SpotItem[]> {
  const visible = await visibleAmong(s, user, rows.map((r) => r.customer_id));
  const staff = await staffByIds(s, rows.flatMap((r) => [r.staff_id, ...(r.checked_by ? [r.checked_by] : [])]));
  const view = piiViewOf(user.role);
  return rows.map((r) => {
    const seen = visible.has(r.customer_id);
    return {
      customer: {
        customerId: r.customer_id,
        name: (seen ? viewName(view, r.name) : maskName(r.name)) ?? '',
        branch: { id: r.branch_id, name: r.branch_name },
        visible: seen,
        aum: seen ? r.aum : null,
        aumBand: seen ? r.aum_band : null,
      },
      staff: staffRefOr(staff, r.staff_id),
      position: r.position,
      basis: r.basis,
      result: r.result,
      note: r.note,
      checkedBy: r.checked_by ? staffRefOr(staff, r.checked_by) : null,
      checkedAt: r.checked_at ? new Date(r.checked_at).toISOString() : null,
      ownerNow: r.owner_now,
      recallOffered: seen && r.result === 'not_familiar' && r.owner_now === 'primary',
    };
  });
}

/** The spot checks of a month within the user's scope (or a branch of it), newest first. */
export async function listSpotChecks(db: Db, a: WorkActor, f: { month?: string | undefined; branchId?: string | undefined }, now = new Date()) {
  const month = await monthOf(db, f.month, now);
  const branches = await branchesWithinScope(db, a.user, f.branchId);
  return db.session(async (s) => ({ month, items: await present(s, await q.spotChecksOf(s, month, branches)) }));
}

/**
 * Draws the spot check of a month for the user's branch (or a branch of their subtree): its
 * managers, then the sample in one statement, audited. One per reviewer, month and branch: asked
 * again, the one drawn is returned as it is.
 */
export async function drawSpotCheck(db: Db, a: WorkActor, body: { month?: string | undefined; branchId?: string | undefined; n?: number | undefined }, now = new Date()) {
  const month = await monthOf(db, body.month, now);
  const branches = await branchesWithinScope(db, a.user, body.branchId);
  const branchId = body.branchId ?? a.user.branchId ?? '';
  const size = body.n ?? spotCheckSize();
  const businessDate = await businessToday(db);
  const reviewId = await db.transaction(async (s) => {
    const managers = (await managersOf(s, branches)).map((m) => m.staff_id);
    const made = await q.insertSpotCheck(s, { reviewerId: me(a.user), month, branchId, size, managers, businessDate });
    if (made.created) {
      const sampled = await q.drawSample(s, made.reviewId, managers, branches, size);
      const ids = (await s.query<{ customer_id: string }>('SELECT DISTINCT customer_id FROM spot_check_items WHERE review_id = $1', [made.reviewId])).rows.map((r) => r.customer_id);
      await reviewAudit(s, a, 'spot_check_draw', ids, { reviewId: made.reviewId, month, branchId, sampleSize: size, managers: managers.length, sampled });
    }
    return made.reviewId;
  });
  return getSpotCheck(db, a, reviewId, {});
}

/** One spot check with its sampled customers (of one manager, or all); outside the scope 404. */
export async function getSpotCheck(db: Db, a: WorkActor, reviewId: string, f: { staffId?: string | undefined }) {
  return db.session(async (s) => {
    const row = await q.spotCheckById(s, reviewId);
    if (!row || !canSee(a.user, row)) throw notFound();
    const [check] = await present(s, [row]);
    if (!check) throw notFound();
    return { ...check, items: await presentItems(s, a.user, await q.spotItems(s, reviewId, f.staffId ?? null)) };
  });
}

/** Records whether the manager knows a sampled customer (changed later, the latest stands; each is audited). */
export async function recordSpotResult(db: Db, a: WorkActor, reviewId: string, body: { customerId: string; staffId: string; result: SpotResult; note?: string | undefined }): Promise<SpotItem> {
  const note = body.note?.trim() || null;
  return db.transaction(async (s) => {
    const row = await q.spotCheckById(s, reviewId);
    if (!row || !canSee(a.user, row)) throw notFound();
    // a customer who moved out of the scope since the draw answers as one that does not exist
    if (!(await visibleAmong(s, a.user, [body.customerId])).size) throw customerNotFound();
    const before = await q.spotItem(s, reviewId, body.customerId, body.staffId);
    if (!before) throw noItem();
    await q.recordSpotResult(s, { reviewId, customerId: body.customerId, staffId: body.staffId, result: body.result, note, by: me(a.user) });
    await reviewAudit(s, a, 'spot_check_result', [body.customerId], { reviewId, staffId: body.staffId, result: body.result, previous: before.result });
    const after = await q.spotItem(s, reviewId, body.customerId, body.staffId);
    if (!after) throw noItem();
    const [item] = await presentItems(s, a.user, [after]);
    if (!item) throw noItem();
    return item;
  });
}
