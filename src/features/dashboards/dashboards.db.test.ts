import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, BRANCH_HEAD_B100, buildScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PASSWORD, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { buildAccount, buildCustomer, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { DAILY_STEPS } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { hashPassword } from '../access/access.password.js';
import { upsertAccount } from '../access/access.sql.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { loadFeed } from '../feed/feed.load.js';
import { seedOpportunities } from '../opportunities/opportunities.test-support.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { runDashboards } from './dashboards.batch.js';

// The dashboards over a hand-computed bank of three business dates: A = 2026-10-30 (October's last),
// 2026-11-19, and B = 2026-11-20 (the latest: the default period is A → B).
//   B000 bank ─ B100 ─ B110 ─ B111 (every role; S13 the manager), B112 (S20)   └ B200 ─ B211 (S30)
// AUM (one current account each) on A / 11-19 / B:
//   C1 B111 202,300 / 202,300 / 202,300        stays
//   C2 B111    999.99 / 0 / 0                  999.99 → 0: NOT churn (below 1,000 on A)
//   C3 B112 50,000 / 50,000 / 0                churn: AUM 0 (lost 50,000)
//   C4 B211 3,000,000 / — / —                  churn: left the feed (lost 3,000,000), outside B100
//   C5 B111  1,000 / 0 / 500                   1,000 → 500 on B: not churn (the 0 between does not count)
//   C6 B112 20,000 / — / 20,000                gone for a day, back on B: not churn
//   C7 B111   — / 10,000 / —                   new after A, gone by B: not churn (not there on A)
//   C8 B111  5,000 / 0 / 0                     churn: AUM 0 (lost 5,000)
// So the branch head of B100 counts C3 and C8 (55,000.00 lost), the department C4 too.

const A = '2026-10-30';
const M = '2026-11-19';
const B = '2026-11-20';
const MANAGER = OUTLET_STAFF.customer_manager; // S13, B111

const AUM: Record<string, [string | null, string | null, string | null, string]> = {
  C1: ['202300.00', '202300.00', '202300.00', 'B111'],
  C2: ['999.99', '0.00', '0.00', 'B111'],
  C3: ['50000.00', '50000.00', '0.00', 'B112'],
  C4: ['3000000.00', null, null, 'B211'],
  C5: ['1000.00', '0.00', '500.00', 'B111'],
  C6: ['20000.00', null, '20000.00', 'B112'],
  C7: [null, '10000.00', null, 'B111'],
  C8: ['5000.00', '0.00', '0.00', 'B111'],
};

function day(i: 0 | 1 | 2): FeedFiles {
  const base = buildScopedBank();
  const here = Object.entries(AUM).filter(([, v]) => v[i] !== null);
  return {
    ...base,
    customers: here.map(([id, v], k) => buildCustomer({ customer_id: id, name: `客户${id}`, branch_id: v[3], id_number: validIdNumber('19800101', String(200 + k + Number(id.slice(1)) * 10)), phone: `1391111${id.slice(1).padStart(4, '0')}` })),
    accounts: here.map(([id, v]): Row => buildAccount({ account_id: `${id}-A`, customer_id: id, balance: v[i] ?? '0' })),
    cards: [],
    loans: [],
    transactions: [],
  };
}

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => sessions.get(login) ?? sessions.set(login, await signInAs(app, login)).get(login) as TestSession;
const get = async (login: string, url: string, lang = 'en') => (await as(login)).get(url, { 'accept-language': lang });
const data = async (login: string, url: string) => {
  const r = await get(login, url);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data;
};
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

async function seedPlan(staff: string, branch: string, planDate: string, workDate: string, items: [customer: string, status: 'planned' | 'contacted' | 'removed'][]) {
  await sql(`INSERT INTO contact_plans (staff_id, plan_date, work_date, branch_id, size) VALUES ($1, $2::date, $3::date, $4, 20)`, [staff, planDate, workDate, branch]);
  for (const [k, [customer, status]] of items.entries()) {
    await sql(`INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, status) VALUES ($1, $2, $3::date, $4, 'due_contact', '{}', $5)`, [customer, staff, planDate, k + 1, status]);
  }
}

async function seedReminder(customer: string, staff: string, event: string, kind: string, first: string, status: string) {
  await sql(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, status, policy_version, closed_reason)
     VALUES ($1, $2, $3, $4, $5, '{}', $7::date, $7::date, $7::date, $6, 1, CASE WHEN $6 = 'dismissed' THEN '客户已知悉' END)`,
    [customer, staff, event, first, kind, status, first],
  );
}

async function seedReferral(id: string, customer: string, referrer: string, branch: string, at: string, status: string, outcome: string | null) {
  await sql(
    `INSERT INTO referrals (customer_id, referral_id, referrer_id, branch_id, reason, need, status, outcome, created_at, closed_at)
     VALUES ($1, $2, $3, $4, '客户咨询理财', 'wealth', $5, $6, $7::timestamptz, CASE WHEN $5 = 'closed' THEN $7::timestamptz + interval '1 day' END)`,
    [customer, id, referrer, branch, status, outcome, at],
  );
}

beforeAll(async () => {
  db = await openTestDb();
  for (const [i, date] of [A, M, B].entries()) {
    const r = await loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode: 'full' }, day(i as 0 | 1 | 2)));
    expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
    await runTiering(db, date);
  }
  await refreshCustomerOverview(db);
  const hash = await hashPassword(PASSWORD);
  for (const st of buildScopedBank().staff ?? []) await upsertAccount(db, { login: st.staff_id ?? '', staffId: st.staff_id ?? '', isAdmin: false, displayName: null, passwordHash: hash });
  await upsertAccount(db, { login: ADMIN, staffId: null, isAdmin: true, displayName: 'Admin', passwordHash: hash });
  for (const [c, st] of [['C1', MANAGER], ['C2', MANAGER], ['C5', MANAGER], ['C7', MANAGER], ['C8', MANAGER], ['C3', MANAGER_B112], ['C6', MANAGER_B112], ['C4', MANAGER_B211]] as const) {
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ($1, $2, 'primary', 'manual', 'test')`, [c, st]);
  }

  // plans: carried out on the working days after A up to B count; the one of A's day and the one for the 23rd do not
  await seedPlan(MANAGER, 'B111', '2026-10-29', A, [['C1', 'contacted']]);
  await seedPlan(MANAGER, 'B111', '2026-11-18', M, [['C1', 'contacted'], ['C2', 'planned'], ['C5', 'removed']]);
  await seedPlan(MANAGER, 'B111', M, B, [['C1', 'contacted'], ['C8', 'contacted']]);
  await seedPlan(MANAGER, 'B111', B, '2026-11-23', [['C2', 'planned']]);
  await seedPlan(MANAGER_B112, 'B112', M, B, [['C3', 'planned']]);
  await seedPlan(MANAGER_B211, 'B211', M, B, [['C4', 'contacted']]);

  // events: risk and opportunity reminders of the events step raised after A up to B
  await seedReminder('C1', MANAGER, 'large_inflow', 'opportunity', M, 'done');
  await seedReminder('C2', MANAGER, 'aum_fall', 'risk', M, 'open');
  await seedReminder('C8', MANAGER, 'card_cancelled', 'risk', B, 'dismissed');
  await seedReminder('C1', MANAGER, 'maturing', 'opportunity', '2026-11-02', 'expired');
  await seedReminder('C3', MANAGER_B112, 'aum_fall', 'risk', B, 'open');
  await seedReminder('C4', MANAGER_B211, 'large_outflow', 'risk', M, 'done');
  // not counted: information, raised on A, another step's
  await seedReminder('C1', MANAGER, 'birthday_soon', 'information', M, 'open');
  await seedReminder('C5', MANAGER, 'aum_rise', 'opportunity', A, 'open');
  await seedReminder('C2', OUTLET_STAFF.branch_head, 'opportunity_stale', 'risk', M, 'open');

  // referrals made after A up to B, China time
  await seedReferral('R1', 'C2', OUTLET_STAFF.lobby_manager, 'B111', '2026-11-05T10:00:00+08:00', 'closed', 'signed');
  await seedReferral('R2', 'C5', OUTLET_STAFF.lobby_manager, 'B111', '2026-11-10T10:00:00+08:00', 'closed', 'declined');
  await seedReferral('R3', 'C1', OUTLET_STAFF.vip_teller, 'B111', '2026-11-19T09:00:00+08:00', 'open', null);
  await seedReferral('R4', 'C3', MANAGER_B112, 'B112', '2026-11-20T23:30:00+08:00', 'closed', 'product_sold');
  await seedReferral('R5', 'C1', OUTLET_STAFF.lobby_manager, 'B111', '2026-10-30T12:00:00+08:00', 'closed', 'signed');
  await seedReferral('R6', 'C4', MANAGER_B211, 'B211', '2026-11-12T10:00:00+08:00', 'accepted', null);
  await seedReferral('R7', 'C1', OUTLET_STAFF.lobby_manager, 'B111', '2026-11-20T16:30:00Z', 'open', null);

  // opportunities: created, won and lost after A up to B; open now
  await seedOpportunities(db, [
    { id: 'O1', customer: 'C1', owner: MANAGER, branch: 'B111', createdOn: '2026-11-05', stage: 'won', closedOn: '2026-11-18', amount: '100000' },
    { id: 'O2', customer: 'C2', owner: MANAGER, branch: 'B111', createdOn: '2026-11-06', stage: 'lost', closedOn: M },
    { id: 'O3', customer: 'C1', owner: MANAGER, branch: 'B111', createdOn: '2026-10-20', stage: 'won', closedOn: '2026-11-10', amount: '50000' },
    { id: 'O4', customer: 'C5', owner: MANAGER, branch: 'B111', createdOn: '2026-11-12', stage: 'proposed' },
    { id: 'O5', customer: 'C3', owner: MANAGER_B112, branch: 'B112', createdOn: '2026-11-15', stage: 'contacted' },
    { id: 'O6', customer: 'C8', owner: MANAGER, branch: 'B111', createdOn: '2026-10-15', stage: 'lost', closedOn: '2026-10-28' },
    { id: 'O7', customer: 'C4', owner: MANAGER_B211, branch: 'B211', createdOn: '2026-11-03', stage: 'won', closedOn: B, amount: '30000' },
    { id: 'O8', customer: 'C1', owner: MANAGER, branch: 'B111', createdOn: '2026-10-10', stage: 'identified' },
  ]);

  for (const date of [A, M, B]) await runDashboards(db, date);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('churn', () => {
  it('counts the customers who left the feed or fell to AUM 0 from 1,000 or more, with their AUM on A; 999.99 → 0 is not churn', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branch');
    expect(head).toMatchObject({ from: A, to: B, branch: null, missingDates: [], countedOn: B, staffListed: true });
    expect(head.churn).toEqual({ customers: 2, leftFeed: 0, zeroed: 2, aumLost: '55000.00' });
    const dept = await data(PB_DEPT, '/api/dashboards/branch');
    expect(dept.churn).toEqual({ customers: 3, leftFeed: 1, zeroed: 2, aumLost: '3055000.00' });
    // a bank of three outlets is listed person by person; one of hundreds is not (the contract's staffListed)
    expect(dept.staffListed).toBe(true);
    // the 19th to B: C3 falls to 0 and C7 (there on the 19th) leaves; C8 was at 0 already, C4 had left
    const late = await data(PB_DEPT, `/api/dashboards/branch?from=${M}&to=${B}`);
    expect(late.churn).toEqual({ customers: 2, leftFeed: 1, zeroed: 1, aumLost: '60000.00' });
  });

  it('lists the churned customers behind the number, the largest AUM lost first', async () => {
    const list = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=churn');
    expect(list.total).toBe(2);
    expect(list.items.map((x: { customer: { customerId: string }; status: string; amount: string; amountOnB: string }) => [x.customer.customerId, x.status, x.amount, x.amountOnB])).toEqual([
      ['C3', 'zeroed', '50000.00', '0.00'],
      ['C8', 'zeroed', '5000.00', '0.00'],
    ]);
    const left = await data(PB_DEPT, '/api/dashboards/items?measure=churn&status=left');
    expect(left.items).toEqual([expect.objectContaining({ customer: { customerId: 'C4', name: '客户C4' }, branch: { id: 'B211', name: '湖墅网点' }, status: 'left', amount: '3000000.00', amountOnB: null })]);
    expect(left.items[0].staff.staffId).toBe(MANAGER_B211);
    // a page at a time, with the count of all
    const second = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=churn&page=2&pageSize=1');
    expect(second).toMatchObject({ total: 2, totalIsLowerBound: false, page: 2, pageSize: 1 });
    expect(second.items.map((x: { customer: { customerId: string } }) => x.customer.customerId)).toEqual(['C8']);
    for (const measure of ['plans', 'events', 'referrals', 'opportunities']) {
      const all = await data(PB_DEPT, `/api/dashboards/items?measure=${measure}&pageSize=200`);
      const paged = await data(PB_DEPT, `/api/dashboards/items?measure=${measure}&pageSize=1&page=2`);
      expect(paged.total, measure).toBe(all.items.length);
      expect(paged.items, measure).toEqual(all.items.slice(1, 2));
    }
  });
});

