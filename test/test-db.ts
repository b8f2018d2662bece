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
 * workers it lists), with the extension and the workers added, as `citus-cluster.sh createdb` makes
 * it. Tests distribute over 4 shards (STRATUM_CITUS_SHARDS) to keep the cluster's DDL short.
 */
async function freshCitusDatabase(name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  process.env.STRATUM_CITUS_SHARDS ??= '4';
  const coordinator = serverUrl();
  const workers = await admin(async (c) => {
    const r = await c.query<{ host: string; port: number }>(`SELECT nodename AS host, nodeport AS port FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0`);
    return r.rows;
  });
  if (workers.length === 0) throw new Error(`the Citus coordinator at ${coordinator} has no workers: start the cluster with citus-cluster.sh start`);
  const nodeUrl = (host: string, port: number, db: string) => {
    const u = new URL(coordinator);
    u.hostname = host;
    u.port = String(port);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const nodes = [coordinator, ...workers.map((w) => nodeUrl(w.host, w.port, 'postgres'))];
  for (const node of nodes) {
    await admin((c) => c.query(`CREATE DATABASE ${name}`), node);
    await admin((c) => c.query('CREATE EXTENSION IF NOT EXISTS citus'), withDatabase(node, name));
  }
  const url = withDatabase(coordinator, name);
  await admin(async (c) => {
    for (const w of workers) await c.query('SELECT citus_add_node($1, $2)', [w.host, w.port]);
  }, url);
  return {
    url,
    drop: async () => {
      for (const node of nodes) await admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)), node);
    },
  };
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
