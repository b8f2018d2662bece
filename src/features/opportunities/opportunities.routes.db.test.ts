import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { seedReminders } from '../worklist/worklist.test-support.js';
import type { Opportunity, OpportunityDetail } from './opportunities.contract.js';
import { client, seedOpportunities } from './opportunities.test-support.js';

// Opportunities through the API on the scoped bank (test/bank-fixture.ts, business date
// 2026-11-20, a Friday): made by hand, from a reminder in one click, from a contact; validation at
// the field in both languages; scope (another manager's answers 404); stages in order, lost with a
// reason, kept with who and when; stale at its boundaries; the board, the table, the customer's.

const MANAGER = OUTLET_STAFF.customer_manager; // owns C1, C2 (B111)
const SUPERVISOR = OUTLET_STAFF.cm_supervisor; // co-owns C1, C2
const HEAD = OUTLET_STAFF.branch_head; // B111
let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const walkIn = { customerId: 'C1', source: 'walk_in', target: { type: 'product_kind', code: 'wealth' }, expectedAmount: '200000', nextStep: '约客户周一来行面谈', nextStepOn: '2026-11-23' };
const create = async (login: string, body: Record<string, unknown>, lang = 'zh') => api.post(login, '/api/opportunities', body, lang);
const made = async (login: string, body: Record<string, unknown>): Promise<OpportunityDetail> => {
  const r = await create(login, body);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as OpportunityDetail;
};

