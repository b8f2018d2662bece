import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B112, MANAGER_B211, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { client } from '../opportunities/opportunities.test-support.js';
import type { SpotCheck, SpotItem } from './review.contract.js';
import { drawSample } from './review.sql.js';
import { expectedSample, HEAD, loadReviewBank, MANAGER, MORE, SUPERVISOR } from './review.test-support.js';

// The spot check of familiar customers (熟户抽查) on the review bank (review.test-support.ts,
// business date 2026-11-20): the sample's size and its rule (checked against md5 computed here),
// drawn again the same; the scope; recording results and the counts per manager; recall of a
// customer the manager does not know, through ownership's own recall; bad input.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

type Detail = SpotCheck & { items: SpotItem[] };
const draw = async (login: string, body: Record<string, unknown>) => {
  const r = await api.post(login, '/api/review/spot-checks', body);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Detail;
};
const detail = async (login: string, reviewId: string, query = '') => {
  const r = await api.get(login, `/api/review/spot-checks/${reviewId}${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Detail;
};
const sampleOf = (d: Detail, staffId: string) => d.items.filter((i) => i.staff.staffId === staffId).map((i) => i.customer.customerId);
const manager = (d: SpotCheck, staffId: string) => d.managers.find((m) => m.staff.staffId === staffId);

beforeAll(async () => {
  db = await openTestDb();
  await loadReviewBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

let check: Detail;
const S13_POOL = ['C1', 'C2', ...MORE]; // C19 has left, C20 is at B112

describe('drawing the sample', () => {
  it('draws 5 customers per manager of the subtree among those they own or claimed, in the seeded order, and saves them', async () => {
    check = await draw(HEAD, { month: '2026-11' });
    expect(check).toMatchObject({ month: '2026-11', branch: { id: 'B111' }, reviewer: { staffId: HEAD }, sampleSize: 5, businessDate: '2026-11-20' });
    // the managers of B111: the supervisor and the customer manager (not the lobby manager or the tellers, not the one who left)
    expect(check.managers.map((m) => m.staff.staffId)).toEqual([SUPERVISOR, MANAGER]);
    // S13: 10 customers in the subtree → 5, in the order md5(review id:customer) gives
    expect(sampleOf(check, MANAGER)).toEqual(expectedSample(check.reviewId, S13_POOL, 5));
    expect(check.items.filter((i) => i.staff.staffId === MANAGER).map((i) => i.position)).toEqual([1, 2, 3, 4, 5]);
    // S12: only 3 (co-owner of C1 and C2, a pending claim on C11): all of them, with why
    expect(sampleOf(check, SUPERVISOR)).toEqual(expectedSample(check.reviewId, ['C1', 'C2', 'C11'], 5));
    expect(Object.fromEntries(check.items.filter((i) => i.staff.staffId === SUPERVISOR).map((i) => [i.customer.customerId, i.basis]))).toEqual({ C1: 'co', C2: 'co', C11: 'claim' });
    expect(check.items.filter((i) => i.staff.staffId === MANAGER).every((i) => i.basis === 'primary')).toBe(true);
    expect(manager(check, MANAGER)).toMatchObject({ sampled: 5, checked: 0, familiar: 0, notFamiliar: 0, share: null });
    expect(manager(check, SUPERVISOR)).toMatchObject({ sampled: 3 });
    expect(check.totals).toEqual({ sampled: 8, checked: 0, familiar: 0, notFamiliar: 0, share: null });
    expect(check.items.every((i) => i.result === null && !i.recallOffered)).toBe(true);
    // audited, with the customers drawn
    const audit = await sql<{ customer_ids: string[]; detail: { reviewId: string; sampled: number } }>(`SELECT customer_ids, detail FROM audit_log WHERE action = 'spot_check_draw'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ reviewId: check.reviewId, sampled: 8 });
  });

  it('is reproducible: asked again it is the same spot check, and drawn again from its id it is the same sample', async () => {
    const again = await draw(HEAD, { month: '2026-11', n: 3 });
    expect(again.reviewId).toBe(check.reviewId);
    expect(again.sampleSize).toBe(5);
    expect(again.items.map((i) => [i.staff.staffId, i.customer.customerId])).toEqual(check.items.map((i) => [i.staff.staffId, i.customer.customerId]));
    // the draw itself, run again for the same id over the same pool
    const before = await sql<{ staff_id: string; customer_id: string; position: number }>(`SELECT staff_id, customer_id, position FROM spot_check_items WHERE review_id = $1 ORDER BY staff_id, position`, [check.reviewId]);
    await db.session(async (s) => {
      await s.query('DELETE FROM spot_check_items WHERE review_id = $1', [check.reviewId]);
      await drawSample(s, check.reviewId, [SUPERVISOR, MANAGER], ['B111'], 5);
    });
    expect(await sql(`SELECT staff_id, customer_id, position FROM spot_check_items WHERE review_id = $1 ORDER BY staff_id, position`, [check.reviewId])).toEqual(before);
    // another month is another seed: the same rule over the same pool
    const october = await draw(HEAD, { month: '2026-10', n: 4 });
    expect(october.reviewId).not.toBe(check.reviewId);
    expect(sampleOf(october, MANAGER)).toEqual(expectedSample(october.reviewId, S13_POOL, 4));
  });

  it('takes the size from the request (1–20), else 5', async () => {
    const one = await draw(PB_DEPT, { month: '2026-11', branchId: 'B111', n: 1 });
    expect(one.sampleSize).toBe(1);
    expect(one.managers.map((m) => m.sampled)).toEqual([1, 1]);
  });
});

