import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, signInAs, MANAGER_B112, OUTLET_STAFF, PB_DEPT, client } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { accessSettings, hashToken, userFromSession, type SignedInUser } from '../access/access.service.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import type { ComplaintDetail } from './complaints.contract.js';
import { addNote, closeComplaint, createComplaint, escalatedComplaints, getComplaint, handOver, resolveComplaint } from './complaints.service.js';

// Complaints (投诉, issue 22 §1) on the scoped bank (test/bank-fixture.ts): C1 band_5, C2 band_3,
// C3 (outlet B112) band_2, C4 (another branch) none. Due times by band from receipt, escalation at
// each limit computed from the clock of the request (the service takes `now`: the tests move it;
// the API uses the real time), one reopening, hand-over, scope.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const MANAGER = OUTLET_STAFF.customer_manager; // S13, owner of C1 and C2
const TELLER = OUTLET_STAFF.counter_teller; // S16, co-owner of C1 and C2
const HEAD = OUTLET_STAFF.branch_head; // S11, branch head of B111

const H = 3600_000;
const at = (iso: string) => new Date(iso);
const userOf = async (login: string): Promise<SignedInUser> => {
  const session = await signInAs(app, login);
  const user = await userFromSession(db, accessSettings(), hashToken(session.cookie.replace('stratum_session=', '')));
  if (!user) throw new Error(`no session for ${login}`);
  return user;
};
let actors: Record<string, WorkActor>;
const actor = (login: string) => {
  const a = actors[login];
  if (!a) throw new Error(`no actor ${login}`);
  return a;
};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await db.session((s) => ensureTierPartition(s, 'aum_band'));
  await db.session((s) =>
    s.query(
      `INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version)
       SELECT c, 'aum_band', t, '2026-11-20', 1 FROM unnest($1::text[], $2::text[]) AS x(c, t)
       ON CONFLICT (customer_id, model) DO UPDATE SET tier = EXCLUDED.tier`,
      [['C1', 'C2', 'C3'], ['band_5', 'band_3', 'band_2']],
    ),
  );
  await db.session((s) => s.query(`DELETE FROM customer_tiers WHERE customer_id = 'C4' AND model = 'aum_band'`));
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  actors = {};
  for (const login of [MANAGER, TELLER, HEAD, BRANCH_HEAD_B100, MANAGER_B112, PB_DEPT, OUTLET_STAFF.cm_supervisor]) {
    actors[login] = { user: await userOf(login), ip: '127.0.0.1', lang: 'zh' };
  }
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('recording a complaint', () => {
  it('answers 201 with its due times by band in China time (POST /api/complaints)', async () => {
    const r = await api.post(TELLER, '/api/complaints', { channel: 'counter', customerId: 'C1', category: 'waiting', description: '排队等候超过一小时', receivedAt: '2026-12-01T09:30:00+08:00' });
    expect(r.statusCode, r.body).toBe(201);
    const c = r.json().data as ComplaintDetail;
    expect(c).toMatchObject({
      customer: { customerId: 'C1' },
      band: 'band_5',
      receivedAt: '2026-12-01T09:30:00+08:00',
      first_response_due: '2026-12-01T11:30:00+08:00',
      resolution_due: '2026-12-03T09:30:00+08:00',
      owner: { staffId: TELLER },
      recordedBy: { staffId: TELLER },
      status: 'open',
    });
  });

  it('gives each band its limits, in calendar time (band_3: 4 h / 5 days; others and no band: 24 h / 15 days)', async () => {
    const received = '2026-12-04T22:00:00+08:00';
    const due = async (customerId: string) => {
      const c = await createComplaint(db, actor(HEAD), { channel: 'letter', customerId, category: 'fees', description: '手续费不合理', receivedAt: received }, at('2026-12-05T10:00:00+08:00'));
      return [c.band, c.first_response_due, c.resolution_due];
    };
    expect(await due('C2')).toEqual(['band_3', '2026-12-05T02:00:00+08:00', '2026-12-09T22:00:00+08:00']);
    expect(await due('C3')).toEqual(['band_2', '2026-12-05T22:00:00+08:00', '2026-12-19T22:00:00+08:00']);
    expect(await due('C4')).toEqual([null, '2026-12-05T22:00:00+08:00', '2026-12-19T22:00:00+08:00']);
    // a non-customer: the longest limits, name and phone kept, the phone masked
    const walkIn = await createComplaint(
      db,
      actor(TELLER),
      { channel: 'counter', personName: '王先生', personPhone: '138 0000 1111', category: 'service', description: '柜台服务态度差', receivedAt: received },
      at('2026-12-05T10:00:00+08:00'),
    );
    expect(walkIn).toMatchObject({ customer: null, person: { name: '王先生' }, first_response_due: '2026-12-05T22:00:00+08:00', resolution_due: '2026-12-19T22:00:00+08:00' });
    expect(walkIn.person?.phone).not.toContain('00001111');
  });

  it('refuses what a clerk must correct, naming the field', async () => {
    for (const [body, field] of [
      [{ channel: 'counter', category: 'service', description: '服务差' }, 'personName'],
      [{ channel: 'counter', personName: '王先生', personPhone: '12345', category: 'service', description: '服务差' }, 'personPhone'],
      [{ channel: 'counter', customerId: 'C1', category: 'service', description: ' ' }, 'description'],
      [{ channel: 'letter', customerId: 'C1', category: 'service', description: '服务差', receivedAt: '2099-01-01T09:00' }, 'receivedAt'],
    ] as const) {
      const r = await api.post(TELLER, '/api/complaints', body);
      expect(r.statusCode, r.body).toBe(400);
      expect(Object.keys(r.json().error.fields ?? r.json().error.details ?? {})).toContain(field);
    }
    expect((await api.post(TELLER, '/api/complaints', { channel: 'counter', customerId: 'C999', category: 'service', description: '服务差' })).statusCode).toBe(404);
  });
});

