import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { proposeOwners } from './ownership.batch.js';
import { DAY1, loadOwnershipBank, SECOND_MANAGER } from './ownership.test-support.js';

// The branch head's workbench through the API: proposals accepted, edited, rejected in bulk;
// assign, re-assign and recall with a reason, refused to everyone else; referrals from the
// counter to a manager and their outcome; the monthly re-allocation report; scope following it.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => {
  let s = sessions.get(login);
  if (!s) sessions.set(login, (s = await signInAs(app, login)));
  return s;
};
const post = async (login: string, url: string, payload: Record<string, unknown>, lang = 'zh') => {
  const s = await as(login);
  return app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang }, payload });
};
const get = async (login: string, url: string) => (await as(login)).get(url);
const listed = async (login: string, q = '') => ((await get(login, `/api/customers?sort=customer_id${q}`)).json().data.items as { customerId: string }[]).map((c) => c.customerId);
const head = OUTLET_STAFF.branch_head;
const manager = OUTLET_STAFF.customer_manager;

beforeAll(async () => {
  db = await openTestDb();
  await loadOwnershipBank(db);
  await proposeOwners(db, DAY1);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('proposals on the workbench', () => {
  it('lists the open proposals in value priority, with the proposed owners', async () => {
    const r = await get(head, '/api/ownership/proposals');
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().data.items;
    expect(items.map((p: { customer: { customerId: string } }) => p.customer.customerId)).toEqual(['C5', 'C11', 'C6', 'C8', 'C7', 'C1', 'C9', 'C10']);
    // the platinum card first, however rich the band_5 customer
    expect(items[1]).toMatchObject({ cause: 'unassigned', band: 'band_5', proposed: { staffId: head, role: 'branch_head' }, coOwners: [{ staffId: OUTLET_STAFF.cm_supervisor }], current: null });
    expect((await get(manager, '/api/ownership/proposals')).statusCode).toBe(403);
  });

  it('accepts in bulk, one edited to another manager; rejects one; the owners now see their customers', async () => {
    expect(await listed(manager)).toEqual([]);
    const noReason = await post(head, '/api/ownership/proposals/decisions', { decisions: [{ customerId: 'C5', decision: 'accept', staffId: SECOND_MANAGER }] }, 'en');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.fields).toEqual({ reason: 'a reason is required' });
    const wrongRole = await post(head, '/api/ownership/proposals/decisions', { decisions: [{ customerId: 'C5', decision: 'accept', staffId: OUTLET_STAFF.vip_teller }], reason: '熟悉' });
    expect(wrongRole.json().error.fields).toHaveProperty('staffId');
    const r = await post(head, '/api/ownership/proposals/decisions', {
      decisions: [
        { customerId: 'C5', decision: 'accept', staffId: SECOND_MANAGER },
        { customerId: 'C6', decision: 'accept' },
        { customerId: 'C1', decision: 'accept' },
        { customerId: 'C10', decision: 'reject' },
      ],
      reason: '按价值优先分配',
    });
    expect(r.statusCode, r.body).toBe(200);
    const owners = (await get(head, '/api/customers/C5/owners')).json().data;
    expect(owners.owners.map((o: { staffId: string; kind: string }) => [o.staffId, o.kind])).toEqual([[SECOND_MANAGER, 'primary'], [OUTLET_STAFF.cm_supervisor, 'co']]);
    expect(owners.proposal).toBeNull();
    // C6 to S18 and C1 to S13 as proposed (round-robin); the supervisor co-owns the band_4 ones
    expect(await listed(SECOND_MANAGER)).toEqual(['C5', 'C6']);
    expect(await listed(manager)).toEqual(['C1']);
    expect(await listed(OUTLET_STAFF.cm_supervisor)).toEqual(['C5', 'C6']);
    expect(await listed(OUTLET_STAFF.lobby_manager, '&pageSize=200')).toContain('C10'); // the outlet, for routing
    const left = (await get(head, '/api/ownership/proposals')).json().data.items.map((p: { customer: { customerId: string } }) => p.customer.customerId);
    expect(left).toEqual(['C11', 'C8', 'C7', 'C9']);
    // a decided proposal cannot be decided again
    expect((await post(head, '/api/ownership/proposals/decisions', { decisions: [{ customerId: 'C6', decision: 'reject' }] })).statusCode).toBe(409);
    const audit = await db.session((s) => s.query<{ action: string; customer_ids: string[]; reason: string }>(`SELECT action, customer_ids, reason FROM audit_log WHERE action LIKE 'proposal%' ORDER BY entry_id`));
    expect(audit.rows).toEqual([
      { action: 'proposal_reject', customer_ids: ['C10'], reason: '按价值优先分配' },
      { action: 'proposal_accept', customer_ids: ['C1', 'C5', 'C6'], reason: '按价值优先分配' },
    ]);
  });
});

describe('assign, re-assign and recall', () => {
  it('needs a reason, named in both languages', async () => {
    const en = await post(head, '/api/ownership/assign', { customerIds: ['C10'], staffId: OUTLET_STAFF.counter_teller, reason: '  ' }, 'en');
    expect(en.statusCode).toBe(400);
    expect(en.json().error).toMatchObject({ code: 'bad_request', message: 'Give a reason.', fields: { reason: 'a reason is required' } });
    const zh = await post(head, '/api/ownership/recall', { customerIds: ['C5'], reason: '' });
    expect(zh.json().error.fields).toEqual({ reason: '请填写原因' });
  });

  it('is the branch head’s and the department’s: others get 403, customers or staff outside the subtree 404/400', async () => {
    for (const login of [manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.lobby_manager, OUTLET_STAFF.vip_teller]) {
      expect((await post(login, '/api/ownership/assign', { customerIds: ['C10'], staffId: manager, reason: 'x' })).statusCode, login).toBe(403);
    }
    const outside = await post(head, '/api/ownership/assign', { customerIds: ['C10', 'C3'], staffId: manager, reason: '调整' }, 'en');
    expect(outside.statusCode).toBe(404);
    expect(outside.json().error.fields).toEqual({ customerIds: 'not within your scope: C3' });
    const foreignStaff = await post(head, '/api/ownership/assign', { customerIds: ['C10'], staffId: 'S20', reason: '调整' });
    expect(foreignStaff.statusCode).toBe(400);
    expect(Object.keys(foreignStaff.json().error.fields)).toEqual(['staffId']);
    expect((await post(head, '/api/ownership/assign', { customerIds: ['C10'], staffId: OUTLET_STAFF.lobby_assistant, reason: '调整' })).json().error.fields).toHaveProperty('staffId');
  });

  it('assigns, re-assigns (replacing the primary owner) and recalls to the pool, each audited', async () => {
    expect((await post(head, '/api/ownership/assign', { customerIds: ['C10'], staffId: OUTLET_STAFF.counter_teller, reason: '高柜批量维护' })).statusCode).toBe(200);
    expect(await listed(OUTLET_STAFF.counter_teller)).toEqual(['C10']);
    expect((await post(head, '/api/ownership/assign', { customerIds: ['C10'], staffId: OUTLET_STAFF.vip_teller, reason: '客户要求' })).statusCode).toBe(200);
    expect(await listed(OUTLET_STAFF.counter_teller)).toEqual([]);
    expect(await listed(OUTLET_STAFF.vip_teller)).toEqual(['C10']);
    // the branch head of the branch above may too
    expect((await post(BRANCH_HEAD_B100, '/api/ownership/recall', { customerIds: ['C10'], reason: '维护不到位' })).statusCode).toBe(200);
    expect(await listed(OUTLET_STAFF.vip_teller)).toEqual([]);
    const pool = (await get(head, '/api/ownership/pool')).json().data.items.map((c: { customerId: string }) => c.customerId);
    expect(pool).toContain('C10');
    expect(pool).not.toContain('C5');
    const audit = await db.session((s) => s.query<{ action: string; actor: string; reason: string }>(`SELECT action, actor, reason FROM audit_log WHERE 'C10' = ANY(customer_ids) AND action IN ('assign', 'reassign', 'recall') ORDER BY entry_id`));
    expect(audit.rows).toEqual([
      { action: 'assign', actor: head, reason: '高柜批量维护' },
      { action: 'reassign', actor: head, reason: '客户要求' },
      { action: 'recall', actor: BRANCH_HEAD_B100, reason: '维护不到位' },
    ]);
  });

  it('the staff list shows each owning role’s load', async () => {
    const items = (await get(head, '/api/ownership/staff')).json().data.items;
    expect(items.find((x: { staffId: string }) => x.staffId === SECOND_MANAGER)).toMatchObject({ primaryCustomers: 2, role: 'customer_manager' });
    expect(items.map((x: { role: string }) => x.role)).not.toContain('lobby_assistant');
  });
});

describe('the monthly re-allocation report', () => {
  it('lists owned customers not contacted within their band’s frequency, and not those contacted', async () => {
    // owned since 40 days before the business date; one of them contacted 3 days before it
    await db.session((s) => s.query(`UPDATE customer_owners SET since = DATE '2026-10-11' WHERE customer_id IN ('C5', 'C6', 'C1')`));
    await db.session((s) =>
      s.query(`INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel) VALUES ('C6', $1, '2026-11-17T10:00:00+08:00', 'phone'), ('C1', 'S15', '2026-11-17T10:00:00+08:00', 'phone')`, [SECOND_MANAGER]),
    );
    const r = (await get(head, '/api/ownership/reallocation')).json().data;
    expect(r.asOf).toBe(DAY1);
    // C6 was contacted by its owner; C1's contact was by someone who does not own it
    expect(r.items.map((x: { customer: { customerId: string } }) => x.customer.customerId)).toEqual(['C5', 'C1']);
    expect(r.items[0]).toMatchObject({ owner: { staffId: SECOND_MANAGER }, frequencyDays: 30, lastContact: null });
    expect((await get(manager, '/api/ownership/reallocation')).statusCode).toBe(403);
  });
});

describe('referrals', () => {
  it('a teller refers a customer of the outlet to a manager; the manager accepts, contacts, records the outcome', async () => {
    const teller = OUTLET_STAFF.vip_teller;
    const bad = await post(teller, '/api/customers/C8/referrals', { toStaffId: 'S20', reason: '', need: 'wealth' }, 'en');
    expect(bad.statusCode).toBe(400);
    const created = await post(teller, '/api/customers/C8/referrals', { toStaffId: manager, reason: '咨询理财', need: 'wealth' });
    expect(created.statusCode, created.body).toBe(200);
    const ref = created.json().data;
    expect(ref).toMatchObject({ status: 'open', referrer: { staffId: teller }, to: { staffId: manager }, need: 'wealth' });
    // the teller does not own C8: its referral list names the customer by number and masked name
    const mine = (await get(teller, '/api/referrals')).json().data.items;
    expect(mine).toHaveLength(1);
    expect(mine[0].customer).toEqual({ customerId: 'C8', name: '客**8', branch: { id: 'B111', name: '电力路网点' }, visible: false });
    // managers do not refer; another outlet's customer cannot be referred
    expect((await post(manager, '/api/customers/C8/referrals', { toStaffId: null, reason: 'x', need: 'other' })).statusCode).toBe(403);
    expect((await post(teller, '/api/customers/C3/referrals', { toStaffId: null, reason: 'x', need: 'other' })).statusCode).toBe(404);
    const key = { customerId: 'C8', referralId: ref.referralId };
    expect((await post(teller, '/api/referrals/progress', { ...key, step: 'accept' })).statusCode).toBe(403);
    expect((await post(manager, '/api/referrals/progress', { ...key, step: 'contact' })).statusCode).toBe(409);
    expect((await get(manager, '/api/customers/C8')).statusCode).toBe(404);
    const accepted = await post(manager, '/api/referrals/progress', { ...key, step: 'accept' });
    expect(accepted.json().data).toMatchObject({ status: 'accepted', acceptedBy: { staffId: manager } });
    // accepting opens the customer's page to the manager while the referral is in progress, without making them an owner
    expect((await get(manager, '/api/customers/C8')).statusCode).toBe(200);
    expect((await get(manager, '/api/referrals')).json().data.items[0].customer).toMatchObject({ name: '客户C8', visible: true });
    const owners = await db.session((s) => s.query(`SELECT staff_id FROM customer_owners WHERE customer_id = 'C8' AND staff_id = $1`, [manager]));
    expect(owners.rows).toEqual([]);
    expect((await get(manager, '/api/customers?owner=me')).json().data.items.map((c: { customerId: string }) => c.customerId)).not.toContain('C8');
    expect((await post(manager, '/api/referrals/progress', { ...key, step: 'contact', channel: 'phone', note: '约了周五面谈' })).json().data.status).toBe('contacted');
    const noOutcome = await post(manager, '/api/referrals/progress', { ...key, step: 'outcome' }, 'en');
    expect(noOutcome.json().error.fields).toEqual({ outcome: 'choose an outcome' });
    const closed = await post(manager, '/api/referrals/progress', { ...key, step: 'outcome', outcome: 'product_sold' });
    expect(closed.json().data).toMatchObject({ status: 'closed', outcome: 'product_sold' });
    const contact = await db.session((s) => s.query(`SELECT staff_id, channel, outcome FROM contact_log WHERE customer_id = 'C8'`));
    expect(contact.rows).toEqual([{ staff_id: manager, channel: 'phone', outcome: 'referral' }]);
    // closed: the page closes with it (keeping the customer is the branch head's decision: a claim or an assignment)
    expect((await get(manager, '/api/customers/C8')).statusCode).toBe(404);
    expect((await post(manager, '/api/customers/C8/reveal', { fields: ['phone'], reason: '回访客户' })).statusCode).toBe(404);
  });

  it('a referral to the pool is open to the outlet’s managers; counts per referrer', async () => {
    const r = await post(OUTLET_STAFF.lobby_assistant, '/api/customers/C7/referrals', { toStaffId: null, reason: '想办贵宾卡', need: 'vip_card' });
    expect(r.statusCode, r.body).toBe(200);
    const pool = (await get(SECOND_MANAGER, '/api/referrals')).json().data.items;
    expect(pool.map((x: { customer: { customerId: string } }) => x.customer.customerId)).toEqual(['C7']);
    await post(SECOND_MANAGER, '/api/referrals/progress', { customerId: 'C7', referralId: pool[0].referralId, step: 'accept' });
    await post(SECOND_MANAGER, '/api/referrals/progress', { customerId: 'C7', referralId: pool[0].referralId, step: 'contact', channel: 'visit' });
    await post(SECOND_MANAGER, '/api/referrals/progress', { customerId: 'C7', referralId: pool[0].referralId, step: 'outcome', outcome: 'declined' });
    const counts = (await get(head, '/api/referrals/counts')).json().data.items;
    expect(counts).toEqual([
      { staffId: OUTLET_STAFF.vip_teller, name: '员工5', role: 'vip_teller', referred: 1, accepted: 1, contacted: 1, signed: 0, productSold: 1, declined: 0 },
      { staffId: OUTLET_STAFF.lobby_assistant, name: '员工7', role: 'lobby_assistant', referred: 1, accepted: 1, contacted: 1, signed: 0, productSold: 0, declined: 1 },
    ]);
    // the lobby manager reads the outlet's referrals with names masked
    const lobby = (await get(OUTLET_STAFF.lobby_manager, '/api/referrals?view=outlet')).json().data.items;
    expect(lobby).toHaveLength(2);
    expect(lobby.map((x: { customer: { name: string } }) => x.customer.name)).toEqual(['客**7', '客**8']);
    // the department sees them all
    expect((await get(PB_DEPT, '/api/referrals?view=outlet')).json().data.items).toHaveLength(2);
  });
});
