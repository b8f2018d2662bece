import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { apiClient, seedPlan, seedReminders } from './worklist.test-support.js';

// "My day" through the API: a manager's reminders (counts, sentences, done/dismiss/snooze/reopen,
// do-not-disturb), the contact plan (reorder, add, remove; the branch head's review), and a
// contact recorded from the plan closing its reminders, on the timeline and in the calendar.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = apiClient(() => app);
const manager = OUTLET_STAFF.customer_manager; // S13: owns C1, C2 at B111
const head = OUTLET_STAFF.branch_head; // S11: B111
const outflow = { amount: -325000, channel: 'mobile', booked_at: '2026-11-20T02:00:00Z', date: '2026-11-20', account_id: 'A1', band: 'band_4', aum_before: 792682.93, share_of_aum: 0.41, threshold: 100000 };

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await db.session((s) => s.query(`UPDATE customers SET do_not_disturb = true WHERE customer_id = 'C2'`));
  await seedReminders(db, [
    { customer: 'C1', staff: manager, event: 'large_outflow', occurrence: 'T9', kind: 'risk', facts: outflow },
    { customer: 'C1', staff: manager, event: 'birthday_soon', occurrence: '2026-11-25', kind: 'information', facts: { date: '2026-11-25', turns: 41, days_ahead: 5 } },
    { customer: 'C2', staff: manager, event: 'vip_card_due', occurrence: 'gold', kind: 'opportunity', facts: { grade: 'gold', standard: 100000, aum_avg_mtd: 120000, held: null } },
    { customer: 'C2', staff: manager, event: 'contact_due', occurrence: '2026-11-20', kind: 'work_task', facts: { reason: 'due_contact', frequency_days: 30, days_since_contact: 45 } },
    { customer: 'C1', staff: OUTLET_STAFF.cm_supervisor, event: 'large_outflow', occurrence: 'T9', kind: 'risk', facts: outflow },
    { customer: 'C3', staff: MANAGER_B112, event: 'large_outflow', occurrence: 'T8', kind: 'risk', facts: outflow },
  ]);
  await seedPlan(db, manager, 'B111', [{ customer: 'C1', reason: 'risk' }, { customer: 'C2', reason: 'due_contact', facts: { frequency_days: 30, days_since_contact: 45, due_reason: 'due_contact' } }]);
  await seedPlan(db, MANAGER_B112, 'B112', [{ customer: 'C3', reason: 'risk' }]);
  await seedPlan(db, MANAGER_B211, 'B211', [{ customer: 'C4', reason: 'due_contact' }]);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

type Item = { customer: { customerId: string; serviceOnlyReason: string | null }; event: string; occurrence: string; summary: string; marketingAllowed: boolean; status: string };
const reminders = async (login: string, q = '', lang = 'zh') => {
  const r = await api.get(login, `/api/worklist/reminders${q}`, lang);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { counts: Record<string, number>; items: Item[]; total: number; asOf: string };
};
const act = (login: string, key: string, body: Record<string, unknown>, lang = 'zh') => api.post(login, `/api/worklist/reminders/${key}`, body, lang);

