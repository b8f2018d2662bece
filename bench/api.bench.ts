// npm run bench:api — GET /api/customers (the customer list) through the whole HTTP stack in
// process (app.inject: routing, session lookup, scope, schema validation, SQL, serialisation),
// against its floor: the very page query + capped count the request ran, replayed as plain SQL
// through the same Db, in the same process. Per scenario: p50, p95 and max of both, the ratio of
// the p95s, and PASS/FAIL against the issue's aim (p95 under 100 ms for a page of 50, 1,000,000
// customers).
//
//   npm run bench:api -- [--engine pg|pglite|citus] [--customers 1000000] [--n 200] [--warmup 10]
//                        [--budget 30] [--only TEXT] [--explain] [--keep] [--reuse]
//
// --customers  default 1,000,000 on the server, 200,000 on PGlite (loading a million takes long)
// --n          timed requests per scenario (fewer when a pass runs out of --budget seconds)
// --only       run only the scenarios whose name contains TEXT
// --explain    print the plan of every scenario's page and count query, not only the slowest page
// --keep       keep the loaded database (stratum_bench_api_N on the server, .bench/pglite-api-N)
// --reuse      use a database kept by --keep instead of generating and loading again
// --engine citus  every scenario on the single PostgreSQL server and on a Citus cluster
//              (bench/citus-db.ts), their requests alternating, and each scenario's p95 on both
//              side by side with their ratio
//
// The feed (one day, layout 'single', no everyday transactions: the list does not read them) is
// generated once into .bench/ and reused while its parameters stay the same. The baseline SQL is
// captured from the request itself (a Kysely plugin on the same Db compiles each query it is
// given), so the floor is always the SQL the API runs, never a hand copy that drifts.
import './quiet-logs.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompiledQuery, KyselyPlugin } from 'kysely';
import pg from 'pg';
import { buildStratumApp } from '../src/app.js';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { loadFeed, type LoadProgress } from '../src/features/feed/feed.load.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { citusDatabase } from './citus-db.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const num = (name: string, dflt: number) => {
  const v = opt(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, not ${v}`);
  return n;
};
type Engine = 'pg' | 'pglite' | 'citus';
const engine = opt('engine') ?? 'pg';
if (engine !== 'pg' && engine !== 'pglite' && engine !== 'citus') throw new Error('--engine is pg, pglite or citus');
const engines: Engine[] = engine === 'citus' ? ['pg', 'citus'] : [engine];
const ENGINE_NAMES: Record<Engine, string> = { pg: 'PostgreSQL server', pglite: 'PGlite', citus: 'Citus cluster' };
const CUSTOMERS = Math.round(num('customers', engine === 'pglite' ? 200_000 : 1_000_000));
const N = Math.round(num('n', 200));
const WARMUP = Math.round(num('warmup', 10));
const BUDGET_MS = num('budget', 30) * 1000;
const ONLY = opt('only');
const AIM_MS = 100;
const PAGE_SIZE = 50;
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = path.resolve('.bench');
const PASSWORD = 'Bench-secret-123';

const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

// ── the data ────────────────────────────────────────────────────────────────────────────────

async function feedFor(customers: number): Promise<string> {
  const dir = path.join(ROOT, `feed-api-${customers}-d1-t0`);
  const marker = path.join(dir, 'done.json');
  if (existsSync(marker)) return path.join(dir, readFileSync(marker, 'utf8').trim());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`generating ${fmt(customers)} customers (1 day, no everyday transactions) into ${dir} …`);
  const t = performance.now();
  let last = 0;
  const summary = await generateDemoBank(
    { customers, days: 1, seed: 42, out: dir, layout: 'single', txnsPerCustomerDay: 0 },
    (done, total, phase) => {
      if (performance.now() - last > 5000) {
        last = performance.now();
        console.log(`  ${phase}: ${fmt(done)} / ${fmt(total)}`);
      }
    },
  );
  console.log(`  generated in ${secs(t)}: ${JSON.stringify(summary.rows)}`);
  const folder = summary.folders[0];
  if (!folder) throw new Error('the generator wrote no folder');
  writeFileSync(marker, path.basename(folder));
  return folder;
}

async function loadInto(db: Db, folder: string): Promise<void> {
  await migrate(db);
  console.log(`loading ${folder} …`);
  let t = performance.now();
  let phase = '';
  let lastLine = 0;
  const r = await loadFeed(db, folder, {
    onProgress: (p: LoadProgress) => {
      const now = performance.now();
      if (p.phase !== phase || now - lastLine > 10_000) {
        phase = p.phase;
        lastLine = now;
        const where = p.file ? ` ${p.file}` : '';
        console.log(`  ${p.phase}${where}: ${fmt(p.bytesDone / 1e6)} / ${fmt(p.bytesTotal / 1e6)} MB (${secs(t)})`);
      }
    },
  });
  if (r.outcome !== 'loaded') throw new Error(`the load was ${r.outcome}: ${JSON.stringify(r.problems.slice(0, 5))}`);
  console.log(`  ${fmt(r.rows)} rows loaded in ${r.seconds.toFixed(1)} s`);
  t = performance.now();
  const written = await refreshCustomerOverview(db);
  console.log(`  customer_overview refreshed: ${fmt(written)} rows in ${secs(t)}`);
}

/**
 * Owners, as a bank has them: the list of a customer manager, a supervisor or a teller is the
 * customers they own or co-own (scope follows ownership), so a bench of one day's feed, with no
 * batch run, would time their lists over nobody. Each outlet's active customers are spread evenly
 * (by a hash of the customer number) over its customer managers as primary owner (a few thousand
 * each), in statements a Citus cluster runs on its workers; the outlet's supervisor co-owns
 * those of 50万 and more. Customers owned already keep their owners.
 */
async function giveOwners(db: Db): Promise<number> {
  const r = await db.session((s) =>
    s.query(
      `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, reason)
       SELECT c.customer_id, m.staff_id, 'primary', 'manual', 'bench', 'bench: spread over the outlet'
         FROM customers c
         JOIN (SELECT staff_id, branch_id, row_number() OVER (PARTITION BY branch_id ORDER BY staff_id) - 1 AS k, count(*) OVER (PARTITION BY branch_id) AS n
                 FROM staff WHERE role = 'customer_manager' AND active) m ON m.branch_id = c.branch_id AND m.k = abs(hashtext(c.customer_id)) % m.n
        WHERE c.status = 'active'
       ON CONFLICT DO NOTHING`,
    ),
  );
  await db.session((s) =>
    s.query(
      `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, reason)
       SELECT ov.customer_id, sup.staff_id, 'co', 'manual', 'bench', 'bench: supervisor of the outlet'
         FROM customer_overview ov
         JOIN (SELECT DISTINCT ON (branch_id) branch_id, staff_id FROM staff WHERE role = 'cm_supervisor' AND active ORDER BY branch_id, staff_id) sup ON sup.branch_id = ov.branch_id
        WHERE ov.aum >= 500000
       ON CONFLICT DO NOTHING`,
    ),
  );
  await db.session((s) => s.exec('ANALYZE customer_owners'));
  return r.rowCount;
}

/** Planner statistics, as autovacuum would gather shortly after a load (PGlite has no autovacuum). */
async function analyze(db: Db): Promise<void> {
  const t = performance.now();
  await db.session((s) => s.exec('ANALYZE customer_overview; ANALYZE customers; ANALYZE branches; ANALYZE staff; ANALYZE sessions'));
  console.log(`ANALYZE of the tables the list reads: ${secs(t)}`);
}

interface Opened {
  db: Db;
  close: () => Promise<void>;
}

async function openServer(): Promise<Opened> {
  const name = `stratum_bench_api_${CUSTOMERS}`;
  const admin = new pg.Client({ connectionString: SERVER });
  admin.on('error', () => {});
  await admin.connect();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  let db: Db;
  if (args.includes('--reuse') && exists) {
    console.log(`reusing the kept database ${name}`);
    db = await openDb({ databaseUrl: url.toString() });
  } else {
    const folder = await feedFor(CUSTOMERS);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    db = await openDb({ databaseUrl: url.toString() });
    await loadInto(db, folder);
  }
  return {
    db,
    close: async () => {
      await db.close();
      if (!args.includes('--keep')) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function openCitus(): Promise<Opened> {
  const name = `stratum_bench_api_${CUSTOMERS}`;
  const reuse = args.includes('--reuse');
  const cluster = await citusDatabase(name, !reuse);
  const db = await openDb({ databaseUrl: cluster.url });
  if (reuse && (await db.session(async (s) => (await s.query(`SELECT 1 FROM pg_tables WHERE tablename = 'customer_overview'`)).rows.length)) === 1) {
    console.log(`reusing the kept database ${name} on the cluster`);
  } else {
    await loadInto(db, await feedFor(CUSTOMERS));
  }
  return {
    db,
    close: async () => {
      await db.close();
      if (!args.includes('--keep')) await cluster.drop();
    },
  };
}

async function openEmbedded(): Promise<Opened> {
  const dir = path.join(ROOT, `pglite-api-${CUSTOMERS}`);
  let db: Db;
  if (args.includes('--reuse') && existsSync(path.join(dir, 'PG_VERSION'))) {
    console.log(`reusing the kept PGlite database ${dir}`);
    db = await openDb({ dataDir: dir });
  } else {
    const folder = await feedFor(CUSTOMERS);
    rmSync(dir, { recursive: true, force: true });
    db = await openDb({ dataDir: dir });
    await loadInto(db, folder);
  }
  return {
    db,
    close: async () => {
      await db.close();
      if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ── who asks, and with what ─────────────────────────────────────────────────────────────────

/** mulberry32: the same filter values every run */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => {
    if (!xs.length) throw new Error('nothing to pick from');
    return xs[Math.floor(next() * xs.length)] as T;
  };
  return { next, pick, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}
type Rng = ReturnType<typeof rng>;

interface Sample {
  outlets: string[];
  subBranches: string[];
  branches: string[];
  surnames: string[];
  phoneTails: string[];
  customerIds: string[];
  /** opened_on dates after which 0.5–10% of the customers opened */
  recentDates: string[];
  dept: string;
  manager: { login: string; outlet: string; customers: number };
  /** customers the manager owns: the 360 pages they open */
  managerCustomers: string[];
  head: { login: string; branch: string; level: string };
  /** the lobby manager of the outlet with the most customers: the counter's search of walk-ins */
  lobby: { login: string; outlet: string; customers: number };
  /** phone tails of that outlet's customers: what a walk-in tells the lobby */
  lobbyPhoneTails: string[];
}

async function sample(db: Db): Promise<Sample> {
  return db.session(async (s) => {
    const col = async (sql: string, params: unknown[] = []) => (await s.query<{ v: string }>(sql, params)).rows.map((r) => String(r.v));
    const byLevel = (level: string) => col(`SELECT branch_id AS v FROM branches WHERE level = $1 AND active ORDER BY branch_id`, [level]);
    const [dept] = await col(`SELECT staff_id AS v FROM staff WHERE role = 'pb_dept' AND active ORDER BY staff_id LIMIT 1`);
    // the customer manager who owns or co-owns the most customers: the biggest own list
    const mgr = (
      await s.query<{ login: string; outlet: string; customers: number }>(
        `SELECT s.staff_id AS login, s.branch_id AS outlet, n.customers
           FROM staff s JOIN (SELECT staff_id, count(*)::int AS customers FROM customer_owners GROUP BY staff_id) n ON n.staff_id = s.staff_id
          WHERE s.role = 'customer_manager' AND s.active ORDER BY n.customers DESC, s.staff_id LIMIT 1`,
      )
    ).rows[0];
    // the branch head highest in the tree: the widest subtree scope
    const head = (
      await s.query<{ login: string; branch: string; level: string }>(
        `SELECT s.staff_id AS login, s.branch_id AS branch, b.level FROM staff s JOIN branches b ON b.branch_id = s.branch_id
          WHERE s.role = 'branch_head' AND s.active
          ORDER BY CASE b.level WHEN 'bank' THEN 0 WHEN 'branch' THEN 1 WHEN 'sub_branch' THEN 2 ELSE 3 END, s.staff_id LIMIT 1`,
      )
    ).rows[0];
    // the lobby manager of the biggest outlet: their scope is the whole outlet
    const lobby = (
      await s.query<{ login: string; outlet: string; customers: number }>(
        `SELECT s.staff_id AS login, s.branch_id AS outlet, n.customers
           FROM staff s JOIN (SELECT branch_id, count(*)::int AS customers FROM customers WHERE status = 'active' GROUP BY branch_id) n ON n.branch_id = s.branch_id
          WHERE s.role = 'lobby_manager' AND s.active ORDER BY n.customers DESC, s.staff_id LIMIT 1`,
      )
    ).rows[0];
    if (!dept || !mgr || !head || !lobby) throw new Error('the demo bank has no pb_dept, customer_manager, branch_head or lobby_manager staff');
    // quantiles of the opening dates from a 1% sample by hash (the same on every engine; a cluster
    // has no percentile_disc or TABLESAMPLE over a distributed table)
    const q = [0.9, 0.92, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995];
    const opened = (await s.query<{ d: string }>(`SELECT opened_on::text AS d FROM customer_overview WHERE abs(hashtext(customer_id)) % 100 = 0`)).rows.map((r) => r.d).sort();
    const dates = q.map((x) => opened[Math.min(opened.length - 1, Math.floor(x * opened.length))]).filter((d): d is string => d !== undefined);
    return {
      outlets: await byLevel('outlet'),
      subBranches: await byLevel('sub_branch'),
      branches: await byLevel('branch'),
      surnames: await col(`SELECT left(name, 1) AS v FROM customer_overview GROUP BY 1 ORDER BY count(*) DESC LIMIT 10`),
      phoneTails: await col(`SELECT phone_tail AS v FROM customer_overview WHERE abs(hashtext(customer_id)) % 100 = 42 AND phone_tail IS NOT NULL ORDER BY customer_id LIMIT 500`),
      customerIds: await col(`SELECT customer_id AS v FROM customer_overview WHERE abs(hashtext(customer_id)) % 100 = 7 ORDER BY customer_id LIMIT 500`),
      recentDates: dates,
      dept,
      manager: mgr,
      managerCustomers: await col(`SELECT customer_id AS v FROM customer_owners WHERE staff_id = $1 ORDER BY md5(customer_id) LIMIT 500`, [mgr.login]),
      head,
      lobby,
      lobbyPhoneTails: await col(
        `SELECT o.phone_tail AS v FROM customer_overview o JOIN customers c ON c.customer_id = o.customer_id
          WHERE c.branch_id = $1 AND c.status = 'active' AND o.phone_tail IS NOT NULL ORDER BY md5(o.customer_id) LIMIT 500`,
        [lobby.outlet],
      ),
    };
  });
}

type Who = 'dept' | 'manager' | 'head' | 'lobby';
interface Scenario {
  name: string;
  who: Who;
  /** the query string of one request, varied per request */
  params: (r: Rng, s: Sample) => Record<string, string | number>;
}

const WAN = 10_000; // 万
const SCENARIOS: Scenario[] = [
  { name: 'dept · no filter · aum_desc · page 1', who: 'dept', params: () => ({ sort: 'aum_desc' }) },
  { name: 'dept · no filter · aum_desc · page 20', who: 'dept', params: (r) => ({ sort: 'aum_desc', page: r.int(18, 22) }) },
  { name: 'dept · outlet · aum_desc', who: 'dept', params: (r, s) => ({ branchId: r.pick(s.outlets), sort: 'aum_desc' }) },
  { name: 'dept · sub-branch · aum_desc', who: 'dept', params: (r, s) => ({ branchId: r.pick(s.subBranches), sort: 'aum_desc' }) },
  { name: 'dept · branch (分行) · aum_desc', who: 'dept', params: (r, s) => ({ branchId: r.pick(s.branches), sort: 'aum_desc', page: r.int(1, 3) }) },
  {
    name: 'dept · AUM 50万–300万 · aum_desc',
    who: 'dept',
    params: (r) => ({ aumMin: 50 * WAN, aumMax: 300 * WAN, sort: 'aum_desc', page: r.int(1, 10) }),
  },
  { name: 'dept · VIP card · aum_desc', who: 'dept', params: (r) => ({ vipCard: 'true', sort: 'aum_desc', page: r.int(1, 10) }) },
  { name: 'dept · opened after · aum_desc', who: 'dept', params: (r, s) => ({ openedAfter: r.pick(s.recentDates), sort: 'aum_desc' }) },
  { name: 'dept · search phone tail', who: 'dept', params: (r, s) => ({ q: r.pick(s.phoneTails) }) },
  { name: 'dept · search surname', who: 'dept', params: (r, s) => ({ q: r.pick(s.surnames), page: r.int(1, 3) }) },
  // cut 3 digits: up to 1,000 customer numbers share the prefix
  { name: 'dept · search customer no. prefix', who: 'dept', params: (r, s) => ({ q: r.pick(s.customerIds).slice(0, -3) }) },
  { name: 'dept · no filter · sort name', who: 'dept', params: (r) => ({ sort: 'name', page: r.int(1, 5) }) },
  // a name search sorted by name: with an index on (name, …) the planner may walk it filtering on
  // the prefix instead of reading the matches (measured ~370 ms for 王 at 1,000,000): keep it in view
  { name: 'dept · search surname · sort name', who: 'dept', params: (r, s) => ({ q: r.pick(s.surnames), sort: 'name' }) },
  { name: 'dept · no filter · sort aum_asc', who: 'dept', params: (r) => ({ sort: 'aum_asc', page: r.int(1, 5) }) },
  { name: 'dept · no filter · sort opened_desc', who: 'dept', params: (r) => ({ sort: 'opened_desc', page: r.int(1, 5) }) },
  {
    name: 'dept · outlet + VIP + AUM ≥ 50万',
    who: 'dept',
    params: (r, s) => ({ branchId: r.pick(s.outlets), vipCard: 'true', aumMin: 50 * WAN, sort: 'aum_desc' }),
  },
  {
    name: 'manager · own customers · AUM ≥ x · aum_desc',
    who: 'manager',
    params: (r) => ({ aumMin: r.pick([5, 10, 20, 50]) * WAN, sort: 'aum_desc' }),
  },
  { name: 'manager · own customers · search surname', who: 'manager', params: (r, s) => ({ q: r.pick(s.surnames) }) },
  { name: 'head · own subtree · aum_desc', who: 'head', params: (r) => ({ sort: 'aum_desc', page: r.int(1, 3) }) },
  // the counter's search: a walk-in gives the lobby the last four digits of their phone, or a surname
  { name: 'lobby · own outlet · search phone tail', who: 'lobby', params: (r, s) => ({ q: r.pick(s.lobbyPhoneTails) }) },
  { name: 'lobby · own outlet · search surname', who: 'lobby', params: (r, s) => ({ q: r.pick(s.surnames) }) },
];

// ── measuring ───────────────────────────────────────────────────────────────────────────────

/** Records the SQL of every Kysely query run through the Db it is plugged into. */
function capturing(db: Db): { db: Db; take: () => CompiledQuery[] } {
  let seen: CompiledQuery[] = [];
  const executor = db.kysely.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery: (a) => {
      seen.push(executor.compileQuery(a.node, a.queryId));
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  return {
    db: { ...db, kysely: db.kysely.withPlugin(plugin) },
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p95: quantile(s, 0.95), max: s[s.length - 1] ?? NaN };
}
type Stats = ReturnType<typeof stats>;

interface Result {
  name: string;
  api: Stats;
  sql: Stats;
  rows: number;
  total: string;
  lastPage: CompiledQuery;
  lastCount: CompiledQuery;
}

const PAGE_360 = 'manager · 360 of an own customer';

/** the tables a request reads to know who is asking: not the page's own work, so not in its floor */
const SESSION_TABLES = /"(sessions|accounts)"/;

/**
 * The 360 page's profile (GET /api/customers/:id) of the manager's own customers, one after the
 * other: the API against its floor, the same statements replayed as plain SQL (the customer first,
 * as the route reads it to check the scope, then the rest together, as the route runs them).
 */
async function customerPages(app: Awaited<ReturnType<typeof buildStratumApp>>, cap: ReturnType<typeof capturing>, cookie: string, ids: string[]): Promise<Result> {
  if (!ids.length) throw new Error(`${PAGE_360}: the manager owns nobody`);
  const apiMs: number[] = [];
  const floor: CompiledQuery[][] = [];
  let started = performance.now();
  for (let k = 0; k < WARMUP + N; k++) {
    if (k >= WARMUP && performance.now() - started > BUDGET_MS && apiMs.length >= 20) break;
    if (k === WARMUP) started = performance.now();
    const id = ids[k % ids.length] as string;
    cap.take();
    const [ms, res] = await timed(() => app.inject({ method: 'GET', url: `/api/customers/${encodeURIComponent(id)}`, headers: { cookie } }));
    if (res.statusCode !== 200) throw new Error(`${PAGE_360}: GET /api/customers/${id} answered ${res.statusCode} ${res.body}`);
    const profile = (res.json() as { data: { profile: { customerId: string } } }).data.profile;
    if (profile.customerId !== id) throw new Error(`${PAGE_360}: asked for ${id}, got ${profile.customerId}`);
    const sqls = cap.take().filter((q) => !SESSION_TABLES.test(q.sql));
    if (sqls.length < 2) throw new Error(`${PAGE_360}: the page's statements were not seen`);
    floor.push(sqls);
    if (k >= WARMUP) apiMs.push(ms);
  }
  const sqlMs: number[] = [];
  for (const [k, [first, ...rest]] of floor.entries()) {
    if (!first) continue;
    const [ms] = await timed(async () => {
      await cap.db.session((x) => x.query(first.sql, first.parameters));
      await Promise.all(rest.map((q) => cap.db.session((x) => x.query(q.sql, q.parameters))));
    });
    if (k >= WARMUP) sqlMs.push(ms);
  }
  const last = floor.at(-1) ?? [];
  const res: Result = { name: PAGE_360, api: stats(apiMs), sql: stats(sqlMs), rows: 1, total: `${last.length} statements`, lastPage: last[0] as CompiledQuery, lastCount: last[1] as CompiledQuery };
  console.log(`  ${res.name}: n ${res.api.n}, api p95 ${res.api.p95.toFixed(1)} ms, sql p95 ${res.sql.p95.toFixed(1)} ms  (${last.length} statements a page)`);
  return res;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

