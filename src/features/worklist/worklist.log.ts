import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { viewName } from '../../platform/pii.js';
import { can, piiViewOf } from '../access/access.permissions.js';
import type { SignedInUser } from '../access/access.service.js';
import { requireCustomer } from '../access/access.scope.js';
import type { StaffRow } from '../ownership/ownership.sql.js';
import { addDays, chinaDay, daysBetween, me, staffByIds, staffRefOr, today, worklistOwner, type WorkActor } from './worklist.common.js';
import type { Contact, ContactBody } from './worklist.contract.js';
import * as l from './worklist.log.sql.js';
import * as q from './worklist.sql.js';
import { reminderSummary, tierLabel } from './worklist.summary.js';

// The work log: a contact recorded in one transaction with what it carries out (the linked
// reminders and work tasks closed, the plan item contacted); a manager's calendar; and the
// customer's timeline on the 360 page.

export const LOG_MAX_DAYS = 62;
const LOG_CAP = 5000;

function presentContact(c: l.ContactRow, staff: Map<string, StaffRow>, closed: { event: string; occurrence: string; kind: q.ReminderRow['kind']; facts: Record<string, unknown> }[], user: SignedInUser, lang: Lang): Contact {
  return {
    contactId: c.contact_id,
    customer: { customerId: c.customer_id, name: viewName(piiViewOf(user.role), c.customer_name) },
    staff: staffRefOr(staff, c.staff_id),
    contactedAt: new Date(c.contacted_at).toISOString(),
    channel: c.channel,
    outcome: c.outcome,
    notes: c.notes,
    nextContactOn: c.next_contact_on,
    source: c.source,
    closedReminders: closed.map((r) => ({ event: r.event, occurrence: r.occurrence, kind: r.kind, summary: reminderSummary(r.event, r.facts, lang, piiViewOf(user.role)) })),
  };
}

/** Records a contact of the signed-in staff member and closes what it carries out, in one transaction. */
export async function recordContact(db: Db, a: WorkActor, body: ContactBody, now = new Date()): Promise<Contact> {
  const at = body.contactedAt ? new Date(body.contactedAt) : now;
  // a minute of leeway for a browser clock slightly ahead of the server's
  if (at.getTime() > now.getTime() + 60_000) {
    throw new AppError('bad_request', text('联络时间不能晚于现在。', 'The contact cannot be in the future.'), { contactedAt: text('不能晚于现在', 'must not be in the future') });
  }
  const day = chinaDay(at);
  if (body.nextContactOn !== undefined && body.nextContactOn <= day) {
    throw new AppError('bad_request', text('下次联络日期须在本次联络之后。', 'The next contact date must be after the day of this contact.'), {
      nextContactOn: text(`须晚于 ${day}`, `must be after ${day}`),
    });
  }
  const notes = body.notes?.trim() || null;
  await requireCustomer(db, a.user, body.customerId);
  const staffId = me(a.user);
  return db.transaction(async (s) => {
    // an owner logs contacts with their own customers; a reviewer (branch head) with any in scope
    if (!can(a.user.role, 'worklist.review') && !(await q.ownedOf(s, staffId, [body.customerId])).has(body.customerId)) {
      throw new AppError('not_found', text('没有这位客户，或不是您管户的客户。', 'There is no such customer of yours.'));
    }
    const keys = body.reminders.map((r) => ({ customer_id: body.customerId, event: r.event, occurrence: r.occurrence }));
    if (keys.length) {
      const found = await l.remindersKeys(s, staffId, body.customerId, keys);
      const missing = keys.filter((k) => !found.some((f) => f.event === k.event && f.occurrence === k.occurrence));
      if (missing.length) {
        throw new AppError('not_found', text('有的提醒不存在，或不是您的。', 'Some reminders are not yours or do not exist.'), {
          reminders: text(`找不到：${missing.map((m) => m.event).join('、')}`, `not found: ${missing.map((m) => m.event).join(', ')}`),
        });
      }
    }
    const contactId = await l.insertContact(s, {
      customerId: body.customerId,
      staffId,
      contactedAt: at.toISOString(),
      channel: body.channel,
      outcome: body.outcome,
      notes,
      nextContactOn: body.nextContactOn ?? null,
      source: body.source,
    });
    const closed = await l.closeByContact(s, staffId, body.customerId, keys, contactId, a.user.login);
    await l.markPlanContacted(s, staffId, body.customerId, contactId);
    const row = await l.contactById(s, body.customerId, contactId);
    if (!row) throw new Error('the contact was not written');
    return presentContact(row, await staffByIds(s, [staffId]), closed, a.user, a.lang);
  });
}

