// npm run bench:my-day (also the second half of npm run bench:api) — the "my day" page at bank
// scale: the two requests the page makes when it opens (GET /api/worklist/reminders of the first
// tab, risks, a page of 10 with the counts of every kind, and GET /api/worklist/plan, in parallel
// as the browser sends them), and a switch to the owner's fullest tab through the whole HTTP stack
// in process (app.inject: session, permission, schema, SQL, sentences, serialisation), against
// its floor measured in the same run: the owner's open reminders and plan items read as two plain
// SQL statements through the same Db. Also the branch head's review of every plan of the date.
// Aim (issue 6): p95 ≤ 50 ms at 1,000,000 customers.
//
//   npm run bench:my-day -- [--engine pg|pglite] [--customers 1000000] [--days 30] [--n 200] [--warmup 10]
//
// It reads the database that `npm run bench:batch -- --keep` leaves (the whole daily batch has run
// on it: owners, events, reminders, plans); run that first, with the same --customers and --days.
import './quiet-logs.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { buildStratumApp } from '../src/app.js';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const engine = opt('engine') === 'pglite' ? 'pglite' : 'pg';
const customers = Number(opt('customers') ?? (engine === 'pg' ? 1_000_000 : 200_000));
const days = Number(opt('days') ?? (engine === 'pg' ? 30 : 25));
const N = Number(opt('n') ?? 200);
const WARMUP = Number(opt('warmup') ?? 10);
const AIM_MS = 50;
const PASSWORD = 'Bench-secret-123';
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

async function openKept(): Promise<Db> {
  const hint = `run \`npm run bench:batch -- --keep${engine === 'pglite' ? ' --engine pglite' : ''} --customers ${customers} --days ${days}\` first`;
  if (engine === 'pglite') {
    const dir = path.resolve('.bench', `batch-pglite-${customers}-${days}`);
    if (!existsSync(path.join(dir, 'PG_VERSION'))) throw new Error(`no kept batch database in ${dir}: ${hint}`);
    return openDb({ dataDir: dir });
  }
  const name = `stratum_bench_batch_${customers}_${days}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  await admin.end();
  if (!exists) throw new Error(`no kept batch database ${name} on ${SERVER}: ${hint}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return openDb({ databaseUrl: url.toString() });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] ?? NaN };
}
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
async function repeat(fn: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const t = await timed(fn);
    if (i >= WARMUP) ms.push(t);
  }
  return stats(ms);
}

