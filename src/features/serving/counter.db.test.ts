import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_ID_C1, FULL_PHONE_C1, loadScopedBank, OUTLET_STAFF, BRANCH_HEAD_B100, signInAs } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { client } from '../opportunities/opportunities.test-support.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import { runWorklist } from '../worklist/worklist.batch.js';

// The counter's view (issue 22 §3) on the scoped bank (test/bank-fixture.ts): C1 and C2 of outlet
// B111 (owned by the manager S13, co-owned by the tellers), C3 of B112, C4 of B211. The lobby
// roles see the outlet's customers with names masked; phone and ID number are masked for everyone.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const { lobby_manager: LOBBY, lobby_assistant: ASSISTANT, counter_teller: TELLER, customer_manager: MANAGER } = OUTLET_STAFF;
const PHONE_TAIL = FULL_PHONE_C1.slice(-4);
const ID_TAIL = FULL_ID_C1.slice(-4);

const put = async (login: string, url: string, payload: unknown) => {
  const s = await signInAs(app, login);
  return app.inject({ method: 'PUT', url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: payload as Record<string, unknown> });
};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await db.session(async (s) => {
    await ensureTierPartition(s, 'aum_band');
    await s.query(`INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) VALUES ('C1', 'aum_band', 'band_3', '2026-11-20', 1), ('C2', 'aum_band', 'band_1', '2026-11-20', 1)`);
  });
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe("the counter's search", () => {
  it('finds a customer by phone tail, ID number tail, card number and name, with band, entitlements, owner and open work', async () => {
    const byPhone = await api.get(TELLER, `/api/counter/search?q=${PHONE_TAIL}`);
    expect(byPhone.statusCode).toBe(200);
    const hit = byPhone.json().data.items.find((h: { customerId: string }) => h.customerId === 'C1');
    expect(hit).toMatchObject({ matchedBy: 'phone_tail', name: '张三明', aumBand: 'band_3', owner: { staffId: MANAGER }, openReminders: 0, openOpportunities: 0 });
    expect(hit.entitlements.map((e: { id: string }) => e.id)).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived']);
    const byId = (await api.get(TELLER, `/api/counter/search?q=${ID_TAIL}`)).json().data.items;
    expect(byId.map((h: { customerId: string }) => h.customerId)).toContain('C1');
    const CARD = '6222021234567890123';
    await db.session((s) => s.query(`INSERT INTO cards (customer_id, card_id, grade, issued_on, status, updated_on) VALUES ('C1', $1, 'ordinary', '2026-01-05', 'active', '2026-11-20')`, [CARD]));
    expect((await api.get(TELLER, `/api/counter/search?q=${CARD}`)).json().data.items).toMatchObject([{ customerId: 'C1', matchedBy: 'card' }]);
    expect((await api.get(TELLER, `/api/counter/search?q=${encodeURIComponent('张')}`)).json().data.items.map((h: { customerId: string }) => h.customerId)).toEqual(['C1']);
  });

  it('shows the lobby roles masked names, and every role masked phone and ID number', async () => {
    for (const who of [LOBBY, ASSISTANT]) {
      const items = (await api.get(who, `/api/counter/search?q=${PHONE_TAIL}`)).json().data.items;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ customerId: 'C1', name: '张*明' });
      expect(items[0].phone).not.toContain(FULL_PHONE_C1.slice(3, 7));
      expect(items[0].idNumber).not.toBe(FULL_ID_C1);
      expect(JSON.stringify(items)).not.toContain(FULL_PHONE_C1);
      expect(JSON.stringify(items)).not.toContain(FULL_ID_C1);
    }
    const teller = (await api.get(TELLER, `/api/counter/search?q=${PHONE_TAIL}`)).json().data.items[0];
    expect(teller.name).toBe('张三明');
    expect(JSON.stringify(teller)).not.toContain(FULL_PHONE_C1);
  });

  it("finds nobody outside the scope: another outlet's customer, by any reading", async () => {
    // C3 (outlet B112, 张小红) has the phone tail 5678 of C1 (outlet B111): the head of branch B100 finds both
    const ids = async (login: string, q: string) => (await api.get(login, `/api/counter/search?q=${encodeURIComponent(q)}`)).json().data.items.map((h: { customerId: string }) => h.customerId).sort();
    expect(await ids(BRANCH_HEAD_B100, '5678')).toEqual(['C1', 'C3']);
    expect(await ids(BRANCH_HEAD_B100, '张小')).toEqual(['C3']);
    for (const who of [LOBBY, ASSISTANT, TELLER, OUTLET_STAFF.branch_head]) {
      expect(await ids(who, '5678')).toEqual(['C1']);
      expect(await ids(who, '张小')).toEqual([]);
    }
  });
});