describe('escalation', () => {
  it('is none up to a limit, the branch head past it, the department past the resolution limit by 50% (at the 15-day limit)', async () => {
    const received = '2026-11-01T10:00:00+08:00';
    const c = await createComplaint(db, actor(MANAGER_B112), { channel: 'letter', customerId: 'C3', category: 'product', description: '理财收益与宣传不符', receivedAt: received }, at(received));
    expect([c.first_response_due, c.resolution_due]).toEqual(['2026-11-02T10:00:00+08:00', '2026-11-16T10:00:00+08:00']);
    await addNote(db, actor(MANAGER_B112), c.complaintId, { kind: 'response', body: '已致电客户说明' }, at('2026-11-01T12:00:00+08:00'));
    const level = async (now: string) => {
      const d = await getComplaint(db, actor(PB_DEPT).user, c.complaintId, at(now));
      return [d.escalation, d.dueState];
    };
    // exactly at the 15-day limit: not past it
    expect(await level('2026-11-16T10:00:00+08:00')).toEqual(['none', 'on_time']);
    expect(await level('2026-11-16T10:01:00+08:00')).toEqual(['branch_head', 'resolution_overdue']);
    // 150% of 15 days = 22.5 days: 2026-11-23 22:00
    expect(await level('2026-11-23T22:00:00+08:00')).toEqual(['branch_head', 'resolution_overdue']);
    expect(await level('2026-11-23T22:01:00+08:00')).toEqual(['department', 'resolution_150']);
    // the reminders: the nearest branch head above B112 (S10 of B100), then the department
    const rem = await db.session((s) =>
      s.query<{ staff_id: string; kind: string; level: string }>(`SELECT staff_id, kind, facts->>'level' AS level FROM reminders WHERE event = 'complaint_escalated' AND occurrence = $1 ORDER BY staff_id`, [c.complaintId]),
    );
    expect(rem.rows).toEqual([
      { staff_id: PB_DEPT, kind: 'risk', level: 'department' },
      { staff_id: BRANCH_HEAD_B100, kind: 'risk', level: 'branch_head' },
    ]);
  });

  it('escalates a late first response to the branch head at its limit (band_5: 2 hours)', async () => {
    const received = '2026-12-02T09:00:00+08:00';
    const c = await createComplaint(db, actor(TELLER), { channel: 'phone', customerId: 'C1', category: 'service', description: '电话无人接听' }, at(received));
    expect((await getComplaint(db, actor(HEAD).user, c.complaintId, at('2026-12-02T11:00:00+08:00'))).escalation).toBe('none');
    const late = await getComplaint(db, actor(HEAD).user, c.complaintId, at('2026-12-02T11:00:01+08:00'));
    expect([late.escalation, late.escalationReason, late.dueState]).toEqual(['branch_head', 'first_response_late', 'response_overdue']);
    const red = await escalatedComplaints(db, actor(HEAD).user, at('2026-12-02T11:00:01+08:00'));
    expect(red.items.map((x) => x.complaintId)).toContain(c.complaintId);
    // the outlet's branch head (S11) is told, nearest to B111
    const rem = await db.session((s) => s.query<{ staff_id: string }>(`SELECT staff_id FROM reminders WHERE event = 'complaint_escalated' AND occurrence = $1`, [c.complaintId]));
    expect(rem.rows.map((r) => r.staff_id)).toEqual([HEAD]);
  });

  it('is on the red list at the moment it is read through the API (a letter received three weeks ago)', async () => {
    const received = new Date(Date.now() - 21 * 24 * H).toISOString();
    const r = await api.post(TELLER, '/api/complaints', { channel: 'letter', personName: '刘女士', personPhone: '13900002222', category: 'staff', description: '来信投诉柜员态度', receivedAt: received });
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json().data as ComplaintDetail).complaintId;
    const red = await api.get(HEAD, '/api/complaints/escalated');
    expect(red.statusCode, red.body).toBe(200);
    expect((red.json().data.items as ComplaintDetail[]).find((x) => x.complaintId === id)).toMatchObject({ escalation: 'branch_head', dueState: 'resolution_overdue' });
    // not on the red list of a branch head of another branch; the department sees all
    expect((await api.get(PB_DEPT, '/api/complaints/escalated')).json().data.items.map((x: ComplaintDetail) => x.complaintId)).toContain(id);
    expect((await api.get(TELLER, '/api/complaints/escalated')).statusCode).toBe(403);
  });
});

