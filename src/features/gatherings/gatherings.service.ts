import { exportAuditEntry, recordAudit, recordAuditDb } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { isCalendarDate } from '../../platform/calendar.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { maskPhone, viewName } from '../../platform/pii.js';
import { streamedSheet } from '../../platform/xlsx.js';
import { customerScope, piiView, rowScopeSql } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { addDays, nextWorkingDay } from '../events/events.calendar.js';
import { approvedTemplate, campaignText } from '../outreach/campaigns.service.js';
import { compareArmsOf, loadedOnOrBefore } from '../outreach/campaigns.sql.js';
import { groupsVisible, takeMembership } from '../outreach/groups.sql.js';
import { businessToday, latestLoadedDate } from '../system/system.service.js';
import { chinaDay, type WorkActor } from '../worklist/worklist.common.js';
import type { GatheringDetail, GatheringSummary, Invitee } from './gatherings.contract.js';
import { DEFAULT_CAPACITY, RESULT_DAYS, VIP_MIN_AUM, type GatheringKind } from './gatherings.policy.js';
import * as q from './gatherings.sql.js';

// Relationship events (客户活动, issue 21 §5). A branch head holds them for their branch, the
// department bank-wide (or for a branch). The invitees are the members of a customer group on the
// latest business date within the organiser's scope, highest AUM first up to the capacity (a VIP
// gathering: AUM of 1,000,000 or more only), kept with the event. The invitation is an SMS
// campaign (a draft approved and sent as any campaign: campaigns.service.ts, every rule of the
// sender) or a call list: a task on each owner's My day and the list as .xlsx. Owners (or the
// organiser) record each answer; at the door the organiser (or an owner) finds an invitee by name
// or the phone's last 4 digits and marks them attended. Closing the event (the organiser, or the
// daily batch the day after) makes the rest no_show and gives each attendee's owner a follow-up
// due the next working day. 30 days on, the result sets the attendees' AUM change beside that of
// the invited who did not come. A manager sees the events inviting their customers, and only
// those invitees; everything is audited.

const notFound = () => new AppError('not_found', text('没有这个客户活动，或它不在您的权限范围内。', 'There is no such relationship event within your scope.'));
const inviteeNotFound = () => new AppError('not_found', text('这位客户不在本活动的邀请名单中，或不在您的权限范围内。', 'This customer is not on the event’s list, or not within your scope.'));
const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const viewerOf = (user: SignedInUser) => ({ staffId: user.staffId ?? user.login, scope: user.scope, ownerId: user.ownerId });

/** The organiser: may invite, answer and mark any invitee, and close it (the head of its branch or above, the department any). */
export const mayManage = (user: SignedInUser, g: { branch_id: string | null }) =>
  user.permissions.includes('gatherings.write') && (user.scope === null || (g.branch_id !== null && user.scope.includes(g.branch_id)));

const audit = (s: SqlSession, a: WorkActor, action: string, detail: Record<string, unknown>, customerIds: string[] = []) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, outcome: 'allowed', customerIds, detail });