describe('making an opportunity', () => {
  it('by hand: a walk-in customer, identified, with its next step, owned by the manager, its first stage kept', async () => {
    const o = await made(MANAGER, { ...walkIn, notes: '客户有 20 万到期资金' });
    expect(o).toMatchObject({
      customer: { customerId: 'C1', name: '张三明' },
      prospect: null,
      target: { type: 'product_kind', code: 'wealth', label: '理财产品' },
      source: 'walk_in',
      stage: 'identified',
      stageSince: '2026-11-20',
      status: 'open',
      expectedAmount: '200000.00',
      nextStep: '约客户周一来行面谈',
      nextStepOn: '2026-11-23',
      notes: '客户有 20 万到期资金',
      owner: { staffId: MANAGER, role: 'customer_manager' },
      stale: false,
      due: true, // Monday, the working day after the business date: on My day that morning
    });
    expect(o.stages).toEqual([{ from: null, to: 'identified', by: expect.objectContaining({ staffId: MANAGER }), at: expect.any(String), reason: null }]);
  });

  it('names the field of every invalid value, in Chinese and in English', async () => {
    const field = async (body: Record<string, unknown>, lang = 'zh') => {
      const r = await create(MANAGER, body, lang);
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.code).toBe('bad_request');
      return r.json().error.fields as Record<string, string>;
    };
    expect(Object.keys(await field({ ...walkIn, nextStep: '  ' }))).toEqual(['nextStep']);
    expect((await field({ ...walkIn, nextStep: undefined }, 'en')).nextStep).toBe('the next step is required (1 to 200 characters)');
    expect((await field({ ...walkIn, nextStepOn: '2026-11-19' })).nextStepOn).toBe('须在 2026-11-20 至 2027-11-21 之间');
    expect((await field({ ...walkIn, nextStepOn: undefined }, 'en')).nextStepOn).toBe('the date is required');
    expect(Object.keys(await field({ ...walkIn, nextStepOn: '2026-02-30' }))).toEqual(['nextStepOn']);
    expect(Object.keys(await field({ ...walkIn, expectedAmount: '-5' }))).toEqual(['expectedAmount']);
    expect(Object.keys(await field({ ...walkIn, expectedAmount: '1.234' }))).toEqual(['expectedAmount']);
    expect((await field({ ...walkIn, target: { type: 'product', code: 'NOPE' } }, 'en'))['target.code']).toBe('no such product');
    expect(Object.keys(await field({ ...walkIn, target: { type: 'product_kind', code: 'gold_bars' } }))[0]).toMatch(/^target/);
    expect(Object.keys(await field({ ...walkIn, source: undefined }))).toEqual(['source']);
    expect(Object.keys(await field({ ...walkIn, source: 'event' }))).toEqual(['reminder']);
    expect(Object.keys(await field({ ...walkIn, customerId: undefined }))).toEqual(['customerId']);
    expect(Object.keys(await field({ ...walkIn, prospectId: 'P1' }))).toEqual(['prospectId']);
    expect(Object.keys(await field({ ...walkIn, target: undefined }))).toEqual(['target']);
    expect(Object.keys(await field({ ...walkIn, campaign: '双十一' }))).toEqual(['source', 'campaign']);
    expect(Object.keys(await field({ ...walkIn, source: undefined, campaign: '双十一', contactId: 'x' }))).toEqual(['contactId', 'campaign']);
    expect(Object.keys(await field({ ...walkIn, source: undefined, reminder: 'no-slash' }))).toEqual(['reminder']);
  });

  it('from one of my reminders in one click: the customer, source event, the suggested target and next step; the reminder is done; twice is a 409', async () => {
    await seedReminders(db, [
      { customer: 'C1', staff: MANAGER, event: 'vip_card_due', occurrence: 'platinum:2026-11-20', kind: 'opportunity', facts: { grade: 'platinum', aum_avg_mtd: 520000, standard: 500000 } },
      { customer: 'C2', staff: MANAGER, event: 'maturing', occurrence: 'A9:2026-12-01', kind: 'information', facts: { account_id: 'A9', account_kind: 'time_deposit', balance: '80000.00', matures_on: '2026-12-01' } },
    ]);
    const vip = await made(MANAGER, { customerId: 'C1', reminder: 'vip_card_due/platinum:2026-11-20' });
    expect(vip).toMatchObject({ customer: { customerId: 'C1' }, source: 'event', sourceRef: 'vip_card_due/platinum:2026-11-20', target: { type: 'vip_signing', code: null, label: '贵宾客户签约' }, nextStep: '联系客户，邀请办理贵宾客户签约', nextStepOn: '2026-11-20' });
    const [reminder] = await sql<{ status: string; closed_reason: string }>(`SELECT status, closed_reason FROM reminders WHERE customer_id = 'C1' AND event = 'vip_card_due'`);
    expect(reminder).toEqual({ status: 'done', closed_reason: '已创建商机' });
    const again = await create(MANAGER, { customerId: 'C1', reminder: 'vip_card_due/platinum:2026-11-20' }, 'en');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('made from this reminder already');
    const maturing = await made(MANAGER, { customerId: 'C2', reminder: 'maturing/A9:2026-12-01', nextStepOn: '2026-11-27' });
    expect(maturing).toMatchObject({ target: { type: 'product_kind', code: 'time_deposit' }, expectedAmount: '80000.00', nextStepOn: '2026-11-27' });
    // someone else's reminder (the supervisor holds none of these) answers 404
    expect((await create(SUPERVISOR, { customerId: 'C2', reminder: 'maturing/A9:2026-12-01' })).statusCode).toBe(404);
  });

  it('from a contact of the work log, from a referral, and from a campaign', async () => {
    const contact = await api.post(MANAGER, '/api/worklist/contacts', { customerId: 'C2', channel: 'phone', outcome: 'interested', notes: '对基金定投有兴趣' });
    expect(contact.statusCode, contact.body).toBe(200);
    const contactId = contact.json().data.contactId as string;
    const o = await made(MANAGER, { customerId: 'C2', contactId, target: { type: 'product', code: 'WM1' }, nextStep: '发送产品说明书', nextStepOn: '2026-11-24' });
    expect(o).toMatchObject({ source: 'contact', sourceRef: contactId, target: { type: 'product', code: 'WM1' } });
    expect(o.target.label).toMatch(/（WM1）$/);
    expect((await create(MANAGER, { customerId: 'C2', contactId: 'nope', target: { type: 'vip_signing' }, nextStep: 'x', nextStepOn: '2026-11-24' })).statusCode).toBe(404);
    const [ref] = await sql<{ referral_id: string }>(`INSERT INTO referrals (customer_id, referrer_id, branch_id, to_staff_id, reason, need) VALUES ('C1', $1, 'B111', $2, '客户咨询理财', 'wealth') RETURNING referral_id`, [OUTLET_STAFF.vip_teller, MANAGER]);
    const r = await made(MANAGER, { customerId: 'C1', referralId: ref?.referral_id, target: { type: 'product_kind', code: 'fund' }, nextStep: '回电', nextStepOn: '2026-11-21' });
    expect(r).toMatchObject({ source: 'referral', sourceRef: ref?.referral_id });
    const c = await made(MANAGER, { customerId: 'C1', campaign: '年终理财季', target: { type: 'product_kind', code: 'insurance' }, nextStep: '邀约参加沙龙', nextStepOn: '2026-11-30' });
    expect(c).toMatchObject({ source: 'campaign', sourceRef: '年终理财季' });
  });
});