describe('scope', () => {
  it('a branch head draws for their subtree only: the B100 head has B112’s manager and C20 in S13’s pool', async () => {
    const b100 = await draw(BRANCH_HEAD_B100, { month: '2026-11', n: 20 });
    expect(b100.branch.id).toBe('B100');
    expect(b100.managers.map((m) => m.staff.staffId)).toEqual([SUPERVISOR, MANAGER, MANAGER_B112]);
    expect(sampleOf(b100, MANAGER).sort()).toEqual([...S13_POOL, 'C20'].sort());
    expect(sampleOf(b100, MANAGER_B112)).toEqual(['C3']);
    // the B111 head sees neither B100's spot check nor B112; B100's head sees B111's
    expect((await api.get(HEAD, `/api/review/spot-checks/${b100.reviewId}`)).statusCode).toBe(404);
    expect((await api.post(HEAD, '/api/review/spot-checks', { month: '2026-11', branchId: 'B112' })).statusCode).toBe(404);
    const seen = await api.get(BRANCH_HEAD_B100, '/api/review/spot-checks?month=2026-11');
    const ids = (seen.json().data.items as SpotCheck[]).map((c) => c.reviewId);
    expect(ids).toContain(check.reviewId);
    expect(ids).toContain(b100.reviewId);
    const mine = await api.get(HEAD, '/api/review/spot-checks?month=2026-11');
    expect((mine.json().data.items as SpotCheck[]).map((c) => c.branch.id).sort()).toEqual(['B111', 'B111']);
    // the department: any branch
    const b211 = await draw(PB_DEPT, { month: '2026-11', branchId: 'B211' });
    expect(b211.managers.map((m) => m.staff.staffId)).toEqual([MANAGER_B211]);
    expect(sampleOf(b211, MANAGER_B211)).toEqual(['C4']);
    // a manager has no monthly review
    expect((await api.get(MANAGER, '/api/review/spot-checks')).statusCode).toBe(403);
    expect((await api.post(MANAGER, '/api/review/spot-checks', {})).statusCode).toBe(403);
    expect((await api.get(MANAGER, `/api/review/spot-checks/${check.reviewId}`)).statusCode).toBe(403);
  });
});