describe('contact-plan execution', () => {
  it('divides the plan items done by those planned (removed ones not), per manager, for the plans carried out after A up to B', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branch');
    expect(head.plans).toMatchObject({ planned: 5, done: 3, rate: 0.6 });
    expect(head.plans.managers.map((m: { staff: { staffId: string }; planned: number; done: number; rate: number }) => [m.staff.staffId, m.planned, m.done, m.rate])).toEqual([
      [MANAGER, 4, 3, 0.75],
      [MANAGER_B112, 1, 0, 0],
    ]);
    const dept = await data(PB_DEPT, '/api/dashboards/branch');
    expect(dept.plans).toMatchObject({ planned: 6, done: 4 });
    expect(dept.plans.managers).toHaveLength(3);
    const done = await data(BRANCH_HEAD_B100, `/api/dashboards/items?measure=plans&staffId=${MANAGER}&status=done`);
    expect(done.items.map((x: { customer: { customerId: string }; date: string }) => [x.customer.customerId, x.date])).toEqual([
      ['C1', B],
      ['C8', B],
      ['C1', M],
    ]);
  });
});

describe('the opportunity funnel', () => {
  it('counts open ones by stage, created, won and lost in the period, and conversion = won ÷ (won + lost)', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branch');
    expect(head.funnel).toMatchObject({ created: 4, won: 2, lost: 1, wonAmount: '150000.00', open: 3 });
    expect(head.funnel.conversion).toBeCloseTo(2 / 3, 10);
    expect(head.funnel.stages).toEqual([
      { stage: 'identified', count: 1 },
      { stage: 'contacted', count: 1 },
      { stage: 'needs_confirmed', count: 0 },
      { stage: 'proposed', count: 1 },
    ]);
    expect(head.funnel.owners.find((o: { staff: { staffId: string } }) => o.staff.staffId === MANAGER)).toMatchObject({ created: 3, won: 2, lost: 1, open: 2 });
    const dept = await data(PB_DEPT, '/api/dashboards/branch');
    expect(dept.funnel).toMatchObject({ created: 5, won: 3, lost: 1, conversion: 0.75, wonAmount: '180000.00', open: 3 });
    const won = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=opportunities&status=won');
    expect(won.items.map((x: { customer: { customerId: string }; date: string; amount: string }) => [x.customer.customerId, x.date, x.amount])).toEqual([
      ['C1', '2026-11-18', '100000.00'],
      ['C1', '2026-11-10', '50000.00'],
    ]);
  });
});