/** The event's start in China time as an instant, ISO 8601 with +08:00. */
const startsAtText = (d: Date | string) => {
  const t = new Date(new Date(d).getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 19)}+08:00`;
};

function counts(n: Record<string, number> | undefined): GatheringSummary['counts'] {
  const c = n ?? {};
  const get = (k: string) => c[k] ?? 0;
  return { invitees: Object.values(c).reduce((a, b) => a + b, 0), invited: get('invited'), accepted: get('accepted'), declined: get('declined'), attended: get('attended'), noShow: get('no_show') };
}

function summary(user: SignedInUser, r: q.GatheringRow, n: Record<string, number> | undefined): GatheringSummary {
  return {
    gatheringId: r.gathering_id,
    kind: r.kind,
    title: r.title,
    startsAt: startsAtText(r.starts_at),
    eventDate: r.event_date,
    place: r.place,
    branch: r.branch_id === null ? null : { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    capacity: r.capacity,
    group: { id: r.group_id, name: r.group_name ?? r.group_id },
    takenOn: r.taken_on,
    skipped: { belowVipAum: r.skipped.below_vip_aum ?? 0, overCapacity: r.skipped.over_capacity ?? 0 },
    status: r.status,
    invitedBy: r.invited_by,
    campaignId: r.campaign_id,
    createdBy: { staffId: r.created_by, name: r.creator_name ?? r.created_by },
    counts: counts(n),
    manageable: mayManage(user, r),
  };
}

function invitee(user: SignedInUser, r: q.InviteeRow): Invitee {
  return {
    customerId: r.customer_id,
    name: viewName(piiView(user), r.name),
    phone: maskPhone(r.phone),
    aum: Number(r.aum),
    owner: r.owner_id ? { staffId: r.owner_id, name: r.owner_name ?? r.owner_id } : null,
    state: r.state,
    attendedAt: iso(r.attended_at),
  };
}

async function visible(s: SqlSession, user: SignedInUser, gatheringId: string): Promise<q.GatheringRow> {
  const [r] = await q.gatheringsVisible(s, viewerOf(user), { gatheringId });
  if (!r) throw notFound();
  return r;
}

export async function listGatherings(db: Db, user: SignedInUser, status?: 'planned' | 'closed') {
  return db.session(async (s) => {
    const rows = await q.gatheringsVisible(s, viewerOf(user), status ? { status } : {});
    const n = await q.stateCounts(s, rows.map((r) => r.gathering_id), customerScope(user));
    return { items: rows.map((r) => summary(user, r, n.get(r.gathering_id))) };
  });
}

const arm = (r: { customers: number; aum_before: string; aum_after: string; mean_change: string | null } | undefined) =>
  r
    ? { customers: r.customers, aumBefore: Number(r.aum_before), aumAfter: Number(r.aum_after), meanAumChange: r.mean_change === null ? null : Number(r.mean_change) }
    : { customers: 0, aumBefore: 0, aumAfter: 0, meanAumChange: null };

/** An event with the invitees the user sees, and its result once 30 days have passed. */
export async function gatheringDetail(db: Db, user: SignedInUser, gatheringId: string): Promise<GatheringDetail> {
  const latest = await latestLoadedDate(db);
  return db.session(async (s) => {
    const r = await visible(s, user, gatheringId);
    const scope = customerScope(user);
    const [n, rows] = [await q.stateCounts(s, [gatheringId], scope), await q.inviteesOf(s, gatheringId, scope)];
    const availableOn = addDays(r.event_date, RESULT_DAYS);
    const ready = latest !== null && latest >= availableOn;
    let attendees = null;
    let notAttended = null;
    if (ready) {
      const from = await loadedOnOrBefore(s, r.event_date);
      const to = await loadedOnOrBefore(s, availableOn);
      const params: unknown[] = [null, null, gatheringId];
      const arms = await compareArmsOf<'attendees' | 'not_attended'>(
        s,
        `SELECT i.customer_id, CASE WHEN i.state = 'attended' THEN 'attendees' ELSE 'not_attended' END AS arm
           FROM gathering_invitees i WHERE i.gathering_id = $3 AND ${rowScopeFor(scope, params)}`,
        params.slice(2),
        from,
        to,
      );
      attendees = arm(arms.find((a) => a.arm === 'attendees'));
      notAttended = arm(arms.find((a) => a.arm === 'not_attended'));
    }
    return { ...summary(user, r, n.get(gatheringId)), invitees: rows.map((x) => invitee(user, x)), result: { availableOn, ready, attendees, notAttended } };
  });
}

const rowScopeFor = (scope: ReturnType<typeof customerScope>, params: unknown[]) => rowScopeSql(scope, 'i.customer_id', params);

/** 'YYYY-MM-DDTHH:mm' in China time: the instant and the day, or a 400 naming startsAt. */
function parseStart(v: string): { instant: string; day: string } {
  const day = v.slice(0, 10);
  const [h, m] = [Number(v.slice(11, 13)), Number(v.slice(14, 16))];
  if (!isCalendarDate(day) || h > 23 || m > 59) throw bad('startsAt', '活动时间不是一个存在的日期时间。', 'The start of the event is not a real date and time.');
  return { instant: `${v}:00+08:00`, day };
}

/**
 * An event (planned): its invitees taken from the group on the latest business date within the
 * organiser's scope, highest AUM first up to the capacity, a VIP gathering AUM ≥ 1,000,000 only;
 * the others counted by why they were left out. Audited (gathering_create).
 */
export async function createGathering(
  db: Db,
  a: WorkActor,
  body: { kind: GatheringKind; title: string; startsAt: string; place: string; groupId: string; capacity?: number | undefined; branchId?: string | undefined },
): Promise<GatheringDetail> {
  const user = a.user;
  if (!user.staffId || !user.branchId) throw new AppError('forbidden', text('只有员工可以举办客户活动。', 'Only staff members hold relationship events.'));
  const title = body.title.trim();
  const place = body.place.trim();
  if (!title) throw bad('title', '请填写活动名称。', 'Give the event a title.');
  if (!place) throw bad('place', '请填写活动地点。', 'Say where the event takes place.');
  const start = parseStart(body.startsAt);
  const today = await latestLoadedDate(db);
  if (!today) throw new AppError('conflict', text('还没有载入任何营业日的数据，无法选取分组的客户。', 'No business date is loaded yet: the group has no members to take.'));
  if (start.day < today) throw bad('startsAt', `活动日期（${start.day}）早于当前营业日（${today}）。`, `The event's date (${start.day}) is before the current business date (${today}).`);
  // the branch: a branch head holds it for their own branch (or one under it); the department bank-wide unless it names a branch
  const branchId: string | null = user.scope === null ? (body.branchId ?? null) : (body.branchId ?? user.branchId);
  if (branchId !== null && user.scope !== null && !user.scope.includes(branchId)) throw bad('branchId', '只能为您管辖的网点举办活动。', 'You hold events for the branches you run only.');
  const capacity = body.capacity ?? DEFAULT_CAPACITY[body.kind];
  const minAum = body.kind === 'vip_gathering' ? VIP_MIN_AUM : null;
  await db.session(async (s) => {
    const [group] = await groupsVisible(s, user.staffId ?? '', user.scope, body.groupId);
    if (!group) throw new AppError('not_found', text('没有这个客户分组，或它不在您的权限范围内。', 'There is no such customer group within your scope.'), { groupId: text('不在您的权限范围内', 'not within your scope') });
    if (branchId !== null) {
      const b = await s.query(`SELECT 1 FROM branches WHERE branch_id = $1`, [branchId]);
      if (b.rows.length === 0) throw bad('branchId', `没有编号为 ${branchId} 的网点。`, `There is no branch ${branchId}.`);
    }
  });
  await takeMembership(db, body.groupId, today);
  const id = await db.transaction(async (s) => {
    const chosen = await q.chooseInvitees(s, { groupId: body.groupId, takenOn: today, minAum, capacity }, customerScope(user));
    const skipped = { below_vip_aum: chosen.total - chosen.eligible, over_capacity: chosen.eligible - chosen.chosen.length };
    const made = await s.query<{ gathering_id: string }>(
      `INSERT INTO gatherings (kind, title, starts_at, event_date, place, branch_id, capacity, group_id, taken_on, skipped, created_by)
       VALUES ($1, $2, $3::timestamptz, $4::date, $5, $6, $7, $8, $9::date, $10::jsonb, $11) RETURNING gathering_id`,
      [body.kind, title, start.instant, start.day, place, branchId, capacity, body.groupId, today, JSON.stringify(skipped), user.staffId],
    );
    const gid = made.rows[0]?.gathering_id;
    if (!gid) throw new Error('the event was not written');
    if (chosen.chosen.length > 0) {
      await s.query(
        `INSERT INTO gathering_invitees (customer_id, gathering_id, aum) SELECT x.id, $3, x.aum FROM unnest($1::text[], $2::numeric[]) AS x(id, aum)`,
        [chosen.chosen.map((c) => c.customer_id), chosen.chosen.map((c) => c.aum), gid],
      );
    }
    await audit(s, a, 'gathering_create', { gatheringId: gid, kind: body.kind, title, eventDate: start.day, branchId, groupId: body.groupId, takenOn: today, capacity, invitees: chosen.chosen.length, skipped });
    return gid;
  });
  return gatheringDetail(db, user, id);
}