describe('reminders', () => {
  it('counts my open reminders per kind and says each in a sentence, in Chinese and English', async () => {
    const zh = await reminders(manager);
    expect(zh.asOf).toBe('2026-11-20');
    expect(zh.counts).toEqual({ risk: 1, opportunity: 1, information: 1, work_task: 1 });
    expect(zh.items.map((i) => i.event)).toEqual(['large_outflow', 'vip_card_due', 'birthday_soon', 'contact_due']);
    expect(zh.items[0]?.summary).toBe('大额支出 32.50万（11-20，手机银行），占金融资产 41%');
    expect(zh.items[2]?.summary).toBe('11-25 生日（41 岁），5 天后');
    const en = await reminders(manager, '', 'en');
    expect(en.items[0]?.summary).toBe('large outflow of 32.50万 on 11-20 through mobile, 41% of AUM');
    expect(en.items[2]?.summary).toBe('birthday on 11-25 (turns 41), in 5 days');
    expect(en.items[3]?.summary).toBe('45 days since the last contact (every 30 days)');
    expect((await reminders(manager, '?kind=risk')).items.map((i) => i.customer.customerId)).toEqual(['C1']);
    expect((await reminders(manager, '?customerId=C2')).total).toBe(2);
  });

  it('offers no marketing on a do-not-disturb customer, and says why', async () => {
    const card = (await reminders(manager, '?customerId=C2')).items.find((i) => i.event === 'vip_card_due');
    expect(card).toMatchObject({ marketingAllowed: false, customer: { serviceOnlyReason: '客户已设免打扰：仅可服务性联系，不可营销' } });
    const en = (await reminders(manager, '?customerId=C2', 'en')).items[0];
    expect(en?.customer.serviceOnlyReason).toBe('do-not-disturb: service contact only, no marketing');
    expect((await reminders(manager, '?customerId=C1')).items[0]?.marketingAllowed).toBe(true);
  });

  it("hides another manager's reminders from me and refuses to act on them (404)", async () => {
    const theirs = await reminders(MANAGER_B112);
    expect(theirs.items.map((i) => i.customer.customerId)).toEqual(['C3']);
    expect((await act(manager, 'C3/large_outflow/T8', { action: 'done' })).statusCode).toBe(404);
    expect((await act(MANAGER_B112, 'C1/large_outflow/T9', { action: 'done' })).statusCode).toBe(404);
    // the supervisor's own copy of C1's reminder is theirs alone
    expect((await reminders(OUTLET_STAFF.cm_supervisor)).counts.risk).toBe(1);
  });

  it('shows a former owner nothing of a customer re-assigned away from them, and refuses to act on its reminder (404)', async () => {
    const sup = OUTLET_STAFF.cm_supervisor;
    expect((await reminders(sup)).items.map((i) => i.customer.customerId)).toEqual(['C1']);
    await db.session((s) => s.query(`DELETE FROM customer_owners WHERE customer_id = 'C1' AND staff_id = $1`, [sup]));
    try {
      const after = await reminders(sup);
      expect(after.items).toEqual([]);
      expect(after.counts.risk).toBe(0);
      const r = await act(sup, 'C1/large_outflow/T9', { action: 'done' });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual((await act(sup, 'C404/large_outflow/T9', { action: 'done' })).json());
    } finally {
      await db.session((s) => s.query(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C1', $1, 'co', 'manual', 'test')`, [sup]));
    }
  });

  it('dismisses only with a reason of 2–200 characters, named at the field in both languages', async () => {
    const short = await act(manager, 'C1/birthday_soon/2026-11-25', { action: 'dismiss', reason: ' a ' }, 'en');
    expect(short.statusCode).toBe(400);
    expect(short.json().error.fields).toEqual({ reason: 'a reason of 2 to 200 characters is required' });
    const zh = await act(manager, 'C1/birthday_soon/2026-11-25', { action: 'dismiss', reason: '' });
    expect(zh.json().error.fields).toEqual({ reason: '请填写原因（2–200 个字）' });
    const ok = await act(manager, 'C1/birthday_soon/2026-11-25', { action: 'dismiss', reason: '客户出国，下月再联系' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toMatchObject({ status: 'dismissed', closedReason: '客户出国，下月再联系' });
    expect((await reminders(manager)).counts.information).toBe(0);
    expect((await reminders(manager, '?status=closed')).items.map((i) => i.event)).toEqual(['birthday_soon']);
    const back = await act(manager, 'C1/birthday_soon/2026-11-25', { action: 'reopen' });
    expect(back.json().data).toMatchObject({ status: 'open', closedReason: null });
    expect((await reminders(manager)).counts.information).toBe(1);
  });

  it('snoozes to a date after today within 90 days: hidden until then, then reopened', async () => {
    const far = await act(manager, 'C2/vip_card_due/gold', { action: 'snooze', until: '2027-02-19' }, 'en');
    expect(far.statusCode).toBe(400);
    expect(far.json().error.fields.until).toBe('must be from 2026-11-21 to 2027-02-18');
    expect((await act(manager, 'C2/vip_card_due/gold', { action: 'snooze', until: '2026-11-20' })).statusCode).toBe(400);
    expect((await act(manager, 'C2/vip_card_due/gold', { action: 'snooze', until: '2027-02-18' })).statusCode).toBe(200);
    expect((await reminders(manager)).counts.opportunity).toBe(0);
    expect((await reminders(manager, '?status=snoozed')).items.map((i) => i.event)).toEqual(['vip_card_due']);
    expect((await act(manager, 'C2/vip_card_due/gold', { action: 'reopen' })).json().data.snoozedUntil).toBeNull();
    expect((await reminders(manager)).counts.opportunity).toBe(1);
  });

  it('marks one done; a closed one cannot be closed again (409)', async () => {
    expect((await act(manager, 'C2/vip_card_due/gold', { action: 'done' })).json().data.status).toBe('done');
    expect((await act(manager, 'C2/vip_card_due/gold', { action: 'done' })).statusCode).toBe(409);
    expect((await reminders(manager)).counts.opportunity).toBe(0);
  });
});

const plan = async (login: string, q = '', lang = 'zh') => {
  const r = await api.get(login, `/api/worklist/plan${q}`, lang);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { items: { customer: { customerId: string }; status: string; source: string; reasonText: string; reminders: { event: string }[] }[]; planned: number; contacted: number; comments: { body: string }[]; reviewedAt: string | null };
};
const order = (p: Awaited<ReturnType<typeof plan>>) => p.items.map((i) => `${i.customer.customerId}:${i.status}`);

describe('the contact plan', () => {
  it("shows my plan with each item's reason and open reminders", async () => {
    const p = await plan(manager);
    expect(order(p)).toEqual(['C1:planned', 'C2:planned']);
    expect(p.items[0]?.reasonText).toBe('风险提醒：大额支出 32.50万（11-20，手机银行），占金融资产 41%');
    expect(p.items[0]?.reminders.map((r) => r.event)).toEqual(['large_outflow', 'birthday_soon']);
    expect((await plan(manager, '', 'en')).items[1]?.reasonText).toBe('45 days since the last contact (every 30 days)');
  });

  it('reorders, removes and adds back; a customer not mine cannot be added (404)', async () => {
    const bad = await api.post(manager, '/api/worklist/plan', { action: 'reorder', customerIds: ['C2'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('customerIds');
    const r = await api.post(manager, '/api/worklist/plan', { action: 'reorder', customerIds: ['C2', 'C1'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(order(r.json().data)).toEqual(['C2:planned', 'C1:planned']);
    expect(order((await api.post(manager, '/api/worklist/plan', { action: 'remove', customerId: 'C2' })).json().data)).toEqual(['C1:planned', 'C2:removed']);
    expect((await api.post(manager, '/api/worklist/plan', { action: 'add', customerId: 'C3' })).statusCode).toBe(404);
    expect((await api.post(manager, '/api/worklist/plan', { action: 'add', customerId: 'C1' })).statusCode).toBe(409);
    const added = (await api.post(manager, '/api/worklist/plan', { action: 'add', customerId: 'C2' })).json().data;
    expect(order(added)).toEqual(['C1:planned', 'C2:planned']);
    const changed = await db.session((s) => s.query<{ changed_by: string }>(`SELECT changed_by FROM contact_plan_items WHERE customer_id = 'C2' AND staff_id = $1`, [manager]));
    expect(changed.rows[0]?.changed_by).toBe(manager);
  });

  it('lets a branch head review the plans of their branch only and comment; a manager cannot (403)', async () => {
    const mine = await api.get(head, '/api/worklist/plans');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().data.items.map((p: { staff: { staffId: string } }) => p.staff.staffId)).toEqual([manager]);
    expect(mine.json().data.items[0]).toMatchObject({ planned: 2, contacted: 0, removed: 0, openRisk: 1, comments: 0, reviewedAt: null });
    const wider = (await api.get(BRANCH_HEAD_B100, '/api/worklist/plans')).json().data.items.map((p: { staff: { staffId: string } }) => p.staff.staffId);
    expect(wider).toEqual([manager, MANAGER_B112]);
    expect((await api.get(manager, '/api/worklist/plans')).statusCode).toBe(403);
    expect((await api.post(manager, '/api/worklist/plans/comments', { staffId: manager, date: '2026-11-20', body: '好' })).statusCode).toBe(403);
    expect((await api.get(manager, `/api/worklist/plan?staffId=${MANAGER_B112}`)).statusCode).toBe(403);
    expect((await api.post(head, '/api/worklist/plans/comments', { staffId: MANAGER_B112, date: '2026-11-20', body: '请跟进' })).statusCode).toBe(404);
    const empty = await api.post(head, '/api/worklist/plans/comments', { staffId: manager, date: '2026-11-20', body: '  ' }, 'en');
    expect(empty.json().error.fields).toEqual({ body: '1 to 1000 characters are required' });
    const ok = await api.post(head, '/api/worklist/plans/comments', { staffId: manager, date: '2026-11-20', body: '先联系C1，大额支出需核实' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.author).toMatchObject({ staffId: head, role: 'branch_head' });
    const read = await plan(head, `?staffId=${manager}`);
    expect(read.comments.map((c) => c.body)).toEqual(['先联系C1，大额支出需核实']);
    expect(read.reviewedAt).not.toBeNull();
  });
});

describe('the work log', () => {
  const at = '2026-11-20T10:30:00+08:00';
  it('refuses a next contact date on or before the contact day, and a contact in the future, at the field', async () => {
    const early = await api.post(manager, '/api/worklist/contacts', { customerId: 'C1', channel: 'phone', outcome: 'reached', contactedAt: at, nextContactOn: '2026-11-20' }, 'en');
    expect(early.statusCode).toBe(400);
    expect(early.json().error.fields).toEqual({ nextContactOn: 'must be after 2026-11-20' });
    const future = await api.post(manager, '/api/worklist/contacts', { customerId: 'C1', channel: 'phone', outcome: 'reached', contactedAt: new Date(Date.now() + 3600_000).toISOString() });
    expect(future.json().error.fields).toHaveProperty('contactedAt');
    // not my customer: as if it did not exist
    expect((await api.post(manager, '/api/worklist/contacts', { customerId: 'C3', channel: 'phone', outcome: 'reached' })).statusCode).toBe(404);
  });

  it('records a contact from the plan: the linked reminder closes, the plan item is contacted, the timeline and calendar show it', async () => {
    const r = await api.post(manager, '/api/worklist/contacts', {
      customerId: 'C1', channel: 'phone', outcome: 'reached', notes: '核实大额支出：购房首付', contactedAt: at, nextContactOn: '2026-12-20',
      reminders: [{ event: 'large_outflow', occurrence: 'T9' }], source: 'plan',
    });
    expect(r.statusCode, r.body).toBe(200);
    const contact = r.json().data;
    expect(contact.closedReminders.map((x: { event: string }) => x.event)).toEqual(['large_outflow']);
    const left = await reminders(manager, '?customerId=C1');
    expect(left.items.map((i) => i.event)).toEqual(['birthday_soon']);
    // the supervisor's copy is theirs to close
    expect((await reminders(OUTLET_STAFF.cm_supervisor)).counts.risk).toBe(1);
    expect(order(await plan(manager))).toEqual(['C1:contacted', 'C2:planned']);
    const timeline = (await api.get(manager, '/api/customers/C1/timeline')).json().data;
    expect(timeline.nextContactOn).toBe('2026-12-20');
    expect(timeline.items[0]).toMatchObject({ type: 'contact', title: '联络（电话）：已联系上', detail: '核实大额支出：购房首付', staff: { staffId: manager } });
    expect(timeline.items.some((i: { type: string; title: string }) => i.type === 'reminder' && i.title.startsWith('大额支出'))).toBe(true);
    const log = (await api.get(manager, '/api/worklist/log?from=2026-11-19&to=2026-11-21')).json().data;
    expect(log.days).toEqual([{ date: '2026-11-19', contacts: 0 }, { date: '2026-11-20', contacts: 1 }, { date: '2026-11-21', contacts: 0 }]);
    expect(log.items[0]).toMatchObject({ contactId: contact.contactId, channel: 'phone', source: 'plan', nextContactOn: '2026-12-20' });
  });

  it('closes the open contact-due work task of the customer with a contact in two clicks (channel and outcome)', async () => {
    const r = await api.post(manager, '/api/worklist/contacts', { customerId: 'C2', channel: 'wechat', outcome: 'service_done' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.closedReminders.map((x: { event: string }) => x.event)).toEqual(['contact_due']);
    expect((await reminders(manager)).counts.work_task).toBe(0);
  });

  it('names tier changes on the timeline by the tiers\' labels, in the reader\'s language', async () => {
    await db.session((s) =>
      s.query(`INSERT INTO tier_history (customer_id, model, business_date, from_tier, from_since, from_version, to_tier, policy_version) VALUES ('C1', 'aum_band', '2026-11-20', 'band_3', '2026-11-19', 1, 'band_4', 1)`),
    );
    const title = async (lang?: string) => {
      const r = await api.get(manager, '/api/customers/C1/timeline', lang ?? 'zh');
      return (r.json().data.items as { type: string; title: string }[]).find((i) => i.type === 'tier_change')?.title;
    };
    expect(await title()).toBe('AUM 分层：20–50万 → 50–300万');
    expect(await title('en')).toBe('AUM band: 200,000–500,000 → 500,000–3,000,000');
    await db.session((s) => s.query(`DELETE FROM tier_history WHERE customer_id = 'C1' AND business_date = '2026-11-20' AND model = 'aum_band'`));
  });

  it("lets a branch head read an owner's log in scope; a range over 62 days is refused", async () => {
    const r = await api.get(head, `/api/worklist/log?from=2026-11-20&to=2026-11-20&staffId=${manager}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.items).toHaveLength(1);
    expect((await api.get(head, `/api/worklist/log?from=2026-11-20&to=2026-11-20&staffId=${MANAGER_B112}`)).statusCode).toBe(404);
    expect((await api.get(manager, `/api/worklist/log?from=2026-11-20&to=2026-11-20&staffId=${MANAGER_B112}`)).statusCode).toBe(403);
    expect((await api.get(manager, '/api/worklist/log?from=2026-10-01&to=2026-12-02')).statusCode).toBe(400);
  });
});