/** One engine made ready: its database, the app on it, the bench's staff signed in. */
interface Bench {
  kind: Engine;
  db: Db;
  cap: ReturnType<typeof capturing>;
  app: Awaited<ReturnType<typeof buildStratumApp>>;
  cookies: Record<Who, string>;
  s: Sample;
  close: () => Promise<void>;
}

async function prepare(kind: Engine): Promise<Bench> {
  const opened = kind === 'pg' ? await openServer() : kind === 'citus' ? await openCitus() : await openEmbedded();
  const { db } = opened;
  console.log(`\n── ${ENGINE_NAMES[kind]} ──`);
  const owned = await giveOwners(db);
  if (owned) console.log(`  ${fmt(owned)} customers given a primary owner (round-robin among each outlet's managers)`);
  await analyze(db);
  const s = await sample(db);
  console.log(
    `${fmt(CUSTOMERS)} customers, ${s.branches.length} branches, ${s.subBranches.length} sub-branches, ${s.outlets.length} outlets; ` +
      `manager ${s.manager.login} of ${s.manager.outlet} (owns or co-owns ${fmt(s.manager.customers)} customers); head ${s.head.login} of ${s.head.branch} (${s.head.level}); ` +
      `lobby ${s.lobby.login} of ${s.lobby.outlet} (${fmt(s.lobby.customers)} customers)`,
  );
  const hash = await hashPassword(PASSWORD);
  const logins: Record<Who, string> = { dept: s.dept, manager: s.manager.login, head: s.head.login, lobby: s.lobby.login };
  for (const login of Object.values(logins)) await upsertAccount(db, { login, staffId: login, isAdmin: false, displayName: null, passwordHash: hash });
  const cap = capturing(db);
  const app = await buildStratumApp({ db: cap.db, webDir: null, signInRateLimit: 100_000 });
  await app.ready();
  const cookies = {} as Record<Who, string>;
  for (const [who, login] of Object.entries(logins) as [Who, string][]) {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login, password: PASSWORD } });
    const c = r.cookies.find((k) => k.name === 'stratum_session');
    if (r.statusCode !== 200 || !c) throw new Error(`sign-in of ${login} failed: ${r.statusCode} ${r.body}`);
    cookies[who] = `stratum_session=${c.value}`;
  }
  return {
    kind, db, cap, app, cookies, s,
    close: async () => {
      await app.close();
      await opened.close();
    },
  };
}

