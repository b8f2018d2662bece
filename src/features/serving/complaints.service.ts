import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskName, maskPhone } from '../../platform/pii.js';
import { customerNotFound, customerScope, rowScopeSql, visibleAmong } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { can } from '../access/access.permissions.js';
import { staffById, staffByIds } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import { me, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import type { Answer, Channel, Complaint, ComplaintDetail, RootCause } from './complaints.contract.js';
import * as q from './complaints.sql.js';

// Complaints (投诉, issue 22 §1; POLICIES "Complaints"): any staff member records one (a customer,
// or a non-customer's name and phone) and owns it as first responder until a hand-over with a
// reason. Due times by the customer's band at receipt, in calendar time. Past a limit it escalates
// to the branch head, past the resolution limit by 50% to the department: computed in SQL from the
// time of the request on every read and write (and by the daily batch), so the red list is right
// the moment it is read. Reading follows the customer's scope; the owner always reads theirs.

/** ISO 8601 in China time: 2026-12-05T10:30:00+08:00. */
export function chinaTime(v: Date | string): string;
export function chinaTime(v: Date | string | null): string | null;
export function chinaTime(v: Date | string | null): string | null {
  if (v === null) return null;
  const d = v instanceof Date ? v : new Date(v);
  return `${new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });
const notFound = () => new AppError('not_found', text('没有这件投诉，或它不在您的权限范围内。', 'There is no such complaint within your scope.'));
const conflict = (zh: string, en: string) => new AppError('conflict', text(zh, en));

const newId = (now: Date) => `TS${chinaTime(now).slice(0, 10).replace(/-/g, '')}${randomBytes(4).toString('hex').toUpperCase()}`;

function textIn(field: string, v: string | undefined, label: { zh: string; en: string }, min: number, max: number): string {
  const t = v?.trim() ?? '';
  if ([...t].length < min || [...t].length > max) throw bad(field, `请填写${label.zh}（${min}–${max} 个字）。`, `Give the ${label.en} (${min} to ${max} characters).`);
  return t;
}

/** Runs the escalation at `now` (every read and write does, before answering). */
export async function escalate(db: Db, now: Date = new Date()): Promise<number> {
  const day = await businessToday(db);
  return db.transaction((s) => q.escalateComplaints(s, now, day));
}

/**
 * Which complaints the user reads, as SQL on alias k: the ones they own; a customer's within
 * their customer scope; a non-customer's of their branches (a branch head's subtree, the
 * department all; those who see only their own customers: only their own).
 */
function readSql(user: SignedInUser, params: unknown[]): string {
  params.push(me(user));
  const mine = `k.owner_id = $${params.length}`;
  const scope = customerScope(user);
  const customer = `(k.customer_id <> '' AND ${rowScopeSql(scope, 'k.customer_id', params)})`;
  if (scope.ownerId !== null) return `(${mine} OR ${customer})`;
  let other = 'true';
  if (scope.branches) {
    params.push([...scope.branches]);
    other = `k.branch_id = ANY($${params.length}::text[])`;
  }
  return `(${mine} OR ${customer} OR (k.customer_id = '' AND ${other}))`;
}

async function present(s: SqlSession, user: SignedInUser, rows: q.ComplaintRow[]): Promise<Complaint[]> {
  const staff = await staffByIds(s, rows.flatMap((r) => [r.owner_id, r.recorded_by]));
  const visible = await visibleAmong(s, user, rows.map((r) => r.customer_id).filter(Boolean));
  const masked = user.masked;
  return rows.map((r) => ({
    complaintId: r.complaint_id,
    customer: r.customer_id
      ? { customerId: r.customer_id, name: r.customer_name === null ? null : visible.has(r.customer_id) && !masked ? r.customer_name : maskName(r.customer_name) }
      : null,
    person: r.customer_id ? null : { name: r.person_name === null ? null : masked ? maskName(r.person_name) : r.person_name, phone: maskPhone(r.person_phone) },
    channel: r.channel as Channel,
    category: r.category,
    description: r.description,
    branch: { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    band: r.band,
    receivedAt: chinaTime(r.received_at),
    first_response_due: chinaTime(r.first_response_due),
    resolution_due: chinaTime(r.resolution_due),
    firstResponseAt: chinaTime(r.first_response_at),
    resolvedAt: chinaTime(r.resolved_at),
    closedAt: chinaTime(r.closed_at),
    status: r.status as Complaint['status'],
    dueState: r.due_state as Complaint['dueState'],
    customerAnswer: r.customer_answer as Answer | null,
    reopenedOnce: r.reopened_once,
    rootCause: r.root_cause as RootCause | null,
    escalation: r.escalation as Complaint['escalation'],
    escalationReason: r.escalation_reason as Complaint['escalationReason'],
    escalatedAt: chinaTime(r.escalated_at),
    owner: staffRefOr(staff, r.owner_id),
    recordedBy: staffRefOr(staff, r.recorded_by),
  }));
}

async function findReadable(s: SqlSession, user: SignedInUser, complaintId: string, now: Date): Promise<q.ComplaintRow> {
  const params: unknown[] = [now.getTime() / 1000, complaintId];
  const r = await s.query<q.ComplaintRow>(`${q.SELECT_COMPLAINT('to_timestamp($1::float8)')} WHERE k.complaint_id = $2 AND ${readSql(user, params)}`, params);
  const row = r.rows[0];
  if (!row) throw notFound();
  return row;
}

async function detail(s: SqlSession, user: SignedInUser, row: q.ComplaintRow): Promise<ComplaintDetail> {
  const [c] = await present(s, user, [row]);
  if (!c) throw notFound();
  const notes = await s.query<{ note_id: string; kind: string; body: string; answer: string | null; written_by: string; written_at: Date | string }>(
    `SELECT note_id, kind, body, answer, written_by, written_at FROM complaint_notes WHERE customer_id = $1 AND complaint_id = $2 ORDER BY written_at, note_id`,
    [row.customer_id, row.complaint_id],
  );
  const hands = await s.query<{ from_staff: string; to_staff: string; reason: string; handed_by: string; handed_at: Date | string }>(
    `SELECT from_staff, to_staff, reason, handed_by, handed_at FROM complaint_handovers WHERE customer_id = $1 AND complaint_id = $2 ORDER BY handed_at, handover_id`,
    [row.customer_id, row.complaint_id],
  );
  const staff = await staffByIds(s, [...notes.rows.map((n) => n.written_by), ...hands.rows.flatMap((h) => [h.from_staff, h.to_staff, h.handed_by])]);
  return {
    ...c,
    notes: notes.rows.map((n) => ({ noteId: n.note_id, kind: n.kind as 'response', body: n.body, answer: n.answer as Answer | null, writtenBy: staffRefOr(staff, n.written_by), writtenAt: chinaTime(n.written_at) })),
    handovers: hands.rows.map((h) => ({ from: staffRefOr(staff, h.from_staff), to: staffRefOr(staff, h.to_staff), reason: h.reason, handedBy: staffRefOr(staff, h.handed_by), handedAt: chinaTime(h.handed_at) })),
  };
}

const audit = (s: SqlSession, a: WorkActor, action: string, customerId: string, detail: Record<string, unknown>, reason: string | null = null) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, customerIds: customerId ? [customerId] : [], outcome: 'allowed', reason, detail });

export interface CreateComplaint {
  channel: Channel;
  customerId?: string | undefined;
  personName?: string | undefined;
  personPhone?: string | undefined;
  category: string;
  description: string;
  receivedAt?: string | undefined;
}

/** Parses a received time: ISO 8601 (a time without zone is China time), not in the future, at most a year back. */
function receivedAt(v: string | undefined, now: Date): Date {
  if (!v) return now;
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}+08:00`;
  const d = new Date(withZone);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw bad('receivedAt', '收到时间的格式应为 2026-12-05T09:30（中国时间）。', 'The time received should look like 2026-12-05T09:30 (China time).');
  }
  if (d.getTime() > now.getTime() + 60_000) throw bad('receivedAt', '收到时间不能晚于现在。', 'The time received cannot be in the future.');
  if (d.getTime() < now.getTime() - 366 * 86_400_000) throw bad('receivedAt', '收到时间不能早于一年前。', 'The time received cannot be more than a year ago.');
  return d;
}