describe('the hand-over to a customer manager available today', () => {
  it("reaches the manager's My day as a work task, recorded and audited; a manager marked away is refused", async () => {
    // the manager marks themself away: refused, with the field named
    const awayAnswer = await put(MANAGER, '/api/me/availability', { away: true });
    expect(awayAnswer.json(), awayAnswer.body).toMatchObject({ data: { away: true } });
    const managers = (await api.get(LOBBY, '/api/counter/managers')).json().data.items;
    expect(managers).toEqual([{ staffId: MANAGER, name: expect.any(String), available: false }]);
    const refused = await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C2', staffId: MANAGER }, 'en');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.fields).toHaveProperty('staffId');
    // back: handed over
    await put(MANAGER, '/api/me/availability', { away: false });
    const r = await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C2', staffId: MANAGER, note: '想了解理财' });
    expect(r.statusCode).toBe(201);
    expect(r.json().data).toMatchObject({ customerId: 'C2', to: { staffId: MANAGER }, note: '想了解理财' });
    const day = (await api.get(MANAGER, '/api/worklist/reminders?kind=work_task')).json().data;
    const task = day.items.find((x: { event: string }) => x.event === 'counter_handover');
    expect(task).toMatchObject({ kind: 'work_task', occurrence: r.json().data.handoverId, customer: { customerId: 'C2' } });
    expect(task.summary).toContain('想了解理财');
    const audit = await db.session((s) => s.query<{ actor: string; customer_ids: string[] }>(`SELECT actor, customer_ids FROM audit_log WHERE action = 'counter_handover'`));
    expect(audit.rows).toEqual([{ actor: LOBBY, customer_ids: ['C2'] }]);
  });

  it('is the lobby manager’s: a teller may not; a customer outside the outlet answers 404; a staff member who is not a manager of the outlet is refused', async () => {
    expect((await api.post(TELLER, '/api/counter/handovers', { customerId: 'C2', staffId: MANAGER })).statusCode).toBe(403);
    expect((await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C3', staffId: MANAGER })).statusCode).toBe(404);
    const notManager = await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C2', staffId: TELLER });
    expect(notManager.statusCode).toBe(400);
    expect(notManager.json().error.fields).toHaveProperty('staffId');
  });

  it('gives the manager a walk-in customer they do not own as an accepted referral: on My day, the 360 page opens; a rerun of the worklist keeps the task', async () => {
    await runDailyBatch(db, '2026-11-20');
    // C1 is the outlet's, but not (any more) the manager's
    const owners = await db.session((s) => s.query(`DELETE FROM customer_owners WHERE customer_id = 'C1' AND staff_id = $1 RETURNING *`, [MANAGER]));
    expect(owners.rowCount).toBe(1);
    try {
      expect((await api.get(MANAGER, '/api/customers/C1')).statusCode).toBe(404);
      const r = await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C1', staffId: MANAGER, note: '咨询大额存单' });
      expect(r.statusCode, r.body).toBe(201);
      const referral = await db.session((s) => s.query(`SELECT referrer_id, to_staff_id, status, accepted_by, reason FROM referrals WHERE customer_id = 'C1' AND accepted_by = $1`, [MANAGER]));
      expect(referral.rows).toEqual([{ referrer_id: LOBBY, to_staff_id: MANAGER, status: 'accepted', accepted_by: MANAGER, reason: '柜面现场分配：咨询大额存单' }]);
      expect((await api.get(MANAGER, '/api/customers/C1')).statusCode).toBe(200);
      const taskOf = async () => (await api.get(MANAGER, '/api/worklist/reminders?kind=work_task')).json().data.items.find((x: { event: string; occurrence: string }) => x.event === 'counter_handover' && x.occurrence === r.json().data.handoverId);
      expect(await taskOf()).toMatchObject({ customer: { customerId: 'C1' } });
      // the worklist of the date run again (a correction of the feed): the task is still there
      await runWorklist(db, '2026-11-20');
      expect(await taskOf()).toMatchObject({ customer: { customerId: 'C1' } });
      // a customer the manager owns needs no referral
      const owned = await api.post(LOBBY, '/api/counter/handovers', { customerId: 'C2', staffId: MANAGER });
      expect(owned.statusCode).toBe(201);
      expect((await db.session((s) => s.query(`SELECT 1 FROM referrals WHERE customer_id = 'C2' AND accepted_by = $1`, [MANAGER]))).rowCount).toBe(0);
    } finally {
      await db.session((s) => s.query(`INSERT INTO customer_owners SELECT * FROM json_populate_recordset(NULL::customer_owners, $1::json)`, [JSON.stringify(owners.rows)]));
    }
  });
});