async function managed(s: SqlSession, user: SignedInUser, gatheringId: string): Promise<q.GatheringRow> {
  const g = await visible(s, user, gatheringId);
  if (!mayManage(user, g)) throw new AppError('forbidden', text('只有活动的举办方（网点负责人或个人金融部）可以这样做。', 'Only the organiser of the event (the branch head, or the department) may do this.'));
  return g;
}

/**
 * The invitation. sms: a campaign (a draft) from an approved template to the invitees who have not
 * declined, approved and sent like any campaign (its page, the head's approval, the sender's
 * rules). call_list: a task on each invitee's owner's My day, due the next working day; the list
 * is downloaded from the call-list route. Audited (gathering_invite; the campaign also campaign_create).
 */
export async function inviteGathering(db: Db, a: WorkActor, gatheringId: string, body: { channel: 'sms' | 'call_list'; templateId?: string | undefined }) {
  const user = a.user;
  const today = await businessToday(db);
  let tasks = 0;
  if (body.channel === 'sms') {
    if (!body.templateId) throw bad('templateId', '短信邀请请选择一个已审批的短信模板。', 'Choose an approved message template for the SMS invitation.');
    const templateId = body.templateId;
    await db.transaction(async (s) => {
      const g = await managed(s, user, gatheringId);
      if (g.status === 'closed') throw new AppError('conflict', text('活动已结束，不能再邀请。', 'The event is closed: no more invitations.'));
      if (g.campaign_id) throw new AppError('conflict', text('这个活动已经建立过短信邀请。', 'The SMS invitation of this event is made already.'), { channel: text('已建立', 'already made') });
      const t = await approvedTemplate(s, user, templateId);
      const message = campaignText(t);
      const name = `${g.title} ${g.event_date} 邀请 ${g.gathering_id.slice(0, 8)}`;
      const made = await s.query<{ campaign_id: string }>(
        `INSERT INTO campaigns (name, kind, text, branch_id, created_by, group_id, template_id, template_version, taken_on, holdout_percent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, 0) ON CONFLICT (name) DO NOTHING RETURNING campaign_id`,
        [name, t.kind, message, g.branch_id, user.staffId ?? user.login, g.group_id, t.template_id, t.version, g.taken_on],
      );
      const campaignId = made.rows[0]?.campaign_id;
      if (!campaignId) throw new AppError('conflict', text(`已有名为“${name}”的群发活动。`, `A campaign named "${name}" already exists.`));
      // every invitee who has not declined (invitees and members co-located: one statement on the workers)
      const members = await s.query(
        `INSERT INTO campaign_members (customer_id, campaign_id, held_out) SELECT i.customer_id, $2, false FROM gathering_invitees i WHERE i.gathering_id = $1 AND i.state <> 'declined'
         ON CONFLICT (customer_id, campaign_id) DO NOTHING RETURNING 1`,
        [gatheringId, campaignId],
      );
      await s.query(`UPDATE gatherings SET campaign_id = $2, invited_by = coalesce(invited_by, 'sms') WHERE gathering_id = $1`, [gatheringId, campaignId]);
      await audit(s, a, 'campaign_create', { campaignId, name, groupId: g.group_id, templateId: t.template_id, version: t.version, takenOn: g.taken_on, members: members.rows.length, holdoutPercent: 0, gatheringId });
      await audit(s, a, 'gathering_invite', { gatheringId, channel: 'sms', campaignId, members: members.rows.length });
    });
  } else {
    await db.transaction(async (s) => {
      const g = await managed(s, user, gatheringId);
      if (g.status === 'closed') throw new AppError('conflict', text('活动已结束，不能再邀请。', 'The event is closed: no more invitations.'));
      tasks = await q.inviteTasks(s, g, today, nextWorkingDay(today));
      await s.query(`UPDATE gatherings SET invited_by = coalesce(invited_by, 'call_list') WHERE gathering_id = $1`, [gatheringId]);
      await audit(s, a, 'gathering_invite', { gatheringId, channel: 'call_list', tasks });
    });
  }
  return { ...(await gatheringDetail(db, user, gatheringId)), tasks };
}