/** Records a complaint; the recorder owns it. A customer must exist (any staff member records one met at the counter). */
export async function createComplaint(db: Db, a: WorkActor, body: CreateComplaint, now = new Date()): Promise<ComplaintDetail> {
  const staffId = me(a.user);
  if (!staffId) throw new AppError('forbidden', text('只有员工可以登记投诉。', 'Only staff members record complaints.'));
  const description = textIn('description', body.description, { zh: '投诉内容', en: 'description' }, 2, 2000);
  const at = receivedAt(body.receivedAt, now);
  const customerId = body.customerId?.trim() ?? '';
  let personName: string | null = null;
  let personPhone: string | null = null;
  let branchId = a.user.branchId ?? '';
  if (customerId) {
    const c = await db.session((s) => s.query<{ branch_id: string }>(`SELECT branch_id FROM customers WHERE customer_id = $1`, [customerId]));
    const row = c.rows[0];
    if (!row) throw new AppError('not_found', text('没有这位客户，请核对客户号。', 'There is no such customer: check the customer number.'), { customerId: text('客户号不存在', 'no such customer') });
    branchId = row.branch_id;
  } else {
    personName = textIn('personName', body.personName, { zh: '投诉人姓名', en: "complainant's name" }, 1, 60);
    const phone = (body.personPhone ?? '').replace(/[\s-]/g, '');
    if (!/^1\d{10}$/.test(phone) && !/^0\d{9,11}$/.test(phone)) throw bad('personPhone', '请填写投诉人的手机号（11 位）或座机号。', "Give the complainant's mobile (11 digits) or landline number.");
    personPhone = phone;
  }
  const complaintId = newId(now);
  const day = await businessToday(db);
  await db.transaction(async (s) => {
    const band = await q.bandOf(s, customerId);
    await q.insertComplaint(s, { complaintId, customerId, channel: body.channel, category: body.category, description, personName, personPhone, branchId, band, receivedAt: at, by: staffId });
    await q.openComplaintReminder(s, { customerId, complaintId, channel: body.channel, category: body.category, businessDate: day });
    await audit(s, a, 'complaint_record', customerId, { complaintId, channel: body.channel, category: body.category });
  });
  await escalate(db, now);
  return db.session(async (s) => detail(s, a.user, await findReadable(s, a.user, complaintId, now)));
}

