import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { client } from '../opportunities/opportunities.test-support.js';
import type { Reminder } from '../worklist/worklist.contract.js';
import type { Coaching } from './review.contract.js';
import { HEAD, loadReviewBank, MANAGER, SUPERVISOR } from './review.test-support.js';

// The coaching log (绩效沟通辅导) on the review bank (business date 2026-11-20): written by a branch
// head for the managers of their subtree (or the department for any); its follow-up date is a
// work task on the author's My day (a reminder about no customer), moved with the date and done
// when the follow-up is recorded; the manager reads their own records and no one else's (404).

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

const write = async (login: string, body: Record<string, unknown>) => {
  const r = await api.post(login, '/api/review/coaching', body);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Coaching;
};
const reminderOf = (coachingId: string) =>
  sql<{ customer_id: string; staff_id: string; kind: string; status: string; due_on: string; snoozed_until: string | null; first_date: string; closed_reason: string | null }>(
    `SELECT customer_id, staff_id, kind, status, due_on, snoozed_until, first_date, closed_reason FROM reminders WHERE event = 'coaching_follow_up' AND occurrence = $1`,
    [coachingId],
  );
const myDay = async (login: string, status: 'open' | 'snoozed' | 'closed') => {
  const r = await api.get(login, `/api/worklist/reminders?status=${status}&kind=work_task`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { counts: { work_task: number }; items: Reminder[] };
};

beforeAll(async () => {
  db = await openTestDb();
  await loadReviewBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

let later: Coaching;
let soon: Coaching;
let supervisors: Coaching;

describe('writing the coaching log', () => {
  it('records the date, findings, actions and follow-up for a manager of the subtree (audited)', async () => {
    later = await write(HEAD, { staffId: MANAGER, coachedOn: '2026-11-20', findings: '高端客户联络频率不足', actions: '每周联络 band_4 客户不少于 10 户', followUpOn: '2026-12-10' });
    expect(later).toMatchObject({
      staff: { staffId: MANAGER },
      branch: { id: 'B111' },
      author: { staffId: HEAD },
      coachedOn: '2026-11-20',
      findings: '高端客户联络频率不足',
      actions: '每周联络 band_4 客户不少于 10 户',
      followUpOn: '2026-12-10',
      followedUpAt: null,
    });
    supervisors = await write(HEAD, { staffId: SUPERVISOR, coachedOn: '2026-11-19', findings: '认养客户跟进不够', actions: '本月完成认养客户回访' });
    expect(supervisors.followUpOn).toBeNull();
    expect(await sql(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'coaching_record'`)).toEqual([{ n: 2 }]);
  });

  it("makes the follow-up date the author's work task, shown on My day from the morning of that date", async () => {
    expect(await reminderOf(later.coachingId)).toEqual([
      { customer_id: '', staff_id: HEAD, kind: 'work_task', status: 'open', due_on: '2026-12-10', snoozed_until: '2026-12-09', first_date: '2026-11-20', closed_reason: null },
    ]);
    // not yet on My day (today is 2026-11-20): among the snoozed ones until then
    expect((await myDay(HEAD, 'open')).items.map((r) => r.occurrence)).not.toContain(later.coachingId);
    const waiting = (await myDay(HEAD, 'snoozed')).items.find((r) => r.occurrence === later.coachingId);
    expect(waiting).toMatchObject({ customer: null, event: 'coaching_follow_up', kind: 'work_task', dueOn: '2026-12-10', marketingAllowed: false });
    expect(waiting?.summary).toContain('员工3');
    expect(waiting?.summary).toContain('12-10');
    // a follow-up tomorrow shows this morning; the manager's My day has none of it
    soon = await write(HEAD, { staffId: MANAGER, coachedOn: '2026-11-18', findings: '理财产品到期客户未及时续作', actions: '到期前 7 天联系客户', followUpOn: '2026-11-21' });
    const open = await myDay(HEAD, 'open');
    expect(open.items.map((r) => r.occurrence)).toContain(soon.coachingId);
    expect(open.counts.work_task).toBeGreaterThanOrEqual(1);
    expect((await myDay(MANAGER, 'snoozed')).items.map((r) => r.event)).not.toContain('coaching_follow_up');
    // the English sentence
    const en = await api.get(HEAD, '/api/worklist/reminders?status=open&kind=work_task', 'en');
    expect((en.json().data.items as Reminder[]).find((r) => r.occurrence === soon.coachingId)?.summary).toMatch(/^coaching follow-up with 员工3 \(coached 11-18\), due 11-21/);
  });

  it("stays through the daily batch of the date it was made on (the batch's rerun clean-up leaves it)", async () => {
    await runDailyBatch(db, '2026-11-20');
    expect((await reminderOf(later.coachingId))[0]?.status).toBe('open');
    expect((await reminderOf(soon.coachingId))[0]?.status).toBe('open');
  });

  it('moves the reminder with the follow-up date, removes it with the date, and closes it when the follow-up is recorded', async () => {
    const moved = await api.patch(HEAD, `/api/review/coaching/${later.coachingId}`, { followUpOn: '2026-12-15', actions: '每周联络 band_4 客户不少于 12 户' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().data).toMatchObject({ followUpOn: '2026-12-15', actions: '每周联络 band_4 客户不少于 12 户', findings: '高端客户联络频率不足' });
    expect(await reminderOf(later.coachingId)).toMatchObject([{ status: 'open', due_on: '2026-12-15', snoozed_until: '2026-12-14' }]);
    const removed = await api.patch(HEAD, `/api/review/coaching/${later.coachingId}`, { followUpOn: null });
    expect(removed.json().data.followUpOn).toBeNull();
    expect(await reminderOf(later.coachingId)).toMatchObject([{ status: 'expired', closed_reason: 'follow-up date removed' }]);
    await api.patch(HEAD, `/api/review/coaching/${later.coachingId}`, { followUpOn: '2026-12-20' });
    expect(await reminderOf(later.coachingId)).toMatchObject([{ status: 'open', due_on: '2026-12-20' }]);
    // the follow-up recorded: the record says so, the reminder is done
    const done = await api.post(HEAD, `/api/review/coaching/${soon.coachingId}/follow-up`, { note: '已建立到期客户清单并逐一联系' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().data).toMatchObject({ followUpNote: '已建立到期客户清单并逐一联系', followedUpBy: { staffId: HEAD } });
    expect(done.json().data.followedUpAt).toEqual(expect.any(String));
    expect(await reminderOf(soon.coachingId)).toMatchObject([{ status: 'done', closed_reason: 'follow-up recorded' }]);
    expect((await myDay(HEAD, 'open')).items.map((r) => r.occurrence)).not.toContain(soon.coachingId);
    expect((await api.post(HEAD, `/api/review/coaching/${soon.coachingId}/follow-up`, { note: '再次跟进' })).statusCode).toBe(409);
  });

  it('lists per manager the records, the last coaching and the next follow-up', async () => {
    const r = await api.get(HEAD, '/api/review/coaching');
    expect(r.statusCode, r.body).toBe(200);
    const data = r.json().data as { managers: { staff: { staffId: string }; records: number; lastCoachedOn: string | null; nextFollowUpOn: string | null }[]; items: Coaching[] };
    expect(data.managers).toMatchObject([
      { staff: { staffId: SUPERVISOR }, records: 1, lastCoachedOn: '2026-11-19', nextFollowUpOn: null },
      { staff: { staffId: MANAGER }, records: 2, lastCoachedOn: '2026-11-20', nextFollowUpOn: '2026-12-20' },
    ]);
    expect(data.items.map((c) => c.coachingId)).toEqual([later.coachingId, supervisors.coachingId, soon.coachingId]);
    const one = (await api.get(HEAD, `/api/review/coaching?staffId=${SUPERVISOR}`)).json().data as { managers: unknown[]; items: Coaching[] };
    expect([one.managers.length, one.items.map((c) => c.coachingId)]).toEqual([1, [supervisors.coachingId]]);
  });
});

describe('who reads and writes which records', () => {
  it('a branch head writes for the subtree only; the department for any; the records of other subtrees are not listed', async () => {
    const b112 = await write(BRANCH_HEAD_B100, { staffId: MANAGER_B112, coachedOn: '2026-11-20', findings: '新客户建档不完整', actions: '本月补齐客户资料' });
    const refused = await api.post(HEAD, '/api/review/coaching', { staffId: MANAGER_B112, coachedOn: '2026-11-20', findings: '新客户建档不完整', actions: '本月补齐客户资料' });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.fields).toHaveProperty('staffId');
    expect((await api.get(HEAD, `/api/review/coaching?staffId=${MANAGER_B112}`)).statusCode).toBe(404);
    expect(((await api.get(HEAD, '/api/review/coaching')).json().data.items as Coaching[]).map((c) => c.coachingId)).not.toContain(b112.coachingId);
    expect(((await api.get(BRANCH_HEAD_B100, '/api/review/coaching')).json().data.items as Coaching[]).map((c) => c.coachingId)).toContain(later.coachingId);
    expect(((await api.get(PB_DEPT, '/api/review/coaching')).json().data.items as Coaching[]).length).toBe(4);
    await write(PB_DEPT, { staffId: MANAGER_B112, coachedOn: '2026-11-20', findings: '产品结构单一', actions: '学习基金产品' });
    // a teller is not coached here
    const teller = await api.post(HEAD, '/api/review/coaching', { staffId: OUTLET_STAFF.vip_teller, coachedOn: '2026-11-20', findings: '柜面服务', actions: '加强培训' });
    expect(teller.statusCode).toBe(404);
    // only the author changes a record or records its follow-up (another reviewer who reads it: 403)
    expect((await api.patch(BRANCH_HEAD_B100, `/api/review/coaching/${later.coachingId}`, { findings: '改一下' })).statusCode).toBe(403);
    expect((await api.post(BRANCH_HEAD_B100, `/api/review/coaching/${later.coachingId}/follow-up`, { note: '已跟进' })).statusCode).toBe(403);
    // one it does not read: 404
    expect((await api.patch(HEAD, `/api/review/coaching/${b112.coachingId}`, { findings: '改一下' })).statusCode).toBe(404);
  });

  it('the manager reads their own records, read-only, and no one else’s: another’s answers 404', async () => {
    const mine = await api.get(MANAGER, '/api/review/my-coaching');
    expect(mine.statusCode, mine.body).toBe(200);
    expect((mine.json().data.items as Coaching[]).map((c) => c.coachingId)).toEqual([later.coachingId, soon.coachingId]);
    const one = await api.get(MANAGER, `/api/review/my-coaching/${later.coachingId}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().data).toMatchObject({ coachingId: later.coachingId, author: { staffId: HEAD }, followUpOn: '2026-12-20' });
    // the supervisor's record, asked for by the manager: as if it did not exist
    const other = await api.get(MANAGER, `/api/review/my-coaching/${supervisors.coachingId}`);
    const none = await api.get(MANAGER, '/api/review/my-coaching/no-such-record');
    expect([other.statusCode, other.json().error.message]).toEqual([404, none.json().error.message]);
    expect(((await api.get(SUPERVISOR, '/api/review/my-coaching')).json().data.items as Coaching[]).map((c) => c.coachingId)).toEqual([supervisors.coachingId]);
    // read-only: the reviewers' routes are not theirs
    expect((await api.get(MANAGER, '/api/review/coaching')).statusCode).toBe(403);
    expect((await api.post(MANAGER, '/api/review/coaching', { staffId: MANAGER, coachedOn: '2026-11-20', findings: '自评', actions: '自改' })).statusCode).toBe(403);
    expect((await api.patch(MANAGER, `/api/review/coaching/${later.coachingId}`, { findings: '改一下' })).statusCode).toBe(403);
    // a branch head is not coached here: no "my coaching"
    expect((await api.get(HEAD, '/api/review/my-coaching')).statusCode).toBe(403);
  });
});

describe('bad input', () => {
  it('refuses a follow-up not after the coaching date, a coaching date ahead, empty findings, naming the field', async () => {
    const base = { staffId: MANAGER, coachedOn: '2026-11-20', findings: '联络不足', actions: '加强联络' };
    for (const [body, field] of [
      [{ ...base, followUpOn: '2026-11-19' }, 'followUpOn'],
      [{ ...base, followUpOn: '2026-11-20' }, 'followUpOn'],
      [{ ...base, followUpOn: '2028-01-01' }, 'followUpOn'],
      [{ ...base, coachedOn: '2099-01-01' }, 'coachedOn'],
      [{ ...base, coachedOn: '2026-02-30' }, 'coachedOn'],
      [{ ...base, findings: '   ' }, 'findings'],
      [{ ...base, actions: 'x'.repeat(2001) }, 'actions'],
    ] as const) {
      const r = await api.post(HEAD, '/api/review/coaching', body, 'en');
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(r.json().error.fields ?? {}), JSON.stringify(body)).toContain(field);
    }
    const before = await api.post(HEAD, '/api/review/coaching', { ...base, followUpOn: '2026-11-19' }, 'en');
    expect(before.json().error.message).toBe('The follow-up date must be after the coaching date (2026-11-20).');
    const zh = await api.post(HEAD, '/api/review/coaching', { ...base, coachedOn: '2099-01-01' });
    expect(zh.json().error.message).toMatch(/^辅导日期不能晚于今天/);
    // a change that puts the follow-up before the coaching date
    const edit = await api.patch(HEAD, `/api/review/coaching/${later.coachingId}`, { followUpOn: '2026-11-01' }, 'en');
    expect(edit.statusCode).toBe(400);
    expect(edit.json().error.fields).toHaveProperty('followUpOn');
    const note = await api.post(HEAD, `/api/review/coaching/${later.coachingId}/follow-up`, { note: ' ' }, 'en');
    expect(note.statusCode).toBe(400);
    expect(note.json().error.fields).toHaveProperty('note');
  });
});
