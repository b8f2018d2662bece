import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, buildScopedBank, loadScopedBank, MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, feedDir, validIdNumber, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { loadFeed } from '../feed/feed.load.js';
import type { Prospect } from './opportunities.contract.js';
import { client } from './opportunities.test-support.js';

// Prospects (递进沟通表's people who are not customers yet) through the API on the scoped bank:
// registered with their phone and ID number masked (revealed with a reason, audited), seen by their
// owner, the branch heads of the owner's branch and the department; contacts and opportunities like
// a customer's, in the 递进沟通表; then turned into the customer they become by the daily batch of
// the next business date (same ID number, or same phone and name), history kept, audited.

const MANAGER = OUTLET_STAFF.customer_manager;
const HEAD = OUTLET_STAFF.branch_head;
const ID_WANG = validIdNumber('19800101', '131');
const PHONE_WANG = '13911112222';
const PHONE_ZHAO = '13922223333';
const PHONE_QIAN = '13933334444';
let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await runDailyBatch(db, '2026-11-20');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const register = async (body: Record<string, unknown>, login: string = MANAGER, lang = 'zh') => api.post(login, '/api/prospects', body, lang);

describe('registering prospects', () => {
  it('keeps the phone and ID number, and answers them masked', async () => {
    const r = await register({ name: '王五', phone: '139-1111-2222', idNumber: ID_WANG.toLowerCase(), source: 'walk_in', notes: '咨询大额存单' });
    expect(r.statusCode, r.body).toBe(200);
    const p = r.json().data as Prospect;
    ids.wang = p.prospectId;
    expect(p).toMatchObject({ name: '王五', phone: '139****2222', idNumber: `110105********${ID_WANG.slice(-4)}`, source: 'walk_in', status: 'open', owner: { staffId: MANAGER }, branch: { id: 'B111' } });
    expect(r.body).not.toContain(PHONE_WANG);
    expect(r.body).not.toContain(ID_WANG);
    expect((await sql<{ phone: string; id_number: string }>('SELECT phone, id_number FROM prospects WHERE prospect_id = $1', [p.prospectId]))[0]).toEqual({ phone: PHONE_WANG, id_number: ID_WANG });
    ids.zhao = (await register({ name: '赵七', phone: PHONE_ZHAO, source: 'referral' })).json().data.prospectId;
    ids.qian = (await register({ name: '钱八', phone: PHONE_QIAN, idNumber: validIdNumber('19700202', '141'), source: 'campaign' })).json().data.prospectId;
  });

  it('names the field of what is wrong, and refuses a person registered already or a customer already (409)', async () => {
    const fields = async (body: Record<string, unknown>) => {
      const r = await register(body, MANAGER, 'en');
      expect(r.statusCode, r.body).toBe(400);
      return r.json().error.fields;
    };
    expect(await fields({ name: ' ', phone: '13900000000', source: 'walk_in' })).toEqual({ name: 'the name is required (1 to 40 characters)' });
    expect(Object.keys(await fields({ name: '孙九', phone: '12345', source: 'walk_in' }))).toEqual(['phone']);
    expect(Object.keys(await fields({ name: '孙九', idNumber: '110105198001011', source: 'walk_in' }))).toEqual(['idNumber']);
    expect(Object.keys(await fields({ name: '孙九', source: 'walk_in' }))).toEqual(['phone']);
    expect(Object.keys(await fields({ name: '孙九', phone: '13900000000', source: 'friend' }))).toEqual(['source']);
    const twice = await register({ name: '王五五', phone: PHONE_WANG, source: 'walk_in' }, MANAGER_B112, 'en');
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.message).toContain('registered as a prospect already');
    // C2 李四 is a customer with this phone
    expect((await register({ name: '李四', phone: '13987654321', source: 'walk_in' })).statusCode).toBe(409);
  });
});

