import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import type { RunItem, RunsPage, RunStatus } from './runs.contract.js';
import { folderName } from './runs.service.js';

// The runs status (issue 18): GET /api/system/runs for the department and branch heads, and the
// header's lateness (GET /api/system/runs/latest) for anyone signed in. The rows are written here
// straight into operation_runs, as `stratum load`, `stratum batch run` and the daily run write them.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => {
  let s = sessions.get(login);
  if (!s) sessions.set(login, (s = await signInAs(app, login)));
  return s;
};
const runs = async (login: string, query = '') => {
  const r = await (await as(login)).get(`/api/system/runs${query}`, { 'accept-language': 'en' });
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as RunsPage;
};
const status = async (login: string) => {
  const r = await (await as(login)).get('/api/system/runs/latest');
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as RunStatus;
};

const HOUR = 3600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

interface Run {
  id: string;
  kind: 'load' | 'batch';
  outcome: 'running' | 'done' | 'unchanged' | 'refused' | 'failed';
  /** started this many hours ago */
  hoursAgo: number;
  /** seconds it took (none: not finished) */
  seconds?: number;
  date?: string | null;
  folder?: string | null;
  startedBy?: 'cli' | 'daily' | 'server';
  attempt?: number;
  rows?: number | null;
  detail?: unknown[];
  problems?: unknown[];
  moreProblems?: number;
  message?: string | null;
}

async function insertRuns(...list: Run[]): Promise<void> {
  for (const r of list) {
    const started = Date.now() - r.hoursAgo * HOUR;
    await db.session((s) =>
      s.query(
        `INSERT INTO operation_runs (run_id, kind, business_date, folder, started_by, attempt, started_at, finished_at, outcome, rows, detail, problems, more_problems, message)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14)`,
        [
          r.id,
          r.kind,
          r.date === undefined ? '2026-11-20' : r.date,
          r.folder ?? null,
          r.startedBy ?? 'daily',
          r.attempt ?? 1,
          new Date(started).toISOString(),
          r.seconds === undefined ? null : new Date(started + r.seconds * 1000).toISOString(),
          r.outcome,
          r.rows ?? null,
          JSON.stringify(r.detail ?? []),
          JSON.stringify(r.problems ?? []),
          r.moreProblems ?? 0,
          r.message ?? null,
        ],
      ),
    );
  }
}

const BATCH_STEPS = [
  { step: 'tiering', seconds: 41.25, summary: '20000 customers, 9 models and tag groups, 312 tiers changed (facts brought forward from 2026-11-19)' },
  { step: 'ownership', seconds: 2.5, summary: '14 owner proposals for the branch heads (0 older undecided ones replaced)' },
  { step: 'events', seconds: 6.75, summary: '431 events (birthday_soon 120), policy version 1' },
  { step: 'worklist', seconds: 11, summary: '980 reminders made or refreshed (3 expired, 0 contact tasks done), 40 contact plans with 800 items for 2026-11-23' },
];
const REFUSED_PROBLEMS = [
  { file: 'customers.csv', line: 17, column: 'id_number', message: 'value in column id_number is not an 18-character resident ID number' },
  { file: 'accounts.csv', line: 3, column: 'customer_id', message: "customer 'C77' is not in customers.csv" },
  { file: 'transactions.csv', line: 1204, message: 'has 9 values but the header has 8 columns (a comma inside a value needs quotes)' },
];

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});
beforeEach(async () => {
  // only the rows each test writes (a load of the test bank may have recorded one of its own)
  await db.session((s) => s.query('DELETE FROM operation_runs'));
});

