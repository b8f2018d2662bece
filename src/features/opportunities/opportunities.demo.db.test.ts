import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { fillSmallDemoBank } from '../../../test/demo-bank.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { DEMO_PASSWORD, type DemoLogin } from '../access/access.demo.js';
import type { Greeting } from '../greetings/greetings.contract.js';
import { seedDemoGathering, type DemoGatheringSeeded } from '../gatherings/gatherings.demo.js';
import { seedDemoGreetings, type DemoGreetingsSeeded } from '../greetings/greetings.demo.js';
import type { Complaint, ReportRow } from '../serving/complaints.contract.js';
import { seedDemoComplaints, type DemoComplaintsSeeded } from '../serving/complaints.demo.js';
import { seedDemoHandover, type DemoHandoverSeeded } from '../serving/counter.demo.js';
import type { Opportunity } from './opportunities.contract.js';
import { seedDemoOpportunities, type DemoOpportunitiesSeeded } from './opportunities.demo.js';

// The demo's opportunities, complaints and greetings, as its users see them: on the small demo bank
// (400 customers × 8 days, owners as the demo has them), seeded as `stratum demo` does (then the
// batch again from the worklist), the customer manager's board, prospects and My day, the branch
// head's weekly review, red list of complaints, complaints report and greetings awaiting approval;
// seeded again, nothing is added.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let logins: DemoLogin[];
let seeded: DemoOpportunitiesSeeded | null;
let complaints: DemoComplaintsSeeded | null;
let greetings: DemoGreetingsSeeded | null;
let handover: DemoHandoverSeeded | null;
let gathering: DemoGatheringSeeded | null;
const out = mkdtempSync(path.join(os.tmpdir(), 'stratum-demo-opportunities-'));
const sessions = new Map<string, TestSession>();
const login = (role: DemoLogin['role']) => logins.find((l) => l.role === role)?.login ?? '';
const get = async (role: DemoLogin['role'], url: string) => {
  const who = login(role);
  let s = sessions.get(who);
  if (!s) sessions.set(who, (s = await signInAs(app, who, DEMO_PASSWORD)));
  const r = await s.get(url, { 'accept-language': 'zh' });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data;
};
const counts = () =>
  db.session(async (s) =>
    (await s.query<Record<string, number>>(
      `SELECT (SELECT count(*) FROM opportunities)::int AS o, (SELECT count(*) FROM prospects)::int AS p, (SELECT count(*) FROM opportunity_reviews)::int AS r,
              (SELECT count(*) FROM opportunity_comments)::int AS k, (SELECT count(*) FROM opportunity_stages)::int AS g,
              (SELECT count(*) FROM complaints)::int AS complaints, (SELECT count(*) FROM complaint_notes)::int AS notes,
              (SELECT count(*) FROM greetings)::int AS greetings, (SELECT count(*) FROM counter_handovers)::int AS handovers, (SELECT count(*) FROM gatherings)::int AS gatherings, (SELECT count(*) FROM gathering_invitees)::int AS invitees, (SELECT count(*) FROM sms_outbox)::int AS outbox,
              (SELECT count(*) FROM audit_log)::int AS audit`,
    )).rows[0],
  );

beforeAll(async () => {
  db = await openTestDb();
  const bank = await fillSmallDemoBank(db, out);
  logins = bank.logins;
  seeded = await seedDemoOpportunities(db, logins);
  complaints = await seedDemoComplaints(db, logins);
  greetings = await seedDemoGreetings(db, logins);
  gathering = await seedDemoGathering(db, logins);
  // as the demo does: the batch from the worklist on, whose opportunities step reminds of them
  await runDailyBatch(db, bank.businessDate, undefined, { from: 'worklist' });
  handover = await seedDemoHandover(db, logins);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
}, 300_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
  rmSync(out, { recursive: true, force: true });
});

