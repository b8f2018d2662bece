import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScopedBank, loadScopedBank, OUTLET_STAFF, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, buildTransaction, validIdNumber, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { checkCustomerFacts } from './ownership.claims.js';

// Familiar-customer claims: the customer-side facts of seed 003 checked from the data (each true
// and false), a claim needs a manager-side and a customer-side fact, the branch head decides.

const D = '2026-11-20';
const acct = (customer: string, id: string, over: Row = {}) => buildAccount({ account_id: id, customer_id: customer, ...over });
const wealth = (customer: string, id: string, opened: string, over: Row = {}) =>
  acct(customer, id, { kind: 'wealth', product_code: 'WM1', balance: '10000.00', opened_on: opened, matures_on: '2027-12-01', ...over });

function bank() {
  const b = buildScopedBank();
  const ids = ['F0', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7'];
  b.customers?.push(...ids.map((id, i) => buildCustomer({ customer_id: id, name: `熟户${i}`, id_number: validIdNumber('19800101', `3${String(i).padStart(2, '0')}`), phone: `1370000030${i}` })));
  b.accounts?.push(
    acct('F0', 'AF0'), // one kind only
    acct('F1', 'AF1a'), acct('F1', 'AF1b', { kind: 'time_deposit', product_code: 'TD12', opened_on: '2026-01-01', matures_on: '2027-01-01' }), wealth('F1', 'AF1c', '2026-01-01'),
    acct('F2', 'AF2a'), wealth('F2', 'AF2b', '2026-01-01'), // two kinds + e-banking below
    acct('F3', 'AF3a'), wealth('F3', 'AF3b', '2025-01-01', { status: 'closed', balance: '0.00' }), wealth('F3', 'AF3c', '2025-06-01'), wealth('F3', 'AF3d', '2026-01-01'),
    acct('F4', 'AF4a'), wealth('F4', 'AF4b', '2026-01-01', { balance: '1200000.00' }),
    acct('F5', 'AF5a'), wealth('F5', 'AF5b', '2026-11-15'), wealth('F5', 'AF5c', '2026-10-16'), wealth('F5', 'AF5d', '2026-09-16'),
    acct('F6', 'AF6a'), wealth('F6', 'AF6b', '2026-11-15'), wealth('F6', 'AF6c', '2026-09-16'), // a month without
    acct('F7', 'AF7a'), wealth('F7', 'AF7b', '2026-01-01', { balance: '1000000.00' }), // exactly 100万 is not over it
  );
  b.transactions?.push(buildTransaction({ txn_id: 'TF2', customer_id: 'F2', account_id: 'AF2a', booked_at: '2026-11-10T10:00:00+08:00', channel: 'mobile' }));
  return b;
}

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let manager: TestSession;
let head: TestSession;
const post = (s: TestSession, url: string, payload: Record<string, unknown>, lang = 'zh') =>
  app.inject({ method: 'POST', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang }, payload });

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, bank());
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  manager = await signInAs(app, OUTLET_STAFF.customer_manager);
  head = await signInAs(app, OUTLET_STAFF.branch_head);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

const facts = (id: string, appointments = false) => db.session((s) => checkCustomerFacts(s, id, D, appointments));

describe('customer-side facts from the data', () => {
  it('3+ product kinds: account kinds, with e-banking counting as one', async () => {
    expect((await facts('F1')).product_kinds_3).toBe('met');
    expect((await facts('F2')).product_kinds_3).toBe('met');
    expect((await facts('F0')).product_kinds_3).toBe('not_met');
  });
  it('3+ wealth purchases, closed ones included', async () => {
    expect((await facts('F3')).wealth_purchases_3).toBe('met');
    expect((await facts('F1')).wealth_purchases_3).toBe('not_met');
  });
  it('a purchase over 100万', async () => {
    expect((await facts('F4')).purchase_over_1m).toBe('met');
    expect((await facts('F7')).purchase_over_1m).toBe('not_met');
  });
  it('buys monthly: a wealth product in each of the last three 30-day periods', async () => {
    expect((await facts('F5')).buys_monthly).toBe('met');
    expect((await facts('F6')).buys_monthly).toBe('not_met');
  });
  it('appointments are not in the feed: declared by the manager, never "met"', async () => {
    expect((await facts('F0', true)).books_appointments).toBe('declared');
    expect((await facts('F0')).books_appointments).toBe('not_met');
  });
});

