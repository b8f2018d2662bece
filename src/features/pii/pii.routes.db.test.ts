import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, FULL_ID_C1, FULL_PHONE_C1, loadScopedBank, MANAGER_B211, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';

// Personal data as each role sees it, and the explicit, audited reveal of a full value.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => {
  let s = sessions.get(login);
  if (!s) sessions.set(login, (s = await signInAs(app, login)));
  return s;
};
const reveal = async (login: string, customerId: string, payload: unknown, lang = 'zh-CN') => {
  const s = await as(login);
  return app.inject({ method: 'POST', url: `/api/customers/${customerId}/reveal`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang }, payload: payload as Record<string, unknown> });
};
interface Entry { actor: string | null; role: string | null; ip: string | null; action: string; customer_ids: string[]; fields: string[]; outcome: string; reason: string | null; detail: Record<string, unknown> }
const lastEntry = async (action: string) =>
  (await db.session((s) => s.query<Entry>('SELECT actor, role, ip, action, customer_ids, fields, outcome, reason, detail FROM audit_log WHERE action = $1 ORDER BY entry_id DESC LIMIT 1', [action]))).rows[0];

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('personal data by role', () => {
  it('shows the lobby manager names masked (张*明, 李*) and phones masked', async () => {
    const list = (await (await as(OUTLET_STAFF.lobby_manager)).get('/api/customers?sort=customer_id')).json().data.items;
    expect(list.map((c: { name: string; phone: string }) => [c.name, c.phone])).toEqual([['张*明', '138****5678'], ['李*', '139****4321']]);
    const p = (await (await as(OUTLET_STAFF.lobby_manager)).get('/api/customers/C1')).json().data.profile;
    expect(p).toMatchObject({ name: '张*明', phone: '138****5678', idNumber: '110105********' + FULL_ID_C1.slice(-4), address: '北京市东城区****', birthDate: null, annualIncome: null });
    const txns = (await (await as(OUTLET_STAFF.lobby_manager)).get('/api/customers/C1/transactions')).json().data.items;
    expect(txns.map((t: { counterparty: string }) => t.counterparty)).toContain('超*');
  });

  it('shows the manager names, birth date, income and counterparties, but the phone, ID number and address masked', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1');
    expect(r.json().data.profile).toMatchObject({ name: '张三明', phone: '138****5678', address: '北京市东城区****', birthDate: '1985-03-15', annualIncome: '240000.00' });
    const txns = (await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1/transactions')).json().data.items;
    expect(txns.map((t: { counterparty: string }) => t.counterparty)).toContain('超市');
  });

  it('gives nobody a full phone or ID number without a reveal, in the list or the 360', async () => {
    for (const login of [...Object.values(OUTLET_STAFF), BRANCH_HEAD_B100, PB_DEPT]) {
      for (const url of ['/api/customers', '/api/customers/C1', '/api/customers/C1/transactions']) {
        const r = await (await as(login)).get(url);
        expect(r.body, `${login} ${url}`).not.toContain(FULL_PHONE_C1);
        expect(r.body, `${login} ${url}`).not.toContain(FULL_ID_C1);
      }
    }
  });
});