describe('who sees a prospect', () => {
  it('its owner, the branch heads of its branch and the department; another manager gets 404; only the owner changes it', async () => {
    for (const login of [MANAGER, HEAD, BRANCH_HEAD_B100, PB_DEPT]) {
      expect((await api.get(login, `/api/prospects/${ids.wang}`)).statusCode, login).toBe(200);
      expect((await api.get(login, '/api/prospects')).json().data.items.map((p: Prospect) => p.prospectId), login).toContain(ids.wang);
    }
    for (const login of [MANAGER_B112, OUTLET_STAFF.cm_supervisor]) {
      expect((await api.get(login, `/api/prospects/${ids.wang}`)).statusCode, login).toBe(404);
      expect((await api.get(login, '/api/prospects')).json().data.items, login).toEqual([]);
      expect((await api.patch(login, `/api/prospects/${ids.wang}`, { notes: 'x' })).statusCode, login).toBe(404);
    }
    expect((await api.patch(HEAD, `/api/prospects/${ids.wang}`, { notes: 'x' })).statusCode).toBe(403);
    // the owner changes it, closes it and pursues it again
    const closed = await api.patch(MANAGER, `/api/prospects/${ids.qian}`, { notes: '暂无需求', status: 'closed' });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().data).toMatchObject({ notes: '暂无需求', status: 'closed' });
    expect((await api.patch(MANAGER, `/api/prospects/${ids.qian}`, { status: 'open' })).json().data.status).toBe('open');
    expect((await api.get(MANAGER, '/api/prospects?q=2222')).json().data.items.map((p: Prospect) => p.name)).toEqual(['王五']);
    expect((await api.get(MANAGER, `/api/prospects?q=${encodeURIComponent('赵')}`)).json().data.items.map((p: Prospect) => p.name)).toEqual(['赵七']);
  });

  it('shows the phone in full only with a reason, audited; refused outside the scope (404, audited)', async () => {
    const no = await api.post(MANAGER, `/api/prospects/${ids.wang}/reveal`, { fields: ['phone'], reason: '看' }, 'en');
    expect(no.statusCode).toBe(400);
    expect(no.json().error.fields).toEqual({ reason: 'give the reason for seeing the full value (4 to 200 characters)' });
    const r = await api.post(MANAGER, `/api/prospects/${ids.wang}/reveal`, { fields: ['phone', 'id_number'], reason: '回电预约面谈' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toEqual({ prospectId: ids.wang, values: { phone: PHONE_WANG, id_number: ID_WANG } });
    const last = async () => (await sql<{ actor: string; action: string; fields: string[]; outcome: string; reason: string; detail: Record<string, unknown> }>(`SELECT actor, action, fields, outcome, reason, detail FROM audit_log WHERE action = 'reveal' ORDER BY entry_id DESC LIMIT 1`))[0];
    expect(await last()).toEqual({ actor: MANAGER, action: 'reveal', fields: ['phone', 'id_number'], outcome: 'allowed', reason: '回电预约面谈', detail: { prospectId: ids.wang } });
    const out = await api.post(MANAGER_B112, `/api/prospects/${ids.wang}/reveal`, { fields: ['phone'], reason: '核对客户信息' });
    expect(out.statusCode).toBe(404);
    expect(out.body).not.toContain(PHONE_WANG);
    expect(await last()).toMatchObject({ actor: MANAGER_B112, outcome: 'refused', detail: { prospectId: ids.wang, why: 'out_of_scope' } });
  });
});

describe('contacts and opportunities of a prospect', () => {
  it('records contacts (in the 递进沟通表) and opportunities like a customer’s', async () => {
    const c = await api.post(MANAGER, `/api/prospects/${ids.wang}/contacts`, { channel: 'phone', outcome: 'appointment', notes: '约周一面谈', contactedAt: '2026-11-20T10:00:00+08:00', nextContactOn: '2026-11-23' });
    expect(c.statusCode, c.body).toBe(200);
    const o = await api.post(MANAGER, '/api/opportunities', { prospectId: ids.wang, contactId: c.json().data.contactId, target: { type: 'product_kind', code: 'time_deposit' }, expectedAmount: '500000', nextStep: '面谈', nextStepOn: '2026-11-23' });
    expect(o.statusCode, o.body).toBe(200);
    expect(o.json().data).toMatchObject({ customer: null, prospect: { prospectId: ids.wang, name: '王五' }, source: 'contact' });
    ids.opp = o.json().data.opportunityId;
    expect((await api.post(MANAGER, `/api/opportunities/${ids.opp}/stage`, { stage: 'contacted' })).statusCode).toBe(200);
    const p = (await api.get(MANAGER, `/api/prospects/${ids.wang}`)).json().data;
    expect(p).toMatchObject({ contacts: 1, nextContactOn: '2026-11-23', openOpportunities: 1 });
    expect(p.contactLog.map((x: { notes: string }) => x.notes)).toEqual(['约周一面谈']);
    expect(p.opportunities.map((x: { opportunityId: string }) => x.opportunityId)).toEqual([ids.opp]);
    // another manager cannot make one for someone else's prospect
    expect((await api.post(MANAGER_B112, '/api/opportunities', { prospectId: ids.wang, source: 'walk_in', target: { type: 'vip_signing' }, nextStep: 'x', nextStepOn: '2026-11-23' })).statusCode).toBe(404);
    const sheet = await api.get(MANAGER, '/api/worklist/sheets?sheet=contact_log&from=2026-11-20&to=2026-11-20');
    expect(sheet.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(sheet.rawPayload as unknown as ArrayBuffer);
    const rows = (wb.worksheets[0]?.getSheetValues() ?? []).filter(Boolean) as unknown[][];
    expect(rows.some((r) => r.includes('潜在客户') && r.includes('王五') && r.includes('约周一面谈'))).toBe(true);
  });
});

describe('the daily batch turns a prospect into the customer they become', () => {
  it('by ID number, or by phone and name (not with a different ID number): opportunities and contacts move to the customer, audited', async () => {
    const files = buildScopedBank();
    files.customers?.push(
      buildCustomer({ customer_id: 'C6', name: '王五', id_number: ID_WANG, phone: '13700009999', branch_id: 'B111', opened_on: '2026-11-23' }),
      buildCustomer({ customer_id: 'C7', name: '赵七', id_number: validIdNumber('19920303', '151'), phone: PHONE_ZHAO, branch_id: 'B111', opened_on: '2026-11-23' }),
      buildCustomer({ customer_id: 'C8', name: '钱八', id_number: validIdNumber('19700202', '142'), phone: PHONE_QIAN, branch_id: 'B111', opened_on: '2026-11-23' }),
    );
    files.accounts?.push(buildAccount({ account_id: 'A60', customer_id: 'C6', balance: '500000.00', opened_on: '2026-11-23' }), buildAccount({ account_id: 'A70', customer_id: 'C7', balance: '100.00', opened_on: '2026-11-23' }));
    const loaded = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-23', mode: 'full' }, files));
    expect(loaded.outcome, JSON.stringify(loaded.problems)).toBe('loaded');
    await refreshCustomerOverview(db);
    const steps = await runDailyBatch(db, '2026-11-23');
    expect(steps.find((s) => s.step === 'opportunities')?.summary).toMatch(/^2 prospects became customers \(1 opportunities, 1 contacts moved\)/);
    const prospects = await sql<{ prospect_id: string; status: string; converted_customer: string | null; converted_on: string | null }>(
      'SELECT prospect_id, status, converted_customer, converted_on FROM prospects ORDER BY name',
    );
    expect(Object.fromEntries(prospects.map((p) => [p.prospect_id, [p.status, p.converted_customer, p.converted_on]]))).toEqual({
      [ids.wang ?? '']: ['converted', 'C6', '2026-11-23'],
      [ids.zhao ?? '']: ['converted', 'C7', '2026-11-23'],
      [ids.qian ?? '']: ['open', null, null],
    });
    const [opp] = await sql<{ customer_id: string; prospect_id: string; stage: string }>('SELECT customer_id, prospect_id, stage FROM opportunities WHERE opportunity_id = $1', [ids.opp]);
    expect(opp).toEqual({ customer_id: 'C6', prospect_id: ids.wang, stage: 'contacted' });
    expect((await sql('SELECT 1 FROM opportunity_stages WHERE customer_id = $1 AND opportunity_id = $2', ['C6', ids.opp])).length).toBe(2);
    expect(await sql(`SELECT customer_id, notes, source FROM contact_log WHERE source = 'prospect'`)).toEqual([{ customer_id: 'C6', notes: '约周一面谈', source: 'prospect' }]);
    expect(await sql(`SELECT count(*)::int AS n FROM opportunities WHERE customer_id = ''`)).toEqual([{ n: 0 }]);
    const [entry] = await sql<{ actor: string; customer_ids: string[]; detail: { prospects: { customerId: string; matchedBy: string }[] } }>(
      `SELECT actor, customer_ids, detail FROM audit_log WHERE action = 'prospect_convert'`,
    );
    expect(entry?.actor).toBe('system');
    expect([...(entry?.customer_ids ?? [])].sort()).toEqual(['C6', 'C7']);
    expect(entry?.detail.prospects.map((p) => [p.customerId, p.matchedBy]).sort()).toEqual([['C6', 'id_number'], ['C7', 'phone_and_name']]);
    // the customer's page: the branch head sees the opportunity now under C6; the manager once they own C6
    expect((await api.get(HEAD, '/api/customers/C6/opportunities')).json().data.items.map((o: { opportunityId: string; prospect: { prospectId: string } }) => [o.opportunityId, o.prospect.prospectId])).toEqual([[ids.opp, ids.wang]]);
    expect((await api.get(MANAGER, `/api/opportunities/${ids.opp}`)).statusCode).toBe(404);
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C6', $1, 'primary', 'manual', $2)`, [MANAGER, HEAD]);
    expect((await api.get(MANAGER, `/api/opportunities/${ids.opp}`)).json().data.customer).toEqual({ customerId: 'C6', name: '王五' });
    // a converted prospect is no longer changed
    expect((await api.patch(MANAGER, `/api/prospects/${ids.wang}`, { notes: '已开户' })).statusCode).toBe(409);
    // a rerun of the date converts nothing more
    const again = await runDailyBatch(db, '2026-11-23', undefined, { from: 'opportunities' });
    expect(again[0]?.summary).toMatch(/^0 prospects became customers/);
  });
});