describe('claiming a familiar customer', () => {
  it('needs a manager-side fact, and a customer-side one, with errors naming the field in both languages', async () => {
    const none = await post(manager, '/api/customers/F1/claims', { managerFacts: [] }, 'en');
    expect(none.statusCode).toBe(400);
    expect(none.json().error.fields).toEqual({ managerFacts: 'tick at least one' });
    const zh = await post(manager, '/api/customers/F0/claims', { managerFacts: ['knows_occupation'] });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.fields).toEqual({ customerFacts: '客户方面条件均不满足' });
  });

  it('a claim waits for the branch head, who approves it: the manager becomes the primary owner', async () => {
    const r = await post(manager, '/api/customers/F4/claims', { managerFacts: ['knows_family_finances', 'monthly_contact'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toMatchObject({ status: 'pending', customerFactsMet: 1 });
    expect((await post(manager, '/api/customers/F4/claims', { managerFacts: ['knows_occupation'] })).statusCode).toBe(409);
    // the manager does not own F4 yet: its page is out of scope, and their claims list shows no more of F4 than its number and masked name
    expect((await manager.get('/api/customers/F4')).statusCode).toBe(404);
    const own = (await manager.get('/api/ownership/claims')).json().data.items;
    expect(own.map((c: { customer: unknown }) => c.customer)).toEqual([{ customerId: 'F4', name: '熟*4', branch: { id: 'B111', name: '电力路网点' }, visible: false, aum: null, aumBand: null, vipCard: null }]);
    // the lobby and tellers have no business with claims
    for (const login of [OUTLET_STAFF.lobby_manager, OUTLET_STAFF.lobby_assistant, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller]) {
      const lobby = await (await signInAs(app, login)).get('/api/ownership/claims');
      expect(lobby.statusCode, login).toBe(403);
      expect(lobby.body).not.toContain('熟户4');
    }
    const list = (await head.get('/api/ownership/claims')).json().data.items;
    expect(list).toHaveLength(1);
    expect(list[0].customer).toMatchObject({ name: '熟户4', visible: true, aum: '1252300.00' }); // a current account of 52,300 and 120万 in wealth
    expect(list[0]).toMatchObject({ customer: { customerId: 'F4' }, claimant: { staffId: OUTLET_STAFF.customer_manager }, customerFacts: { purchase_over_1m: 'met', product_kinds_3: 'not_met' } });
    // only the branch head decides
    const body = { customerId: 'F4', claimId: list[0].claimId, decision: 'approve' };
    expect((await post(manager, '/api/ownership/claims/decisions', body)).statusCode).toBe(403);
    expect((await post(head, '/api/ownership/claims/decisions', body)).statusCode).toBe(200);
    expect((await manager.get('/api/customers/F4')).statusCode).toBe(200);
    const owners = (await manager.get('/api/customers/F4/owners')).json().data.owners;
    expect(owners).toMatchObject([{ staffId: OUTLET_STAFF.customer_manager, kind: 'primary', source: 'claim' }]);
    const audit = await db.session((s) => s.query(`SELECT action, actor FROM audit_log WHERE 'F4' = ANY(customer_ids) ORDER BY entry_id`));
    expect(audit.rows).toEqual([{ action: 'claim_submit', actor: OUTLET_STAFF.customer_manager }, { action: 'claim_approve', actor: OUTLET_STAFF.branch_head }]);
  });

  it('a refusal needs a note; a declared appointment is shown as declared', async () => {
    const r = await post(manager, '/api/customers/F0/claims', { managerFacts: ['knows_preferences'], booksAppointments: true });
    expect(r.statusCode).toBe(200);
    const claim = (await head.get('/api/ownership/claims')).json().data.items.find((c: { customer: { customerId: string } }) => c.customer.customerId === 'F0');
    expect(claim.customerFacts.books_appointments).toBe('declared');
    const refuse = { customerId: 'F0', claimId: claim.claimId, decision: 'refuse' };
    const bare = await post(head, '/api/ownership/claims/decisions', refuse, 'en');
    expect(bare.json().error.fields).toEqual({ note: 'a reason is required' });
    expect((await post(head, '/api/ownership/claims/decisions', { ...refuse, note: '未核实预约' })).statusCode).toBe(200);
    expect((await manager.get('/api/customers/F0')).statusCode).toBe(404);
  });

  it('a customer of another outlet cannot be claimed', async () => {
    expect((await post(manager, '/api/customers/C3/claims', { managerFacts: ['knows_occupation'], booksAppointments: true })).statusCode).toBe(404);
  });
});