describe('referrals', () => {
  it('counts the referrals made after A up to B (China time) by referrer and outcome', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branch');
    expect(head.referrals).toMatchObject({ sent: 4, pending: 1, signed: 1, productSold: 1, declined: 1 });
    expect(head.referrals.conversion).toBeCloseTo(2 / 3, 10);
    expect(head.referrals.referrers.map((r: { staff: { staffId: string }; sent: number; pending: number; signed: number; productSold: number; declined: number }) => [r.staff.staffId, r.sent, r.pending, r.signed, r.productSold, r.declined])).toEqual([
      [OUTLET_STAFF.lobby_manager, 2, 0, 1, 0, 1],
      [OUTLET_STAFF.vip_teller, 1, 1, 0, 0, 0],
      [MANAGER_B112, 1, 0, 0, 1, 0],
    ]);
    expect((await data(PB_DEPT, '/api/dashboards/branch')).referrals).toMatchObject({ sent: 5, pending: 2 });
    const pending = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=referrals&status=pending');
    expect(pending.items.map((x: { customer: { customerId: string }; date: string }) => [x.customer.customerId, x.date])).toEqual([['C1', M]]);
  });
});

describe('events', () => {
  it('counts the risk and opportunity events raised in the period: handled (done or dismissed), open, expired', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branch');
    expect(head.events).toMatchObject({ raised: 5, handled: 2, open: 2, expired: 1, rate: 0.4 });
    expect(head.events.kinds).toEqual({ risk: { raised: 3, handled: 1, open: 2, expired: 0, rate: 1 / 3 }, opportunity: { raised: 2, handled: 1, open: 0, expired: 1, rate: 0.5 } });
    expect(head.events.staff.map((x: { staff: { staffId: string }; raised: number; handled: number }) => [x.staff.staffId, x.raised, x.handled])).toEqual([
      [MANAGER, 4, 2],
      [MANAGER_B112, 1, 0],
    ]);
    expect((await data(PB_DEPT, '/api/dashboards/branch')).events).toMatchObject({ raised: 6, handled: 3 });
    const handled = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=events&status=handled');
    expect(handled.items.map((x: { customer: { customerId: string }; detail: string }) => [x.customer.customerId, x.detail])).toEqual([
      ['C8', 'card_cancelled'],
      ['C1', 'large_inflow'],
    ]);
  });
});