describe('the demo’s opportunities', () => {
  it('fill the customer manager’s board: every stage, each kind of target, due today, overdue, stale, won and lost', async () => {
    expect(seeded?.owners[0]).toMatchObject({ staffId: login('customer_manager'), opportunities: 13 });
    const board = (await get('customer_manager', '/api/opportunities/board')) as { asOf: string; columns: { stage: string; total: number; items: Opportunity[] }[]; stale: number; due: number };
    const totals = Object.fromEntries(board.columns.map((c) => [c.stage, c.total]));
    for (const stage of ['identified', 'contacted', 'needs_confirmed', 'proposed', 'won', 'lost']) expect(totals[stage], stage).toBeGreaterThan(0);
    expect(board.stale).toBeGreaterThanOrEqual(2);
    expect(board.due).toBeGreaterThan(0);
    const items = board.columns.flatMap((c) => c.items);
    expect(items).toHaveLength(13);
    expect(items.some((o) => o.due && o.nextStepOn === board.asOf)).toBe(true);
    expect(items.some((o) => o.status === 'open' && !o.stale && o.nextStepOn !== null && o.nextStepOn < board.asOf)).toBe(true); // overdue, not stale yet
    expect(items.some((o) => o.status === 'open' && o.nextStepOn !== null && o.nextStepOn > board.asOf)).toBe(true);
    expect(new Set(items.flatMap((o) => o.staleReasons))).toEqual(new Set(['next_step_overdue', 'stage_too_long']));
    expect(new Set(items.map((o) => o.target.type))).toEqual(new Set(['product', 'product_kind', 'vip_signing']));
    expect(items.find((o) => o.status === 'lost')?.lostReason).toBeTruthy();
    expect(items.find((o) => o.target.type === 'vip_signing')?.notes).toMatch(/标准/);
    // the stale one the branch head commented on shows the comment to its owner
    expect(items.filter((o) => o.latestComment !== null)).toHaveLength(2);
    // made through the service: the stage history of the won one, from its creation
    const won = items.find((o) => o.status === 'won');
    const detail = (await get('customer_manager', `/api/opportunities/${won?.opportunityId}`)) as { stages: { from: string | null; to: string }[] };
    expect(detail.stages.map((x) => x.to)).toEqual(['identified', 'contacted', 'proposed', 'won']);
  });

  it('give the manager prospects, one with an opportunity, and My day the next steps due', async () => {
    const prospects = (await get('customer_manager', '/api/prospects')) as { items: { name: string; openOpportunities: number; contacts: number }[] };
    expect(prospects.items.length).toBeGreaterThanOrEqual(2);
    expect(prospects.items.filter((p) => p.openOpportunities > 0)).toHaveLength(1);
    expect(prospects.items.some((p) => p.contacts > 0)).toBe(true);
    const myDay = (await get('customer_manager', '/api/worklist/reminders?kind=work_task&pageSize=200')) as { items: { event: string }[] };
    expect(myDay.items.filter((r) => r.event === 'opportunity_due').length).toBeGreaterThan(0);
  });

  it('give the branch head a weekly review that compares two managers, with won, lost and stale ones, saved with two comments', async () => {
    const review = (await get('branch_head', '/api/opportunities/review')) as {
      managers: { staff: { staffId: string }; created: number; won: number; lost: number; stale: number; open: number }[];
      items: { comment: string | null; flags: string[] }[];
      saved: { reviewer: { staffId: string } } | null;
    };
    const busy = review.managers.filter((m) => m.open > 0);
    expect(busy.length).toBeGreaterThanOrEqual(2);
    const sum = (k: 'won' | 'lost' | 'stale' | 'created') => review.managers.reduce((n, m) => n + m[k], 0);
    expect([sum('won') > 0, sum('lost') > 0, sum('stale') > 0, sum('created') > 0]).toEqual([true, true, true, true]);
    expect(review.managers.find((m) => m.staff.staffId === login('customer_manager'))).toMatchObject({ won: 1, lost: 1, stale: 2 });
    expect(review.saved?.reviewer.staffId).toBe(login('branch_head'));
    expect(review.items.filter((i) => i.comment)).toHaveLength(2);
    expect(seeded?.review).toMatchObject({ staffId: login('branch_head'), comments: 2 });
  });

  it('adds nothing when seeded again', async () => {
    const before = await counts();
    expect(await seedDemoOpportunities(db, logins)).toBeNull();
    expect(await seedDemoComplaints(db, logins)).toBeNull();
    expect(await seedDemoHandover(db, logins)).toBeNull();
    expect(await seedDemoGathering(db, logins)).toBeNull();
    const again = await seedDemoGreetings(db, logins);
    expect(again?.prepared.recipients).toBe(0);
    expect(again?.head?.drafts).toBe(greetings?.head?.drafts);
    expect(await counts()).toEqual(before);
  });

  it('put an unanswered complaint past its first-response limit on the branch head’s red list, as the page shows it now', async () => {
    expect(complaints?.complaints).toHaveLength(5);
    const red = (await get('branch_head', '/api/complaints/escalated')) as { items: Complaint[] };
    expect(red.items).toHaveLength(1);
    expect(red.items[0]).toMatchObject({ status: 'open', firstResponseAt: null, escalation: 'branch_head', escalationReason: 'first_response_late', dueState: 'response_overdue' });
    expect(red.items[0]?.recordedBy.staffId).toBe(login('lobby_manager'));
    expect(complaints?.head).toMatchObject({ staffId: login('branch_head'), escalated: 1 });
    // and a risk reminder for the head (the escalation's)
    const reminders = (await get('branch_head', '/api/worklist/reminders?kind=risk&pageSize=200')) as { items: { event: string }[] };
    expect(reminders.items.some((r) => r.event === 'complaint_escalated')).toBe(true);
  });

  it('give the complaints pages one of each: in progress, closed with a root cause, reopened, across channels and bands, recorded by the lobby, the counter and the manager', async () => {
    const all = (await get('branch_head', '/api/complaints?status=all')) as { items: Complaint[] };
    const mine = all.items.filter((c) => complaints?.complaints.some((k) => k.complaintId === c.complaintId));
    expect(mine).toHaveLength(5);
    const by = (st: string) => mine.filter((c) => c.status === st);
    expect(by('responded')).toHaveLength(1);
    expect(by('responded')[0]?.dueState).toBe('on_time');
    expect(by('reopened')).toHaveLength(1);
    expect(by('reopened')[0]).toMatchObject({ customerAnswer: 'unsatisfied', reopenedOnce: true, escalation: 'none' });
    expect(by('closed').map((c) => c.rootCause).sort()).toEqual(['product', 'waiting_time']);
    expect(by('closed').find((c) => c.rootCause === 'product')).toMatchObject({ customerAnswer: 'satisfied', escalation: 'none' });
    expect(new Set(mine.map((c) => c.channel))).toEqual(new Set(['counter', 'phone', 'online', 'letter']));
    expect(new Set(mine.map((c) => c.band)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(mine.map((c) => c.recordedBy.staffId))).toEqual(new Set([login('lobby_manager'), login('lobby_assistant'), login('counter_teller'), login('customer_manager')]));
    // the manager reads the ones on their own customers, and the one they recorded; the walk-in's phone is masked
    const managers = (await get('customer_manager', '/api/complaints?status=all')) as { items: Complaint[] };
    expect(managers.items.filter((c) => c.recordedBy.staffId === login('customer_manager'))).toHaveLength(2);
    expect(mine.find((c) => c.person)?.person?.phone).not.toMatch(/^\d{11}$/);
    // every step is in the audit trail under who did it
    const audit = await db.session((s) => s.query<{ actor: string; action: string }>(`SELECT actor, action FROM audit_log WHERE action LIKE 'complaint_%'`));
    expect(audit.rows.filter((r) => r.action === 'complaint_record')).toHaveLength(5);
    expect(audit.rows.find((r) => r.action === 'complaint_resolve' && r.actor === login('customer_manager'))).toBeTruthy();
  });

  it('give the complaints report numbers', async () => {
    const report = (await get('branch_head', '/api/complaints/report')) as { rows: ReportRow[]; totals: Omit<ReportRow, 'branch' | 'month' | 'rootCause'> };
    expect(report.totals).toMatchObject({ received: 5, resolved: 2, resolvedWithinLimit: 2, shareWithinLimit: 1 });
    expect(report.totals.meanFirstResponseHours).toBeGreaterThan(0);
    expect(report.rows.map((r) => r.rootCause)).toEqual(expect.arrayContaining(['product', 'waiting_time', null]));
  });

  it('leave birthday greetings awaiting the branch head’s approval', async () => {
    const page = (await get('branch_head', '/api/greetings')) as { items: Greeting[] };
    const drafts = page.items.filter((g) => g.status === 'draft' && g.approvable);
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.every((g) => g.occasion === 'birthday' && g.recipients > 0)).toBe(true);
    expect(greetings?.head).toMatchObject({ staffId: login('branch_head'), drafts: drafts.length });
  });

  it('hand a walk-in customer from the lobby manager to the customer manager, a task on their My day', async () => {
    expect(handover).toMatchObject({ from: { staffId: login('lobby_manager') }, to: { staffId: login('customer_manager') } });
    const myDay = (await get('customer_manager', '/api/worklist/reminders?kind=work_task&pageSize=200')) as { items: { event: string; customer: { customerId: string } | null }[] };
    expect(myDay.items.filter((r) => r.event === 'counter_handover').map((r) => r.customer?.customerId)).toEqual([handover?.customerId]);
  });

  it('give the branch head a salon a week ahead: invitees called by their owners, three accepted and one declined; the owners see the call on My day', async () => {
    expect(gathering).toMatchObject({ head: { staffId: login('branch_head') }, accepted: 3, declined: 1 });
    expect(gathering?.invited).toBeGreaterThan(4);
    const list = (await get('branch_head', '/api/gatherings')) as { items: { gatheringId: string; kind: string; invitedBy: string | null; counts: Record<string, number> }[] };
    const salon = list.items.find((g) => g.gatheringId === gathering?.gatheringId);
    expect(salon).toMatchObject({ kind: 'salon', invitedBy: 'call_list', counts: { accepted: 3, declined: 1 } });
    const calls = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM reminders WHERE event = 'gathering_invite' AND status = 'open'`));
    expect(calls.rows[0]?.n).toBeGreaterThan(0);
  });
});
