import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import type { SignedInUser } from '../access/access.service.js';
import { addDays, me, presentBrief, today, type WorkActor } from './worklist.common.js';
import { REMINDER_KINDS, type Reminder, type ReminderKey } from './worklist.contract.js';
import * as q from './worklist.sql.js';
import { factsFor, reminderSummary } from './worklist.summary.js';
import { customerScope, piiView, visibleAmong } from '../access/access.scope.js';

// The signed-in owner's reminders: counted per kind, listed, and closed (done, dismissed with a
// reason), snoozed or reopened. Only one's own: anyone else's answers 404, as if it did not exist.

export const SNOOZE_MAX_DAYS = 90;

export function presentReminder(r: q.ReminderRow, user: SignedInUser, lang: Lang): Reminder {
  // a reminder about no customer (a coaching follow-up of the monthly review) has none to show
  const customer = r.customer_id === '' ? null : presentBrief(r, user, lang);
  const view = piiView(user);
  return {
    customer,
    event: r.event,
    occurrence: r.occurrence,
    kind: r.kind,
    facts: factsFor(view, r.event, r.facts),
    summary: reminderSummary(r.event, r.facts, lang, view),
    firstDate: r.first_date,
    lastDate: r.last_date,
    dueOn: r.due_on,
    status: r.status,
    snoozedUntil: r.snoozed_until,
    closedReason: r.closed_reason,
    marketingAllowed: customer !== null && !customer.serviceOnly,
  };
}

export async function listMyReminders(
  db: Db,
  a: WorkActor,
  f: { kind?: (typeof REMINDER_KINDS)[number] | undefined; status: 'open' | 'snoozed' | 'closed'; customerId?: string | undefined; page: number; pageSize: number },
) {
  const asOf = await today(db);
  return db.session(async (s) => {
    const scope = customerScope(a.user);
    const counts = await q.reminderCounts(s, me(a.user), asOf, scope);
    const { rows, total } = await q.listReminders(s, me(a.user), asOf, f, scope, counts);
    return {
      asOf,
      counts: { risk: counts.get('risk') ?? 0, opportunity: counts.get('opportunity') ?? 0, information: counts.get('information') ?? 0, work_task: counts.get('work_task') ?? 0 },
      items: rows.map((r) => presentReminder(r, a.user, a.lang)),
      total,
    };
  });
}

const notFound = () => new AppError('not_found', text('没有这条提醒，或它不是您的。', 'There is no such reminder of yours.'));
const conflict = (zh: string, en: string) => new AppError('conflict', text(zh, en));

export type ReminderAction = { action: 'done' } | { action: 'dismiss'; reason: string } | { action: 'snooze'; until: string } | { action: 'reopen' };

/** A dismissal's reason: 2 to 200 characters once trimmed, named at the field. */
export function dismissReason(reason: string): string {
  const r = reason.trim();
  if ([...r].length < 2 || [...r].length > 200) {
    throw new AppError('bad_request', text('请填写忽略原因（2–200 个字）。', 'Give the reason for dismissing (2 to 200 characters).'), {
      reason: text('请填写原因（2–200 个字）', 'a reason of 2 to 200 characters is required'),
    });
  }
  return r;
}

export async function actOnReminder(db: Db, a: WorkActor, key: ReminderKey, body: ReminderAction): Promise<Reminder> {
  const asOf = await today(db);
  const k = { customer_id: key.customerId, event: key.event, occurrence: key.occurrence };
  const staffId = me(a.user);
  return db.transaction(async (s) => {
    // a reminder about a customer the owner no longer sees (re-assigned, recalled) is answered as none
    const r = (await visibleAmong(s, a.user, [key.customerId])).size ? await q.reminderOf(s, staffId, k, true) : undefined;
    if (!r) throw notFound();
    const by = a.user.login;
    switch (body.action) {
      case 'done':
      case 'dismiss': {
        const reason = body.action === 'dismiss' ? dismissReason(body.reason) : null;
        if (r.status !== 'open') throw conflict('这条提醒已关闭。', 'This reminder is closed already.');
        await q.updateReminder(s, staffId, k, { status: body.action === 'done' ? 'done' : 'dismissed', snoozedUntil: r.snoozed_until, closedReason: reason, closedBy: by, closed: true });
        break;
      }
      case 'snooze': {
        const latest = addDays(asOf, SNOOZE_MAX_DAYS);
        if (body.until <= asOf || body.until > latest) {
          throw new AppError('bad_request', text(`请选择今天（${asOf}）之后 ${SNOOZE_MAX_DAYS} 天内的日期。`, `Pick a date after today (${asOf}), at most ${SNOOZE_MAX_DAYS} days ahead.`), {
            until: text(`须在 ${addDays(asOf, 1)} 至 ${latest} 之间`, `must be from ${addDays(asOf, 1)} to ${latest}`),
          });
        }
        if (r.status !== 'open') throw conflict('已关闭的提醒不能推迟，请先重新打开。', 'A closed reminder cannot be snoozed; reopen it first.');
        await q.updateReminder(s, staffId, k, { status: 'open', snoozedUntil: body.until, closedReason: null, closedBy: null, closed: false });
        break;
      }
      case 'reopen': {
        if (r.status === 'expired') throw conflict('这条提醒已过期，不能重新打开。', 'This reminder has expired and cannot be reopened.');
        await q.updateReminder(s, staffId, k, { status: 'open', snoozedUntil: null, closedReason: null, closedBy: null, closed: false });
        break;
      }
    }
    const after = await q.reminderOf(s, staffId, k);
    if (!after) throw notFound();
    return presentReminder(after, a.user, a.lang);
  });
}
