import path from 'node:path';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStratumApp } from '../src/app.js';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { DEMO_PASSWORD, ensureDemoLogins } from '../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { feedFolders } from '../src/features/feed/feed.files.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { seedDemoOwnership } from '../src/features/ownership/ownership.demo.js';
import { builtInPolicies } from '../src/features/tiering/tiering.policies.js';
import { chunkProgress, chunkSettings, type ChunkEvent } from '../src/platform/chunks.js';
import type { Db } from '../src/platform/db.js';
import { signInAs, type TestSession } from './bank-fixture.js';
import { feedDir } from './feed-builder.js';
import { openTestDb, onServer } from './test-db.js';

// Issue 15: a heavy read (the policy simulation, the audit export, the bank's sheets) never keeps
// other requests waiting. Each is started over a demo bank read in many chunks (a small chunk
// size stands in for a big bank); once it is under way, GET /api/health and a customer's page are
// sent, and they must be answered before the heavy request is: the order in which the answers
// arrive, not how long anything took. On the embedded engine (one connection, WASM on the main
// thread) the light requests get the connection between two chunks; on PostgreSQL they use
// another connection of the pool.

const CUSTOMERS = 1_200;
// a chunk on the server takes a few milliseconds: smaller chunks there, so that the heavy request
// is still heavy when the light ones arrive
const CHUNK = onServer() ? 20 : 100;

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let dept: TestSession;
let head: TestSession;
let headLogin: string;
let customerId: string;

beforeAll(async () => {
  db = await openTestDb();
  const out = feedDir();
  await generateDemoBank({ customers: CUSTOMERS, days: 2, seed: 11, out, layout: 'daily', txnsPerCustomerDay: 0.3 });
  for (const folder of feedFolders(out)) {
    const r = await loadFeed(db, folder);
    expect(r.outcome, JSON.stringify(r.problems.slice(0, 3))).toBe('loaded');
  }
  await refreshCustomerOverview(db);
  const last = path.basename(feedFolders(out).at(-1) ?? '');
  await runDailyBatch(db, last);
  const logins = await ensureDemoLogins(db);
  await seedDemoOwnership(db, logins);
  await db.session(async (s) => {
    // an audit trail of a few thousand entries, and a contact with every customer this month
    await s.query(`INSERT INTO audit_log (actor, action, outcome, reason) SELECT 'S00001', 'reveal', 'allowed', 'entry ' || i FROM generate_series(1, 3000) i`);
    await s.query(
      `INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, notes)
       SELECT c.customer_id, (SELECT staff_id FROM staff ORDER BY staff_id LIMIT 1), $1::date - (row_number() OVER (ORDER BY c.customer_id) % 20)::int + time '10:00', 'phone', 'no_answer', 'called'
         FROM customers c`,
      [last],
    );
  });
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  const login = (role: string) => logins.find((l) => l.role === role)?.login ?? '';
  dept = await signInAs(app, login('pb_dept'), DEMO_PASSWORD);
  headLogin = login('branch_head');
  head = await signInAs(app, headLogin, DEMO_PASSWORD);
  customerId = (await db.session((s) => s.query<{ customer_id: string }>('SELECT customer_id FROM customers ORDER BY customer_id LIMIT 1'))).rows[0]?.customer_id ?? '';
  chunkSettings.rows = CHUNK;
});
afterEach(() => {
  chunkSettings.rows = CHUNK;
});
afterAll(async () => {
  chunkSettings.rows = null;
  await app?.close();
  await db?.close();
});

interface Race {
  heavy: LightMyRequestResponse;
  /** the order the answers arrived in */
  order: string[];
  /** how many chunks the heavy request had read when each light answer arrived, and in all */
  chunksAt: Record<string, number>;
  chunks: number;
}

/** Starts the heavy request; after its second chunk sends the light ones; waits for all. */
async function race(what: string, heavy: () => Promise<LightMyRequestResponse>): Promise<Race> {
  const order: string[] = [];
  const chunksAt: Record<string, number> = {};
  let chunks = 0;
  let light: Promise<unknown>[] = [];
  const lightOne = (name: string, send: () => Promise<LightMyRequestResponse>) =>
    send().then((r) => {
      expect(r.statusCode, `${name}: ${r.body}`).toBe(200);
      order.push(name);
      chunksAt[name] = chunks;
    });
  const onChunk = (e: ChunkEvent) => {
    if (e.what !== what) return;
    chunks = e.done;
    if (e.done === 2) {
      light = [lightOne('health', () => app.inject({ method: 'GET', url: '/api/health' })), lightOne('customer', () => dept.get(`/api/customers/${customerId}`))];
    }
  };
  // the pool's connections opened beforehand (on the server): a light request does not wait for a connect
  await Promise.all(Array.from({ length: 4 }, () => app.inject({ method: 'GET', url: '/api/health' })));
  chunkProgress.on('chunk', onChunk);
  try {
    const answer = await heavy();
    order.push('heavy');
    await Promise.all(light);
    expect(answer.statusCode, answer.body.slice(0, 500)).toBe(200);
    return { heavy: answer, order, chunksAt, chunks };
  } finally {
    chunkProgress.off('chunk', onChunk);
  }
}