/** An invitee the user may act on: the organiser any (within scope), an owner their own customers. */
async function actOn(s: SqlSession, user: SignedInUser, gatheringId: string, customerId: string) {
  const g = await visible(s, user, gatheringId);
  const [row] = await q.inviteesOf(s, gatheringId, customerScope(user), { customerId });
  if (!row) throw inviteeNotFound();
  if (!mayManage(user, g) && user.ownerId === null) throw new AppError('forbidden', text('只有客户的管户经理或活动的举办方可以记录。', "Only the customer's manager or the event's organiser may record this."));
  return { g, row };
}

/** An invitee's answer (accepted, declined, or back to no answer): their owner or the organiser, before the event closes. Audited (gathering_answer). */
export async function answerInvitee(db: Db, a: WorkActor, gatheringId: string, customerId: string, state: 'invited' | 'accepted' | 'declined'): Promise<Invitee> {
  return db.transaction(async (s) => {
    const { g, row } = await actOn(s, a.user, gatheringId, customerId);
    if (g.status === 'closed') throw new AppError('conflict', text('活动已结束，不能再更改答复。', 'The event is closed: answers can no longer change.'), { state: text('活动已结束', 'the event is closed') });
    if (row.state === 'attended') throw new AppError('conflict', text('这位客户已到场签到。', 'This customer has already arrived.'), { state: text('已到场', 'already arrived') });
    if (row.state !== state) {
      await s.query(`UPDATE gathering_invitees SET state = $3, changed_by = $4, changed_at = now() WHERE gathering_id = $1 AND customer_id = $2`, [gatheringId, customerId, state, a.user.staffId ?? a.user.login]);
      await audit(s, a, 'gathering_answer', { gatheringId, from: row.state, to: state }, [customerId]);
    }
    return invitee(a.user, { ...row, state });
  });
}