/** What one engine's requests of a scenario measured and ran. */
interface Pass {
  apiMs: number[];
  floor: [CompiledQuery[], CompiledQuery][];
  rows: number;
  total: string;
  answered: boolean;
}

/** One request of a scenario on one engine, recording the page and count query it ran. */
async function request(b: Bench, sc: Scenario, url: string, pass: Pass, timedRun: boolean): Promise<void> {
  b.cap.take();
  const [ms, res] = await timed(() => b.app.inject({ method: 'GET', url, headers: { cookie: b.cookies[sc.who] } }));
  if (res.statusCode !== 200) throw new Error(`${sc.name} (${ENGINE_NAMES[b.kind]}): GET ${url} answered ${res.statusCode} ${res.body}`);
  const seen = b.cap.take();
  const sqls = seen.filter((q) => q.sql.includes('"customer_overview"') || q.sql.includes('"overview_branch_counts"') || q.sql.includes('"overview_marks"'));
  // the total: a count of the list's rows, or (branches alone) a sum of the branches' counts
  const count = sqls.find((q) => q.sql.includes('count(*)') || q.sql.includes('"overview_branch_counts"'));
  // the page: one statement, or (a deep page, several branches by AUM) the mark above it, its ids, then its rows by id
  const page = sqls.filter((q) => q !== count && !q.sql.startsWith('select 1 as "one"'));
  if (!page.length || !count) throw new Error(`${sc.name}: the page or count query was not seen: ${sqls.map((q) => q.sql).join('\n')}`);
  pass.floor.push([page, count]);
  if (timedRun) pass.apiMs.push(ms);
  const data = (res.json() as { data: { items: unknown[]; total: number; totalIsLowerBound: boolean } }).data;
  pass.rows = data.items.length;
  pass.total = `${fmt(data.total)}${data.totalIsLowerBound ? '+' : ''}`;
  if (timedRun && data.total > 0) pass.answered = true;
}