export async function getComplaint(db: Db, user: SignedInUser, complaintId: string, now = new Date()): Promise<ComplaintDetail> {
  await escalate(db, now);
  return db.session(async (s) => detail(s, user, await findReadable(s, user, complaintId, now)));
}

/** The complaints the user reads (open by default), the most urgent first. */
export async function listComplaints(db: Db, user: SignedInUser, f: { status?: 'open' | 'closed' | 'all' | undefined; mine?: boolean | undefined }, now = new Date()) {
  await escalate(db, now);
  const params: unknown[] = [now.getTime() / 1000];
  const where = [f.mine ? `k.owner_id = $${params.push(me(user))}` : readSql(user, params)];
  if ((f.status ?? 'open') === 'open') where.push(`k.status <> 'closed'`);
  if (f.status === 'closed') where.push(`k.status = 'closed'`);
  return db.session(async (s) => {
    const r = await s.query<q.ComplaintRow>(`${q.SELECT_COMPLAINT('to_timestamp($1::float8)')} WHERE ${where.join(' AND ')} ORDER BY k.status = 'closed', k.resolution_due, k.complaint_id LIMIT 500`, params);
    return { items: await present(s, user, r.rows) };
  });
}

/** The red list: escalated complaints not closed, within the reader's branches (the department: all). */
export async function escalatedComplaints(db: Db, user: SignedInUser, now = new Date()) {
  await escalate(db, now);
  const params: unknown[] = [now.getTime() / 1000];
  let where = `k.escalation <> 'none' AND k.status <> 'closed'`;
  if (user.scope) {
    params.push([...user.scope]);
    where += ` AND k.branch_id = ANY($${params.length}::text[])`;
  }
  return db.session(async (s) => {
    const r = await s.query<q.ComplaintRow>(
      `${q.SELECT_COMPLAINT('to_timestamp($1::float8)')} WHERE ${where} ORDER BY CASE k.escalation WHEN 'department' THEN 0 ELSE 1 END, k.resolution_due, k.complaint_id LIMIT 500`,
      params,
    );
    return { items: await present(s, user, r.rows) };
  });
}