describe('the flow', () => {
  it('responds, resolves; unsatisfied reopens once, the second unsatisfied escalates; closing needs the root cause', async () => {
    const t0 = Date.parse('2026-12-03T09:00:00+08:00');
    const now = (h: number) => new Date(t0 + h * H);
    const c = await createComplaint(db, actor(MANAGER), { channel: 'online', customerId: 'C2', category: 'fees', description: '年费扣收未告知' }, now(0));
    const responded = await addNote(db, actor(MANAGER), c.complaintId, { kind: 'response', body: '已联系客户，核查扣费记录' }, now(1));
    expect([responded.status, responded.firstResponseAt]).toEqual(['responded', '2026-12-03T10:00:00+08:00']);
    const first = await resolveComplaint(db, actor(MANAGER), c.complaintId, { body: '说明年费政策', answer: 'unsatisfied' }, now(2));
    expect([first.status, first.reopenedOnce, first.escalation]).toEqual(['reopened', true, 'none']);
    // closing is refused before a resolution the customer accepts
    await expect(closeComplaint(db, actor(MANAGER), c.complaintId, { rootCause: 'fees' }, now(3))).rejects.toMatchObject({ code: 'conflict' });
    const second = await resolveComplaint(db, actor(MANAGER), c.complaintId, { body: '再次说明', answer: 'unsatisfied' }, now(4));
    expect([second.status, second.escalation, second.escalationReason]).toEqual(['escalated', 'branch_head', 'unsatisfied_twice']);
    // the branch head resolves it, the customer satisfied, and closes it with the root cause
    const third = await resolveComplaint(db, actor(HEAD), c.complaintId, { body: '退还年费', answer: 'satisfied' }, now(6));
    expect([third.status, third.resolvedAt]).toEqual(['resolved', '2026-12-03T15:00:00+08:00']);
    const noCause = await api.post(MANAGER, `/api/complaints/${c.complaintId}/close`, {});
    expect(noCause.statusCode).toBe(400);
    const closed = await closeComplaint(db, actor(HEAD), c.complaintId, { rootCause: 'fees', body: '年费减免' }, now(7));
    expect([closed.status, closed.rootCause]).toEqual(['closed', 'fees']);
    expect(closed.notes.map((n) => [n.kind, n.answer])).toEqual([
      ['response', null],
      ['resolution', 'unsatisfied'],
      ['resolution', 'unsatisfied'],
      ['resolution', 'satisfied'],
      ['closing', null],
    ]);
    // the owner's risk reminder (C2's primary owner) is done
    const rem = await db.session((s) => s.query<{ status: string; kind: string }>(`SELECT status, kind FROM reminders WHERE event = 'complaint_open' AND occurrence = $1`, [c.complaintId]));
    expect(rem.rows).toEqual([{ status: 'done', kind: 'risk' }]);
  });

  it('hands over with a reason (audited); the new owner reads and works it, the old one no longer does', async () => {
    const c = await createComplaint(db, actor(TELLER), { channel: 'counter', personName: '陈先生', personPhone: '13700003333', category: 'service', description: '自助机吞卡' });
    const r = await api.post(TELLER, `/api/complaints/${c.complaintId}/hand-over`, { toStaffId: MANAGER_B112, reason: '客户在解放路网点办理' });
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json().data as ComplaintDetail;
    expect(d).toBeDefined();
    const seen = await api.get(MANAGER_B112, `/api/complaints/${c.complaintId}`);
    expect(seen.statusCode).toBe(200);
    expect(seen.json().data).toMatchObject({ owner: { staffId: MANAGER_B112 }, handovers: [{ from: { staffId: TELLER }, to: { staffId: MANAGER_B112 }, reason: '客户在解放路网点办理' }] });
    expect((await api.get(TELLER, `/api/complaints/${c.complaintId}`)).statusCode).toBe(404);
    const audit = await db.session((s) => s.query<{ actor: string; reason: string }>(`SELECT actor, reason FROM audit_log WHERE action = 'complaint_hand_over' ORDER BY 1`));
    expect(audit.rows).toContainEqual({ actor: TELLER, reason: '客户在解放路网点办理' });
    // without a reason: refused at the field
    expect((await api.post(MANAGER_B112, `/api/complaints/${c.complaintId}/hand-over`, { toStaffId: TELLER, reason: '' })).statusCode).toBe(400);
  });
});

