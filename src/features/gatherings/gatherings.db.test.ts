import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { HEAD_B111, loadOutreachBank, MANAGER, outreachClient } from '../outreach/outreach.test-support.js';
import { addTestCustomers } from '../outreach/sms.test-support.js';
import { runGatherings } from './gatherings.batch.js';
import type { GatheringDetail } from './gatherings.contract.js';

// Relationship events on the outreach bank (business date 2026-11-20, a Friday), with 20 more
// customers of the B111 manager (G01–G20, AUM 101,000 … 120,000) and two around the VIP line
// (V1 999,999.99 and V2 1,000,000.00). The head of B111 holds the events from a group of every
// customer of B111 (27: C1, C2, C5, C11, C12, G01–G20, V1, V2).

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = outreachClient(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
const G = Array.from({ length: 20 }, (_, i) => `G${String(i + 1).padStart(2, '0')}`);
const SUPERVISOR = OUTLET_STAFF.cm_supervisor;
let groupId = '';
let salon: GatheringDetail;

beforeAll(async () => {
  db = await openTestDb();
  await loadOutreachBank(db);
  await addTestCustomers(db, [...G.map((id) => ({ id })), { id: 'V1', phone: '13700004321' }, { id: 'V2', phone: '13700008765' }]);
  await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT unnest($1::text[]), $2, 'primary', 'manual', 'test'`, [[...G, 'V1', 'V2'], MANAGER]);
  await refreshCustomerOverview(db);
  await sql(`UPDATE customer_overview SET aum = 100000 + 1000 * substr(customer_id, 2)::int WHERE customer_id = ANY($1::text[])`, [G]);
  await sql(`UPDATE customer_overview SET aum = 999999.99 WHERE customer_id = 'V1'`);
  await sql(`UPDATE customer_overview SET aum = 1000000.00 WHERE customer_id = 'V2'`);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  const g = await api.post(HEAD_B111, '/api/groups', { name: '本网点全部客户', filter: {} });
  expect(g.statusCode, g.body).toBe(200);
  groupId = g.json().data.groupId;
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const make = async (body: Record<string, unknown>, login = HEAD_B111) => {
  const r = await api.post(login, '/api/gatherings', { title: '理财沙龙', startsAt: '2026-11-20T14:30', place: '营业部二楼', groupId, ...body });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as GatheringDetail;
};

describe('invitees from the group up to capacity', () => {
  it('a salon takes the 15 highest AUM of the group by default, the rest skipped as over capacity', async () => {
    salon = await make({ kind: 'salon' });
    expect(salon).toMatchObject({ kind: 'salon', capacity: 15, branch: { id: 'B111' }, takenOn: '2026-11-20', status: 'planned', startsAt: '2026-11-20T14:30:00+08:00', eventDate: '2026-11-20', manageable: true });
    expect(salon.invitees.map((i) => i.customerId)).toEqual(['V2', 'V1', 'C11', 'C1', 'C12', 'G20', 'G19', 'G18', 'G17', 'G16', 'G15', 'G14', 'G13', 'G12', 'G11']);
    expect(salon.skipped).toEqual({ belowVipAum: 0, overCapacity: 12 });
    expect(salon.counts).toMatchObject({ invitees: 15, invited: 15 });
    // phones masked, owners named
    expect(salon.invitees[0]).toMatchObject({ phone: '137****8765', owner: { staffId: MANAGER }, state: 'invited', aum: 1000000 });
    expect(JSON.stringify(salon)).not.toContain('13700008765');
    const audit = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gathering_create' AND actor = $1`, [HEAD_B111]);
    expect(audit[0]?.n).toBe(1);
  });

  it('a VIP gathering invites AUM of 1,000,000.00 and more only: 999,999.99 is skipped with its reason', async () => {
    const vip = await make({ kind: 'vip_gathering', title: '年末答谢晚宴', capacity: 5 });
    expect(vip.invitees.map((i) => [i.customerId, i.aum])).toEqual([['V2', 1000000]]);
    expect(vip.skipped).toEqual({ belowVipAum: 26, overCapacity: 0 });
  });

  it('a report meeting defaults to 100; a capacity given is kept; bad input names the field', async () => {
    const report = await make({ kind: 'report_meeting', title: '下半年投资策略报告会' });
    expect(report.capacity).toBe(100);
    expect(report.invitees).toHaveLength(27);
    expect((await make({ kind: 'salon', title: '小型沙龙', capacity: 3 })).invitees).toHaveLength(3);
    const past = await api.post(HEAD_B111, '/api/gatherings', { kind: 'salon', title: '沙龙', startsAt: '2026-11-19T14:30', place: '营业部', groupId }, 'en');
    expect(past.statusCode).toBe(400);
    expect(Object.keys(past.json().error.fields)).toEqual(['startsAt']);
    const badTime = await api.post(HEAD_B111, '/api/gatherings', { kind: 'salon', title: '沙龙', startsAt: '2026-11-31T14:30', place: '营业部', groupId });
    expect(badTime.statusCode).toBe(400);
    expect(Object.keys(badTime.json().error.fields)).toEqual(['startsAt']);
    // a manager holds no events
    expect((await api.post(MANAGER, '/api/gatherings', { kind: 'salon', title: '沙龙', startsAt: '2026-11-21T14:30', place: '营业部', groupId })).statusCode).toBe(403);
  });
});