describe('scope: a manager sees and touches only their own', () => {
  let id = '';
  beforeAll(async () => {
    id = (await made(MANAGER, walkIn)).opportunityId;
  });

  it('another manager, the co-owning supervisor and a manager of another branch get 404, as for none', async () => {
    const none = await api.get(MANAGER_B112, '/api/opportunities/no-such-id', 'en');
    expect(none.statusCode).toBe(404);
    for (const login of [MANAGER_B112, MANAGER_B211, SUPERVISOR]) {
      const r = await api.get(login, `/api/opportunities/${id}`, 'en');
      expect(r.statusCode, login).toBe(404);
      expect(r.json()).toEqual(none.json());
      expect((await api.post(login, `/api/opportunities/${id}/stage`, { stage: 'contacted' })).statusCode, login).toBe(404);
      expect((await api.patch(login, `/api/opportunities/${id}`, { notes: 'x' })).statusCode, login).toBe(404);
      const list = await api.get(login, '/api/opportunities?view=scope&status=all');
      expect(list.json().data.items.map((o: Opportunity) => o.opportunityId)).not.toContain(id);
    }
    // nor may a manager make one for a customer outside their scope (as for a missing one)
    const outside = await create(MANAGER, { ...walkIn, customerId: 'C3' }, 'en');
    const missing = await create(MANAGER, { ...walkIn, customerId: 'C404' }, 'en');
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual(missing.json());
  });

  it('the branch heads of its branch and the department see it; only its owner moves it (403 to a reviewer)', async () => {
    for (const login of [HEAD, BRANCH_HEAD_B100, PB_DEPT]) expect((await api.get(login, `/api/opportunities/${id}`)).statusCode, login).toBe(200);
    const r = await api.post(HEAD, `/api/opportunities/${id}/stage`, { stage: 'contacted' }, 'en');
    expect(r.statusCode).toBe(403);
    expect(r.json().error.message).toBe('Only the owner of an opportunity changes it.');
    const scope = await api.get(BRANCH_HEAD_B100, '/api/opportunities?view=scope&status=all');
    expect(scope.json().data.items.map((o: Opportunity) => o.opportunityId)).toContain(id);
  });

  it('a reviewer hands it to the co-owning supervisor (audited); to someone who does not look after the customer, 400 at ownerId', async () => {
    const other = (await made(MANAGER, { ...walkIn, nextStep: '转交测试' })).opportunityId;
    const bad = await api.patch(HEAD, `/api/opportunities/${other}`, { ownerId: MANAGER_B112 }, 'en');
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields)).toEqual(['ownerId']);
    const r = await api.patch(HEAD, `/api/opportunities/${other}`, { ownerId: SUPERVISOR });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.owner.staffId).toBe(SUPERVISOR);
    expect((await api.get(SUPERVISOR, `/api/opportunities/${other}`)).statusCode).toBe(200);
    expect((await api.get(MANAGER, `/api/opportunities/${other}`)).statusCode).toBe(404);
    const [entry] = await sql<{ actor: string; customer_ids: string[]; detail: Record<string, unknown> }>(`SELECT actor, customer_ids, detail FROM audit_log WHERE action = 'opportunity_reassign' ORDER BY entry_id DESC LIMIT 1`);
    expect(entry).toEqual({ actor: HEAD, customer_ids: ['C1'], detail: { opportunityId: other, from: MANAGER, to: SUPERVISOR } });
  });
});

