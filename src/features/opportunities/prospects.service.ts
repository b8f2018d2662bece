import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskIdNumber, maskPhone, viewName } from '../../platform/pii.js';
import { can, type Role } from '../access/access.permissions.js';
import { piiView } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { idNumber, isProblem, mobile } from '../feed/feed.values.js';
import { revealOf } from '../pii/pii.service.js';
import type { RevealBody } from '../pii/pii.contract.js';
import { chinaDay, me, staffByIds, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import type { CreateProspectBody, Prospect, ProspectContactBody, UpdateProspectBody } from './opportunities.contract.js';
import { context, presentAll, required } from './opportunities.service.js';
import * as o from './opportunities.sql.js';
import * as q from './prospects.sql.js';

// Prospects (递进沟通表, issue 19 §4): people who are not customers yet — name, phone, source,
// notes, owner — with the same contact log and opportunities as customers. Their phone and ID
// number are personal data: masked in every answer, revealed only with a reason (audited, the same
// reveal as a customer's). A manager sees their own, a branch head their branches', the department
// all; only the owner changes one. The daily batch turns one into the customer it becomes
// (opportunities.batch.ts).

const notFound = () => new AppError('not_found', text('没有这位潜在客户，或不在您的权限范围内。', 'There is no such prospect within your scope.'));
const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

function present(r: q.ProspectRow, user: SignedInUser, open: number): Prospect {
  return {
    prospectId: r.prospect_id,
    name: viewName(piiView(user), r.name),
    phone: maskPhone(r.phone),
    idNumber: maskIdNumber(r.id_number),
    source: r.source as Prospect['source'],
    notes: r.notes,
    owner: { staffId: r.owner_id, name: r.owner_name ?? r.owner_id, role: (r.owner_role ?? 'customer_manager') as Role },
    branch: { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    status: r.status as Prospect['status'],
    convertedCustomerId: r.converted_customer,
    convertedOn: r.converted_on,
    createdAt: new Date(r.created_at).toISOString(),
    contacts: r.contacts,
    lastContactAt: r.last_contact_at ? new Date(r.last_contact_at).toISOString() : null,
    nextContactOn: r.next_contact_on,
    openOpportunities: open,
  };
}

/** A phone as the feed keeps it (11 digits), or a 400 at the field. */
function phoneOf(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v.trim() === '') return null;
  const checked = mobile()(v.trim(), { businessDate: '' });
  if (checked === null || isProblem(checked)) throw bad('phone', '手机号码应为 11 位大陆手机号。', 'The phone must be a mainland mobile number (11 digits).');
  return checked;
}
/** An ID number as the feed keeps it (18 characters), or a 400 at the field. */
function idOf(v: string | null | undefined): string | null {
  if (v === null || v === undefined || v.trim() === '') return null;
  const checked = idNumber()(v.trim(), { businessDate: '' });
  if (checked === null) return null;
  if (isProblem(checked)) {
    if (checked.warning && checked.keep) return checked.keep;
    throw bad('idNumber', '证件号码应为 18 位居民身份证号码。', 'The ID number must be an 18-character resident ID number.');
  }
  return checked;
}

export async function listProspects(db: Db, a: WorkActor, f: { status: string; staffId?: string | undefined; q?: string | undefined; page: number; pageSize: number }) {
  return db.session(async (s) => {
    if (f.staffId !== undefined && f.staffId !== me(a.user) && !can(a.user.role, 'opportunities.review')) {
      throw new AppError('forbidden', text('您只能查看自己的潜在客户。', 'You can only read your own prospects.'));
    }
    const ownerId = f.staffId ?? null;
    const r = await q.listProspects(s, a.user, { status: f.status, ownerId, q: f.q?.trim() || null, limit: f.pageSize, offset: (f.page - 1) * f.pageSize });
    const open = await q.openOpportunities(s, r.rows.map((x) => x.prospect_id));
    return { items: r.rows.map((x) => present(x, a.user, open.get(x.prospect_id) ?? 0)), total: r.total };
  });
}

export async function getProspect(db: Db, a: WorkActor, prospectId: string) {
  const c = await context(db, a);
  return db.session(async (s) => {
    const row = await q.prospectVisible(s, a.user, prospectId);
    if (!row) throw notFound();
    const contacts = await q.contactsOfProspect(s, prospectId);
    const staff = await staffByIds(s, contacts.map((x) => x.staff_id));
    const opps = await o.listOpportunities(s, a.user, { ownerId: null, customerId: null, prospectId, stage: null, status: 'all', stale: null, dueBy: null, sort: 'created_at' }, c.asOf, { limit: 100, offset: 0 });
    const open = await q.openOpportunities(s, [prospectId]);
    return {
      ...present(row, a.user, open.get(prospectId) ?? 0),
      contactLog: contacts.map((x) => presentContact(x, staff)),
      opportunities: await presentAll(s, opps.rows, c),
    };
  });
}

const presentContact = (x: q.ProspectContactRow, staff: Awaited<ReturnType<typeof staffByIds>>) => ({
  contactId: x.contact_id,
  staff: staffRefOr(staff, x.staff_id),
  contactedAt: new Date(x.contacted_at).toISOString(),
  channel: x.channel,
  outcome: x.outcome,
  notes: x.notes,
  nextContactOn: x.next_contact_on,
});

async function checkNotKnown(db: Db, p: { name: string; phone: string | null; idNumber: string | null }, except: string | null): Promise<void> {
  await db.session(async (s) => {
    if (await q.sameProspect(s, p.phone, p.idNumber, except)) {
      throw new AppError('conflict', text('这位潜在客户已登记（同一手机号或证件号码）。', 'This person is registered as a prospect already (same phone or ID number).'));
    }
    if (p.phone && (await q.customerWithPhoneAndName(s, p.phone, p.name))) {
      throw new AppError('conflict', text('本行已有同名同手机号的客户，无需登记为潜在客户。', 'The bank has a customer of this name and phone already: no need to register a prospect.'));
    }
  });
}

export async function createProspect(db: Db, a: WorkActor, body: CreateProspectBody) {
  const name = required('name', body.name, 40, { zh: '姓名', en: 'name' });
  const phone = phoneOf(body.phone);
  const id = idOf(body.idNumber);
  if (!phone && !id) throw bad('phone', '请填写手机号码（或证件号码）。', 'Give the phone (or the ID number).');
  await checkNotKnown(db, { name, phone, idNumber: id }, null);
  const prospectId = await db.transaction((s) =>
    q.insertProspect(s, { name, phone, idNumber: id, source: body.source, notes: body.notes?.trim() || null, ownerId: me(a.user), branchId: a.user.branchId ?? '', by: me(a.user) }),
  );
  return getProspect(db, a, prospectId);
}

/** The prospect, for its owner to change; a reviewer who sees it is told only the owner may (403). */
async function ownedProspect(db: Db, user: SignedInUser, prospectId: string) {
  const row = await db.session((s) => q.prospectVisible(s, user, prospectId));
  if (!row) throw notFound();
  if (row.owner_id !== me(user)) throw new AppError('forbidden', text('只有负责这位潜在客户的员工可以修改。', 'Only the owner of a prospect changes it.'));
  if (row.status === 'converted') throw new AppError('conflict', text(`这位潜在客户已于 ${row.converted_on ?? ''} 转为客户。`, `This prospect became a customer on ${row.converted_on ?? ''}.`));
  return row;
}

export async function updateProspect(db: Db, a: WorkActor, prospectId: string, body: UpdateProspectBody) {
  const row = await ownedProspect(db, a.user, prospectId);
  const name = body.name !== undefined ? required('name', body.name, 40, { zh: '姓名', en: 'name' }) : row.name;
  const phone = body.phone !== undefined ? phoneOf(body.phone) : row.phone;
  const id = body.idNumber !== undefined ? idOf(body.idNumber) : row.id_number;
  if (!phone && !id) throw bad('phone', '请保留手机号码或证件号码之一。', 'Keep the phone or the ID number.');
  const status = body.status ?? row.status;
  if (status === 'open' && (phone !== row.phone || id !== row.id_number || name !== row.name)) await checkNotKnown(db, { name, phone, idNumber: id }, prospectId);
  await db.transaction((s) =>
    q.updateProspect(s, prospectId, { name, phone, idNumber: id, source: body.source ?? row.source, notes: body.notes !== undefined ? body.notes?.trim() || null : row.notes, status }),
  );
  return getProspect(db, a, prospectId);
}

export async function recordProspectContact(db: Db, a: WorkActor, prospectId: string, body: ProspectContactBody, now = new Date()) {
  const row = await ownedProspect(db, a.user, prospectId);
  if (row.status !== 'open') throw new AppError('conflict', text('这位潜在客户已关闭。', 'This prospect is closed.'));
  const at = body.contactedAt ? new Date(body.contactedAt) : now;
  if (at.getTime() > now.getTime() + 60_000) throw bad('contactedAt', '联络时间不能晚于现在。', 'The contact cannot be in the future.');
  const day = chinaDay(at);
  if (body.nextContactOn !== undefined && body.nextContactOn <= day) throw bad('nextContactOn', `下次联络日期须晚于 ${day}。`, `The next contact date must be after ${day}.`);
  return db.transaction(async (s) => {
    const c = await q.insertProspectContact(s, {
      prospectId, staffId: me(a.user), contactedAt: at.toISOString(), channel: body.channel, outcome: body.outcome, notes: body.notes?.trim() || null, nextContactOn: body.nextContactOn ?? null,
    });
    return presentContact(c, await staffByIds(s, [c.staff_id]));
  });
}

/** A prospect's phone or ID number in full, with a reason: the same reveal as a customer's, audited. */
export async function revealProspect(db: Db, user: SignedInUser, prospectId: string, body: RevealBody, from: { ip?: string | null }) {
  const values = await revealOf(db, user, body, from, {
    customerIds: [],
    detail: { prospectId },
    find: async () => {
      const row = await db.session((s) => q.prospectVisible(s, user, prospectId));
      return row ? { phone: row.phone, id_number: row.id_number, address: null } : null;
    },
    notFound,
  });
  return { prospectId, values };
}

