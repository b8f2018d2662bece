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

export const testEngine = (): 'pglite' | 'postgres' => (process.env.STRATUM_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite');
export const serverUrl = () => process.env.STRATUM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl() });
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
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(serverUrl(), name),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

export async function openTestDb(): Promise<Db> {
  if (testEngine() === 'postgres') {
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