/** Marked attended at the door (one tap): the organiser or the owner; a second tap changes nothing. Audited (gathering_attend). */
export async function markAttended(db: Db, a: WorkActor, gatheringId: string, customerId: string): Promise<Invitee> {
  return db.transaction(async (s) => {
    const { g, row } = await actOn(s, a.user, gatheringId, customerId);
    if (row.state === 'attended') return invitee(a.user, row);
    if (g.status === 'closed') throw new AppError('conflict', text('活动已结束，不能再签到。', 'The event is closed: arrivals can no longer be marked.'));
    const r = await s.query<{ attended_at: Date }>(
      `UPDATE gathering_invitees SET state = 'attended', attended_at = now(), changed_by = $3, changed_at = now() WHERE gathering_id = $1 AND customer_id = $2 RETURNING attended_at`,
      [gatheringId, customerId, a.user.staffId ?? a.user.login],
    );
    await audit(s, a, 'gathering_attend', { gatheringId, from: row.state }, [customerId]);
    return invitee(a.user, { ...row, state: 'attended', attended_at: r.rows[0]?.attended_at ?? new Date() });
  });
}

/** The door page: invitees found by name or the phone's last 4 digits (at most 20), and arrived against expected. */
export async function door(db: Db, user: SignedInUser, gatheringId: string, search: string | undefined) {
  return db.session(async (s) => {
    const g = await visible(s, user, gatheringId);
    const scope = customerScope(user);
    const n = counts((await q.stateCounts(s, [gatheringId], scope)).get(gatheringId));
    const hits = await q.inviteesOf(s, gatheringId, scope, { ...(search?.trim() ? { search } : {}), limit: 20 });
    return { gatheringId, title: g.title, status: g.status, arrived: n.attended, expected: n.invitees - n.declined, hits: hits.map((h) => invitee(user, h)) };
  });
}