describe('scope', () => {
  it('a manager sees the events inviting their customers, and only their own invitees', async () => {
    const mine = await api.get(SUPERVISOR, `/api/gatherings/${salon.gatheringId}`);
    expect(mine.statusCode, mine.body).toBe(200);
    // the supervisor co-owns C1 and C2; of the salon's invitees only C1
    expect(mine.json().data.invitees.map((i: { customerId: string }) => i.customerId)).toEqual(['C1']);
    expect(mine.json().data.manageable).toBe(false);
    expect((await api.get(MANAGER_B112, `/api/gatherings/${salon.gatheringId}`)).statusCode).toBe(404);
    expect((await api.get(MANAGER_B112, '/api/gatherings')).json().data.items).toEqual([]);
  });

  it("a manager cannot answer for another's invitee: 404, as for one not invited", async () => {
    const other = await api.post(SUPERVISOR, `/api/gatherings/${salon.gatheringId}/invitees/V2/answer`, { state: 'accepted' });
    expect(other.statusCode).toBe(404);
    expect((await api.post(SUPERVISOR, `/api/gatherings/${salon.gatheringId}/invitees/V2/attend`)).statusCode).toBe(404);
    expect((await api.get(SUPERVISOR, `/api/gatherings/${salon.gatheringId}/door?q=8765`)).json().data.hits).toEqual([]);
    expect((await api.post(MANAGER_B112, `/api/gatherings/${salon.gatheringId}/invitees/C1/answer`, { state: 'accepted' })).statusCode).toBe(404);
  });

  it('the department sees every event', async () => {
    const all = await api.get(PB_DEPT, '/api/gatherings');
    expect(all.json().data.items.map((g: { gatheringId: string }) => g.gatheringId)).toContain(salon.gatheringId);
  });
});

