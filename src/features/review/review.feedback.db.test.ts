import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { client } from '../opportunities/opportunities.test-support.js';
import type { Feedback } from './review.contract.js';
import { HEAD, loadReviewBank, MANAGER, SUPERVISOR } from './review.test-support.js';

// Customers' feedback (客户反馈) on the review bank (business date 2026-11-20): recorded by whoever
// serves the customer within their scope, listed on the customer, counted per manager (the
// primary owner when it was recorded) for a period; bad input named at its field.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);

const record = async (login: string, customerId: string, body: Record<string, unknown>) => {
  const r = await api.post(login, `/api/customers/${customerId}/feedback`, body);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Feedback;
};
interface Counts {
  from: string;
  to: string;
  managers: { staff: { staffId: string }; total: number; kinds: Record<string, number> }[];
  totals: { total: number; kinds: Record<string, number> };
}
const counts = async (login: string, query = '') => {
  const r = await api.get(login, `/api/review/feedback${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Counts;
};
const of = (c: Counts, staffId: string) => c.managers.find((m) => m.staff.staffId === staffId);

beforeAll(async () => {
  db = await openTestDb();
  await loadReviewBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe("recording a customer's feedback", () => {
  it('is open to whoever serves the customer within their scope; the primary owner then is kept with it', async () => {
    const f = await record(MANAGER, 'C1', { kind: 'asked_for_help', on: '2026-11-18', note: '咨询子女留学换汇' });
    expect(f).toMatchObject({ kind: 'asked_for_help', on: '2026-11-18', note: '咨询子女留学换汇', owner: { staffId: MANAGER }, recordedBy: { staffId: MANAGER } });
    // a co-owning teller, the lobby manager (the outlet's customers), the branch head
    await record(OUTLET_STAFF.vip_teller, 'C1', { kind: 'referred_someone', on: '2026-11-19' });
    await record(OUTLET_STAFF.lobby_manager, 'C2', { kind: 'contacted_on_own', on: '2026-11-20' });
    await record(HEAD, 'C12', { kind: 'volunteered_private_info', on: '2026-11-05' });
    // outside the month of the counts below
    await record(MANAGER, 'C1', { kind: 'asked_for_help', on: '2026-10-31' });
    await record(MANAGER_B112, 'C3', { kind: 'asked_for_help', on: '2026-11-10' });
    // without a date: today in China
    const today = await record(MANAGER, 'C13', { kind: 'contacted_on_own' });
    expect(today.on).toBe(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    // outside the scope: as a customer that does not exist
    const outside = await api.post(MANAGER_B112, '/api/customers/C1/feedback', { kind: 'asked_for_help' });
    const none = await api.post(MANAGER_B112, '/api/customers/C404/feedback', { kind: 'asked_for_help' });
    expect([outside.statusCode, outside.json().error.message]).toEqual([404, none.json().error.message]);
  });

  it('is listed on the customer, newest first, within the scope', async () => {
    const r = await api.get(MANAGER, '/api/customers/C1/feedback');
    expect(r.statusCode).toBe(200);
    expect((r.json().data.items as Feedback[]).map((f) => [f.on, f.kind, f.recordedBy.staffId])).toEqual([
      ['2026-11-19', 'referred_someone', OUTLET_STAFF.vip_teller],
      ['2026-11-18', 'asked_for_help', MANAGER],
      ['2026-10-31', 'asked_for_help', MANAGER],
    ]);
    expect((await api.get(MANAGER_B112, '/api/customers/C1/feedback')).statusCode).toBe(404);
    expect((await api.get(PB_DEPT, '/api/customers/C1/feedback')).statusCode).toBe(200);
  });

  it('refuses an unknown kind, a date ahead or not on the calendar, naming the field', async () => {
    for (const [body, field] of [
      [{ kind: 'complained' }, 'kind'],
      [{ kind: 'asked_for_help', on: '2099-01-01' }, 'on'],
      [{ kind: 'asked_for_help', on: '2026-02-30' }, 'on'],
      [{ kind: 'asked_for_help', on: '1999-12-31' }, 'on'],
      [{ kind: 'asked_for_help', note: 'x'.repeat(501) }, 'note'],
    ] as const) {
      const r = await api.post(MANAGER, '/api/customers/C1/feedback', body, 'en');
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(r.json().error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    const ahead = await api.post(MANAGER, '/api/customers/C1/feedback', { kind: 'asked_for_help', on: '2099-01-01' }, 'en');
    expect(ahead.json().error.message).toMatch(/cannot be in the future/);
    // the administrator serves no customer
    expect((await api.post('admin', '/api/customers/C1/feedback', { kind: 'asked_for_help' })).statusCode).toBe(403);
  });
});

describe('counted per manager', () => {
  it("counts the period's feedback for the primary owner when it was recorded, per kind, within the scope", async () => {
    // November (the month of the business date, the default)
    const nov = await counts(HEAD);
    expect([nov.from, nov.to]).toEqual(['2026-11-01', '2026-11-30']);
    expect(nov.managers.map((m) => m.staff.staffId)).toEqual([SUPERVISOR, MANAGER]);
    expect(of(nov, MANAGER)).toMatchObject({ total: 4, kinds: { volunteered_private_info: 1, asked_for_help: 1, contacted_on_own: 1, referred_someone: 1 } });
    expect(of(nov, SUPERVISOR)).toMatchObject({ total: 0 });
    expect(nov.totals.total).toBe(4);
    // today's (December) is not November's; October's one is October's
    const oct = await counts(HEAD, '?from=2026-10-01&to=2026-10-31');
    expect(of(oct, MANAGER)).toMatchObject({ total: 1, kinds: { asked_for_help: 1 } });
    // the customer changes hands: feedback recorded after counts for the new primary owner
    const assigned = await api.post(HEAD, '/api/ownership/assign', { customerIds: ['C2'], staffId: SUPERVISOR, reason: '调整管户' });
    expect(assigned.statusCode, assigned.body).toBe(200);
    await record(SUPERVISOR, 'C2', { kind: 'referred_someone', on: '2026-11-20' });
    const after = await counts(HEAD, '?from=2026-11-01&to=2026-11-30');
    expect(of(after, MANAGER)).toMatchObject({ total: 4 });
    expect(of(after, SUPERVISOR)).toMatchObject({ total: 1, kinds: { referred_someone: 1 } });
    // the scope: B100's head has B112's manager too; a manager may not count
    const b100 = await counts(BRANCH_HEAD_B100, '?from=2026-11-01&to=2026-11-30');
    expect(of(b100, MANAGER_B112)).toMatchObject({ total: 1, kinds: { asked_for_help: 1 } });
    expect(of(nov, MANAGER_B112)).toBeUndefined();
    expect((await counts(PB_DEPT, '?from=2026-11-01&to=2026-11-30')).totals.total).toBe(6);
    expect((await api.get(MANAGER, '/api/review/feedback')).statusCode).toBe(403);
  });

  it('refuses a period that ends before it starts or is longer than a year', async () => {
    const backwards = await api.get(HEAD, '/api/review/feedback?from=2026-11-30&to=2026-11-01', 'en');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.fields).toHaveProperty('to');
    const long = await api.get(HEAD, '/api/review/feedback?from=2025-01-01&to=2026-11-30', 'en');
    expect(long.statusCode).toBe(400);
    expect(long.json().error.fields).toHaveProperty('to');
  });
});
