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
import type { Opportunity } from './opportunities.contract.js';
import { seedDemoOpportunities, type DemoOpportunitiesSeeded } from './opportunities.demo.js';

// The demo's opportunities, as its users see them: on the small demo bank (400 customers × 8 days,
// owners as the demo has them), seeded as `stratum demo` does (then the batch again from the
// worklist), the customer manager's board, prospects and My day, the branch head's weekly review;
// seeded again, nothing is added.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let logins: DemoLogin[];
let seeded: DemoOpportunitiesSeeded | null;
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
    (await s.query<{ o: number; p: number; r: number; k: number; g: number }>(
      `SELECT (SELECT count(*) FROM opportunities)::int AS o, (SELECT count(*) FROM prospects)::int AS p, (SELECT count(*) FROM opportunity_reviews)::int AS r,
              (SELECT count(*) FROM opportunity_comments)::int AS k, (SELECT count(*) FROM opportunity_stages)::int AS g`,
    )).rows[0],
  );

beforeAll(async () => {
  db = await openTestDb();
  const bank = await fillSmallDemoBank(db, out);
  logins = bank.logins;
  seeded = await seedDemoOpportunities(db, logins);
  // as the demo does: the batch from the worklist on, whose opportunities step reminds of them
  await runDailyBatch(db, bank.businessDate, undefined, { from: 'worklist' });
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
    expect(await counts()).toEqual(before);
  });
});