describe('stages', () => {
  it('move forward only (skipping is allowed), close won or lost, lost with a reason; every change kept with who and when', async () => {
    const id = (await made(MANAGER, walkIn)).opportunityId;
    const stage = (body: Record<string, unknown>, lang = 'zh') => api.post(MANAGER, `/api/opportunities/${id}/stage`, body, lang);
    const skip = await stage({ stage: 'needs_confirmed', nextStep: '准备资产配置方案', nextStepOn: '2026-11-26' });
    expect(skip.statusCode, skip.body).toBe(200);
    expect(skip.json().data).toMatchObject({ stage: 'needs_confirmed', stageSince: '2026-11-20', nextStep: '准备资产配置方案', nextStepOn: '2026-11-26' });
    const back = await stage({ stage: 'contacted' }, 'en');
    expect(back.statusCode).toBe(400);
    expect(back.json().error.fields).toEqual({ stage: 'stages only move forward' });
    expect((await stage({ stage: 'needs_confirmed' })).statusCode).toBe(409);
    const noReason = await stage({ stage: 'lost' }, 'en');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.fields).toEqual({ lostReason: 'a reason of 2 to 200 characters is required' });
    expect(Object.keys((await stage({ stage: 'lost', lostReason: ' 无 ' })).json().error.fields)).toEqual(['lostReason']);
    const lost = await stage({ stage: 'lost', lostReason: '客户选择了他行产品' });
    expect(lost.statusCode).toBe(200);
    expect(lost.json().data).toMatchObject({ stage: 'lost', status: 'lost', lostReason: '客户选择了他行产品', closedAt: expect.any(String), stale: false, due: false });
    expect(lost.json().data.stages.map((s: { from: string | null; to: string; reason: string | null; by: { staffId: string } }) => [s.from, s.to, s.reason, s.by.staffId])).toEqual([
      [null, 'identified', null, MANAGER],
      ['identified', 'needs_confirmed', null, MANAGER],
      ['needs_confirmed', 'lost', '客户选择了他行产品', MANAGER],
    ]);
    expect((await stage({ stage: 'won' })).statusCode).toBe(409);
    expect((await api.patch(MANAGER, `/api/opportunities/${id}`, { notes: '补充' })).statusCode).toBe(409);
  });

  it('a won one leaves the open list and counts in the won column', async () => {
    const id = (await made(MANAGER, { ...walkIn, customerId: 'C2' })).opportunityId;
    expect((await api.post(MANAGER, `/api/opportunities/${id}/stage`, { stage: 'proposed' })).statusCode).toBe(200);
    expect((await api.post(MANAGER, `/api/opportunities/${id}/stage`, { stage: 'won' })).json().data.status).toBe('won');
    const open = await api.get(MANAGER, '/api/opportunities?status=open&pageSize=200');
    expect(open.json().data.items.map((o: Opportunity) => o.opportunityId)).not.toContain(id);
    const won = await api.get(MANAGER, '/api/opportunities?status=won');
    expect(won.json().data.items.map((o: Opportunity) => o.opportunityId)).toContain(id);
  });
});

