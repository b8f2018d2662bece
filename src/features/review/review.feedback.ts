import type { Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import { branchesWithinScope } from '../access/access.service.js';
import { customerNotFound, requireCustomer } from '../access/access.scope.js';
import { branchNames } from '../opportunities/opportunities.sql.js';
import { staffByIds } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import { addDays, daysBetween, me, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import { bad, chinaToday, managersOf, pastDate, roleOf } from './review.common.js';
import { FEEDBACK_KINDS, type Feedback, type FeedbackKind } from './review.contract.js';
import * as q from './review.sql.js';

// Customers' feedback (客户反馈, seed 003 客户满意度): what a customer did that shows the
// relationship — volunteered private information, asked for help, got in touch on their own,
// referred someone — with its date and a note, recorded by whoever serves the customer (within
// their scope). Listed on the customer; counted per manager, the customer's primary owner when it
// was recorded, for a period.

const MAX_PERIOD_DAYS = 366;

async function present(db: Db, rows: q.FeedbackRow[]): Promise<Feedback[]> {
  const staff = await db.session((s) => staffByIds(s, rows.flatMap((r) => [r.recorded_by, ...(r.owner_id ? [r.owner_id] : [])])));
  return rows.map((r) => ({
    feedbackId: r.feedback_id,
    kind: r.kind as FeedbackKind,
    on: r.feedback_on,
    note: r.note,
    owner: r.owner_id ? staffRefOr(staff, r.owner_id) : null,
    recordedBy: staffRefOr(staff, r.recorded_by),
    recordedAt: new Date(r.recorded_at).toISOString(),
  }));
}

/** Records a customer's feedback (a customer outside the user's scope answers 404). */
export async function recordFeedback(db: Db, a: WorkActor, customerId: string, body: { kind: FeedbackKind; on?: string | undefined; note?: string | undefined }, now = new Date()): Promise<Feedback> {
  await requireCustomer(db, a.user, customerId);
  const on = pastDate('on', body.on ?? chinaToday(now), now, { zh: '反馈日期', en: 'date of the feedback' });
  const note = body.note?.trim() || null;
  const row = await db.transaction((s) => q.insertFeedback(s, { customerId, kind: body.kind, on, note, by: me(a.user) }));
  if (!row) throw customerNotFound();
  const [out] = await present(db, [row]);
  if (!out) throw customerNotFound();
  return out;
}

/** A customer's feedback, newest first (outside the scope 404). */
export async function customerFeedback(db: Db, user: SignedInUser, customerId: string) {
  await requireCustomer(db, user, customerId);
  const rows = await db.session((s) => q.feedbackOf(s, customerId));
  return { items: await present(db, rows) };
}

const zeroKinds = () => Object.fromEntries(FEEDBACK_KINDS.map((k) => [k, 0])) as Record<FeedbackKind, number>;

/**
 * Feedback counted per manager (the primary owner when recorded) for a period (default: the month
 * of the latest loaded business date), within the user's scope: every manager of the scope, then
 * any other owner with feedback (a teller owning band 1 and 2 customers).
 */
export async function feedbackCounts(db: Db, a: WorkActor, f: { from?: string | undefined; to?: string | undefined; branchId?: string | undefined }) {
  const asOf = await businessToday(db);
  const monthStart = `${asOf.slice(0, 7)}-01`;
  const from = f.from ?? monthStart;
  const to = f.to ?? addDays(`${addDays(monthStart, 31).slice(0, 7)}-01`, -1);
  if (from > to) throw bad('to', '结束日期不能早于开始日期。', 'The end of the period cannot be before its start.', `不能早于 ${from}`, `must not be before ${from}`);
  if (daysBetween(from, to) >= MAX_PERIOD_DAYS) {
    throw bad('to', `统计期间最长 ${MAX_PERIOD_DAYS} 天。`, `A period is at most ${MAX_PERIOD_DAYS} days.`, `最多 ${MAX_PERIOD_DAYS} 天`, `at most ${MAX_PERIOD_DAYS} days`);
  }
  const branches = await branchesWithinScope(db, a.user, f.branchId);
  return db.session(async (s) => {
    const managers = await managersOf(s, branches);
    const counts = await q.feedbackCounts(s, branches, from, to);
    const listed = new Set(managers.map((m) => m.staff_id));
    const others = await staffByIds(s, counts.filter((c) => !listed.has(c.owner_id)).map((c) => c.owner_id));
    const names = await branchNames(s, [...others.values()].map((o) => o.branch_id));
    const people = [
      ...managers,
      ...[...others.values()].sort((x, y) => (x.staff_id < y.staff_id ? -1 : 1)).map((o) => ({ staff_id: o.staff_id, name: o.name, role: o.role, branch_id: o.branch_id, branch_name: names.get(o.branch_id) ?? o.branch_id })),
    ];
    const totals = { total: 0, kinds: zeroKinds() };
    const rows = people.map((p) => {
      const kinds = zeroKinds();
      for (const c of counts) if (c.owner_id === p.staff_id) kinds[c.kind as FeedbackKind] += c.n;
      const total = FEEDBACK_KINDS.reduce((n, k) => n + kinds[k], 0);
      totals.total += total;
      for (const k of FEEDBACK_KINDS) totals.kinds[k] += kinds[k];
      return { staff: { staffId: p.staff_id, name: p.name, role: roleOf(p.role) }, branch: { id: p.branch_id, name: p.branch_name }, total, kinds };
    });
    return { from, to, managers: rows, totals };
  });
}
