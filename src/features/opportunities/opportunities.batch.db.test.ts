import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { runOpportunities } from './opportunities.batch.js';
import { client, seedOpportunities } from './opportunities.test-support.js';

// The opportunities step of the daily batch on the scoped bank (business date 2026-11-20, a
// Friday: My day of Monday 2026-11-23 reads its reminders). A next step due by then is a work task
// for the owner; a stale opportunity a risk for the branch head of the owner's outlet (the nearest
// one up the tree). Made once per date: a rerun changes nothing; what no longer applies expires.

const D = '2026-11-20';
const MANAGER = OUTLET_STAFF.customer_manager;
const HEAD = OUTLET_STAFF.branch_head; // B111's
let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = client(() => app);
const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);

interface Row {
  customer_id: string;
  staff_id: string;
  event: string;
  occurrence: string;
  kind: string;
  status: string;
  first_date: string;
  last_date: string;
  due_on: string;
  closed_reason: string | null;
}
const reminders = () =>
  sql<Row>(
    `SELECT customer_id, staff_id, event, occurrence, kind, status, first_date, last_date, due_on, closed_reason FROM reminders
      WHERE event LIKE 'opportunity%' ORDER BY event, occurrence, staff_id`,
  );

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await runDailyBatch(db, D);
  await seedOpportunities(db, [
    // due Monday, the working day after D: a work task; Tuesday: not yet
    { id: 'DUE-MON', customer: 'C1', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-23', stageSince: '2026-11-18' },
    { id: 'DUE-TUE', customer: 'C1', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-24', stageSince: '2026-11-18' },
    // overdue by 2 days (a work task), by 8 (a work task, and stale: a risk for the branch head)
    { id: 'LATE-2', customer: 'C2', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-18', stageSince: '2026-11-10' },
    { id: 'LATE-8', customer: 'C2', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-12', stageSince: '2026-11-01' },
    // 31 days in its stage at outlet B112, which has no branch head: B100's (the nearest up the tree)
    { id: 'LONG-31', customer: 'C3', owner: MANAGER_B112, branch: 'B112', nextStepOn: '2026-12-01', stageSince: '2026-10-20' },
    // closed ones make nothing
    { id: 'WON', customer: 'C1', owner: MANAGER, branch: 'B111', stage: 'won', stageSince: '2026-11-02' },
  ]);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('reminders of opportunities', () => {
  it('a work task for the owner per next step due by the next working day; a risk for the nearest branch head per stale one', async () => {
    const r = await runOpportunities(db, D);
    expect(r).toMatchObject({ due: 3, stale: 2, expired: 0, converted: 0 });
    const rows = await reminders();
    expect(rows.map((x) => [x.event, x.occurrence, x.staff_id, x.kind, x.customer_id, x.due_on])).toEqual([
      ['opportunity_due', 'DUE-MON:2026-11-23', MANAGER, 'work_task', 'C1', '2026-11-23'],
      ['opportunity_due', 'LATE-2:2026-11-18', MANAGER, 'work_task', 'C2', '2026-11-18'],
      ['opportunity_due', 'LATE-8:2026-11-12', MANAGER, 'work_task', 'C2', '2026-11-12'],
      ['opportunity_stale', 'LATE-8:2026-11-20', HEAD, 'risk', 'C2', D],
      ['opportunity_stale', 'LONG-31:2026-11-20', BRANCH_HEAD_B100, 'risk', 'C3', D],
    ]);
    expect(rows.every((x) => x.status === 'open' && x.first_date === D)).toBe(true);
  });

  it('shows them on My day with a sentence: the owner’s work tasks, the branch head’s risks', async () => {
    const mine = await api.get(MANAGER, '/api/worklist/reminders?kind=work_task');
    const due = (mine.json().data.items as { event: string; summary: string; customer: { customerId: string } }[]).filter((x) => x.event === 'opportunity_due');
    expect(due.map((x) => x.summary).sort()).toEqual(['商机下一步 11-23 到期：理财产品（已识别）', '商机下一步已逾期 2 天（11-18）：理财产品（已识别）', '商机下一步已逾期 8 天（11-12）：理财产品（已识别）']);
    const risk = await api.get(HEAD, '/api/worklist/reminders?kind=risk', 'en');
    const stale = (risk.json().data.items as { event: string; summary: string }[]).filter((x) => x.event === 'opportunity_stale');
    expect(stale.map((x) => x.summary)).toEqual(['stale opportunity of 员工3: Wealth product (identified), 19 days in its stage, next step 8 days overdue']);
  });

  it('is made once per date: a rerun changes nothing, and a reminder the owner closed stays closed', async () => {
    await sql(`UPDATE reminders SET status = 'done', closed_by = $1, closed_at = now() WHERE event = 'opportunity_due' AND occurrence = 'LATE-2:2026-11-18'`, [MANAGER]);
    const before = await reminders();
    const again = await runOpportunities(db, D);
    expect(again).toMatchObject({ due: 3, stale: 2, expired: 0 });
    expect(await reminders()).toEqual(before);
    // the whole batch again from the worklist: the worklist's rerun removes what D's first run opened, this step makes it again
    await runDailyBatch(db, D, undefined, { from: 'worklist' });
    expect((await reminders()).map((x) => [x.occurrence, x.status, x.first_date])).toEqual(before.map((x) => [x.occurrence, x.status, x.first_date]));
  });

  it('expires what no longer applies: a next step moved, an opportunity closed or moving again', async () => {
    await sql(`UPDATE opportunities SET next_step_on = '2026-11-27' WHERE opportunity_id = 'DUE-MON'`);
    await sql(`UPDATE opportunities SET stage = 'contacted', stage_since = $1::date WHERE opportunity_id = 'LONG-31'`, [D]);
    await sql(`UPDATE opportunities SET stage = 'won', closed_on = $1::date, closed_at = now(), next_step = NULL, next_step_on = NULL WHERE opportunity_id = 'LATE-8'`, [D]);
    const r = await runOpportunities(db, D);
    expect(r).toMatchObject({ due: 1, stale: 0, expired: 4 });
    const rows = await reminders();
    expect(rows.filter((x) => x.status === 'expired').map((x) => [x.occurrence, x.closed_reason])).toEqual([
      ['DUE-MON:2026-11-23', 'no longer due'],
      ['LATE-8:2026-11-12', 'no longer due'],
      ['LATE-8:2026-11-20', 'no longer stale'],
      ['LONG-31:2026-11-20', 'no longer stale'],
    ]);
  });

  it('closing an opportunity through the API closes its reminders at once', async () => {
    await seedOpportunities(db, [{ id: 'API-CLOSE', customer: 'C1', owner: MANAGER, branch: 'B111', nextStepOn: '2026-11-19', stageSince: '2026-11-19' }]);
    await runOpportunities(db, D);
    expect((await reminders()).find((x) => x.occurrence === 'API-CLOSE:2026-11-19')?.status).toBe('open');
    const r = await api.post(MANAGER, '/api/opportunities/API-CLOSE/stage', { stage: 'won' });
    expect(r.statusCode, r.body).toBe(200);
    expect((await reminders()).find((x) => x.occurrence === 'API-CLOSE:2026-11-19')).toMatchObject({ status: 'done', closed_reason: '商机已成交' });
  });

  it('a customer moved to another branch leaves its old head at once; the night’s batch brings its opportunities to the new branch’s heads', async () => {
    const scopeIds = async (login: string) =>
      ((await api.get(login, '/api/opportunities?view=scope&status=all')).json().data.items as { opportunityId: string }[]).map((o) => o.opportunityId);
    expect(await scopeIds(HEAD)).toContain('LATE-2');
    // the load moves C2 from outlet B111 to B112 (both under B100)
    await sql(`UPDATE customers SET branch_id = 'B112' WHERE customer_id = 'C2'`);
    expect(await scopeIds(HEAD)).not.toContain('LATE-2');
    expect(await scopeIds(BRANCH_HEAD_B100)).toContain('LATE-2');
    const r = await runOpportunities(db, D);
    expect(r.followed).toBe(2); // LATE-2 and LATE-8, both of C2
    expect(await sql(`SELECT opportunity_id, scope_branch_id FROM opportunities WHERE customer_id = 'C2' ORDER BY opportunity_id`)).toEqual([
      { opportunity_id: 'LATE-2', scope_branch_id: 'B112' },
      { opportunity_id: 'LATE-8', scope_branch_id: 'B112' },
    ]);
    expect(await scopeIds(BRANCH_HEAD_B100)).toContain('LATE-2');
    expect(await scopeIds(HEAD)).not.toContain('LATE-2');
    // back at B111: its head sees them again after the next night's run; a rerun moves nothing more
    await sql(`UPDATE customers SET branch_id = 'B111' WHERE customer_id = 'C2'`);
    expect((await runOpportunities(db, D)).followed).toBe(2);
    expect((await runOpportunities(db, D)).followed).toBe(0);
    expect(await scopeIds(HEAD)).toContain('LATE-2');
  });

  it('refuses a date before the last one reminders were made for', async () => {
    await expect(runOpportunities(db, '2026-11-19')).rejects.toThrow('2026-11-19 is before 2026-11-20');
  });
});