describe('revealing a full value', () => {
  it('gives the manager the full phone and address with a reason, never cached, and audits it with the fields', async () => {
    const r = await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: ['phone', 'address'], reason: '客户来电要求回拨' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json().data).toEqual({ customerId: 'C1', values: { phone: FULL_PHONE_C1, address: '北京市东城区电力路1号' } });
    expect(await lastEntry('reveal')).toEqual({
      actor: OUTLET_STAFF.customer_manager, role: 'customer_manager', ip: '127.0.0.1', action: 'reveal',
      customer_ids: ['C1'], fields: ['phone', 'address'], outcome: 'allowed', reason: '客户来电要求回拨', detail: {},
    });
  });

  it('lets a teller reveal the ID number (identity check at the counter) but not the phone: 403, audited as refused', async () => {
    const id = await reveal(OUTLET_STAFF.counter_teller, 'C1', { fields: ['id_number'], reason: '柜面核对身份证' });
    expect(id.json().data.values).toEqual({ id_number: FULL_ID_C1 });
    const phone = await reveal(OUTLET_STAFF.counter_teller, 'C1', { fields: ['phone'], reason: '想看一下' }, 'en');
    expect(phone.statusCode).toBe(403);
    expect(phone.json().error).toMatchObject({ code: 'forbidden', message: 'Your role may not see these values in full.' });
    expect(phone.body).not.toContain(FULL_PHONE_C1);
    expect(await lastEntry('reveal')).toMatchObject({ actor: OUTLET_STAFF.counter_teller, fields: ['phone'], outcome: 'refused', detail: { why: 'role', denied: ['phone'] } });
  });

  it('refuses the lobby manager and the lobby assistant any full value, audited', async () => {
    for (const login of [OUTLET_STAFF.lobby_manager, OUTLET_STAFF.lobby_assistant]) {
      const r = await reveal(login, 'C1', { fields: ['phone'], reason: '分流客户' });
      expect(r.statusCode).toBe(403);
      expect(await lastEntry('reveal')).toMatchObject({ actor: login, customer_ids: ['C1'], outcome: 'refused' });
    }
  });

  it('answers 404 for a customer outside the scope, like one that does not exist, and audits it as refused', async () => {
    const r = await reveal(MANAGER_B211, 'C1', { fields: ['phone'], reason: '核对客户信息' });
    expect(r.statusCode).toBe(404);
    expect(r.body).not.toContain(FULL_PHONE_C1);
    expect(await lastEntry('reveal')).toMatchObject({ actor: MANAGER_B211, customer_ids: ['C1'], fields: ['phone'], outcome: 'refused', reason: '核对客户信息', detail: { why: 'out_of_scope' } });
    expect((await reveal(MANAGER_B211, 'C404', { fields: ['phone'], reason: '核对客户信息' })).json().error.code).toBe('not_found');
  });

  it('answers 404 to the outlet’s managers, supervisor and tellers for a customer of their outlet they do not own, as their 360 does', async () => {
    // C2 is at their outlet (B111); take its owners away for this test
    const saved = await db.session((s) => s.query<{ customer_id: string; staff_id: string; kind: string }>(`DELETE FROM customer_owners WHERE customer_id = 'C2' RETURNING customer_id, staff_id, kind`));
    try {
      for (const login of [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller]) {
        expect((await (await as(login)).get('/api/customers/C2')).statusCode, login).toBe(404);
        const r = await reveal(login, 'C2', { fields: ['id_number'], reason: '核对客户信息' });
        expect(r.statusCode, login).toBe(404);
        expect(r.json()).toEqual((await reveal(login, 'C404', { fields: ['id_number'], reason: '核对客户信息' })).json());
        expect(r.body).not.toContain('13987654321');
        expect(await lastEntry('reveal')).toMatchObject({ actor: login, customer_ids: ['C404'], outcome: 'refused', detail: { why: 'out_of_scope' } });
      }
      // the branch head of the outlet still may
      expect((await reveal(OUTLET_STAFF.branch_head, 'C2', { fields: ['phone'], reason: '核对客户信息' })).json().data.values).toEqual({ phone: '13987654321' });
    } finally {
      await db.session((s) => s.query(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT c, st, k, 'manual', 'test' FROM unnest($1::text[], $2::text[], $3::text[]) AS x(c, st, k)`, [saved.rows.map((o) => o.customer_id), saved.rows.map((o) => o.staff_id), saved.rows.map((o) => o.kind)]));
    }
  });

  it('requires a reason of 4 to 200 characters, with the error at the field in both languages, and known fields', async () => {
    const zh = await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: ['phone'], reason: ' 看看 ' });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.fields).toEqual({ reason: '请写明查看原因（4–200 个字）' });
    const en = await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: ['phone'], reason: 'x'.repeat(201) }, 'en');
    expect(en.json().error.fields).toEqual({ reason: 'give the reason for seeing the full value (4 to 200 characters)' });
    const missing = await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: ['phone'] }, 'en');
    expect(Object.keys(missing.json().error.fields)).toEqual(['reason']);
    const bad = await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: ['annual_income'], reason: '客户来电要求回拨' }, 'en');
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields)[0]).toMatch(/^fields/);
    expect((await reveal(OUTLET_STAFF.customer_manager, 'C1', { fields: [], reason: '客户来电要求回拨' })).statusCode).toBe(400);
  });

  it('needs the CSRF token like every change', async () => {
    const s = await as(OUTLET_STAFF.customer_manager);
    const r = await app.inject({ method: 'POST', url: '/api/customers/C1/reveal', headers: { cookie: s.cookie }, payload: { fields: ['phone'], reason: '客户来电要求回拨' } });
    expect(r.statusCode).toBe(403);
  });
});

describe('sign-ins in the audit trail', () => {
  it('records a sign-in, a wrong password and an unknown login (without what was typed)', async () => {
    await signInAs(app, OUTLET_STAFF.vip_teller);
    expect(await lastEntry('sign_in')).toMatchObject({ actor: OUTLET_STAFF.vip_teller, role: 'vip_teller', outcome: 'allowed', ip: '127.0.0.1' });
    await app.inject({ method: 'POST', url: '/api/session', payload: { login: OUTLET_STAFF.vip_teller, password: 'wrong-pass1' } });
    expect(await lastEntry('sign_in_failed')).toMatchObject({ actor: OUTLET_STAFF.vip_teller, outcome: 'refused', detail: { why: 'wrong_password' } });
    await app.inject({ method: 'POST', url: '/api/session', payload: { login: '13812345678', password: 'whatever1' } });
    const unknown = await lastEntry('sign_in_failed');
    expect(unknown).toMatchObject({ actor: null, outcome: 'refused', detail: { why: 'unknown_login' } });
    expect(JSON.stringify(unknown)).not.toContain('13812345678');
  });
});
