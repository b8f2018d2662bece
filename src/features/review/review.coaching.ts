import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope } from '../access/access.service.js';
import { staffByIds } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import { addDays, me, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import { bad, managersOf, pastDate, requireManager, reviewAudit, roleOf, textField } from './review.common.js';
import type { Coaching } from './review.contract.js';
import * as q from './review.sql.js';

// The coaching log (绩效沟通辅导, seed 003): after the month's figures the branch head talks each
// manager through them and writes down the date, what was found, the actions agreed and a
// follow-up date. Written by a branch head for the managers of their subtree, or the department
// for any; the follow-up date becomes a work task on the author's My day (a reminder about no
// customer), closed when the follow-up is recorded. The manager reads their own records, and no
// one else's (another's answers 404 as if it did not exist).

const FOLLOW_UP_MAX_DAYS = 366;
const LABELS = {
  findings: { zh: '发现的问题', en: 'findings' },
  actions: { zh: '约定的改进事项', en: 'actions agreed' },
  note: { zh: '跟进情况', en: 'follow-up' },
};

const notFound = () => new AppError('not_found', text('没有这条辅导记录，或它不在您的权限范围内。', 'There is no such coaching record within your scope.'));
const notAuthor = () => new AppError('forbidden', text('只有记录人可以修改这条辅导记录。', 'Only the person who wrote this coaching record may change it.'));

/** The follow-up date: after the coaching date, within a year of it. */
function followUpDate(followUpOn: string | null | undefined, coachedOn: string): string | null {
  if (followUpOn === undefined || followUpOn === null) return null;
  if (followUpOn <= coachedOn) {
    throw bad('followUpOn', `跟进日期须晚于辅导日期（${coachedOn}）。`, `The follow-up date must be after the coaching date (${coachedOn}).`, `须晚于 ${coachedOn}`, `must be after ${coachedOn}`);
  }
  const latest = addDays(coachedOn, FOLLOW_UP_MAX_DAYS);
  if (followUpOn > latest) {
    throw bad('followUpOn', `跟进日期须在辅导日期后一年内（最晚 ${latest}）。`, `The follow-up date must be within a year of the coaching date (at the latest ${latest}).`, `最晚 ${latest}`, `at the latest ${latest}`);
  }
  return followUpOn;
}

async function present(s: SqlSession, rows: q.CoachingRow[]): Promise<Coaching[]> {
  const staff = await staffByIds(s, rows.flatMap((r) => [r.staff_id, r.author_id, ...(r.followed_up_by ? [r.followed_up_by] : [])]));
  return rows.map((r) => ({
    coachingId: r.coaching_id,
    staff: staffRefOr(staff, r.staff_id),
    branch: { id: r.branch_id, name: r.branch_name },
    author: staffRefOr(staff, r.author_id),
    coachedOn: r.coached_on,
    findings: r.findings,
    actions: r.actions,
    followUpOn: r.follow_up_on,
    followedUpAt: r.followed_up_at ? new Date(r.followed_up_at).toISOString() : null,
    followedUpBy: r.followed_up_by ? staffRefOr(staff, r.followed_up_by) : null,
    followUpNote: r.follow_up_note,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

/** The author's work task for the follow-up: due on the date, shown on My day from the morning of it. */
async function remind(s: SqlSession, r: { coaching_id: string; author_id: string; staff_id: string; coached_on: string; actions: string }, followUpOn: string, staffName: string, businessDate: string) {
  await q.upsertFollowUpReminder(s, {
    authorId: r.author_id,
    coachingId: r.coaching_id,
    dueOn: followUpOn,
    showFrom: addDays(followUpOn, -1),
    businessDate,
    facts: { coaching_id: r.coaching_id, staff_id: r.staff_id, staff_name: staffName, coached_on: r.coached_on, follow_up_on: followUpOn, actions: [...r.actions].slice(0, 120).join('') },
  });
}

/** Writes a coaching record for a manager of the user's scope; a follow-up date becomes the user's reminder. */
export async function createCoaching(
  db: Db,
  a: WorkActor,
  body: { staffId: string; coachedOn: string; findings: string; actions: string; followUpOn?: string | null | undefined },
  now = new Date(),
): Promise<Coaching> {
  const coachedOn = pastDate('coachedOn', body.coachedOn, now, { zh: '辅导日期', en: 'coaching date' });
  const findings = textField('findings', body.findings, { min: 2, max: 2000, label: LABELS.findings }) ?? '';
  const actions = textField('actions', body.actions, { min: 2, max: 2000, label: LABELS.actions }) ?? '';
  const followUpOn = followUpDate(body.followUpOn, coachedOn);
  const businessDate = await businessToday(db);
  return db.transaction(async (s) => {
    const manager = await requireManager(s, body.staffId, a.user.scope);
    const authorId = me(a.user);
    const coachingId = await q.insertCoaching(s, { staffId: manager.staff_id, authorId, coachedOn, findings, actions, followUpOn });
    if (followUpOn) await remind(s, { coaching_id: coachingId, author_id: authorId, staff_id: manager.staff_id, coached_on: coachedOn, actions }, followUpOn, manager.name, businessDate);
    await reviewAudit(s, a, 'coaching_record', [], { coachingId, staffId: manager.staff_id, coachedOn, followUpOn });
    const row = await q.coachingById(s, coachingId, { branches: null, me: authorId });
    if (!row) throw notFound();
    const [out] = await present(s, [row]);
    if (!out) throw notFound();
    return out;
  });
}

/** The author changes the findings, actions or follow-up date: the reminder moves with the date (or goes, with it). */
export async function updateCoaching(db: Db, a: WorkActor, coachingId: string, body: { findings?: string | undefined; actions?: string | undefined; followUpOn?: string | null | undefined }): Promise<Coaching> {
  const businessDate = await businessToday(db);
  return db.transaction(async (s) => {
    const row = await q.coachingById(s, coachingId, { branches: a.user.scope, me: me(a.user) });
    if (!row) throw notFound();
    if (row.author_id !== me(a.user)) throw notAuthor();
    const findings = body.findings === undefined ? row.findings : (textField('findings', body.findings, { min: 2, max: 2000, label: LABELS.findings }) ?? '');
    const actions = body.actions === undefined ? row.actions : (textField('actions', body.actions, { min: 2, max: 2000, label: LABELS.actions }) ?? '');
    const followUpOn = body.followUpOn === undefined ? row.follow_up_on : followUpDate(body.followUpOn, row.coached_on);
    await q.updateCoaching(s, coachingId, { findings, actions, followUpOn });
    // the reminder follows the record until the follow-up is recorded
    if (!row.followed_up_at) {
      if (followUpOn) {
        const name = (await staffByIds(s, [row.staff_id])).get(row.staff_id)?.name ?? row.staff_id;
        await remind(s, { ...row, actions }, followUpOn, name, businessDate);
      } else {
        await q.closeFollowUpReminder(s, { authorId: row.author_id, coachingId, status: 'expired', reason: 'follow-up date removed', by: me(a.user) });
      }
    }
    await reviewAudit(s, a, 'coaching_update', [], { coachingId, staffId: row.staff_id, followUpOn, previousFollowUpOn: row.follow_up_on });
    const after = await q.coachingById(s, coachingId, { branches: null, me: me(a.user) });
    if (!after) throw notFound();
    const [out] = await present(s, [after]);
    if (!out) throw notFound();
    return out;
  });
}

/** The author records the follow-up: the record is marked followed up, its reminder done. */
export async function recordFollowUp(db: Db, a: WorkActor, coachingId: string, body: { note: string }): Promise<Coaching> {
  const note = textField('note', body.note, { min: 2, max: 500, label: LABELS.note }) ?? '';
  return db.transaction(async (s) => {
    const row = await q.coachingById(s, coachingId, { branches: a.user.scope, me: me(a.user) });
    if (!row) throw notFound();
    if (row.author_id !== me(a.user)) throw notAuthor();
    if (row.followed_up_at) throw new AppError('conflict', text('这条辅导记录的跟进已记录。', 'The follow-up of this coaching record is recorded already.'));
    await q.recordFollowUp(s, coachingId, { by: me(a.user), note });
    await q.closeFollowUpReminder(s, { authorId: row.author_id, coachingId, status: 'done', reason: 'follow-up recorded', by: me(a.user) });
    await reviewAudit(s, a, 'coaching_follow_up', [], { coachingId, staffId: row.staff_id });
    const after = await q.coachingById(s, coachingId, { branches: null, me: me(a.user) });
    if (!after) throw notFound();
    const [out] = await present(s, [after]);
    if (!out) throw notFound();
    return out;
  });
}

/**
 * The coaching log of the user's scope (or a branch of it, or one manager): every manager with
 * their records' count, last coaching and next follow-up due, and the records, newest first.
 */
export async function listCoaching(db: Db, a: WorkActor, f: { staffId?: string | undefined; branchId?: string | undefined; from?: string | undefined; to?: string | undefined }) {
  if (f.from && f.to && f.from > f.to) throw bad('to', '结束日期不能早于开始日期。', 'The end of the period cannot be before its start.', `不能早于 ${f.from}`, `must not be before ${f.from}`);
  const branches = await branchesWithinScope(db, a.user, f.branchId);
  return db.session(async (s) => {
    if (f.staffId !== undefined) await requireManager(s, f.staffId, branches);
    const managers = (await managersOf(s, branches)).filter((m) => f.staffId === undefined || m.staff_id === f.staffId);
    const rows = await q.coachingList(s, { branches, me: me(a.user), staffId: f.staffId ?? null, from: f.from ?? null, to: f.to ?? null });
    const items = await present(s, rows);
    return {
      managers: managers.map((m) => {
        const mine = rows.filter((r) => r.staff_id === m.staff_id);
        const pending = mine.filter((r) => r.follow_up_on && !r.followed_up_at).map((r) => r.follow_up_on ?? '').sort();
        return {
          staff: { staffId: m.staff_id, name: m.name, role: roleOf(m.role) },
          branch: { id: m.branch_id, name: m.branch_name },
          records: mine.length,
          lastCoachedOn: mine.map((r) => r.coached_on).sort().at(-1) ?? null,
          nextFollowUpOn: pending[0] ?? null,
        };
      }),
      items,
    };
  });
}

/** The signed-in manager's own records, read-only. */
export async function myCoaching(db: Db, a: WorkActor) {
  return db.session(async (s) => ({ items: await present(s, await q.coachingOfManager(s, me(a.user))) }));
}

/** One of the signed-in manager's records; anyone else's answers 404. */
export async function myCoachingRecord(db: Db, a: WorkActor, coachingId: string): Promise<Coaching> {
  return db.session(async (s) => {
    const row = await q.coachingById(s, coachingId, { branches: null, me: me(a.user), staffId: me(a.user) });
    if (!row) throw notFound();
    const [out] = await present(s, [row]);
    if (!out) throw notFound();
    return out;
  });
}
