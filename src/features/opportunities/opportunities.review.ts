import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import type { Role } from '../access/access.permissions.js';
import { branchesWithinScope } from '../access/access.service.js';
import { staffById, staffByIds } from '../ownership/ownership.sql.js';
import { addDays, me, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import type { ManagerWeek, SaveReviewBody } from './opportunities.contract.js';
import { REVIEW_DAYS } from './opportunities.rules.js';
import { context, notFound, present, WORKING_ROLES, type Ctx } from './opportunities.service.js';
import * as q from './opportunities.sql.js';

// The branch head's weekly review (seed 003; POLICIES: the opportunities created, moved, won, lost
// or stale in the 7 days to the review): per manager of the scope the week's figures, and the
// week's opportunities, each with this review's comment. Saved with its date (one review per
// reviewer and date; saved again, it is updated), its comments are what the managers read on their
// opportunities.

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

interface Week {
  date: string;
  from: string;
  to: string;
  branches: readonly string[] | null;
  ownerId: string | null;
  managers: ManagerWeek[];
  /** the week's opportunities, in all and per flag */
  totals: Record<'all' | q.WeekFlag, number>;
}

/** The review's date (default today: up to a year back, not ahead) and the branches it covers; before any session is taken (the embedded engine has one connection). */
async function reviewWhat(db: Db, a: WorkActor, c: Ctx, f: { date?: string | undefined; branchId?: string | undefined }) {
  const date = f.date ?? c.asOf;
  if (date > c.asOf || date < addDays(c.asOf, -366)) {
    throw bad('date', `检视日期须在 ${addDays(c.asOf, -366)} 至 ${c.asOf} 之间。`, `The review date must be from ${addDays(c.asOf, -366)} to ${c.asOf}.`);
  }
  return { date, branches: await branchesWithinScope(db, a.user, f.branchId) };
}

/** The week's figures per manager, aggregated in SQL (the opportunities themselves are paged: weekItems). */
async function week(s: SqlSession, a: WorkActor, what: { date: string; branches: readonly string[] | null }, f: { staffId?: string | undefined }): Promise<Week> {
  const { date, branches } = what;
  const from = addDays(date, -(REVIEW_DAYS - 1));
  let ownerId: string | null = null;
  if (f.staffId !== undefined) {
    const st = await staffById(s, f.staffId);
    if (!st || (branches && !branches.includes(st.branch_id))) {
      throw new AppError('not_found', text('没有这位员工，或不在您的机构范围内。', 'There is no such staff member within your branches.'), { staffId: text('员工不存在或不在范围内', 'no such staff member within your branches') });
    }
    ownerId = st.staff_id;
  }
  const figures = await q.weekFigures(s, a.user, { branches, ownerId, from, to: date });
  const byOwner = new Map(figures.map((x) => [x.owner_id, x]));
  const staff = (await q.reviewStaff(s, branches, WORKING_ROLES)).filter((st) => ownerId === null || st.staff_id === ownerId);
  // owners of the week's opportunities who are not (or no longer) among them: listed too, by number
  const listed = new Set(staff.map((st) => st.staff_id));
  const others = await staffByIds(s, figures.filter((x) => x.week > 0 && !listed.has(x.owner_id)).map((x) => x.owner_id));
  const names = await q.branchNames(s, [...others.values()].map((o) => o.branch_id));
  const otherPeople = [...others.values()]
    .sort((x, y) => (x.staff_id < y.staff_id ? -1 : x.staff_id > y.staff_id ? 1 : 0))
    .map((o) => ({ staff_id: o.staff_id, name: o.name, role: o.role, branch_id: o.branch_id, branch_name: names.get(o.branch_id) ?? o.branch_id }));
  const people = [...staff, ...otherPeople];
  const managers = people.map((st): ManagerWeek => {
    const x = byOwner.get(st.staff_id);
    return {
      staff: { staffId: st.staff_id, name: st.name, role: st.role as Role },
      branch: { id: st.branch_id, name: st.branch_name },
      created: x?.created ?? 0,
      moved: x?.moved ?? 0,
      won: x?.won ?? 0,
      lost: x?.lost ?? 0,
      stale: x?.stale ?? 0,
      open: x?.open ?? 0,
      wonAmount: x?.won_amount ?? '0.00',
    };
  });
  const sum = (k: keyof q.OwnerWeek) => figures.reduce((n, x) => n + Number(x[k]), 0);
  const totals = { all: sum('week'), created: sum('created'), moved: sum('moved'), won: sum('won'), lost: sum('lost'), stale: sum('stale') };
  return { date, from, to: date, branches, ownerId, managers, totals };
}

const flagsOf = (r: q.WeekFlags) =>
  (['created', 'moved', 'won', 'lost', 'stale'] as const).filter((f) => ({ created: r.f_created, moved: r.f_moved, won: r.f_won, lost: r.f_lost, stale: r.f_stale })[f]);

export interface ReviewFilter {
  date?: string | undefined;
  branchId?: string | undefined;
  staffId?: string | undefined;
  flag?: q.WeekFlag | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
}

/**
 * A review covering more outlets than this, with no branch or manager chosen, is summed per outlet
 * (the department's bank, a branch with its sub-branches): a table of thousands of managers and a
 * page of the bank's week are no review; a click on an outlet opens its managers and opportunities.
 */
export const OUTLETS_PER_MANAGER_VIEW = 30;

/** The week per outlet: the owners' outlets of the scope, each with its figures (the outlets with none left out). */
async function outletWeek(s: SqlSession, a: WorkActor, w: { from: string; to: string; branches: readonly string[] | null }, bank: q.OwnerWeek[] | null) {
  // the whole bank counted beforehand from indexes alone; a scope of branches (whose customers are checked) in one pass over its opportunities
  const figures = bank ?? (await q.weekFigures(s, a.user, { ...w, ownerId: null }, 'outlet'));
  const names = await q.branchNames(s, figures.map((x) => x.owner_id));
  return figures
    .filter((x) => x.created + x.moved + x.won + x.lost + x.stale + x.open > 0)
    .sort((x, y) => y.stale - x.stale || y.open - x.open || (x.owner_id < y.owner_id ? -1 : 1))
    .map((x) => ({ branch: { id: x.owner_id, name: names.get(x.owner_id) ?? x.owner_id }, created: x.created, moved: x.moved, won: x.won, lost: x.lost, stale: x.stale, open: x.open, wonAmount: x.won_amount }));
}

/** The reviewer's saved review of the date, as the response shows it. */
async function savedRef(s: SqlSession, saved: q.ReviewRow | undefined) {
  if (!saved) return null;
  const reviewer = await staffByIds(s, [saved.reviewer_id]);
  return { reviewId: saved.review_id, savedAt: new Date(saved.saved_at).toISOString(), reviewer: staffRefOr(reviewer, saved.reviewer_id) };
}

export async function getReview(db: Db, a: WorkActor, f: ReviewFilter) {
  const c = await context(db, a);
  const what = await reviewWhat(db, a, c, f);
  const page = f.page ?? 1;
  const pageSize = f.pageSize ?? 50;
  const byOutlet = f.staffId === undefined && (what.branches === null || what.branches.length > OUTLETS_PER_MANAGER_VIEW);
  const from = addDays(what.date, -(REVIEW_DAYS - 1));
  // the department's whole bank (no branches: the user sees them all): its statements at once, each
  // on its own connection, before the review's
  const bank = byOutlet && what.branches === null ? await q.bankWeekByOutlet(db, from, what.date) : null;
  return db.transaction(async (s) => {
    // a bank's week is one scan costed high enough for JIT, whose compiling takes longer than the
    // scan; and parallel workers cost more to start than the index scans of the bank's outlets take
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0');
    if (byOutlet) {
      const outlets = await outletWeek(s, a, { from, to: what.date, branches: what.branches }, bank);
      return {
        date: what.date,
        from,
        to: what.date,
        groupedBy: 'outlet' as const,
        outlets,
        managers: [],
        items: [],
        // the outlets listed (the week's opportunities are counted per outlet, and listed once one is chosen)
        total: outlets.length,
        page: 1,
        pageSize,
        saved: await savedRef(s, await q.reviewOf(s, me(a.user), what.date)),
      };
    }
    const wk = await week(s, a, what, f);
    const saved = await q.reviewOf(s, me(a.user), wk.date);
    // a page of the week's opportunities: the owner's week first (as the managers are listed), stale ones first within it
    const keys = await q.weekPage(s, a.user, { branches: wk.branches, ownerId: wk.ownerId, from: wk.from, to: wk.to, roles: WORKING_ROLES, flag: f.flag ?? null }, { limit: pageSize, offset: (page - 1) * pageSize });
    const rows = await q.rowsOf(s, keys);
    const flags = new Map(keys.map((k) => [k.opportunity_id, flagsOf(k)]));
    const comments = saved ? await q.reviewComments(s, saved.review_id) : new Map<string, string>();
    // stale as of the review's date
    const ctx: Ctx = { ...c, asOf: wk.date };
    return {
      date: wk.date,
      from: wk.from,
      to: wk.to,
      groupedBy: 'manager' as const,
      outlets: [],
      managers: wk.managers,
      items: rows.map((r) => ({ ...present(r, ctx), flags: flags.get(r.opportunity_id) ?? [], comment: comments.get(r.opportunity_id) ?? null })),
      total: f.flag ? wk.totals[f.flag] : wk.totals.all,
      page,
      pageSize,
      saved: await savedRef(s, saved),
    };
  });
}

/** Saves the review of a date with its figures and comments (one per opportunity; an empty one removes it). */
export async function saveReview(db: Db, a: WorkActor, body: SaveReviewBody) {
  const c = await context(db, a);
  const what = await reviewWhat(db, a, c, { date: body.date, branchId: body.branchId });
  await db.transaction(async (s) => {
    const wk = await week(s, a, what, {});
    const keys: { customerId: string; opportunityId: string; body: string }[] = [];
    for (const [i, k] of body.comments.entries()) {
      const found = await q.keyOf(s, k.opportunityId);
      const row = found === undefined ? undefined : await q.oneVisible(s, a.user, found, k.opportunityId);
      if (!row || (wk.branches && !wk.branches.includes(row.branch_id))) {
        const e = notFound();
        throw new AppError('not_found', e.text, { [`comments.${i}.opportunityId`]: text('商机不存在或不在范围内', 'no such opportunity within your scope') });
      }
      keys.push({ customerId: row.customer_id, opportunityId: k.opportunityId, body: k.body.trim() });
    }
    const saved = await q.saveReview(s, me(a.user), wk.date, body.branchId ?? null, { from: wk.from, to: wk.to, managers: wk.managers });
    await q.setComments(s, saved, me(a.user), keys);
  });
  return getReview(db, a, { date: body.date, branchId: body.branchId });
}

/** The reviews saved by the reviewers of the user's scope in a period (default: the last 90 days). */
export async function listReviews(db: Db, a: WorkActor, f: { from?: string | undefined; to?: string | undefined }) {
  const c = await context(db, a);
  const to = f.to ?? c.asOf;
  const from = f.from ?? addDays(to, -90);
  return db.session(async (s) => {
    const reviewers = a.user.scope === null ? null : (await q.reviewStaff(s, a.user.scope, ['branch_head', 'pb_dept'])).map((st) => st.staff_id);
    const rows = await q.reviewsOf(s, reviewers, from, to);
    const counts = await q.commentCounts(s, rows.map((r) => r.review_id));
    const staff = await staffByIds(s, rows.map((r) => r.reviewer_id));
    return {
      items: rows.map((r) => ({ reviewId: r.review_id, date: r.review_date, reviewer: staffRefOr(staff, r.reviewer_id), branchId: r.branch_id, savedAt: new Date(r.saved_at).toISOString(), comments: counts.get(r.review_id) ?? 0 })),
    };
  });
}
