import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  BRANCH_HEAD_B100,
  FULL_ID_C1,
  FULL_PHONE_C1,
  loadScopedBank,
  MANAGER_B112,
  MANAGER_B211,
  OUTLET_STAFF,
  PB_DEPT,
  signInAs,
  type TestSession,
} from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { can, ROLES, type Permission, type Role } from '../access/access.permissions.js';

// What staff see of customers: only those in their scope, filtered and sorted on the server,
// ID numbers and phones masked.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => {
  let s = sessions.get(login);
  if (!s) {
    s = await signInAs(app, login);
    sessions.set(login, s);
  }
  return s;
};
const ids = async (login: string, query = '') => {
  const r = await (await as(login)).get(`/api/customers${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return (r.json().data.items as { customerId: string }[]).map((c) => c.customerId);
};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

// Every route about one customer, with a body where it takes one. A new route goes here.
interface CustomerRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** needed beyond customers.read: without it the answer is 403, with it 404 outside the scope */
  permission?: Permission;
  body?: unknown;
}
const CUSTOMER_ROUTE_LIST = (id: string): CustomerRoute[] => [
  { method: 'GET', url: `/api/customers/${id}` },
  { method: 'GET', url: `/api/customers/${id}/aum-history` },
  { method: 'GET', url: `/api/customers/${id}/transactions` },
  { method: 'GET', url: `/api/customers/${id}/tiers` },
  { method: 'GET', url: `/api/customers/${id}/owners` },
  { method: 'GET', url: `/api/customers/${id}/timeline` },
  { method: 'GET', url: `/api/customers/${id}/profile` },
  { method: 'PUT', url: `/api/customers/${id}/profile`, permission: 'profile.collect', body: { interests: ['书法'] } },
  // one's own reminder about the customer (any event and occurrence: none exists outside the scope)
  { method: 'POST', url: `/api/worklist/reminders/${id}/{event}/{occurrence}`, permission: 'worklist.own', body: { action: 'done' } },
  { method: 'POST', url: `/api/customers/${id}/claims`, permission: 'ownership.claim', body: { managerFacts: ['knows_occupation'], booksAppointments: true } },
  { method: 'POST', url: `/api/customers/${id}/referrals`, permission: 'referrals.create', body: { toStaffId: null, reason: '有理财需求', need: 'wealth' } },
  // out of scope answers 404 before the role's fields are checked (and is audited as refused)
  { method: 'POST', url: `/api/customers/${id}/reveal`, body: { fields: ['phone', 'id_number'], reason: '客户来电核对身份' } },
  // VIP signing (any signing id: none exists outside the scope) and suitable products (issue 19)
  { method: 'GET', url: `/api/customers/${id}/signings` },
  { method: 'POST', url: `/api/customers/${id}/signings`, permission: 'signings.request', body: { grade: 'gold' } },
  { method: 'POST', url: `/api/customers/${id}/signings/{signingId}/decision`, permission: 'signings.approve', body: { decision: 'reject', reason: '资产未达标' } },
  { method: 'POST', url: `/api/customers/${id}/signings/{signingId}/cancel`, permission: 'signings.request', body: { reason: '客户要求撤销' } },
  { method: 'POST', url: `/api/customers/${id}/signings/{signingId}/card-issued`, permission: 'signings.request', body: {} },
  { method: 'GET', url: `/api/customers/${id}/suitability` },
  { method: 'POST', url: `/api/customers/${id}/recommendations`, permission: 'products.recommend', body: { productCode: 'CUR' } },
  // the customer's opportunities (issue 19): the ones the user may see, none for a role that works none
  { method: 'GET', url: `/api/customers/${id}/opportunities` },
  // customers' feedback (issue 20 §3): read with the customer, recorded by whoever serves them
  { method: 'GET', url: `/api/customers/${id}/feedback` },
  { method: 'POST', url: `/api/customers/${id}/feedback`, permission: 'feedback.record', body: { kind: 'asked_for_help' } },
  // the customer's complaints (issue 22 §1): read with the customer
  { method: 'GET', url: `/api/customers/${id}/complaints` },
  // the customer's household, and the links staff add (issue 23 §1)
  { method: 'GET', url: `/api/customers/${id}/household` },
  { method: 'POST', url: `/api/customers/${id}/household/links`, permission: 'households.link', body: { relatedCustomerId: 'C1', relation: 'spouse', consentNote: '客户签字同意' } },
  { method: 'DELETE', url: `/api/customers/${id}/household/links/{relatedCustomerId}`, permission: 'households.link' },
  // what the customer is entitled to (issue 22 §2)
  { method: 'GET', url: `/api/customers/${id}/entitlements` },
  // an invitee of a relationship event (issue 21 §5): their answer and arrival
  { method: 'POST', url: `/api/gatherings/{gatheringId}/invitees/${id}/answer`, permission: 'gatherings.read', body: { state: 'accepted' } },
  { method: 'POST', url: `/api/gatherings/{gatheringId}/invitees/${id}/attend`, permission: 'gatherings.read' },
];
// the reading ones (GET), as URLs
const CUSTOMER_ROUTES = (id: string) => CUSTOMER_ROUTE_LIST(id).filter((r) => r.method === 'GET').map((r) => r.url);
const roleOf = async (login: string) => (await (await as(login)).get('/api/session')).json().data.role as Role;
const send = async (login: string, r: CustomerRoute) => {
  const s = await as(login);
  return app.inject({ method: r.method, url: r.url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(r.body ? { payload: r.body as Record<string, unknown> } : {}) });
};

describe('the customer list', () => {
  it('shows a customer manager the customers of their own outlet, richest first, phones masked', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers');
    const data = r.json().data;
    expect(data.items.map((c: { customerId: string }) => c.customerId)).toEqual(['C1', 'C2']);
    expect(data).toMatchObject({ total: 2, totalIsLowerBound: false, page: 1, pageSize: 50, asOf: '2026-11-20' });
    expect(data.items[0]).toEqual({
      customerId: 'C1',
      name: '张三明',
      gender: 'M',
      phone: '138****5678',
      branch: { id: 'B111', name: '电力路网点' },
      openedOn: '2015-06-01',
      aum: '202300.00',
      vipCard: 'gold',
      status: 'active',
      aumBand: null, // no batch has run on this bank
      relationshipTier: null,
      householdBand: null,
    });
    expect(r.body).not.toContain(FULL_PHONE_C1);
  });

  it('scopes by role: outlet staff their outlet, a branch head the subtree, the department everything', async () => {
    // owners (manager, supervisor, tellers) see the customers they own or co-own; the lobby staff
    // the outlet; the branch head of the outlet its subtree (test/bank-fixture.ts SCOPED_OWNERS)
    for (const login of Object.values(OUTLET_STAFF)) expect((await ids(login, '?sort=customer_id')).sort(), login).toEqual(['C1', 'C2']);
    expect(await ids(MANAGER_B112)).toEqual(['C3']);
    expect(await ids(BRANCH_HEAD_B100, '?sort=customer_id')).toEqual(['C1', 'C2', 'C3']);
    expect(await ids(PB_DEPT, '?sort=customer_id')).toEqual(['C1', 'C2', 'C3', 'C4']);
  });

  it('searches by name, customer number or the last four digits of the phone', async () => {
    expect(await ids(PB_DEPT, '?q=5678&sort=customer_id')).toEqual(['C1', 'C3']);
    expect(await ids(PB_DEPT, `?q=${encodeURIComponent('张')}&sort=customer_id`)).toEqual(['C1', 'C3']);
    expect(await ids(PB_DEPT, `?q=${encodeURIComponent('张三明')}`)).toEqual(['C1']);
    expect(await ids(PB_DEPT, '?q=c4')).toEqual(['C4']);
    // a search never widens the scope
    expect(await ids(OUTLET_STAFF.customer_manager, '?q=1111')).toEqual([]);
    // LIKE wildcards are taken literally
    expect(await ids(PB_DEPT, '?q=%25')).toEqual([]);
  });

  it('filters AUM with the lower bound included and the upper excluded, in yuan', async () => {
    // AUM: C1 202,300.00 · C2 999.99 · C3 50,000.00 · C4 3,000,000.00
    expect(await ids(PB_DEPT, '?aumMin=50000&aumMax=202300&sort=customer_id')).toEqual(['C3']);
    expect(await ids(PB_DEPT, '?aumMin=50000.01&sort=customer_id')).toEqual(['C1', 'C4']);
    expect(await ids(PB_DEPT, '?aumMax=1000&sort=customer_id')).toEqual(['C2']);
  });

  it('filters by VIP card, opening date and branch (a branch means its subtree)', async () => {
    expect(await ids(PB_DEPT, '?vipCard=true&sort=customer_id')).toEqual(['C1', 'C4']);
    expect(await ids(PB_DEPT, '?vipCard=false&sort=customer_id')).toEqual(['C2', 'C3']);
    // the totals the pager shows, the VIP card with branches (counted per branch with the overview)
    const total = async (login: string, query: string) => (await (await as(login)).get(`/api/customers${query}`)).json().data.total;
    expect(await total(PB_DEPT, '?vipCard=true')).toBe(2);
    expect(await total(PB_DEPT, '?vipCard=false')).toBe(2);
    expect(await total(PB_DEPT, '?vipCard=true&branchId=B110')).toBe(1);
    expect(await total(PB_DEPT, '?vipCard=false&branchId=B110')).toBe(2);
    expect(await total(BRANCH_HEAD_B100, '?vipCard=true')).toBe(1);
    expect(await total(PB_DEPT, '?vipCard=true&aumMin=1000000')).toBe(1);
    expect(await ids(PB_DEPT, '?openedAfter=2024-02-01')).toEqual(['C2']);
    expect(await ids(PB_DEPT, '?branchId=B110&sort=customer_id')).toEqual(['C1', 'C2', 'C3']);
    expect(await ids(BRANCH_HEAD_B100, '?branchId=B112')).toEqual(['C3']);
  });

  it('a branch outside the scope answers 404, not its customers', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers?branchId=B211', { 'accept-language': 'en' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error.message).toBe('There is no such branch within your scope.');
    expect((await (await as(BRANCH_HEAD_B100)).get('/api/customers?branchId=B000')).json().data.items.map((c: { customerId: string }) => c.customerId).sort()).toEqual(['C1', 'C2', 'C3']);
  });

  it('sorts and pages on the server', async () => {
    expect(await ids(PB_DEPT, '?sort=aum_asc')).toEqual(['C2', 'C3', 'C1', 'C4']);
    expect(await ids(PB_DEPT, '?sort=opened_desc')).toEqual(['C2', 'C1', 'C3', 'C4']);
    const page2 = (await (await as(PB_DEPT)).get('/api/customers?pageSize=3&page=2')).json().data;
    expect(page2).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(page2.items.map((c: { customerId: string }) => c.customerId)).toEqual(['C2']);
  });

  it('refuses bad parameters naming each one, in the language asked for', async () => {
    const s = await as(PB_DEPT);
    const r = await s.get('/api/customers?pageSize=500&sort=richest&openedAfter=yesterday', { 'accept-language': 'en' });
    expect(r.statusCode).toBe(400);
    expect(Object.keys(r.json().error.fields).sort()).toEqual(['openedAfter', 'pageSize', 'sort']);
    const range = await s.get('/api/customers?aumMin=500&aumMax=100');
    expect(range.json().error.fields).toEqual({ aumMax: 'AUM 下限须小于上限' });
  });
});

describe('the customer 360', () => {
  it('shows profile with masked ID and phone, AUM by kind, accounts with maturity, cards and overdue loans', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1');
    expect(r.statusCode).toBe(200);
    const c = r.json().data;
    expect(c.profile).toMatchObject({ customerId: 'C1', name: '张三明', idNumber: `110105********${FULL_ID_C1.slice(-4)}`, phone: '138****5678', age: 41, riskLevel: 'C3' });
    expect(r.body).not.toContain(FULL_ID_C1);
    expect(r.body).not.toContain(FULL_PHONE_C1);
    expect(c.aum).toEqual({
      asOf: '2026-11-20',
      total: '202300.00',
      deposits: '152300.00',
      byKind: { current: '52300.00', timeDeposit: '100000.00', wealth: '50000.00', fund: '0.00', insurance: '0.00', loans: '80000.00' },
    });
    expect(c.accounts.find((a: { accountId: string }) => a.accountId === 'A5')).toMatchObject({ kind: 'wealth', productName: '稳健理财1号', maturesOn: '2026-12-10', daysToMaturity: 20 });
    expect(c.cards).toEqual([{ cardId: 'K1', grade: 'gold', issuedOn: '2020-01-01', status: 'active', cancelledOn: null }]);
    expect(c.loans[0]).toMatchObject({ loanId: 'L1', outstanding: '80000.00', overdueDays: 12, status: 'active' });
  });

  it('pages transactions newest first, in China time', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1/transactions?pageSize=1');
    expect(r.json().data).toEqual({
      items: [{ txnId: 'T3', accountId: 'A1', bookedAt: '2026-11-20T15:00:00+08:00', amount: '2000.00', channel: 'mobile', counterparty: '超市' }],
      page: 1,
      pageSize: 1,
      total: 2,
    });
  });

  it('refuses bad parameters of the 360 routes, naming them', async () => {
    const s = await as(OUTLET_STAFF.customer_manager);
    const long = await s.get(`/api/customers/${'C'.repeat(41)}`, { 'accept-language': 'en' });
    expect(long.statusCode).toBe(400);
    expect(Object.keys(long.json().error.fields)).toEqual(['customerId']);
    const paged = await s.get('/api/customers/C1/transactions?page=0&pageSize=1000');
    expect(paged.statusCode).toBe(400);
    expect(Object.keys(paged.json().error.fields).sort()).toEqual(['page', 'pageSize']);
    expect(paged.json().error.message).toMatch(/^查询参数有误/);
    const days = await s.get('/api/customers/C1/aum-history?days=many');
    expect(Object.keys(days.json().error.fields)).toEqual(['days']);
  });

  it('gives the AUM history per business date', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1/aum-history?days=30');
    expect(r.json().data.points).toEqual([{ date: '2026-11-20', aum: '202300.00', deposits: '152300.00', wealth: '50000.00', fund: '0.00', insurance: '0.00' }]);
    expect((await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1/aum-history?days=3')).statusCode).toBe(400);
  });
});

describe('nobody reads beyond their scope', () => {
  // for each role: a customer outside its branches, and one that does not exist; both answer the
  // same 404 on every customer route (403 where the role lacks the route's permission)
  const outside: [string, string][] = [
    ...Object.values(OUTLET_STAFF).map((login): [string, string] => [login, 'C3']),
    [MANAGER_B112, 'C1'],
    [MANAGER_B211, 'C1'],
    [BRANCH_HEAD_B100, 'C4'],
    [PB_DEPT, 'C404'],
  ];
  it.each(outside)('%s asking for %s gets 404 on every customer route', async (login, customer) => {
    const role = await roleOf(login);
    for (const route of [...CUSTOMER_ROUTE_LIST(customer), ...CUSTOMER_ROUTE_LIST('C404')]) {
      const r = await send(login, route);
      const expected = route.permission && !can(role, route.permission) ? 403 : 404;
      expect(r.statusCode, `${login} (${role}) ${route.method} ${route.url}`).toBe(expected);
      expect(r.json().error.code).toBe(expected === 404 ? 'not_found' : 'forbidden');
      expect(r.body).not.toContain('张三明');
      expect(r.body).not.toContain('赵六');
    }
  });

  it('signs in as every role: the matrix above covers them all', async () => {
    const roles = new Set([...outside.map(([login]) => login), ADMIN].map((l) => l));
    const covered = new Set(await Promise.all([...roles].map(roleOf)));
    expect([...covered].sort()).toEqual([...ROLES].sort());
  });

  it('scope follows ownership: an owner role reading a customer of its outlet it does not own gets 404', async () => {
    // the VIP teller stops co-owning C2, which stays in its outlet: C2 is out of its scope
    await db.session((s) => s.query(`DELETE FROM customer_owners WHERE customer_id = 'C2' AND staff_id = $1`, [OUTLET_STAFF.vip_teller]));
    for (const url of CUSTOMER_ROUTES('C2')) expect((await (await as(OUTLET_STAFF.vip_teller)).get(url)).statusCode, url).toBe(404);
    expect(await ids(OUTLET_STAFF.vip_teller)).toEqual(['C1']);
    // the lobby manager reads the outlet's customers for routing
    for (const url of CUSTOMER_ROUTES('C2')) expect((await (await as(OUTLET_STAFF.lobby_manager)).get(url)).statusCode, url).toBe(200);
    await db.session((s) => s.query(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C2', $1, 'co', 'manual', 'test')`, [OUTLET_STAFF.vip_teller]));
  });

  it('the matrix covers every route about one customer (a new one must be added above)', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const perCustomer = Object.entries(doc.paths)
      .filter(([p]) => p.includes('{customerId}'))
      .flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace('{customerId}', 'X')}`));
    expect(perCustomer.sort()).toEqual(CUSTOMER_ROUTE_LIST('X').map((r) => `${r.method} ${r.url}`).sort());
  });

  it('the department reads every customer', async () => {
    for (const url of CUSTOMER_ROUTES('C4')) expect((await (await as(PB_DEPT)).get(url)).statusCode).toBe(200);
  });

  it('without a session every customer route answers 401, and the administrator 403', async () => {
    const admin = await as(ADMIN);
    for (const url of ['/api/customers', '/api/branches', ...CUSTOMER_ROUTES('C1')]) {
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
      expect((await admin.get(url)).statusCode).toBe(403);
    }
    for (const route of CUSTOMER_ROUTE_LIST('C1').filter((r) => r.method !== 'GET')) {
      expect((await app.inject({ method: route.method, url: route.url, payload: route.body as Record<string, unknown> })).statusCode).toBe(401);
      expect((await send(ADMIN, route)).statusCode).toBe(403);
    }
  });

  it('the branch filter lists only branches in scope', async () => {
    const r = await (await as(BRANCH_HEAD_B100)).get('/api/branches');
    expect(r.json().data.items.map((b: { id: string }) => b.id)).toEqual(['B100', 'B110', 'B111', 'B112']);
    const all = await (await as(PB_DEPT)).get('/api/branches');
    expect(all.json().data.items).toHaveLength(7);
  });
});