describe('recording the results', () => {
  it('records familiar / not familiar with a note, who and when (audited), and counts them per manager', async () => {
    const [a, b, c] = sampleOf(check, MANAGER);
    const record = async (customerId: string | undefined, staffId: string, result: string, note?: string) => {
      const r = await api.post(HEAD, `/api/review/spot-checks/${check.reviewId}/results`, { customerId, staffId, result, ...(note ? { note } : {}) });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().data as SpotItem;
    };
    const first = await record(a, MANAGER, 'familiar', '熟悉客户家庭与职业');
    expect(first).toMatchObject({ result: 'familiar', note: '熟悉客户家庭与职业', checkedBy: { staffId: HEAD }, recallOffered: false });
    expect(first.checkedAt).toEqual(expect.any(String));
    await record(b, MANAGER, 'not_familiar');
    await record(c, MANAGER, 'familiar');
    // changed later: the latest stands
    await record(c, MANAGER, 'not_familiar', '说不出客户的资产变化');
    await record(c, MANAGER, 'familiar');
    await record('C1', SUPERVISOR, 'not_familiar');
    const d = await detail(HEAD, check.reviewId);
    expect(manager(d, MANAGER)).toMatchObject({ sampled: 5, checked: 3, familiar: 2, notFamiliar: 1 });
    expect(manager(d, MANAGER)?.share).toBeCloseTo(2 / 3, 10);
    expect(manager(d, SUPERVISOR)).toMatchObject({ sampled: 3, checked: 1, familiar: 0, notFamiliar: 1, share: 0 });
    expect(d.totals).toMatchObject({ sampled: 8, checked: 4, familiar: 2, notFamiliar: 2, share: 0.5 });
    // one manager's customers
    const one = await detail(HEAD, check.reviewId, `?staffId=${SUPERVISOR}`);
    expect(one.items.map((i) => i.staff.staffId)).toEqual([SUPERVISOR, SUPERVISOR, SUPERVISOR]);
    // each recording is in the audit trail (the manager's: the sample is drawn anew each run, and
    // C1, which the supervisor's was recorded for, may be one of the manager's too)
    const audit = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'spot_check_result' AND $1 = ANY(customer_ids) AND detail->>'staffId' = $2`, [c, MANAGER]);
    expect(audit[0]?.n).toBe(3);
  });

  it('refuses what cannot be recorded, naming the field', async () => {
    const post = (body: Record<string, unknown>, login = HEAD, id = check.reviewId) => api.post(login, `/api/review/spot-checks/${id}/results`, body, 'en');
    const [a] = sampleOf(check, MANAGER);
    const wrong = await post({ customerId: a, staffId: MANAGER, result: 'maybe' });
    expect(wrong.statusCode).toBe(400);
    expect(Object.keys(wrong.json().error.fields)).toContain('result');
    // a customer of the subtree not sampled for this manager
    const notSampled = S13_POOL.find((x) => !sampleOf(check, MANAGER).includes(x));
    const missing = await post({ customerId: notSampled, staffId: MANAGER, result: 'familiar' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.fields).toHaveProperty('customerId');
    // a customer outside the scope answers as one that does not exist
    const outside = await post({ customerId: 'C4', staffId: MANAGER, result: 'familiar' });
    const none = await post({ customerId: 'C404', staffId: MANAGER, result: 'familiar' });
    expect([outside.statusCode, outside.json().error.message]).toEqual([none.statusCode, none.json().error.message]);
    expect((await post({ customerId: a, staffId: MANAGER, result: 'familiar' }, HEAD, 'no-such-check')).statusCode).toBe(404);
    // the month: its shape, not ahead, the size within 1–20
    for (const [body, field] of [
      [{ month: '2026-13' }, 'month'],
      [{ month: '2099-01' }, 'month'],
      [{ month: '2026-11', n: 0 }, 'n'],
      [{ month: '2026-11', n: 21 }, 'n'],
    ] as const) {
      const r = await api.post(HEAD, '/api/review/spot-checks', body, 'en');
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(r.json().error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    const ahead = await api.post(HEAD, '/api/review/spot-checks', { month: '2099-01' }, 'en');
    expect(ahead.json().error.message).toMatch(/month still ahead/);
  });
});

describe('recall of a customer the manager does not know', () => {
  it('is offered where the manager is the primary owner, and done through ownership’s recall', async () => {
    const d = await detail(HEAD, check.reviewId);
    const notKnown = d.items.find((i) => i.staff.staffId === MANAGER && i.result === 'not_familiar');
    expect(notKnown).toMatchObject({ ownerNow: 'primary', recallOffered: true });
    // the supervisor only co-owns C1: a recall would remove every owner, so none is offered
    expect(d.items.find((i) => i.staff.staffId === SUPERVISOR && i.customer.customerId === 'C1')).toMatchObject({ result: 'not_familiar', ownerNow: 'co', recallOffered: false });
    const id = notKnown?.customer.customerId ?? '';
    // the one click: POST /api/ownership/recall, as the re-allocation workbench sends it
    const r = await api.post(HEAD, '/api/ownership/recall', { customerIds: [id], reason: '熟户抽查（2026-11）：客户经理不熟悉该客户' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toEqual({ changed: 1, customerIds: [id] });
    expect(await sql('SELECT staff_id FROM customer_owners WHERE customer_id = $1', [id])).toEqual([]);
    const audit = await sql<{ reason: string; detail: { previous: Record<string, string> } }>(`SELECT reason, detail FROM audit_log WHERE action = 'recall' AND $1 = ANY(customer_ids)`, [id]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ reason: '熟户抽查（2026-11）：客户经理不熟悉该客户', detail: { previous: { [id]: MANAGER } } });
    // the spot check shows it: no longer an owner, nothing more to offer; the result stays
    const after = await detail(HEAD, check.reviewId, `?staffId=${MANAGER}`);
    expect(after.items.find((i) => i.customer.customerId === id)).toMatchObject({ result: 'not_familiar', ownerNow: null, recallOffered: false });
    expect(manager(after, MANAGER)).toMatchObject({ sampled: 5, checked: 3, notFamiliar: 1 });
  });
});
