import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runDailyBatch } from '../../src/batch/batch.pipeline.js';
import { refreshCustomerOverview } from '../../src/features/customers/customers.overview.js';
import { generateDemoBank } from '../../src/features/demo/demo.generate.js';
import { feedFolders } from '../../src/features/feed/feed.files.js';
import { loadFeed } from '../../src/features/feed/feed.load.js';
import { acceptProposalsAsSystem } from '../../src/features/ownership/ownership.service.js';
import { openDb, type Db } from '../../src/platform/db.js';
import { migrate } from '../../src/platform/migrate.js';
import { feedDir } from '../feed-builder.js';
import { freshServerDatabase, openTestDb, serverUrl, testEngine } from '../test-db.js';

// What the fault tests share: a small bank as it stands before an ordinary day's batch, copies of
// that database a child process can be killed on, the `stratum` command run as a child, and a
// fingerprint of every table to compare a database with another.

export const BIN = path.resolve('bin/stratum.js');

/** A seeded random number generator (mulberry32): the same seed, the same kill points. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run's random moments: STRATUM_FAULT_SEED, else a fixed one (a failure names it). */
export const faultSeed = (): number => {
  const v = Number(process.env.STRATUM_FAULT_SEED);
  return Number.isFinite(v) && process.env.STRATUM_FAULT_SEED ? v : 20_261_120;
};

// ---------------------------------------------------------------------------------------------
// The bank

export interface SmallBank {
  /** the business date whose batch the tests run (loaded, not batched) */
  date: string;
  /** the date before it: loaded, batched, its customers owned, its reminders and plans made ('' on a first day) */
  previous: string;
  /** the date folders, in order */
  folders: string[];
}