/** A customer's complaints (the 360 page), newest first; outside the scope 404. */
export async function customerComplaints(db: Db, user: SignedInUser, customerId: string, now = new Date()) {
  const seen = await db.session((s) => visibleAmong(s, user, [customerId]));
  if (!seen.has(customerId)) throw customerNotFound();
  await escalate(db, now);
  return db.session(async (s) => {
    const r = await s.query<q.ComplaintRow>(`${q.SELECT_COMPLAINT('to_timestamp($1::float8)')} WHERE k.customer_id = $2 ORDER BY k.received_at DESC, k.complaint_id`, [now.getTime() / 1000, customerId]);
    return { items: await present(s, user, r.rows) };
  });
}

/** The owner works a complaint; a branch head or the department who reads it may too. */
async function forWork(s: SqlSession, a: WorkActor, complaintId: string, now: Date): Promise<q.ComplaintRow> {
  const row = await findReadable(s, a.user, complaintId, now);
  if (row.owner_id !== me(a.user) && !can(a.user.role, 'complaints.escalated')) {
    throw new AppError('forbidden', text('只有投诉的负责人（或其上级）可以处理这件投诉。', 'Only the complaint’s owner (or a branch head) may work on it.'));
  }
  if (row.status === 'closed') throw conflict('这件投诉已结案。', 'This complaint is closed.');
  return row;
}

/** Works a complaint in a transaction, then answers it as it is now (as the caller saw it before: a hand-over may take it out of their reach). */
async function change(db: Db, a: WorkActor, complaintId: string, now: Date, work: (s: SqlSession, row: q.ComplaintRow) => Promise<void>): Promise<ComplaintDetail> {
  await escalate(db, now);
  const before = await db.transaction(async (s) => {
    const row = await forWork(s, a, complaintId, now);
    await work(s, row);
    return row;
  });
  await escalate(db, now);
  return db.session(async (s) => {
    const r = await s.query<q.ComplaintRow>(`${q.SELECT_COMPLAINT('to_timestamp($1::float8)')} WHERE k.customer_id = $2 AND k.complaint_id = $3`, [now.getTime() / 1000, before.customer_id, before.complaint_id]);
    const row = r.rows[0];
    if (!row) throw notFound();
    return detail(s, a.user, row);
  });
}

const insertNote = (s: SqlSession, row: q.ComplaintRow, kind: string, body: string, answer: string | null, by: string, now: Date) =>
  s.query(`INSERT INTO complaint_notes (customer_id, complaint_id, kind, body, answer, written_by, written_at) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8))`, [
    row.customer_id,
    row.complaint_id,
    kind,
    body,
    answer,
    by,
    now.getTime() / 1000,
  ]);

/** A response or progress note; the first response note sets the first response time. */
export async function addNote(db: Db, a: WorkActor, complaintId: string, body: { kind: 'response' | 'progress'; body: string }, now = new Date()) {
  const note = textIn('body', body.body, { zh: '处理说明', en: 'note' }, 2, 2000);
  return change(db, a, complaintId, now, async (s, row) => {
    if (row.status === 'resolved') throw conflict('这件投诉已解决，请结案。', 'This complaint is resolved: close it.');
    await insertNote(s, row, body.kind, note, null, me(a.user), now);
    if (body.kind === 'response') {
      await s.query(
        `UPDATE complaints SET first_response_at = coalesce(first_response_at, to_timestamp($3::float8)), status = CASE WHEN status = 'open' THEN 'responded' ELSE status END
          WHERE customer_id = $1 AND complaint_id = $2`,
        [row.customer_id, row.complaint_id, now.getTime() / 1000],
      );
    }
    await audit(s, a, 'complaint_note', row.customer_id, { complaintId, kind: body.kind });
  });
}

/**
 * The resolution with the customer's answer: satisfied → resolved (to close with a root cause);
 * unsatisfied the first time → reopened; unsatisfied again → escalated (to the department when it
 * was already with the branch head, else to the branch head).
 */