describe('GET /api/system/runs', () => {
  it('lists every load and batch newest first, with its date, start, duration, rows, outcome and steps or files', async () => {
    await insertRuns(
      {
        id: 'load-19', kind: 'load', outcome: 'done', hoursAgo: 30, seconds: 95, date: '2026-11-19', folder: '/srv/stratum/feed/2026-11-19', rows: 5_695_366,
        detail: [{ file: 'customers.csv', rows: 20000, written: 31, gone: 0 }, { file: 'transactions.csv', rows: 5_600_000, written: 5_600_000, gone: 0 }],
      },
      { id: 'batch-19', kind: 'batch', outcome: 'done', hoursAgo: 29, seconds: 61.5, date: '2026-11-19', rows: 20000, detail: BATCH_STEPS },
      { id: 'load-20', kind: 'load', outcome: 'unchanged', hoursAgo: 2, seconds: 1.2, date: '2026-11-20', folder: 'C:\\feeds\\2026-11-20', startedBy: 'cli', rows: 0 },
    );
    const page = await runs(PB_DEPT);
    expect(page).toMatchObject({ page: 1, pageSize: 50, total: 3 });
    expect(page.items.map((i) => i.id)).toEqual(['load-20', 'batch-19', 'load-19']);
    const batch = page.items[1] as RunItem;
    expect(batch).toEqual({
      id: 'batch-19',
      kind: 'batch',
      businessDate: '2026-11-19',
      folder: null,
      startedBy: 'daily',
      attempt: 1,
      startedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      finishedAt: expect.stringMatching(/Z$/),
      durationSeconds: 61.5,
      rows: 20000,
      outcome: 'done',
      steps: BATCH_STEPS,
      files: [],
      problems: [],
      moreProblems: 0,
      message: null,
    });
    expect(Date.parse(batch.finishedAt ?? '') - Date.parse(batch.startedAt)).toBe(61_500);
    const load = page.items[2] as RunItem;
    // the folder's own name, not the server's path
    expect(load).toMatchObject({ kind: 'load', folder: '2026-11-19', rows: 5_695_366, durationSeconds: 95, steps: [] });
    expect(load.files).toEqual([
      { file: 'customers.csv', rows: 20000, written: 31, gone: 0 },
      { file: 'transactions.csv', rows: 5_600_000, written: 5_600_000, gone: 0 },
    ]);
    expect(page.items[0]).toMatchObject({ outcome: 'unchanged', folder: '2026-11-20', startedBy: 'cli' });
    // a branch head reads the same list: no customer in it, nothing to scope
    expect((await runs(BRANCH_HEAD_B100)).items.map((i) => i.id)).toEqual(['load-20', 'batch-19', 'load-19']);
  });

  it("shows a refused load's problems by file, line and column, how many more there are, and a failure's message", async () => {
    await insertRuns(
      { id: 'refused', kind: 'load', outcome: 'refused', hoursAgo: 5, seconds: 12, date: '2026-11-21', folder: '/data/feed/2026-11-21', rows: 20412, problems: REFUSED_PROBLEMS, moreProblems: 47 },
      // refused before its date was read (feed.json unreadable): no business date
      { id: 'no-date', kind: 'load', outcome: 'refused', hoursAgo: 4, seconds: 0.1, date: null, folder: '/data/feed/2026-11-22', problems: [{ file: 'feed.json', column: 'business_date', message: 'is missing' }] },
      { id: 'failed', kind: 'batch', outcome: 'failed', hoursAgo: 3, seconds: 7, date: '2026-11-20', attempt: 2, message: 'canceling statement due to statement timeout', problems: [{ message: 'canceling statement due to statement timeout' }], detail: [BATCH_STEPS[0]] },
    );
    const { items } = await runs(BRANCH_HEAD_B100);
    const [failed, noDate, refused] = items;
    expect(refused).toMatchObject({ id: 'refused', outcome: 'refused', businessDate: '2026-11-21', moreProblems: 47, message: null });
    expect(refused?.problems).toEqual([
      { file: 'customers.csv', line: 17, column: 'id_number', message: 'value in column id_number is not an 18-character resident ID number' },
      { file: 'accounts.csv', line: 3, column: 'customer_id', message: "customer 'C77' is not in customers.csv" },
      { file: 'transactions.csv', line: 1204, column: null, message: 'has 9 values but the header has 8 columns (a comma inside a value needs quotes)' },
    ]);
    expect(noDate).toMatchObject({ businessDate: null, folder: '2026-11-22', problems: [{ file: 'feed.json', line: null, column: 'business_date', message: 'is missing' }] });
    expect(failed).toMatchObject({
      outcome: 'failed',
      attempt: 2,
      message: 'canceling statement due to statement timeout',
      problems: [{ file: null, line: null, column: null, message: 'canceling statement due to statement timeout' }],
      steps: [BATCH_STEPS[0]],
    });
    // the refused ones, by outcome
    expect((await runs(PB_DEPT, '?outcome=refused')).items.map((i) => i.id)).toEqual(['no-date', 'refused']);
  });

  it('shows a run left running as running while it can still be, as interrupted once it cannot', async () => {
    await insertRuns(
      // died long ago: another run started since
      { id: 'died', kind: 'load', outcome: 'running', hoursAgo: 30, date: '2026-11-19' },
      // the daily run tried the same date again: the first attempt is over
      { id: 'first-try', kind: 'batch', outcome: 'running', hoursAgo: 2, date: '2026-11-20', attempt: 1 },
      { id: 'second-try', kind: 'batch', outcome: 'failed', hoursAgo: 1.5, seconds: 30, date: '2026-11-20', attempt: 2, message: 'out of memory' },
      // a load going on now, beside an older one: running
      { id: 'now', kind: 'load', outcome: 'running', hoursAgo: 0.5, date: '2026-11-21' },
    );
    const { items } = await runs(PB_DEPT);
    expect(items.map((i) => [i.id, i.outcome])).toEqual([
      ['now', 'running'],
      ['second-try', 'failed'],
      ['first-try', 'interrupted'],
      ['died', 'interrupted'],
    ]);
    // running: its duration so far; interrupted: none
    expect(items[0]?.durationSeconds).toBeGreaterThanOrEqual(1790);
    expect(items[0]?.finishedAt).toBeNull();
    expect(items[2]?.durationSeconds).toBeNull();
    expect((await runs(PB_DEPT, '?outcome=interrupted')).items.map((i) => i.id)).toEqual(['first-try', 'died']);
    expect((await runs(PB_DEPT, '?outcome=running')).items.map((i) => i.id)).toEqual(['now']);

    // the newest run stays running for a day (a long first evaluation), no longer
    await db.session((s) => s.query(`DELETE FROM operation_runs WHERE run_id <> 'died'`));
    await insertRuns({ id: 'long', kind: 'batch', outcome: 'running', hoursAgo: 10, date: '2026-11-21' });
    expect((await runs(PB_DEPT, '?outcome=running')).items.map((i) => i.id)).toEqual(['long']);
    await db.session((s) => s.query(`UPDATE operation_runs SET started_at = now() - interval '25 hours' WHERE run_id = 'long'`));
    expect((await runs(PB_DEPT, '?outcome=running')).items).toEqual([]);
  });

  it('pages, and filters by kind, outcome and business date', async () => {
    const list: Run[] = [];
    for (let d = 1; d <= 12; d++) {
      const date = `2026-11-${String(d).padStart(2, '0')}`;
      const hoursAgo = (13 - d) * 24;
      list.push({ id: `load-${d}`, kind: 'load', outcome: d === 7 ? 'refused' : 'done', hoursAgo: hoursAgo + 1, seconds: 60, date, rows: 100 + d });
      if (d !== 7) list.push({ id: `batch-${d}`, kind: 'batch', outcome: 'done', hoursAgo, seconds: 50, date, rows: 20 });
    }
    await insertRuns(...list);
    const first = await runs(PB_DEPT, '?page=1&pageSize=5');
    expect(first).toMatchObject({ page: 1, pageSize: 5, total: 23 });
    expect(first.items.map((i) => i.id)).toEqual(['batch-12', 'load-12', 'batch-11', 'load-11', 'batch-10']);
    const last = await runs(PB_DEPT, '?page=5&pageSize=5');
    expect(last.items.map((i) => i.id)).toEqual(['load-2', 'batch-1', 'load-1']);
    expect((await runs(PB_DEPT, '?page=6&pageSize=5')).items).toEqual([]);

    expect((await runs(PB_DEPT, '?kind=load&pageSize=3')).items.map((i) => i.id)).toEqual(['load-12', 'load-11', 'load-10']);
    expect((await runs(PB_DEPT, '?kind=batch')).total).toBe(11);
    expect((await runs(PB_DEPT, '?kind=load&outcome=refused')).items.map((i) => i.id)).toEqual(['load-7']);
    expect((await runs(PB_DEPT, '?kind=batch&outcome=refused')).total).toBe(0);
    const week = await runs(PB_DEPT, '?from=2026-11-05&to=2026-11-08');
    expect(week.items.map((i) => i.id)).toEqual(['batch-8', 'load-8', 'load-7', 'batch-6', 'load-6', 'batch-5', 'load-5']);
    expect((await runs(PB_DEPT, '?from=2026-11-12')).items.map((i) => i.businessDate)).toEqual(['2026-11-12', '2026-11-12']);
  });

  it('refuses a bad filter with a 400 that names the field', async () => {
    const s = await as(PB_DEPT);
    for (const [query, field] of [
      ['outcome=broken', 'outcome'],
      ['kind=daily', 'kind'],
      ['from=2026-02-30', 'from'],
      ['pageSize=500', 'pageSize'],
      ['page=0', 'page'],
    ] as const) {
      const r = await s.get(`/api/system/runs?${query}`, { 'accept-language': 'en' });
      expect(r.statusCode, query).toBe(400);
      expect(Object.keys(r.json().error.fields ?? {}), query).toContain(field);
    }
  });

  it('is for the department and branch heads: a manager, a lobby manager or a teller gets 403, nobody signed in 401', async () => {
    for (const login of [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.lobby_manager, OUTLET_STAFF.vip_teller, OUTLET_STAFF.counter_teller, OUTLET_STAFF.lobby_assistant, 'admin']) {
      const r = await (await as(login)).get('/api/system/runs');
      expect(r.statusCode, login).toBe(403);
      expect(r.json().error.code).toBe('forbidden');
    }
    expect((await (await as(OUTLET_STAFF.branch_head)).get('/api/system/runs')).statusCode).toBe(200);
    const anonymous = await app.inject({ method: 'GET', url: '/api/system/runs' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe("the header's lateness: GET /api/system/runs/latest", () => {
  it('says nothing is late while no run is recorded, and gives the latest business date to anyone signed in', async () => {
    expect(await status(OUTLET_STAFF.vip_teller)).toEqual({ latestBusinessDate: '2026-11-20', lastRun: null });
    expect((await app.inject({ method: 'GET', url: '/api/system/runs/latest' })).statusCode).toBe(401);
  });

  it('is not late after a successful batch last night', async () => {
    await insertRuns(
      { id: 'load', kind: 'load', outcome: 'done', hoursAgo: 8, seconds: 60, date: '2026-11-20' },
      { id: 'batch', kind: 'batch', outcome: 'done', hoursAgo: 7.9, seconds: 70, date: '2026-11-20' },
    );
    const { lastRun } = await status(OUTLET_STAFF.customer_manager);
    expect(lastRun).toMatchObject({ kind: 'batch', outcome: 'done', businessDate: '2026-11-20', late: false, lateBecause: null, lastSuccess: { businessDate: '2026-11-20' } });
    expect(Date.parse(lastRun?.lastSuccess?.finishedAt ?? '')).toBe(Date.parse(lastRun?.finishedAt ?? ''));
  });

  it('is late when the latest successful batch is more than 26 hours old', async () => {
    await insertRuns(
      { id: 'batch', kind: 'batch', outcome: 'done', hoursAgo: 27, seconds: 70, date: '2026-11-19' },
      { id: 'load', kind: 'load', outcome: 'unchanged', hoursAgo: 3, seconds: 2, date: '2026-11-19' },
    );
    expect((await status(OUTLET_STAFF.lobby_manager)).lastRun).toMatchObject({ outcome: 'unchanged', late: true, lateBecause: 'old', lastSuccess: { businessDate: '2026-11-19' } });
  });

  it('is late when the newest run failed, was refused or was interrupted, however recent the last success', async () => {
    await insertRuns(
      { id: 'batch', kind: 'batch', outcome: 'done', hoursAgo: 20, seconds: 70, date: '2026-11-19' },
      { id: 'refused', kind: 'load', outcome: 'refused', hoursAgo: 1, seconds: 5, date: '2026-11-20', problems: REFUSED_PROBLEMS },
    );
    expect((await status(PB_DEPT)).lastRun).toMatchObject({ kind: 'load', outcome: 'refused', late: true, lateBecause: 'failed', lastSuccess: { businessDate: '2026-11-19' } });
    await insertRuns({ id: 'stuck', kind: 'batch', outcome: 'running', hoursAgo: 0.9, date: '2026-11-20' });
    // a run going on now: not late while the last success is recent
    expect((await status(PB_DEPT)).lastRun).toMatchObject({ outcome: 'running', late: false });
    await db.session((s) => s.query(`UPDATE operation_runs SET started_at = now() - interval '25 hours' WHERE run_id = 'stuck'`));
    await db.session((s) => s.query(`UPDATE operation_runs SET started_at = now() - interval '26 hours' WHERE run_id IN ('batch', 'refused')`));
    expect((await status(PB_DEPT)).lastRun).toMatchObject({ outcome: 'interrupted', late: true, lateBecause: 'failed' });
  });

  it('is late when runs are recorded but no batch ever succeeded', async () => {
    await insertRuns({ id: 'load', kind: 'load', outcome: 'done', hoursAgo: 1, seconds: 5, date: '2026-11-20' });
    expect((await status(PB_DEPT)).lastRun).toMatchObject({ outcome: 'done', late: true, lateBecause: 'never', lastSuccess: null });
  });
});

describe('the folder', () => {
  it('is shown by its own name only', () => {
    expect(folderName('/srv/stratum/feed/2026-11-20/')).toBe('2026-11-20');
    expect(folderName('D:\\bank\\feed\\2026-11-20')).toBe('2026-11-20');
    expect(folderName('2026-11-20')).toBe('2026-11-20');
    expect(folderName(null)).toBeNull();
  });
});
