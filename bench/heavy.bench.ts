// npm run bench:heavy — does a heavy request keep others waiting? On the embedded database (one
// connection; its engine runs on Node's main thread) a long statement stops every other request,
// including the sending of new ones. Over a demo bank, each heavy request (the department's
// customer sheet, the audit export, a policy simulation) runs while GET /api/health is sent again
// and again, 5 ms after each answer; what counts is the longest wait between two answers (a
// request that could not even be sent waits too), against the same wait with nothing heavy running
// (the baseline, same process), and against the same heavy request read in one single chunk (how
// it ran before: one long read), same process.
//
//   npm run bench:heavy -- [--customers 20000] [--days 2]
import './quiet-logs.js';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { buildStratumApp } from '../src/app.js';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { DEMO_PASSWORD, ensureDemoLogins } from '../src/features/access/access.demo.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { feedFolders } from '../src/features/feed/feed.files.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { seedDemoOwnership } from '../src/features/ownership/ownership.demo.js';
import { builtInPolicies } from '../src/features/tiering/tiering.policies.js';
import { chunkSettings } from '../src/platform/chunks.js';
import { openDb } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const customers = Number(opt('customers') ?? 20_000);
const days = Number(opt('days') ?? 2);
const ms = (n: number) => n.toFixed(1);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

const out = mkdtempSync(path.join(os.tmpdir(), 'stratum-heavy-'));
console.log(`generating and loading a demo bank of ${customers.toLocaleString('en-US')} customers × ${days} days (embedded database, in memory) …`);
await generateDemoBank({ customers, days, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.3 });
const db = await openDb({ dataDir: 'memory://' });
await migrate(db);
for (const folder of feedFolders(out)) await loadFeed(db, folder);
await refreshCustomerOverview(db);
const last = path.basename(feedFolders(out).at(-1) ?? '');
await runDailyBatch(db, last);
const logins = await ensureDemoLogins(db);
await seedDemoOwnership(db, logins);
await db.session((s) => s.query(`INSERT INTO audit_log (actor, action, outcome, reason) SELECT 'S00001', 'reveal', 'allowed', 'entry ' || i FROM generate_series(1, 20000) i`));
const app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
const dept = logins.find((l) => l.role === 'pb_dept')?.login ?? '';
const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: { login: dept, password: DEMO_PASSWORD } });
const cookie = `stratum_session=${signIn.cookies.find((c) => c.name === 'stratum_session')?.value}`;
const csrf = (signIn.json() as { data: { csrfToken: string } }).data.csrfToken;
const headers = { cookie, 'x-csrf-token': csrf };

async function health(): Promise<number> {
  const t = performance.now();
  await app.inject({ method: 'GET', url: '/api/health' });
  return performance.now() - t;
}

const baseline = await gapsWhile(() => false, 200);

const policy = structuredClone(builtInPolicies().find((p) => p.model === 'aum_band'));
if (policy && policy.kind === 'bands' && policy.tiers[3]) policy.tiers[3].min = (policy.tiers[3].min ?? 0) + 50_000;
const heavy: [string, () => Promise<unknown>][] = [
  ['customer sheet (个人客户信息梳理表), department', () => app.inject({ method: 'GET', url: '/api/worklist/sheets?sheet=customer_info', headers })],
  ['audit export (.xlsx), department', () => app.inject({ method: 'GET', url: '/api/audit/export?format=xlsx', headers })],
  ['policy simulation, department', () => app.inject({ method: 'POST', url: '/api/policies/simulate', headers, payload: { yaml: stringify(policy) } })],
];

/** Health checks one after another, 5 ms apart, while `busy()` says so: the gaps between two answers. */
async function gapsWhile(busy: () => boolean, minimum = 0): Promise<number[]> {
  const gaps: number[] = [];
  let last = performance.now();
  while (busy() || gaps.length < minimum) {
    await health();
    const now = performance.now();
    gaps.push(now - last);
    last = now;
    await new Promise((r) => setTimeout(r, 5));
  }
  return gaps;
}

async function during(run: () => Promise<unknown>): Promise<{ took: number; waits: number[] }> {
  let done = false;
  const t = performance.now();
  const work = run().then(() => {
    done = true;
  });
  const waits = await gapsWhile(() => !done);
  await work;
  return { took: performance.now() - t, waits };
}

console.log(`\nbetween two health answers (5 ms apart), nothing else running: p50 ${ms(pct(baseline, 50))} ms, p95 ${ms(pct(baseline, 95))} ms, max ${ms(Math.max(...baseline))} ms (n ${baseline.length})\n`);
console.log('heavy request                                   reads         took ms  health n    gap p95    gap max  max ÷ alone p95');
for (const [name, run] of heavy) {
  for (const [label, rows] of [['in chunks', null], ['in one read', 1e9]] as const) {
    chunkSettings.rows = rows;
    const r = await during(run);
    const max = Math.max(...r.waits);
    console.log(`${name.padEnd(48)}${label.padEnd(14)}${ms(r.took).padStart(8)}${String(r.waits.length).padStart(10)}${ms(pct(r.waits, 95)).padStart(12)}${ms(max).padStart(12)}${`${(max / pct(baseline, 95)).toFixed(0)}×`.padStart(17)}`);
  }
}
chunkSettings.rows = null;
await app.close();
await db.close();