export async function resolveComplaint(db: Db, a: WorkActor, complaintId: string, body: { body: string; answer: Answer }, now = new Date()) {
  const note = textIn('body', body.body, { zh: '处理结果', en: 'resolution' }, 2, 2000);
  const day = await businessToday(db);
  return change(db, a, complaintId, now, async (s, row) => {
    if (row.status === 'resolved') throw conflict('这件投诉已解决，请结案。', 'This complaint is resolved: close it.');
    await insertNote(s, row, 'resolution', note, body.answer, me(a.user), now);
    const key = [row.customer_id, row.complaint_id, now.getTime() / 1000];
    if (body.answer === 'satisfied') {
      await s.query(
        `UPDATE complaints SET status = 'resolved', customer_answer = 'satisfied', resolved_at = to_timestamp($3::float8), first_response_at = coalesce(first_response_at, to_timestamp($3::float8))
          WHERE customer_id = $1 AND complaint_id = $2`,
        key,
      );
    } else if (!row.reopened_once) {
      await s.query(
        `UPDATE complaints SET status = 'reopened', customer_answer = 'unsatisfied', reopened_once = true, resolved_at = NULL, first_response_at = coalesce(first_response_at, to_timestamp($3::float8))
          WHERE customer_id = $1 AND complaint_id = $2`,
        key,
      );
    } else {
      const level = row.escalation === 'none' ? 'branch_head' : 'department';
      const r = await s.query<{ customer_id: string; complaint_id: string; branch_id: string; escalation: string; escalation_reason: string | null; band: string | null; channel: string; category: string }>(
        `UPDATE complaints SET status = 'escalated', customer_answer = 'unsatisfied', resolved_at = NULL, escalation = $4, escalation_reason = 'unsatisfied_twice', escalated_at = to_timestamp($3::float8)
          WHERE customer_id = $1 AND complaint_id = $2
          RETURNING customer_id, complaint_id, branch_id, escalation, escalation_reason, band, channel, category`,
        [...key, level],
      );
      await q.escalationReminders(s, r.rows, day);
    }
    await audit(s, a, 'complaint_resolve', row.customer_id, { complaintId, answer: body.answer });
  });
}

/** Closing needs the root cause; a complaint is closed once resolved (or after its escalation). */
export async function closeComplaint(db: Db, a: WorkActor, complaintId: string, body: { rootCause: RootCause; body?: string | undefined }, now = new Date()) {
  const note = body.body?.trim() || null;
  return change(db, a, complaintId, now, async (s, row) => {
    if (row.status !== 'resolved' && row.status !== 'escalated') {
      throw conflict('投诉须先取得客户满意的处理结果（或已升级处理）才能结案。', 'A complaint is closed once resolved with the customer satisfied (or after its escalation).');
    }
    if (note) await insertNote(s, row, 'closing', note, null, me(a.user), now);
    await s.query(
      `UPDATE complaints SET status = 'closed', root_cause = $3, closed_at = to_timestamp($4::float8), resolved_at = coalesce(resolved_at, to_timestamp($4::float8)) WHERE customer_id = $1 AND complaint_id = $2`,
      [row.customer_id, row.complaint_id, body.rootCause, now.getTime() / 1000],
    );
    await q.closeComplaintReminders(s, row.customer_id, row.complaint_id, me(a.user));
    await audit(s, a, 'complaint_close', row.customer_id, { complaintId, rootCause: body.rootCause });
  });
}

/** Hands the complaint to another active staff member, with a reason (audited). */
export async function handOver(db: Db, a: WorkActor, complaintId: string, body: { toStaffId: string; reason: string }, now = new Date()) {
  const reason = textIn('reason', body.reason, { zh: '移交原因', en: 'reason for the hand-over' }, 2, 500);
  return change(db, a, complaintId, now, async (s, row) => {
    const to = await staffById(s, body.toStaffId);
    if (!to || !to.active) throw new AppError('not_found', text('没有这位在职员工。', 'There is no such active staff member.'), { toStaffId: text('员工号不存在或已离职', 'no such active staff member') });
    if (to.staff_id === row.owner_id) throw bad('toStaffId', '这件投诉已由这位员工负责。', 'This staff member already owns the complaint.');
    await s.query(`INSERT INTO complaint_handovers (customer_id, complaint_id, from_staff, to_staff, reason, handed_by, handed_at) VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8))`, [
      row.customer_id,
      row.complaint_id,
      row.owner_id,
      to.staff_id,
      reason,
      me(a.user),
      now.getTime() / 1000,
    ]);
    await s.query(`UPDATE complaints SET owner_id = $3 WHERE customer_id = $1 AND complaint_id = $2`, [row.customer_id, row.complaint_id, to.staff_id]);
    await audit(s, a, 'complaint_hand_over', row.customer_id, { complaintId, from: row.owner_id, to: to.staff_id }, reason);
  });
}
