import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { logger } from './logger.js';
import type { Schema } from './schema.js';

/** One exclusive connection: plain SQL, bulk COPY, and a Kysely bound to it. */
export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Several statements separated by `;`, no parameters. */
  exec(sql: string): Promise<void>;
  /** `COPY table (columns) FROM` CSV text delivered in chunks; returns the rows copied. */
  copyCsv(table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<number>;
  readonly kysely: Kysely<Schema>;
  /** The server is a Citus coordinator: work tables are distributed (platform/work-tables.ts). */
  readonly citus: boolean;
  /** Work tables this session made on Citus, dropped when the session ends (a temporary table's ON COMMIT DROP). */
  readonly workTables: Set<string>;
}

export type EngineKind = 'pglite' | 'postgres';

export interface Db {
  readonly engine: EngineKind;
  /** Where the data lives, for messages: a folder or the server URL without its password. */
  readonly location: string;
  readonly kysely: Kysely<Schema>;
  /** A PostgreSQL server with the Citus extension (the whole bank, distributed by customer). */
  readonly citus: boolean;
  session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** PGlite only: the whole data folder as a gzipped tarball (a template for tests) */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL URL; when absent the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Folder of the embedded database; `memory://` keeps it in memory. */
  dataDir?: string;
  /** A PGlite data folder dump to start from (tests use a migrated template). */
  loadDataDir?: Blob;
}

const OID = { int8: 20, date: 1082, numeric: 1700 } as const;

/** Same JavaScript types from both engines: dates as 'YYYY-MM-DD', money as exact strings, counts as numbers. */
const PARSERS: Record<number, (v: string) => unknown> = {
  [OID.int8]: (v) => Number(v),
  [OID.date]: (v) => v,
  [OID.numeric]: (v) => v,
};

export async function openDb(opts: OpenOptions): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir ?? './data', opts.loadDataDir);
}

/** A promise-chain lock: PGlite has one connection, so every user takes turns. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async acquire(): Promise<() => void> {
    let release: () => void = () => {};
    const next = new Promise<void>((resolve) => (release = resolve));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    return release;
  }
}

interface RawSession {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: unknown[]; rowCount: number }>;
  exec(sql: string): Promise<void>;
  copyCsv(table: string, columns: readonly string[], chunks: AsyncIterable<string>): Promise<number>;
}

/** Kysely driver over sessions we hand out ourselves: reuses Kysely's Postgres adapter and compiler. */
class SessionDriver implements Driver {
  constructor(
    private readonly acquire: () => Promise<{ raw: RawSession; release: () => void }>,
    private readonly onDestroy: () => Promise<void> = async () => {},
    private readonly citus = false,
  ) {}
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const { raw, release } = await this.acquire();
    const conn = new SessionConnection(raw);
    this.releases.set(conn, release);
    return conn;
  }
  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('begin'));
    if (this.citus) await conn.executeQuery(CompiledQuery.raw(NO_LOCAL_EXECUTION));
  }
  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    this.releases.get(conn)?.();
    this.releases.delete(conn);
  }
  async destroy(): Promise<void> {
    await this.onDestroy();
  }
}

class SessionConnection implements DatabaseConnection {
  constructor(private readonly raw: RawSession) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.raw.query(q.sql, q.parameters);
    const verb = q.sql.trimStart().slice(0, 6).toLowerCase();
    const mutates = verb === 'insert' || verb === 'update' || verb === 'delete' || verb === 'merge ';
    return {
      rows: res.rows as R[],
      ...(mutates ? { numAffectedRows: BigInt(res.rowCount) } : {}),
    };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported; page with limit/offset instead');
  }
}