describe('AUM by band, month by month', () => {
  it('is counted by the batch step per branch, band and date, read at each month’s last date', async () => {
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/bands');
    expect(head.bands.map((b: { band: string }) => b.band)).toEqual(['below', 'band_1', 'band_2', 'band_3', 'band_4', 'band_5']);
    const figures = (m: { bands: { band: string; customers: number; aum: string }[] }) => Object.fromEntries(m.bands.filter((b) => b.customers).map((b) => [b.band, [b.customers, b.aum]]));
    expect(head.months.map((m: { month: string; date: string }) => [m.month, m.date])).toEqual([
      ['2026-10', A],
      ['2026-11', B],
    ]);
    expect(figures(head.months[0])).toEqual({ below: [1, '999.99'], band_1: [3, '26000.00'], band_2: [1, '50000.00'], band_3: [1, '202300.00'] });
    expect(figures(head.months[1])).toEqual({ below: [4, '500.00'], band_1: [1, '20000.00'], band_3: [1, '202300.00'] });
    const dept = await data(PB_DEPT, '/api/dashboards/bands');
    expect(figures(dept.months[0]).band_5).toEqual([1, '3000000.00']);
    expect((await data(PB_DEPT, '/api/dashboards/bands?months=1')).months.map((m: { date: string }) => m.date)).toEqual([B]);
    expect((await data(PB_DEPT, `/api/dashboards/bands?to=${A}`)).months.map((m: { date: string }) => m.date)).toEqual([A]);
  });

  it('runs after the steps whose figures it counts, and running it again for a date changes nothing', async () => {
    const names = DAILY_STEPS.map((s) => s.name);
    for (const before of ['tiering', 'worklist', 'opportunities']) expect(names.indexOf('dashboards')).toBeGreaterThan(names.indexOf(before));
    const snapshot = () =>
      Promise.all([
        sql(`SELECT business_date::text, branch_id, band, customers, aum::text FROM branch_band_days ORDER BY 1, 2, 3`),
        sql(`SELECT customer_id, business_date::text, branch_id, from_standing, to_standing FROM customer_standing_changes ORDER BY 1, 2`),
        sql(`SELECT staff_id, plan_date::text, planned, done FROM plan_figures ORDER BY 1, 2`),
        sql(`SELECT staff_id, first_date::text, kind, raised, handled, open, expired FROM event_figures ORDER BY 1, 2, 3`),
      ]);
    const before = await snapshot();
    expect(before[1]).toContainEqual({ customer_id: 'C4', business_date: M, branch_id: 'B211', from_standing: 'held', to_standing: 'absent' });
    await DAILY_STEPS.find((s) => s.name === 'dashboards')?.run(db, B, () => {});
    await runDashboards(db, M);
    expect(await snapshot()).toEqual(before);
  });
});