describe('answers and the door', () => {
  it('the owner records accepted and declined, back to no answer; each audited', async () => {
    const url = `/api/gatherings/${salon.gatheringId}/invitees`;
    expect((await api.post(MANAGER, `${url}/V2/answer`, { state: 'accepted' })).json().data.state).toBe('accepted');
    expect((await api.post(MANAGER, `${url}/V1/answer`, { state: 'declined' })).json().data.state).toBe('declined');
    expect((await api.post(MANAGER, `${url}/G20/answer`, { state: 'declined' })).json().data.state).toBe('declined');
    expect((await api.post(MANAGER, `${url}/G20/answer`, { state: 'invited' })).json().data.state).toBe('invited');
    // the organiser too
    expect((await api.post(HEAD_B111, `${url}/C11/answer`, { state: 'accepted' })).json().data.state).toBe('accepted');
    const badState = await api.post(MANAGER, `${url}/V2/answer`, { state: 'attended' });
    expect(badState.statusCode).toBe(400);
    expect(Object.keys(badState.json().error.fields)).toEqual(['state']);
    const audited = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gathering_answer'`);
    expect(audited[0]?.n).toBe(5);
  });

  it('at the door: found by the phone tail or the name, one tap marks attended, arrived against expected', async () => {
    const door = `/api/gatherings/${salon.gatheringId}/door`;
    const byTail = (await api.get(HEAD_B111, `${door}?q=8765`)).json().data;
    expect(byTail.hits.map((h: { customerId: string; phone: string }) => [h.customerId, h.phone])).toEqual([['V2', '137****8765']]);
    expect(byTail).toMatchObject({ arrived: 0, expected: 14 }); // 15 invited, V1 declined
    expect((await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitees/V2/attend`)).json().data.state).toBe('attended');
    const again = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitees/V2/attend`);
    expect(again.statusCode).toBe(200);
    const byName = (await api.get(HEAD_B111, `${door}?q=${encodeURIComponent('陈十一')}`)).json().data;
    expect(byName.hits.map((h: { customerId: string }) => h.customerId)).toEqual(['C11']);
    // the owner marks their own customer at the door
    expect((await api.post(MANAGER, `/api/gatherings/${salon.gatheringId}/invitees/C11/attend`)).json().data.state).toBe('attended');
    expect((await api.get(HEAD_B111, door)).json().data).toMatchObject({ arrived: 2, expected: 14 });
    // once arrived, no answer changes it
    expect((await api.post(MANAGER, `/api/gatherings/${salon.gatheringId}/invitees/V2/answer`, { state: 'declined' })).statusCode).toBe(409);
    expect(await sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'gathering_attend'`)).toEqual([{ n: 2 }]);
  });
});

describe('invitations', () => {
  it('a call list: a task on the owners’ My day, once; the list as .xlsx, audited', async () => {
    const r = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'call_list' });
    expect(r.statusCode, r.body).toBe(200);
    // invitees still without an answer, with a primary owner: G11–G20 and C1 (the manager's); C12 too
    const tasks = await sql<{ staff_id: string; n: number; due: string }>(
      `SELECT staff_id, count(*)::int AS n, to_char(min(due_on), 'YYYY-MM-DD') AS due FROM reminders WHERE event = 'gathering_invite' AND occurrence = $1 GROUP BY staff_id`,
      [salon.gatheringId],
    );
    expect(tasks).toEqual([{ staff_id: MANAGER, n: r.json().data.tasks, due: '2026-11-20' }]);
    expect(r.json().data.tasks).toBe(12);
    expect((await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'call_list' })).json().data.tasks).toBe(0);
    const myDay = await api.get(MANAGER, '/api/worklist/reminders');
    expect(myDay.body).toContain('gathering_invite');
    const sheet = await api.get(MANAGER, `/api/gatherings/${salon.gatheringId}/call-list`);
    expect(sheet.statusCode).toBe(200);
    expect(String(sheet.headers['content-type'])).toContain('spreadsheetml');
    const exported = await sql<{ actor: string; detail: { what: string; rows: number } }>(`SELECT actor, detail FROM audit_log WHERE action = 'export' AND detail->>'what' = 'gathering_call_list'`);
    expect(exported).toEqual([{ actor: MANAGER, detail: expect.objectContaining({ rows: 15 }) }]); // the manager owns every invitee
  });

  it('an SMS invitation is a campaign draft to the invitees who did not decline, approved like any campaign', async () => {
    const noTemplate = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'sms' });
    expect(noTemplate.statusCode).toBe(400);
    expect(Object.keys(noTemplate.json().error.fields)).toEqual(['templateId']);
    const t = await api.post(MANAGER, '/api/templates', { name: '沙龙邀请', kind: 'marketing', body: '{姓名}{称谓}您好，诚邀您参加{网点}理财沙龙。' });
    const templateId = t.json().data.templateId;
    const unapproved = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'sms', templateId });
    expect(unapproved.statusCode).toBe(409);
    await api.post(MANAGER, `/api/templates/${templateId}/submit`);
    expect((await api.post(HEAD_B111, `/api/templates/${templateId}/decision`, { decision: 'approve' })).statusCode).toBe(200);
    const r = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'sms', templateId });
    expect(r.statusCode, r.body).toBe(200);
    const campaignId = r.json().data.campaignId as string;
    const c = await api.get(HEAD_B111, `/api/campaigns/${campaignId}`);
    expect(c.json().data).toMatchObject({ status: 'draft', members: 14, heldOut: 0, branch: { id: 'B111' }, approvable: false });
    expect(c.json().data.text).toContain('拒收请回复R');
    expect((await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitations`, { channel: 'sms', templateId })).statusCode).toBe(409);
  });
});