function kyselyOver(
  acquire: () => Promise<{ raw: RawSession; release: () => void }>,
  onDestroy?: () => Promise<void>,
  citus = false,
): Kysely<Schema> {
  return new Kysely<Schema>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new SessionDriver(acquire, onDestroy, citus),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

function toSession(raw: RawSession, citus: boolean): SqlSession {
  const kysely = kyselyOver(async () => ({ raw, release: () => {} }), undefined, citus);
  return {
    citus,
    workTables: new Set(),
    query: async <R>(sql: string, params?: readonly unknown[]) => {
      const r = await raw.query(sql, params);
      return { rows: r.rows as R[], rowCount: r.rowCount };
    },
    exec: (sql) => raw.exec(sql),
    copyCsv: (t, c, chunks) => raw.copyCsv(t, c, chunks),
    kysely,
  };
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

// PGlite reads a COPY from an in-memory blob; big loads go in slices so memory stays bounded.
const PGLITE_COPY_SLICE = 16 * 1024 * 1024;

// PGlite already runs with fsync off (-F); full-page images then only cost WAL volume and CPU,
// and the WAL stays smaller.
const PGLITE_CONF = ['full_page_writes = off', 'shared_buffers = 512MB', 'work_mem = 32MB'];

/**
 * The embedded database takes no lock on its folder: a second process opens it without complaint,
 * and two writers damage it. So each process that opens it holds `<folder>.lock` (its host, process
 * id and since when) until it closes it; a lock whose process is gone from this machine (killed,
 * the machine restarted) is taken over. Returns the release.
 */
export function lockEmbeddedFolder(dir: string): () => void {
  const file = `${path.resolve(dir)}.lock`;
  const me = { host: os.hostname(), pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
      return () => {
        try {
          const held = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number; host?: string };
          if (held.pid === me.pid && held.host === me.host) unlinkSync(file);
        } catch {
          // gone already
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let held: { host?: string; pid?: number; since?: string } = {};
      try {
        held = JSON.parse(readFileSync(file, 'utf8')) as typeof held;
      } catch {
        // unreadable (a crash while writing it): taken over like a dead holder's
      }
      const mine = held.host === me.host && held.pid === me.pid;
      const dead = held.host === undefined || held.pid === undefined || (held.host === me.host && !processAlive(held.pid));
      if (mine) return () => {};
      if (!dead) {
        throw new Error(
          `the embedded database ${path.resolve(dir)} is open in another Stratum process (process ${held.pid} on ${held.host}, since ${held.since ?? '?'}): ` +
            'stop it first, or let that process do the work (with the embedded database, run the daily load inside the server: stratum serve --daily-at 06:00 --inbox DIR)',
        );
      }
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first: the next attempt says who
      }
    }
  }
  throw new Error(`the lock of the embedded database ${path.resolve(dir)} (${file}) keeps changing hands: is another Stratum process starting?`);
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Db> {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const unlock = inMemory ? () => {} : lockEmbeddedFolder(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(inMemory ? dataDir : path.resolve(dataDir), {
      parsers: PARSERS,
      postgresqlconf: PGLITE_CONF,
      ...(loadDataDir ? { loadDataDir } : {}),
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const mutex = new Mutex();
  const raw: RawSession = {
    async query(sql, params) {
      const r = await pglite.query(sql, params ? [...params] : undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql) {
      await pglite.exec(sql);
    },
    async copyCsv(table, columns, chunks) {
      const stmt = copyStatement(table, columns, `'/dev/blob'`);
      let parts: string[] = [];
      let size = 0;
      let total = 0;
      const flush = async () => {
        if (size === 0) return;
        const r = await pglite.query(stmt, [], { blob: new Blob(parts) });
        total += r.affectedRows ?? 0;
        parts = [];
        size = 0;
      };
      for await (const chunk of chunks) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= PGLITE_COPY_SLICE) await flush();
      }
      await flush();
      return total;
    },
  };
  const acquire = async () => ({ raw, release: await mutex.acquire() });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const release = await mutex.acquire();
    try {
      await pglite.close();
    } finally {
      release();
      unlock();
    }
  };
  const kysely = kyselyOver(acquire, close);
  const db = makeDb('pglite', inMemory ? 'memory' : path.resolve(dataDir), kysely, acquire, close);
  return {
    ...db,
    dumpDataDir: async () => {
      const release = await mutex.acquire();
      try {
        await pglite.exec('CHECKPOINT'); // the dump copies files: put everything in them first
        const dump = await pglite.dumpDataDir('gzip');
        return dump;
      } finally {
        release();
      }
    },
  };
}

async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser },
  });
  // A connection that dies while idle in the pool (server restart, an administrator ending it)
  // is replaced at the next checkout; without a listener it would bring the process down.
  pool.on('error', (e) => logger.warn({ err: e }, 'an idle database connection was closed by the server'));
  // One that dies while checked out (the server ends it mid-load) fails its query, which the
  // caller sees; the client's own 'error' event must not bring the process down as well.
  pool.on('connect', (client) => client.on('error', (e) => logger.warn({ err: e }, 'a database connection in use was closed by the server')));
  // Fail now with a clear message rather than at the first query.
  const probe = await pool.connect().catch((e: unknown) => {
    void pool.end();
    throw new Error(`cannot connect to the PostgreSQL server at ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`);
  });
  // A Citus coordinator: the work tables of the batch live in the schema stratum_work (made by
  // `stratum db migrate`), found by name after public's tables. A transaction's writes to many
  // shards go over one connection per worker: the loader and the batch write work tables
  // (distributed and reference) and then join them in the same transaction, which Citus allows
  // only when each shard was written over the connection that reads it.
  const citus = (await probe.query(`SELECT 1 FROM pg_extension WHERE extname = 'citus'`).catch(() => ({ rowCount: 0 }))).rowCount === 1;
  // A read over every shard asks a worker for its shards over more than one connection once it
  // runs longer than a few milliseconds; keeping up to 4 of them per worker open between statements
  // (Citus keeps 1) spares each list page the new connections (measured at 1,000,000 customers:
  // a page 40% quicker).
  if (citus) {
    const searchPath = `SET search_path TO public, stratum_work; SET citus.multi_shard_modify_mode TO 'sequential'; SET citus.max_cached_conns_per_worker TO 4`;
    await probe.query(searchPath);
    pool.on('connect', (client) => void client.query(searchPath).catch(() => {}));
  }
  probe.release();
  const wrap = (client: pg.PoolClient): RawSession => ({
    async query(sql, params) {
      const r = await client.query(sql, params ? [...params] : undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql) {
      await client.query(sql);
    },
    async copyCsv(table, columns, chunks) {
      const stream = client.query(copyFromStdin(copyStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from(chunks), stream as Writable);
      return Number(stream.rowCount ?? 0);
    },
  });
  const acquire = async () => {
    const client = await pool.connect();
    return { raw: wrap(client), release: () => client.release() };
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await pool.end();
  };
  const kysely = kyselyOver(acquire, close, citus);
  return makeDb('postgres', redactUrl(url), kysely, acquire, close, citus);
}

/**
 * On Citus, for a transaction that writes: the coordinator's own copy of the reference tables is
 * then reached like a worker's, over a connection. Read locally (the default, and what makes a
 * request's reads of the small tables cheap), a placement could no longer be written or analysed
 * over a connection in the same transaction ("a local execution has accessed a placement").
 */
export const NO_LOCAL_EXECUTION = 'SET LOCAL citus.enable_local_execution TO off';

function makeDb(
  engine: EngineKind,
  location: string,
  kysely: Kysely<Schema>,
  acquire: () => Promise<{ raw: RawSession; release: () => void }>,
  close: () => Promise<void>,
  citus = false,
): Db {
  const session = async <T>(fn: (s: SqlSession) => Promise<T>): Promise<T> => {
    const { raw, release } = await acquire();
    const s = toSession(raw, citus);
    try {
      return await fn(s);
    } finally {
      if (s.workTables.size > 0) {
        // one by one: Citus drops one distributed object per command
        await raw.exec([...s.workTables].map((t) => `DROP TABLE IF EXISTS stratum_work.${t}`).join('; ')).catch((e: unknown) => logger.warn({ err: e }, 'work tables were left for the next run to replace'));
      }
      release();
    }
  };
  return {
    engine,
    citus,
    location,
    kysely,
    session,
    transaction: (fn) =>
      session(async (s) => {
        await s.exec(citus ? `begin; ${NO_LOCAL_EXECUTION}` : 'begin');
        try {
          const out = await fn(s);
          await s.exec('commit');
          return out;
        } catch (e) {
          await s.exec('rollback').catch(() => {});
          throw e;
        }
      }),
    close: async () => {
      await kysely.destroy();
      await close();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}