describe('scope', () => {
  it('a complaint of a customer outside one’s scope answers 404, like one that does not exist', async () => {
    const c = await createComplaint(db, actor(MANAGER_B112), { channel: 'phone', customerId: 'C3', category: 'service', description: '转账到账慢' });
    const outside = await api.get(MANAGER, `/api/complaints/${c.complaintId}`);
    const none = await api.get(MANAGER, '/api/complaints/TS-none');
    expect([outside.statusCode, outside.json().error.message]).toEqual([404, none.json().error.message]);
    expect((await api.post(MANAGER, `/api/complaints/${c.complaintId}/notes`, { kind: 'response', body: '试图处理' })).statusCode).toBe(404);
    // the branch head of the subtree and the department read it
    expect((await api.get(BRANCH_HEAD_B100, `/api/complaints/${c.complaintId}`)).statusCode).toBe(200);
    expect((await api.get(PB_DEPT, `/api/complaints/${c.complaintId}`)).statusCode).toBe(200);
    expect((await api.get(HEAD, `/api/complaints/${c.complaintId}`)).statusCode).toBe(404);
    // the customer's complaints on the 360 page
    const mine = await api.get(MANAGER, '/api/customers/C1/complaints');
    expect(mine.statusCode).toBe(200);
    expect((mine.json().data.items as ComplaintDetail[]).length).toBeGreaterThan(0);
    expect((await api.get(MANAGER, '/api/customers/C3/complaints')).statusCode).toBe(404);
  });
});

describe('the report', () => {
  it('counts by branch, month and root cause with the share resolved within the limit', async () => {
    const r = await api.get(PB_DEPT, '/api/complaints/report?from=2026-11-01&to=2026-12-31');
    expect(r.statusCode, r.body).toBe(200);
    const rows = r.json().data.rows as { branch: { id: string }; month: string; rootCause: string | null; received: number; resolved: number; resolvedWithinLimit: number; shareWithinLimit: number | null }[];
    expect(rows.find((x) => x.rootCause === 'fees' && x.branch.id === 'B111')).toMatchObject({ month: '2026-12', received: 1, resolved: 1, resolvedWithinLimit: 1, shareWithinLimit: 1 });
    expect(rows.find((x) => x.month === '2026-11' && x.branch.id === 'B112')).toMatchObject({ received: 1, resolved: 0 });
  });
});