/** The same demo bank's first day loaded, and nothing batched yet: a bank's first evening. */
export async function fillFirstDay(db: Db, customers: number): Promise<SmallBank> {
  const out = feedDir();
  await generateDemoBank({ customers, days: 1, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.5 });
  const folders = feedFolders(out);
  const first = folders[0] ?? '';
  const loaded = await loadFeed(db, first);
  if (loaded.outcome !== 'loaded') throw new Error(`${first} did not load: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  await refreshCustomerOverview(db);
  return { date: path.basename(first), previous: '', folders };
}

/**
 * A demo bank of `customers` over two days (seed 7): the first day loaded and batched, every
 * owner proposal accepted (so reminders and plans have owners), its reminders and plans made
 * again for those owners; then the second day loaded. What a bank looks like in the evening
 * before an ordinary day's batch.
 */
export async function fillBankBeforeBatch(db: Db, customers: number): Promise<SmallBank> {
  const out = feedDir();
  await generateDemoBank({ customers, days: 2, seed: 7, out, layout: 'daily', txnsPerCustomerDay: 0.5 });
  const folders = feedFolders(out);
  const [first, second] = folders;
  if (!first || !second) throw new Error('the demo bank has no two date folders');
  const previous = path.basename(first);
  const date = path.basename(second);
  const loaded = await loadFeed(db, first);
  if (loaded.outcome !== 'loaded') throw new Error(`${previous} did not load: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  await refreshCustomerOverview(db);
  await runDailyBatch(db, previous);
  await acceptProposalsAsSystem(db, () => false);
  await runDailyBatch(db, previous, undefined, { from: 'events' });
  const next = await loadFeed(db, second);
  if (next.outcome !== 'loaded') throw new Error(`${date} did not load: ${JSON.stringify(next.problems.slice(0, 3))}`);
  await refreshCustomerOverview(db);
  return { date, previous, folders };
}

// ---------------------------------------------------------------------------------------------
// Copies of a database, on the engine of this run

/**
 * What a watcher sees of a `stratum` child from outside: `opened` (the child has the database
 * open: on PGlite its postmaster.pid is in the data folder, on a server it has a connection), and
 * on a server each step of the daily batch as it takes its lock (`tiering`, `ownership`, `events`,
 * `worklist`) and the loader as it takes its (`load`).
 */
export type ChildEvent = 'opened' | 'tiering' | 'ownership' | 'events' | 'worklist' | 'load';

/** The advisory locks the batch's steps and the loader hold in their transactions (their modules' *_LOCK). */
const STEP_LOCKS: Record<number, ChildEvent> = { 7_310_004: 'tiering', 7_310_005: 'ownership', 7_310_006: 'events', 7_310_009: 'worklist', 731_942_118: 'load' };

export interface Watcher {
  stop(): Promise<void>;
}

/** One copy: the environment a `stratum` child uses to reach it, how to watch a child at work on it, how to open and drop it here. */
export interface DbCopy {
  name: string;
  env: NodeJS.ProcessEnv;
  /** polls every few milliseconds; `seen` is called once per event, when it is first seen */
  watch(seen: (e: ChildEvent) => void): Promise<Watcher>;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

/** A database state that can be copied again and again (the bank before its batch). */
export interface DbSnapshot {
  copy(name: string): Promise<DbCopy>;
  drop(): Promise<void>;
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const withDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** The maintenance database of every node: the server, or the Citus coordinator and its workers. */
async function serverNodes(): Promise<string[]> {
  const main = serverUrl();
  if (testEngine() !== 'citus') return [main];
  const workers = await admin(main, (c) =>
    c.query<{ host: string; port: number }>(`SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport`),
  );
  return [
    main,
    ...workers.rows.map((w) => {
      const u = new URL(main);
      u.hostname = w.host;
      u.port = String(w.port);
      u.pathname = '/postgres';
      return u.toString();
    }),
  ];
}

const POLL_MS = 5;

function poller(check: () => Promise<void> | void): Watcher {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await check();
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Watches the connections of the children whose application_name is `app` (set with PGAPPNAME). */
export async function watchServer(url: string, app: string, seen: (e: ChildEvent) => void): Promise<Watcher> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  const known = new Set<ChildEvent>();
  const note = (e: ChildEvent) => {
    if (known.has(e)) return;
    known.add(e);
    seen(e);
  };
  const w = poller(async () => {
    const r = await c
      .query<{ objid: number | null }>(
        `SELECT l.objid::bigint AS objid FROM pg_stat_activity a
           LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
          WHERE a.application_name = $1`,
        [app],
      )
      .catch(() => ({ rows: [] as { objid: number | null }[] }));
    if (r.rows.length) note('opened');
    for (const { objid } of r.rows) {
      const step = objid === null ? undefined : STEP_LOCKS[Number(objid)];
      if (step) note(step);
    }
  });
  return {
    stop: async () => {
      await w.stop();
      await c.end().catch(() => {});
    },
  };
}

/**
 * Fills a new database with `fill` and keeps it as a snapshot to copy. On PGlite the snapshot is
 * a data folder on disk (each copy a copy of the folder: a child process opens it as `stratum`
 * does); on a server a database used as a template (on Citus, one per node, as the test databases
 * themselves are made), closed to connections so that it can be copied.
 */
export async function snapshotOf(fill: (db: Db) => Promise<void>): Promise<DbSnapshot> {
  if (testEngine() === 'pglite') {
    const base = feedDir();
    const db = await openTestDb();
    let dump: Blob;
    try {
      await fill(db);
      if (!db.dumpDataDir) throw new Error('the embedded database cannot be dumped');
      dump = await db.dumpDataDir();
    } finally {
      await db.close();
    }
    const snapshotDir = path.join(base, 'snapshot', 'pglite');
    mkdirSync(path.dirname(snapshotDir), { recursive: true });
    const onDisk = await openDb({ dataDir: snapshotDir, loadDataDir: dump });
    await onDisk.close();
    return {
      async copy(name) {
        const dataDir = path.join(base, name);
        const pgliteDir = path.join(dataDir, 'pglite');
        rmSync(dataDir, { recursive: true, force: true });
        cpSync(snapshotDir, pgliteDir, { recursive: true });
        return {
          name,
          env: { STRATUM_DATA_DIR: dataDir, DATABASE_URL: '' },
          // PGlite writes postmaster.pid when it opens its folder and removes it when it closes
          watch: async (seen) => {
            let opened = false;
            return poller(() => {
              if (!opened && existsSync(path.join(pgliteDir, 'postmaster.pid'))) {
                opened = true;
                seen('opened');
              }
            });
          },
          open: () => openDb({ dataDir: pgliteDir }),
          drop: async () => rmSync(dataDir, { recursive: true, force: true }),
        };
      },
      drop: async () => rmSync(base, { recursive: true, force: true }),
    };
  }
  const server = await freshServerDatabase();
  const db = await openDb({ databaseUrl: server.url });
  try {
    await migrate(db);
    await fill(db);
  } finally {
    await db.close();
  }
  const template = new URL(server.url).pathname.slice(1);
  const nodes = await serverNodes();
  for (const node of nodes) {
    await admin(node, async (c) => {
      await c.query(`ALTER DATABASE ${template} ALLOW_CONNECTIONS false`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [template]);
    });
  }
  return {
    async copy(name) {
      const dbName = `${template}_${name}`.toLowerCase();
      for (const node of nodes) await admin(node, (c) => c.query(`CREATE DATABASE ${dbName} TEMPLATE ${template}`));
      const url = withDatabase(server.url, dbName);
      const app = `stratum-fault-${dbName}`;
      return {
        name,
        env: { DATABASE_URL: url, PGAPPNAME: app, STRATUM_DATA_DIR: feedDir() },
        watch: (seen) => watchServer(url, app, seen),
        open: () => openDb({ databaseUrl: url }),
        drop: async () => {
          for (const node of nodes) await admin(node, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
        },
      };
    },
    drop: async () => {
      for (const node of nodes) await admin(node, (c) => c.query(`ALTER DATABASE ${template} ALLOW_CONNECTIONS true`));
      await server.drop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The command as a child process

/** When the child was seen doing what: milliseconds after its spawn. */
export type Sightings = Partial<Record<ChildEvent | 'output', number>>;

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** milliseconds from the spawn to the exit */
  ms: number;
  /** when each event was first seen; `output`: the first output containing the `marker` asked for */
  seen: Sightings;
  /** the delay after the anchor the kill was set for (when the anchor was seen) */
  aimedMs?: number;
  /** when the SIGKILL was sent, if it was */
  killedAtMs?: number;
}

/** Kill the child `afterMs` milliseconds after `anchor` is seen ('spawn': after the spawn). */
export interface KillAt {
  anchor: ChildEvent | 'output' | 'spawn';
  /** a number, or worked out from what was seen by the time the anchor is */
  afterMs: number | ((seen: Sightings) => number);
}

/**
 * Runs `node bin/stratum.js …args` against a copy, watching it; with `kill`, sends it SIGKILL
 * that long after the anchor is seen (the process gets no chance to close anything: as when an
 * operator's `kill -9`, a container's stop or the kernel's out-of-memory killer ends it).
 */
export async function runStratum(copy: DbCopy, args: string[], opts: { kill?: KillAt; marker?: string; timeoutMs?: number } = {}): Promise<ChildRun> {
  const t0 = performance.now();
  const seen: Sightings = {};
  let killedAtMs: number | undefined;
  let aimedMs: number | undefined;
  let killer: NodeJS.Timeout | undefined;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...copy.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exitMs = 0;
  child.on('exit', () => (exitMs = performance.now() - t0));
  // 'close': exited, and its output read to the end
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const onEvent = (e: ChildEvent | 'output' | 'spawn') => {
    if (e !== 'spawn') seen[e] ??= performance.now() - t0;
    if (opts.kill && opts.kill.anchor === e && !killer) {
      const after = Math.round(typeof opts.kill.afterMs === 'number' ? opts.kill.afterMs : opts.kill.afterMs(seen));
      aimedMs = after;
      killer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          killedAtMs = performance.now() - t0;
          child.kill('SIGKILL');
        }
      }, after);
    }
  };
  const watcher = await copy.watch(onEvent);
  onEvent('spawn');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (opts.marker && stdout.includes(opts.marker)) onEvent('output');
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 100_000);
  const { code, signal } = await exited;
  const ms = exitMs || performance.now() - t0;
  clearTimeout(killer);
  clearTimeout(guard);
  await watcher.stop();
  return { code, signal, stdout, stderr, ms, seen, ...(aimedMs !== undefined ? { aimedMs } : {}), ...(killedAtMs !== undefined ? { killedAtMs } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Fingerprints

/**
 * Columns whose value is the time the run happened, or how long it took: two runs with identical
 * results differ there, so they are left out of the comparison. Every other column of every table
 * is compared. The run log itself (operation_runs, operation_locks) is left out whole: a run killed
 * mid-way is recorded there as interrupted, which is what it is for.
 */
export const TIME_OF_RUN: Record<string, readonly string[] | '*'> = {
  // the batch's own records of its runs: when each finished and how long it took
  fact_runs: ['computed_at', 'seconds'],
  tier_runs: ['finished_at', 'seconds'],
  event_runs: ['finished_at', 'seconds'],
  worklist_runs: ['finished_at', 'seconds'],
  profile_runs: ['finished_at', 'seconds'],
  dashboard_runs: ['finished_at', 'seconds'],
  staff_figure_dates: ['finished_at', 'seconds'],
  // when a plan was (re)made, and when a reminder was closed by the batch (expired, contact recorded)
  contact_plans: ['generated_at'],
  reminders: ['closed_at'],
  // when the batch escalated a complaint past its limit (the time of the run)
  complaints: ['escalated_at'],
  // when an older open proposal was marked superseded by the night's ones
  ownership_proposals: ['decided_at'],
  // when the shipped default policies were installed (by a bank's first batch); the tests publish none
  policies: ['published_at'],
  // a load's records (compared by the load test): when and how long
  business_dates: ['loaded_at', 'seconds'],
  transaction_loads: ['recorded_at'],
  operation_runs: '*',
  operation_locks: '*',
  // the greetings the batch prepares (greetings/greetings.batch.ts): when the campaign and its messages were made
  campaigns: ['created_at'],
  sms_outbox: ['queued_at'],
};

export interface TableFingerprint {
  rows: number;
  hash: string;
}

export interface Fingerprint {
  /** every table, index, constraint and partition of the schema (and the Citus work schema's tables) */
  structure: string[];
  tables: Record<string, TableFingerprint>;
  /** the rows as text, kept for the reference to show what differs */
  rowsOf?: Record<string, string[]>;
}

async function comparedTables(db: Db): Promise<{ table: string; columns: string[] }[]> {
  return db.session(async (s) => {
    const r = await s.query<{ table: string; column: string }>(
      `SELECT c.relname AS "table", a.attname AS "column"
         FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname, a.attnum`,
    );
    const byTable = new Map<string, string[]>();
    for (const { table, column } of r.rows) {
      const skip = TIME_OF_RUN[table];
      if (skip === '*' || skip?.includes(column)) continue;
      byTable.set(table, [...(byTable.get(table) ?? []), column]);
    }
    // a table whose every column was left out
    for (const t of r.rows.map((x) => x.table)) if (!byTable.has(t) && TIME_OF_RUN[t] !== '*') byTable.set(t, []);
    return [...byTable].map(([table, columns]) => ({ table, columns }));
  });
}

const rowText = (columns: string[]) => (columns.length ? `ROW(${columns.map((c) => `"${c}"`).join(', ')})::text` : `''`);

/** Every table's rows (but the columns of TIME_OF_RUN), hashed in key-independent order; and the schema's objects. */
export async function fingerprint(db: Db, opts: { keepRows?: boolean } = {}): Promise<Fingerprint> {
  const tables = await comparedTables(db);
  return db.session(async (s) => {
    const structure = (
      await s.query<{ o: string }>(
        `SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text AS o
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('public', 'stratum_work') AND c.relkind IN ('r', 'p', 'i', 'I', 'v', 'm')
         UNION ALL
         SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
           FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid <> 0
         UNION ALL
         SELECT 'index ' || pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
         ORDER BY 1`,
      )
    ).rows.map((r) => r.o);
    const out: Fingerprint = { structure, tables: {}, ...(opts.keepRows ? { rowsOf: {} } : {}) };
    for (const { table, columns } of tables) {
      const r = await s.query<{ n: number; h: string | null }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE "C"), '')) AS h FROM (SELECT ${rowText(columns)} AS r FROM "${table}") x`,
      );
      out.tables[table] = { rows: r.rows[0]?.n ?? 0, hash: r.rows[0]?.h ?? '' };
      if (out.rowsOf) out.rowsOf[table] = await rowsOf(s, table, columns);
    }
    return out;
  });
}

async function rowsOf(s: Parameters<Parameters<Db['session']>[0]>[0], table: string, columns: string[]): Promise<string[]> {
  const r = await s.query<{ r: string }>(`SELECT r FROM (SELECT ${rowText(columns)} AS r FROM "${table}") x ORDER BY r COLLATE "C"`);
  return r.rows.map((x) => x.r);
}

/**
 * What differs between a database and the reference: each table whose rows differ, with how many
 * rows each has and up to five rows only one of them has (read from `db`); objects of the schema
 * only one of them has. Empty when they are the same.
 */
export async function differences(reference: Fingerprint, db: Db, got?: Fingerprint): Promise<string[]> {
  const now = got ?? (await fingerprint(db));
  const out: string[] = [];
  const missing = reference.structure.filter((o) => !now.structure.includes(o));
  const extra = now.structure.filter((o) => !reference.structure.includes(o));
  for (const o of missing) out.push(`schema: missing ${o}`);
  for (const o of extra) out.push(`schema: extra ${o}`);
  const names = [...new Set([...Object.keys(reference.tables), ...Object.keys(now.tables)])].sort();
  const tables = await comparedTables(db);
  for (const t of names) {
    const a = reference.tables[t];
    const b = now.tables[t];
    if (a && b && a.hash === b.hash && a.rows === b.rows) continue;
    out.push(`${t}: ${a?.rows ?? 'no table'} rows in the reference, ${b?.rows ?? 'no table'} here`);
    const refRows = reference.rowsOf?.[t];
    const columns = tables.find((x) => x.table === t)?.columns;
    if (!refRows || !columns || !b) continue;
    const here = await db.session((s) => rowsOf(s, t, columns));
    const count = (rows: string[]) => rows.reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>());
    const [ca, cb] = [count(refRows), count(here)];
    const only = (x: Map<string, number>, y: Map<string, number>) => [...x].filter(([r, n]) => (y.get(r) ?? 0) < n).map(([r, n]) => `${r}${n - (y.get(r) ?? 0) > 1 ? ` ×${n - (y.get(r) ?? 0)}` : ''}`);
    for (const r of only(ca, cb).slice(0, 5)) out.push(`  only in the reference: ${r.slice(0, 300)}`);
    for (const r of only(cb, ca).slice(0, 5)) out.push(`  only here:             ${r.slice(0, 300)}`);
  }
  return out;
}