/** The floor of a pass: the same queries as plain SQL through the same Db, in parallel as the API runs them. */
async function floorOf(b: Bench, pass: Pass): Promise<number[]> {
  const sqlMs: number[] = [];
  for (const [k, [chain, count]] of pass.floor.entries()) {
    const [ms] = await timed(() =>
      Promise.all([
        (async () => {
          for (const q of chain) await b.db.session((x) => x.query(q.sql, q.parameters));
        })(),
        b.db.session((x) => x.query(count.sql, count.parameters)),
      ]),
    );
    if (k >= WARMUP) sqlMs.push(ms);
  }
  return sqlMs;
}

/**
 * Every scenario on every engine. With two engines (--engine citus) their requests alternate, one on
 * PostgreSQL, one on Citus, the first of each pair changing from request to request: both see the
 * machine as it is at the same moment (the three Citus nodes share its cores with the server), so
 * their ratio does not carry the drift of a machine measured minutes apart.
 */
async function benchAll(benches: Bench[]): Promise<Map<Engine, Result[]>> {
  const out = new Map<Engine, Result[]>(benches.map((b) => [b.kind, []]));
  const chosen = SCENARIOS.filter((sc) => !ONLY || sc.name.includes(ONLY));
  const want360 = !ONLY || PAGE_360.includes(ONLY);
  if (!chosen.length && !want360) throw new Error(`no scenario's name contains ${ONLY}`);
  console.log(
    `\n${chosen.length} scenarios, page size ${PAGE_SIZE}, ${WARMUP} warm-up + up to ${N} requests each (at most ${(BUDGET_MS * benches.length) / 1000} s a pass)` +
      (benches.length > 1 ? `, the engines' requests alternating` : ''),
  );
  for (const [i, sc] of chosen.entries()) {
    const urls = new Map(
      benches.map((b) => {
        const r = rng(1000 + i);
        return [b.kind, Array.from({ length: WARMUP + N }, () => {
          const p = new URLSearchParams(Object.entries({ ...sc.params(r, b.s), pageSize: PAGE_SIZE }).map(([k, v]): [string, string] => [k, String(v)]));
          return `/api/customers?${p.toString()}`;
        })];
      }),
    );
    const passes = new Map<Engine, Pass>(benches.map((b) => [b.kind, { apiMs: [], floor: [], rows: 0, total: '', answered: false }]));
    let started = performance.now();
    for (let k = 0; k < WARMUP + N; k++) {
      if (k >= WARMUP && performance.now() - started > BUDGET_MS * benches.length && [...passes.values()].every((x) => x.apiMs.length >= 20)) break;
      if (k === WARMUP) started = performance.now();
      const order = k % 2 === 0 ? benches : [...benches].reverse();
      for (const b of order) await request(b, sc, urls.get(b.kind)![k]!, passes.get(b.kind)!, k >= WARMUP);
    }
    for (const b of benches) {
      const pass = passes.get(b.kind)!;
      // a scenario whose every request found nobody measured nothing
      if (!pass.answered) throw new Error(`${sc.name}: every request answered 0 rows on ${ENGINE_NAMES[b.kind]}; the scenario measures nothing (who owns what in the bench bank?)`);
      const sqlMs = await floorOf(b, pass);
      const last = pass.floor[pass.floor.length - 1];
      if (!last) throw new Error('no request ran');
      const res: Result = { name: sc.name, api: stats(pass.apiMs), sql: stats(sqlMs), rows: pass.rows, total: pass.total, lastPage: last[0][0] as CompiledQuery, lastCount: last[1] };
      out.get(b.kind)!.push(res);
      console.log(
        `  ${sc.name}${benches.length > 1 ? ` [${b.kind}]` : ''}: n ${res.api.n}, api p95 ${res.api.p95.toFixed(1)} ms, sql p95 ${res.sql.p95.toFixed(1)} ms  (last: ${pass.rows} rows of ${pass.total})`,
      );
    }
  }
  if (want360) for (const b of benches) out.get(b.kind)!.push(await customerPages(b.app, b.cap, b.cookies.manager, b.s.managerCustomers));
  return out;
}