/** A staff member's log by China-time day from one date to another (at most 62 days). */
export async function workLog(db: Db, a: WorkActor, f: { from: string; to: string; staffId?: string | undefined }) {
  const span = daysBetween(f.from, f.to);
  if (span < 0 || span + 1 > LOG_MAX_DAYS) {
    throw new AppError('bad_request', text(`请选择不超过 ${LOG_MAX_DAYS} 天的日期范围。`, `Choose a range of at most ${LOG_MAX_DAYS} days.`), {
      to: text(`须在 ${f.from} 之后 ${LOG_MAX_DAYS} 天内`, `must be on or after ${f.from}, within ${LOG_MAX_DAYS} days`),
    });
  }
  return db.session(async (s) => {
    const owner = await worklistOwner(s, a.user, f.staffId);
    const rows = await l.contactsOf(s, owner.staff_id, `${f.from}T00:00:00+08:00`, `${addDays(f.to, 1)}T00:00:00+08:00`, LOG_CAP);
    const closed = await l.closedByContacts(s, rows.map((r) => r.contact_id));
    const staff = await staffByIds(s, [owner.staff_id]);
    const perDay = new Map<string, number>();
    for (const r of rows) perDay.set(chinaDay(new Date(r.contacted_at)), (perDay.get(chinaDay(new Date(r.contacted_at))) ?? 0) + 1);
    return {
      days: Array.from({ length: span + 1 }, (_, i) => addDays(f.from, i)).map((date) => ({ date, contacts: perDay.get(date) ?? 0 })),
      items: rows.map((r) => presentContact(r, staff, closed.filter((c) => c.contact_id === r.contact_id), a.user, a.lang)),
    };
  });
}

const CHANNEL: Record<string, { zh: string; en: string }> = {
  phone: { zh: '电话', en: 'phone' },
  sms: { zh: '短信', en: 'SMS' },
  visit: { zh: '上门拜访', en: 'visit' },
  branch: { zh: '网点面谈', en: 'at the branch' },
  wechat: { zh: '微信', en: 'WeChat' },
  other: { zh: '其他', en: 'other' },
};
export const OUTCOME: Record<string, { zh: string; en: string }> = {
  reached: { zh: '已联系上', en: 'reached' },
  not_reached: { zh: '未联系上', en: 'not reached' },
  interested: { zh: '有意向', en: 'interested' },
  declined: { zh: '无意向', en: 'declined' },
  appointment: { zh: '已预约', en: 'appointment made' },
  product_sold: { zh: '已成交', en: 'product sold' },
  service_done: { zh: '已完成服务', en: 'service done' },
};
export const channelLabel = (c: string) => CHANNEL[c] ?? { zh: c, en: c };
export const outcomeLabel = (o: string | null) => (o ? (OUTCOME[o] ?? { zh: o, en: o }) : null);
const STATUS: Record<string, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'open' },
  done: { zh: '已完成', en: 'done' },
  dismissed: { zh: '已忽略', en: 'dismissed' },
  expired: { zh: '已过期', en: 'expired' },
};
const TIMELINE_CAP = 200;

/** The customer's timeline (360 page): contacts, reminders of any owner and tier changes, newest first. */
export async function customerTimeline(db: Db, user: SignedInUser, lang: Lang, customerId: string) {
  const view = await requireCustomer(db, user, customerId);
  return db.session(async (s) => {
    const [contacts, reminders, tiers, next] = [
      await l.customerContacts(s, customerId, TIMELINE_CAP),
      await l.customerReminders(s, customerId, TIMELINE_CAP),
      await l.tierChanges(s, customerId, TIMELINE_CAP),
      await l.nextContactOn(s, customerId),
    ];
    const staff = await staffByIds(s, [...contacts.map((c) => c.staff_id), ...reminders.map((r) => r.staff_id)]);
    const model = (m: string) => (m === 'aum_band' ? text('AUM 分层', 'AUM band') : text('客户层级', 'Relationship tier'));
    const items = [
      ...contacts.map((c) => {
        const ch = channelLabel(c.channel)[lang];
        const out = outcomeLabel(c.outcome)?.[lang];
        return {
          at: new Date(c.contacted_at).toISOString(),
          type: 'contact' as const,
          title: lang === 'zh' ? `联络（${ch}）${out ? `：${out}` : ''}` : `Contact (${ch})${out ? `: ${out}` : ''}`,
          detail: c.notes,
          staff: staffRefOr(staff, c.staff_id),
        };
      }),
      ...reminders.map((r) => ({
        at: r.first_date,
        type: 'reminder' as const,
        title: reminderSummary(r.event, r.facts, lang, view),
        detail: `${STATUS[r.status]?.[lang] ?? r.status}${r.closed_reason ? `${lang === 'zh' ? '：' : ': '}${r.closed_reason}` : ''}`,
        staff: staffRefOr(staff, r.staff_id),
      })),
      ...tiers.map((t) => ({
        at: t.business_date,
        type: 'tier_change' as const,
        title: `${model(t.model)[lang]}${lang === 'zh' ? '：' : ': '}${tierLabel(t.model, t.from_tier)[lang]} → ${tierLabel(t.model, t.to_tier)[lang]}`,
        detail: null,
        staff: null,
      })),
    ];
    // a date sorts as the start of its day: a contact later that day comes first
    items.sort((x, y) => (y.at > x.at ? 1 : y.at < x.at ? -1 : 0));
    return { items: items.slice(0, TIMELINE_CAP), nextContactOn: next };
  });
}