describe('the branches side by side', () => {
  it('gives the department the branches under the bank with the same figures, and a branch’s sub-branches on drill-in', async () => {
    const bank = await data(PB_DEPT, '/api/dashboards/branches');
    expect(bank.parent).toEqual({ id: 'B000', name: '钱江银行', level: 'bank' });
    const row = (id: string) => bank.rows.find((r: { branch: { id: string } }) => r.branch.id === id);
    expect(bank.rows.map((r: { branch: { id: string }; hasChildren: boolean }) => [r.branch.id, r.hasChildren])).toEqual([
      ['B100', true],
      ['B200', true],
    ]);
    expect(row('B100')).toMatchObject({ customers: 6, customersOnA: 6, aum: '222800.00', aumOnA: '279299.99', churn: 2, aumLost: '55000.00', planned: 5, done: 3, planRate: 0.6, created: 4, won: 2, lost: 1, referrals: 4, referralsConverted: 2, eventsRaised: 5, eventsHandled: 2, eventsRate: 0.4 });
    expect(row('B200')).toMatchObject({ customers: 0, customersOnA: 1, aumOnA: '3000000.00', churn: 1, aumLost: '3000000.00', planned: 1, done: 1, created: 1, won: 1, lost: 0, conversion: 1, referrals: 1, eventsRaised: 1 });
    expect(bank.total).toMatchObject({ customers: 6, customersOnA: 7, churn: 3, aumLost: '3055000.00', planned: 6, done: 4, created: 5, won: 3, lost: 1, conversion: 0.75 });
    const b100 = await data(PB_DEPT, '/api/dashboards/branches?branchId=B100');
    expect(b100.rows.map((r: { branch: { id: string } }) => r.branch.id)).toEqual(['B110']);
    const b110 = await data(PB_DEPT, '/api/dashboards/branches?branchId=B110');
    expect(b110.rows.map((r: { branch: { id: string }; churn: number; planned: number; hasChildren: boolean }) => [r.branch.id, r.churn, r.planned, r.hasChildren])).toEqual([
      ['B111', 1, 4, false],
      ['B112', 1, 1, false],
    ]);
    // a branch head compares the branches under their own
    const head = await data(BRANCH_HEAD_B100, '/api/dashboards/branches');
    expect(head.parent.id).toBe('B100');
    expect(head.total).toMatchObject({ churn: 2, planned: 5 });
  });
});