describe('after the event', () => {
  it('closing makes the rest no-shows and gives each attendee’s owner a follow-up on the next working day (Friday → Monday)', async () => {
    const r = await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/close`);
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json().data as GatheringDetail;
    expect(d.status).toBe('closed');
    expect(d.counts).toMatchObject({ attended: 2, declined: 1, noShow: 12, invited: 0, accepted: 0 });
    const follow = await sql(`SELECT customer_id, staff_id, kind, to_char(due_on, 'YYYY-MM-DD') AS due FROM reminders WHERE event = 'gathering_follow_up' ORDER BY customer_id`);
    expect(follow).toEqual([
      { customer_id: 'C11', staff_id: MANAGER, kind: 'work_task', due: '2026-11-23' },
      { customer_id: 'V2', staff_id: MANAGER, kind: 'work_task', due: '2026-11-23' },
    ]);
    expect((await api.post(HEAD_B111, `/api/gatherings/${salon.gatheringId}/invitees/G11/attend`)).statusCode).toBe(409);
  });

  it('the batch of the next day closes what is left and follows up over a holiday; a rerun adds nothing', async () => {
    const ev = await make({ kind: 'salon', title: '国庆前沙龙', capacity: 2 });
    await api.post(HEAD_B111, `/api/gatherings/${ev.gatheringId}/invitees/V2/attend`);
    // held on Wednesday 30 September 2026: 1–7 October are the National Day holiday
    await sql(`UPDATE gatherings SET event_date = '2026-09-30', starts_at = '2026-09-30T14:30:00+08:00' WHERE gathering_id = $1`, [ev.gatheringId]);
    const first = await runGatherings(db, '2026-11-21');
    expect(first.closed).toBeGreaterThanOrEqual(1);
    const rows = await sql(`SELECT customer_id, to_char(due_on, 'YYYY-MM-DD') AS due FROM reminders WHERE event = 'gathering_follow_up' AND occurrence = $1`, [ev.gatheringId]);
    expect(rows).toEqual([{ customer_id: 'V2', due: '2026-10-08' }]);
    expect(await sql(`SELECT customer_id, state FROM gathering_invitees WHERE gathering_id = $1 ORDER BY customer_id`, [ev.gatheringId])).toEqual([
      { customer_id: 'V1', state: 'no_show' },
      { customer_id: 'V2', state: 'attended' },
    ]);
    const count = async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE event LIKE 'gathering_%'`))[0]?.n;
    const before = await count();
    expect(await runGatherings(db, '2026-11-21')).toEqual({ closed: 0, followUps: 0 });
    expect(await count()).toBe(before);
  });

  it('the result: 30 days on, the mean AUM change of attendees beside the invited who did not attend', async () => {
    const early = (await api.get(HEAD_B111, `/api/gatherings/${salon.gatheringId}`)).json().data as GatheringDetail;
    expect(early.result).toEqual({ availableOn: '2026-12-20', ready: false, attendees: null, notAttended: null });
    const invitees = early.invitees.map((i) => i.customerId);
    await db.session(async (s) => {
      await ensureMonthPartition(s, 'balance_snapshots', '2026-12-20');
      await s.query(`INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source) VALUES ('2026-12-20', 'delta', 'test', '{}'::jsonb, 0, 'test')`);
      const copy = (date: string, aum: string) =>
        `INSERT INTO balance_snapshots SELECT (jsonb_populate_record(b, jsonb_build_object('customer_id', x.id, 'business_date', '${date}', 'aum', ${aum}))).*
           FROM balance_snapshots b, unnest($1::text[]) x(id) WHERE b.customer_id = 'C1' AND b.business_date = '2026-11-20'`;
      // every invitee had 100,000 on the event date; V2 gained 60,000 and C11 20,000; V1 (declined) lost 13,000, the rest nothing
      await s.query(`${copy('2026-11-20', '100000')} ON CONFLICT (customer_id, business_date) DO UPDATE SET aum = 100000`, [invitees]);
      await s.query(copy('2026-12-20', `CASE x.id WHEN 'V2' THEN 160000 WHEN 'C11' THEN 120000 WHEN 'V1' THEN 87000 ELSE 100000 END`), [invitees]);
    });
    const d = (await api.get(HEAD_B111, `/api/gatherings/${salon.gatheringId}`)).json().data as GatheringDetail;
    expect(d.result).toEqual({
      availableOn: '2026-12-20',
      ready: true,
      attendees: { customers: 2, aumBefore: 200000, aumAfter: 280000, meanAumChange: 40000 },
      notAttended: { customers: 13, aumBefore: 1300000, aumAfter: 1287000, meanAumChange: -1000 },
    });
    // a manager's page: their own invitees only (the supervisor's C1, who did not attend)
    const sup = (await api.get(SUPERVISOR, `/api/gatherings/${salon.gatheringId}`)).json().data as GatheringDetail;
    expect(sup.result.attendees).toEqual({ customers: 0, aumBefore: 0, aumAfter: 0, meanAumChange: null });
    expect(sup.result.notAttended).toMatchObject({ customers: 1, meanAumChange: 0 });
  });
});