/** When an event's follow-ups are due: the working day after it. */
export const followUpDue = (eventDate: string) => nextWorkingDay(addDays(eventDate, 1));

/** Closes an event (the organiser): the rest become no_show, each attendee's owner gets a follow-up. Audited (gathering_close). */
export async function closeGathering(db: Db, a: WorkActor, gatheringId: string, now: Date = new Date()): Promise<GatheringDetail> {
  const today = await businessToday(db);
  await db.transaction(async (s) => {
    const g = await managed(s, a.user, gatheringId);
    if (g.status === 'closed') return;
    const latestDay = chinaDay(now) > today ? chinaDay(now) : today;
    if (g.event_date > latestDay) throw new AppError('conflict', text(`活动（${g.event_date}）还没有举行，不能结束。`, `The event (${g.event_date}) has not taken place yet: it cannot be closed.`));
    await q.closeEvents(s, a.user.staffId ?? a.user.login, { gatheringId });
    const made = await q.followUps(s, [{ id: gatheringId, due: followUpDue(g.event_date) }], today);
    await audit(s, a, 'gathering_close', { gatheringId, followUps: made });
  });
  return gatheringDetail(db, a.user, gatheringId);
}

/** The call list as .xlsx: the invitees the user sees (an owner: their own), by owner, phones masked. Audited as an export. */
export async function callListWorkbook(db: Db, user: SignedInUser, gatheringId: string, lang: Lang, ip: string | null) {
  const en = lang === 'en';
  const { g, rows } = await db.session(async (s) => {
    const g = await visible(s, user, gatheringId);
    return { g, rows: await q.inviteesOf(s, gatheringId, customerScope(user)) };
  });
  const STATE: Record<string, [string, string]> = { invited: ['未答复', 'No answer'], accepted: ['接受', 'Accepted'], declined: ['谢绝', 'Declined'], attended: ['已到场', 'Attended'], no_show: ['未到场', 'No show'] };
  const sheet = streamedSheet(en ? 'Call list' : '邀请名单', [
    { header: en ? 'Owner' : '管户经理', kind: 'text' },
    { header: en ? 'Customer number' : '客户号', kind: 'text' },
    { header: en ? 'Name' : '姓名', kind: 'text' },
    { header: en ? 'Phone (masked)' : '手机（脱敏）', kind: 'text' },
    { header: en ? 'AUM (yuan)' : 'AUM（元）', kind: 'yuan' },
    { header: en ? 'Answer' : '答复', kind: 'text' },
  ]);
  const sorted = [...rows].sort((x, y) => (x.owner_name ?? '').localeCompare(y.owner_name ?? '') || Number(y.aum) - Number(x.aum));
  for (const r of sorted) {
    const v = invitee(user, r);
    sheet.add([r.owner_name ?? (en ? '(no owner)' : '（无管户）'), v.customerId, v.name, v.phone ?? '', r.aum, STATE[r.state]?.[en ? 1 : 0] ?? r.state]);
  }
  const body = await sheet.finish();
  await recordAuditDb(db, exportAuditEntry(user, ip, { customerIds: rows.map((r) => r.customer_id), detail: { what: 'gathering_call_list', gatheringId, rows: rows.length } }));
  return {
    body,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename: `${en ? 'Call list' : '邀请名单'}_${g.title}_${g.event_date}.xlsx`,
    asciiName: `call_list_${g.event_date}.xlsx`,
  };
}
