import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openDb, type Db } from '../src/platform/db.js';
import { listMigrations, migrate } from '../src/platform/migrate.js';
import { notePiiOf } from './pii-seen.js';

// A fresh, migrated database per suite, on the engine the run is for:
// STRATUM_TEST_ENGINE=postgres uses a new database on the server (dropped afterwards),
// otherwise an in-memory PGlite started from a migrated template (initdb is slow in WASM).

export type TestEngine = 'pglite' | 'postgres' | 'citus';
export const testEngine = (): TestEngine => {
  const e = process.env.STRATUM_TEST_ENGINE;
  return e === 'postgres' || e === 'citus' ? e : 'pglite';
};
/** A run on a server: PostgreSQL, or a Citus cluster's coordinator. */
export const onServer = () => testEngine() !== 'pglite';
export const CITUS_URL = 'postgres://postgres@127.0.0.1:5440/postgres';
export const serverUrl = () =>
  testEngine() === 'citus' ? (process.env.STRATUM_CITUS_URL ?? CITUS_URL) : (process.env.STRATUM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = serverUrl()): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {}); // a late socket error after the work is done must not crash the run
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function pgliteTemplate(): Promise<Blob> {
  const key = createHash('sha256').update(listMigrations().map((m) => m.checksum).join()).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `stratum-pglite-template-${key}.tar.gz`);
  if (!existsSync(file)) {
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    if (!db.dumpDataDir) throw new Error('the embedded database cannot be dumped');
    const dump = await db.dumpDataDir();
    await db.close();
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  }
  return new Blob([readFileSync(file)]);
}

/** A new empty database on the test server, and how to drop it. */
export async function freshServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `stratum_t_${randomBytes(6).toString('hex')}`;
  if (testEngine() === 'citus') return freshCitusDatabase(name);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(serverUrl(), name),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/**
 * A new database on every node of the Citus cluster (the coordinator at STRATUM_CITUS_URL, the
 * workers it lists), as `citus-cluster.sh createdb` makes it, already migrated and distributed: each
 * node's copy of a template database (per set of migrations) made once, migrated and distributed
 * over 4 shards (STRATUM_CITUS_SHARDS) to keep the cluster's DDL short. Distributing the schema
 * anew for every suite took 10–20 s of a suite's time; a copy of the template takes about one.
 */
async function freshCitusDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  process.env.STRATUM_CITUS_SHARDS ??= '4';
  const nodes = await citusNodes();
  const template = await citusTemplate(nodes);
  for (const node of nodes) await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`), node);
  return {
    url: withDatabase(serverUrl(), name),
    drop: async () => {
      for (const node of nodes) await dropDatabase(name, node);
    },
  };
}

/**
 * Drops a database, even while Citus's own background connections come and go: one may connect
 * between FORCE's ending the others and the drop ("is being accessed by other users"); seen once
 * in a full run. Tried again a few times before giving up.
 */
async function dropDatabase(name: string, node: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)), node);
      return;
    } catch (e) {
      if (attempt >= 5 || !/being accessed by other users/.test(String((e as Error).message))) throw e;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
}

/** The URLs of the cluster's nodes' maintenance database `postgres`: the coordinator first. */
async function citusNodes(): Promise<string[]> {
  const coordinator = serverUrl();
  const workers = await admin(async (c) => {
    const r = await c.query<{ host: string; port: number }>(`SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport`);
    return r.rows;
  });
  if (workers.length === 0) throw new Error(`the Citus coordinator at ${coordinator} has no workers: start the cluster with citus-cluster.sh start`);
  return [coordinator, ...workers.map((w) => {
    const u = new URL(coordinator);
    u.hostname = w.host;
    u.port = String(w.port);
    u.pathname = '/postgres';
    return u.toString();
  })];
}

const CITUS_TEMPLATE_LOCK = 7_310_099;

/**
 * The template database for this set of migrations on every node, made when missing (one test
 * process makes it while the others wait on a lock). A template admits no connections, so that a
 * copy is never refused for "being accessed by other users" (Citus's own background worker and the
 * coordinator's cached connections to the workers are closed first).
 */
async function citusTemplate(nodes: string[]): Promise<string> {
  const key = createHash('sha256').update(listMigrations().map((m) => m.checksum).join() + process.env.STRATUM_CITUS_SHARDS).digest('hex').slice(0, 12);
  const name = `stratum_tpl_${key}`;
  const exists = async () => (await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]), nodes[nodes.length - 1])).rows.length > 0;
  if (await exists()) return name;
  return admin(async (lock) => {
    await lock.query('SELECT pg_advisory_lock($1)', [CITUS_TEMPLATE_LOCK]);
    try {
      if (await exists()) return name;
      const building = `${name}_new`;
      for (const node of nodes) {
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`), node);
        await admin((c) => c.query(`CREATE DATABASE ${building}`), node);
        await admin((c) => c.query('CREATE EXTENSION IF NOT EXISTS citus'), withDatabase(node, building));
      }
      await admin(async (c) => {
        for (const w of nodes.slice(1)) {
          const u = new URL(w);
          await c.query('SELECT citus_add_node($1, $2)', [u.hostname, Number(u.port)]);
        }
      }, withDatabase(nodes[0]!, building));
      const db = await openDb({ databaseUrl: withDatabase(nodes[0]!, building) });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      // closed to connections, then given its name node by node, the last worker last (which is what `exists` looks at)
      for (const node of nodes) {
        await admin(async (c) => {
          await c.query(`ALTER DATABASE ${building} ALLOW_CONNECTIONS false`);
          await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [building]);
          await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
        }, node);
      }
      return name;
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [CITUS_TEMPLATE_LOCK]);
    }
  }, nodes[0]);
}

export async function openTestDb(): Promise<Db> {
  if (onServer()) {
    const server = await freshServerDatabase();
    const db = await openDb({ databaseUrl: server.url });
    await migrate(db);
    const close = db.close.bind(db);
    return {
      ...db,
      close: async () => {
        await notePiiOf(db);
        await close();
        await server.drop();
      },
    };
  }
  const db = await openDb({ dataDir: 'memory://', loadDataDir: await pgliteTemplate() });
  const close = db.close.bind(db);
  return { ...db, close: async () => (await notePiiOf(db), close()) };
}

/**
 * The planner's row estimate of a table (what ANALYZE left in pg_class.reltuples), or on Citus
 * the sum over its shards, where the statistics of a distributed table live.
 */
export async function plannerRows(db: Db, table: string): Promise<number> {
  return db.session(async (s) => {
    const r = s.citus
      ? await s.query<{ n: number }>(
          `SELECT coalesce(sum(greatest(result::numeric, 0)), 0)::int AS n
             FROM run_command_on_shards($1, $$SELECT reltuples FROM pg_class WHERE oid = '%s'::regclass$$)`,
          [table],
        )
      : await s.query<{ n: number }>('SELECT reltuples::int AS n FROM pg_class WHERE relname = $1', [table]);
    return r.rows[0]?.n ?? 0;
  });
}

/** One database shared by the tests of a describe block: opened before them, closed after. */
export function useDb(): () => Db {
  let db: Db | undefined;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db?.close();
  });
  return () => {
    if (!db) throw new Error('the test database is not open');
    return db;
  };
}