function answeredFirst(r: Race) {
  // the heavy request was read in many chunks, and the light ones were answered in the middle
  expect(r.chunks).toBeGreaterThan(8);
  expect(r.order).toEqual(expect.arrayContaining(['health', 'customer', 'heavy']));
  expect(r.order.indexOf('health')).toBeLessThan(r.order.indexOf('heavy'));
  expect(r.order.indexOf('customer')).toBeLessThan(r.order.indexOf('heavy'));
  expect(r.chunksAt.health).toBeLessThan(r.chunks);
  expect(r.chunksAt.customer).toBeLessThan(r.chunks);
}

const sheetRows = async (raw: Buffer) => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(raw as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
};

describe('a heavy read lets other requests through', () => {
  const band = builtInPolicies().find((p) => p.model === 'aum_band');
  const draft = stringify(band);
  const simulate = (who: TestSession) => () => app.inject({ method: 'POST', url: '/api/policies/simulate', payload: { yaml: draft }, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf } });

  it('the simulation of a draft over the whole bank', async () => {
    const r = await race('policy_simulation', simulate(dept));
    answeredFirst(r);
    const sim = r.heavy.json().data;
    expect(sim.customers).toBe(CUSTOMERS);
    // the same figures as read in one chunk
    chunkSettings.rows = 1_000_000;
    expect((await simulate(dept)()).json().data).toEqual(sim);
  });

  it("a branch head's simulation counts its subtree's customers only, in chunks too", async () => {
    const sim = (await simulate(head)()).json().data;
    // the head's subtree, then its customers (Citus walks a tree of branches only apart from the customers)
    const own = await db.session(async (s) => {
      const tree = await s.query<{ branch_id: string }>(
        `WITH RECURSIVE tree AS (
           SELECT st.branch_id FROM user_accounts u JOIN staff st ON st.staff_id = u.staff_id WHERE u.login = $1
           UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id)
         SELECT branch_id FROM tree`,
        [headLogin],
      );
      return s.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM customers c JOIN customer_facts f ON f.customer_id = c.customer_id AND f.business_date = $2::date
          WHERE c.branch_id = ANY($1::text[])`,
        [tree.rows.map((r) => r.branch_id), sim.businessDate],
      );
    });
    expect(sim.scope.all).toBe(false);
    expect(sim.customers).toBe(own.rows[0]?.n);
    expect(sim.customers).toBeGreaterThan(0);
    expect(sim.customers).toBeLessThan(CUSTOMERS);
    expect(sim.models[0].tiers.reduce((n: number, t: { customers: number }) => n + t.customers, 0)).toBe(sim.customers);
  });

  it('the audit export', async () => {
    const r = await race('audit_export', () => dept.get('/api/audit/export?format=csv'));
    answeredFirst(r);
    const lines = r.heavy.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    const total = (await dept.get('/api/audit?pageSize=1')).json().data.total as number;
    // every entry, newest first, but the export's own entry written after it
    expect(lines.length - 1).toBe(total - 1);
    const ids = lines.slice(1).map((l) => Number(l.split(',')[0]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const xlsx = await race('audit_export', () => dept.get('/api/audit/export?format=xlsx'));
    answeredFirst(xlsx);
    expect((await sheetRows(xlsx.heavy.rawPayload)).length).toBe(total + 1);
  });

  it('个人客户信息梳理表 (customer information) of the whole bank', async () => {
    const r = await race('worklist_sheet', () => dept.get('/api/worklist/sheets?sheet=customer_info'));
    answeredFirst(r);
    const rows = await sheetRows(r.heavy.rawPayload);
    const active = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers WHERE status = 'active'`));
    expect(rows.length - 1).toBe(active.rows[0]?.n);
    // the same rows, in the same order (most assets first), as read in one chunk
    chunkSettings.rows = 1_000_000;
    const whole = await sheetRows((await dept.get('/api/worklist/sheets?sheet=customer_info')).rawPayload);
    expect(rows.map((x) => x[1])).toEqual(whole.map((x) => x[1]));
    expect(rows).toEqual(whole);
  });

  it('递进沟通表 (contact log) of the whole bank', async () => {
    const r = await race('worklist_sheet', () => dept.get('/api/worklist/sheets?sheet=contact_log'));
    answeredFirst(r);
    const rows = await sheetRows(r.heavy.rawPayload);
    expect(rows.length - 1).toBe(CUSTOMERS);
    chunkSettings.rows = 1_000_000;
    expect(await sheetRows((await dept.get('/api/worklist/sheets?sheet=contact_log')).rawPayload)).toEqual(rows);
  });
});