describe('stale (POLICIES: next step passed by more than 7 days, or more than 30 days in one stage)', () => {
  it('is stale at 8 days past the next step and at 31 days in a stage, not at 7 and 30', async () => {
    await seedOpportunities(db, [
      { id: 'S-STEP-7', customer: 'C1', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-13', stageSince: '2026-11-10' },
      { id: 'S-STEP-8', customer: 'C1', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-12', stageSince: '2026-11-10' },
      { id: 'S-STAGE-30', customer: 'C2', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-25', stageSince: '2026-10-21', createdOn: '2026-10-01' },
      { id: 'S-STAGE-31', customer: 'C2', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-25', stageSince: '2026-10-20', createdOn: '2026-10-01' },
    ]);
    const of = async (id: string) => (await api.get(MANAGER, `/api/opportunities/${id}`)).json().data as Opportunity;
    expect(await of('S-STEP-7')).toMatchObject({ stale: false, staleReasons: [], due: true });
    expect(await of('S-STEP-8')).toMatchObject({ stale: true, staleReasons: ['next_step_overdue'] });
    expect(await of('S-STAGE-30')).toMatchObject({ stale: false, daysInStage: 30 });
    expect(await of('S-STAGE-31')).toMatchObject({ stale: true, staleReasons: ['stage_too_long'], daysInStage: 31 });
    const stale = await api.get(MANAGER, '/api/opportunities?stale=true&pageSize=200');
    expect(stale.json().data.items.map((o: Opportunity) => o.opportunityId).sort()).toEqual(['S-STAGE-31', 'S-STEP-8']);
  });
});

describe('the board, the table and the customer’s opportunities', () => {
  it('a column per stage with its count and amount; the board of another owner only for a reviewer', async () => {
    const b = await api.get(MANAGER, '/api/opportunities/board');
    expect(b.statusCode, b.body).toBe(200);
    const data = b.json().data;
    expect(data.columns.map((c: { stage: string }) => c.stage)).toEqual(['identified', 'contacted', 'needs_confirmed', 'proposed', 'won', 'lost']);
    const identified = data.columns[0];
    expect(identified.total).toBe(identified.items.length);
    expect(identified.items.every((o: Opportunity) => o.stage === 'identified' && o.owner.staffId === MANAGER)).toBe(true);
    expect(data.stale).toBe(2);
    expect((await api.get(SUPERVISOR, `/api/opportunities/board?staffId=${MANAGER}`)).statusCode).toBe(403);
    const head = await api.get(HEAD, `/api/opportunities/board?staffId=${MANAGER}`);
    expect(head.json().data.owner.staffId).toBe(MANAGER);
    expect((await api.get(HEAD, `/api/opportunities/board?staffId=${MANAGER_B211}`, 'en')).json().error.fields).toEqual({ staffId: 'no such staff member within your branches' });
  });

  it('the table sorts and pages with its total and amount', async () => {
    const r = await api.get(MANAGER, '/api/opportunities?sort=expected_amount&pageSize=2');
    const data = r.json().data;
    expect(data.items).toHaveLength(2);
    expect(data.total).toBeGreaterThan(2);
    expect(Number(data.items[0].expectedAmount ?? 0)).toBeGreaterThanOrEqual(Number(data.items[1].expectedAmount ?? 0));
    expect(data.totalAmount).toMatch(/^\d+\.\d{2}$/);
  });

  it("the 360 page's card: the customer's opportunities the user may see, 404 outside the scope", async () => {
    const mine = await api.get(MANAGER, '/api/customers/C1/opportunities');
    expect(mine.statusCode).toBe(200);
    expect(mine.json().data.items.length).toBeGreaterThan(0);
    expect(mine.json().data.items.every((o: Opportunity) => o.customer?.customerId === 'C1')).toBe(true);
    // the co-owning supervisor sees the customer, not the manager's opportunities: only the one handed to them
    const theirs = (await api.get(SUPERVISOR, '/api/customers/C1/opportunities')).json().data.items as Opportunity[];
    expect(theirs.map((o) => o.owner.staffId)).toEqual([SUPERVISOR]);
    expect((await api.get(MANAGER_B112, '/api/customers/C1/opportunities')).statusCode).toBe(404);
    expect((await api.get(BRANCH_HEAD_B100, '/api/customers/C1/opportunities')).json().data.items.length).toBe(mine.json().data.items.length + theirs.length);
  });
});