describe('scope', () => {
  it('a branch head reads only their subtree (another branch answers 404); managers and other roles get 403', async () => {
    for (const url of ['/api/dashboards/branch?branchId=B211', '/api/dashboards/bands?branchId=B211', '/api/dashboards/branches?branchId=B200', '/api/dashboards/items?measure=churn&branchId=B211']) {
      expect((await get(BRANCH_HEAD_B100, url)).statusCode, url).toBe(404);
    }
    for (const login of [MANAGER, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.lobby_manager, OUTLET_STAFF.vip_teller, ADMIN]) {
      for (const url of ['/api/dashboards/branch', '/api/dashboards/bands', '/api/dashboards/branches', '/api/dashboards/items?measure=churn']) {
        expect((await get(login, url)).statusCode, `${login} ${url}`).toBe(403);
      }
    }
    expect((await app.inject({ method: 'GET', url: '/api/dashboards/branch' })).statusCode).toBe(401);
    // the department narrows to a branch: B100's figures
    const b100 = await data(PB_DEPT, '/api/dashboards/branch?branchId=B100');
    expect(b100).toMatchObject({ branch: { id: 'B100', name: '城南分行' }, churn: { customers: 2 }, plans: { planned: 5 } });
    // the lists behind the numbers stay in scope too: C4 (B211) is not the branch head's
    const left = await data(BRANCH_HEAD_B100, '/api/dashboards/items?measure=churn&status=left');
    expect(left.items).toEqual([]);
  });

  it('refuses dates that were not loaded and a period that runs backwards, naming the field', async () => {
    const notLoaded = await get(PB_DEPT, '/api/dashboards/branch?from=2026-11-01');
    expect(notLoaded.statusCode).toBe(400);
    expect(notLoaded.json().error.fields).toEqual({ from: '2026-11-01 is not a loaded business date.' });
    const backwards = await get(PB_DEPT, `/api/dashboards/branch?from=${B}&to=${A}`, 'zh-CN');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.fields.from).toBe(`期初 ${B} 晚于期末 ${A}。`);
    const bad = await get(PB_DEPT, '/api/dashboards/items?measure=churn&status=won');
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields)).toEqual(['status']);
    expect((await get(PB_DEPT, '/api/dashboards/branch?to=2026-02-30')).statusCode).toBe(400);
  });
});