const db = await openKept();
try {
  await migrate(db);
  // the page shows AUM from the customer overview, which `stratum load` refreshes and the batch bench does not
  const overview = await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_overview'));
  if (!overview.rows[0]?.n) {
    const t = performance.now();
    console.log(`customer overview refreshed: ${fmt(await refreshCustomerOverview(db))} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const picked = await db.session(async (s) => {
    const run = (await s.query<{ d: string; plan_items: number; reminders: number }>('SELECT business_date::text AS d, plan_items, reminders FROM worklist_runs ORDER BY business_date DESC LIMIT 1')).rows[0];
    if (!run) throw new Error('the kept database has no worklist run: run `npm run bench:batch -- --keep` (the whole daily batch) first');
    await s.exec('ANALYZE reminders; ANALYZE contact_plans; ANALYZE contact_plan_items; ANALYZE contact_log; ANALYZE customer_owners; ANALYZE customer_overview');
    const open = `SELECT r.staff_id, count(*)::int AS n FROM reminders r JOIN staff st ON st.staff_id = r.staff_id AND st.active
                    WHERE r.status = 'open' AND st.role = $1 GROUP BY r.staff_id`;
    // the busiest customer manager (the heaviest page) and a typical one (the median)
    const managers = (await s.query<{ staff_id: string; n: number }>(`${open} ORDER BY n DESC, staff_id`, ['customer_manager'])).rows;
    const busiest = managers[0];
    const median = managers[Math.floor(managers.length / 2)];
    const head = (await s.query<{ staff_id: string }>(`SELECT p.staff_id FROM contact_plans p JOIN staff st ON st.staff_id = p.staff_id WHERE st.role = 'branch_head' AND p.plan_date = $1::date ORDER BY p.staff_id LIMIT 1`, [run.d])).rows[0];
    if (!busiest || !median) throw new Error('no customer manager has open reminders: the batch gave the bench nothing to read');
    const totals = (await s.query<{ customers: number; open: number; owners: number }>(
      `SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM reminders WHERE status = 'open')::int AS open,
              (SELECT count(DISTINCT staff_id) FROM reminders)::int AS owners`,
    )).rows[0];
    return { date: run.d, busiest, median, head: head?.staff_id ?? null, totals };
  });
  console.log(
    `${engine === 'pg' ? 'PostgreSQL' : 'PGlite'}: ${fmt(picked.totals?.customers ?? 0)} customers, ${fmt(picked.totals?.open ?? 0)} open reminders of ${fmt(picked.totals?.owners ?? 0)} owners; plans of ${picked.date}`,
  );
  console.log(`busiest manager ${picked.busiest.staff_id}: ${fmt(picked.busiest.n)} open reminders; median manager ${picked.median.staff_id}: ${fmt(picked.median.n)}`);

  const logins = [picked.busiest.staff_id, picked.median.staff_id, ...(picked.head ? [picked.head] : [])];
  const hash = await hashPassword(PASSWORD);
  for (const login of logins) await upsertAccount(db, { login, staffId: login, isAdmin: false, displayName: null, passwordHash: hash });
  const app = await buildStratumApp({ db, webDir: null, signInRateLimit: 100_000 });
  await app.ready();
  const cookieOf = async (login: string) => {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login, password: PASSWORD } });
    const c = r.cookies.find((k) => k.name === 'stratum_session');
    if (r.statusCode !== 200 || !c) throw new Error(`sign-in of ${login} failed: ${r.statusCode} ${r.body}`);
    return `stratum_session=${c.value}`;
  };
  const get = async (cookie: string, url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': 'zh-CN' } });
    if (r.statusCode !== 200) throw new Error(`GET ${url} answered ${r.statusCode} ${r.body.slice(0, 300)}`);
    return r;
  };

  const rows: { name: string; api: ReturnType<typeof stats>; sql: ReturnType<typeof stats>; detail: string }[] = [];
  for (const [label, staffId] of [['busiest manager', picked.busiest.staff_id], ['median manager', picked.median.staff_id]] as const) {
    const cookie = await cookieOf(staffId);
    const opening = '/api/worklist/reminders?kind=risk&page=1&pageSize=10';
    const first = await get(cookie, opening);
    const plan = await get(cookie, '/api/worklist/plan');
    const shown = (first.json() as { data: { items: unknown[]; total: number; counts: Record<string, number> } }).data;
    const items = (plan.json() as { data: { items: unknown[] } | null }).data?.items.length ?? 0;
    const api = await repeat(() => Promise.all([get(cookie, opening), get(cookie, '/api/worklist/plan')]));
    // the floor: a page of the owner's open risks and the plan items, plain SQL, in parallel
    const reminderFloor = (kind: string) =>
      db.session((s) => s.query(`SELECT * FROM reminders WHERE staff_id = $1 AND status = 'open' AND kind = $2 ORDER BY due_on LIMIT 10`, [staffId, kind]));
    const sql = await repeat(() =>
      Promise.all([
        reminderFloor('risk'),
        db.session((s) =>
          s.query(`SELECT i.* FROM contact_plan_items i WHERE i.staff_id = $1 AND i.plan_date = $2::date ORDER BY i.position`, [staffId, picked.date]),
        ),
      ]),
    );
    const counts = Object.entries(shown.counts).map(([k, n]) => `${k} ${n}`).join(', ');
    rows.push({ name: `my day · ${label}`, api, sql, detail: `open reminders: ${counts}; ${items} plan items` });
    // the fullest tab, page 1 (a switch of tab is one request)
    const [fullest] = Object.entries(shown.counts).sort((a, b) => b[1] - a[1]);
    if (fullest) {
      const url = `/api/worklist/reminders?kind=${fullest[0]}&page=1&pageSize=10`;
      rows.push({ name: `tab ${fullest[0]} · ${label}`, api: await repeat(() => get(cookie, url)), sql: await repeat(() => reminderFloor(fullest[0])), detail: `${fmt(fullest[1])} open` });
    }
  }
  if (picked.head) {
    const cookie = await cookieOf(picked.head);
    const head = picked.head;
    const api = await repeat(() => get(cookie, '/api/worklist/plans'));
    const sql = await repeat(() =>
      db.session((s) => s.query(`SELECT p.*, (SELECT count(*) FROM contact_plan_items i WHERE i.staff_id = p.staff_id AND i.plan_date = p.plan_date) FROM contact_plans p WHERE p.plan_date = $1::date AND p.branch_id = (SELECT branch_id FROM staff WHERE staff_id = $2)`, [picked.date, head])),
    );
    rows.push({ name: 'plans review · branch head', api, sql, detail: `head ${head}` });
  }
  await app.close();

  const col = (v: number) => v.toFixed(1).padStart(7);
  console.log(`\nms; api = the page's requests via app.inject; sql = the floor (plain SQL of the same rows), same process`);
  console.log(`${'scenario'.padEnd(32)}    n  api p50  api p95  api max  sql p50  sql p95  api÷sql p95  aim p95 ≤ ${AIM_MS} ms`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(32)} ${String(r.api.n).padStart(4)} ${col(r.api.p50)}  ${col(r.api.p95)}  ${col(r.api.max)}  ${col(r.sql.p50)}  ${col(r.sql.p95)}  ${(r.api.p95 / r.sql.p95).toFixed(2).padStart(10)}×  ${r.api.p95 <= AIM_MS ? 'PASS' : 'FAIL'}   ${r.detail}`,
    );
  }
} finally {
  await db.close();
}