async function report(b: Bench, results: Result[]): Promise<void> {
  // CJK characters take two columns in a terminal
  const width = (t: string) => [...t].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const pad = (t: string, n: number) => t + ' '.repeat(Math.max(0, n - width(t)));
  const w = Math.max(...results.map((x) => width(x.name)));
  const col = (v: number) => v.toFixed(1).padStart(7);
  console.log(
    `\n${ENGINE_NAMES[b.kind]}, ${fmt(CUSTOMERS)} customers, page of ${PAGE_SIZE}; ms; api = GET /api/customers via app.inject, sql = its page + count query alone`,
  );
  console.log(`${pad('scenario', w)}    n  api p50  api p95  api max  sql p50  sql p95  sql max  api÷sql p95   aim p95 < ${AIM_MS} ms`);
  for (const x of results) {
    console.log(
      `${pad(x.name, w)} ${String(x.api.n).padStart(4)} ${col(x.api.p50)}  ${col(x.api.p95)}  ${col(x.api.max)}  ${col(x.sql.p50)}  ${col(x.sql.p95)}  ${col(x.sql.max)}  ${(x.api.p95 / x.sql.p95).toFixed(2).padStart(10)}×   ${x.api.p95 < AIM_MS ? 'PASS' : 'FAIL'}`,
    );
  }
  const failed = results.filter((x) => x.api.p95 >= AIM_MS);
  console.log(failed.length ? `\n${failed.length} of ${results.length} scenarios miss the aim.` : `\nall ${results.length} scenarios meet the aim.`);

  const explain = async (q: CompiledQuery) =>
    (await b.db.session((x) => x.query<Record<string, string>>(`EXPLAIN ${q.sql}`, q.parameters))).rows.map((r) => `    ${Object.values(r)[0]}`).join('\n');
  const slowest = [...results].sort((a, c) => c.api.p95 - a.api.p95)[0];
  if (slowest) {
    console.log(`\nplan of the slowest scenario's page query (${slowest.name}), parameters ${JSON.stringify(slowest.lastPage.parameters)}:`);
    console.log(await explain(slowest.lastPage));
  }
  if (args.includes('--explain')) {
    for (const x of results) {
      console.log(`\n${x.name} — page, parameters ${JSON.stringify(x.lastPage.parameters)}:\n${await explain(x.lastPage)}`);
      console.log(`${x.name} — count:\n${await explain(x.lastCount)}`);
    }
  }
}

const benches: Bench[] = [];
try {
  for (const kind of engines) benches.push(await prepare(kind));
  const byEngine = await benchAll(benches);
  for (const b of benches) await report(b, byEngine.get(b.kind) ?? []);
  const onServer = byEngine.get('pg');
  const onCluster = byEngine.get('citus');
  if (onServer && onCluster) {
    console.log(`\nCitus beside PostgreSQL, ${fmt(CUSTOMERS)} customers, requests alternating: api p95 (ms) of each scenario, and their ratio (aim: within 2×)\n`);
    console.log('| scenario | PostgreSQL p95 | Citus p95 | Citus ÷ PostgreSQL | within 2× |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const a of onServer) {
      const c = onCluster.find((x) => x.name === a.name);
      if (!c) continue;
      const r = c.api.p95 / a.api.p95;
      console.log(`| ${a.name} | ${a.api.p95.toFixed(1)} | ${c.api.p95.toFixed(1)} | ${r.toFixed(2)}× | ${r <= 2 ? 'met' : 'missed'} |`);
    }
  }
} finally {
  for (const b of benches) await b.close();
}
