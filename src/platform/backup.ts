import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { openDb, redactUrl, type Db, type SqlSession } from './db.js';
import { listMigrations } from './migrate.js';
import { describeRelease } from './releases.js';

// Backup and restore (issue 18).
//
// The embedded database (PGlite) is a folder of PostgreSQL files. A backup is that folder, taken
// while no process has it open, as a gzipped tar whose first entry is `stratum-backup.json` (the
// manifest: which migrations the database had, the rows of every table, the files and their size).
// The rest is laid out as PGlite's own dumpDataDir() lays it out (paths relative to the data
// folder), so `PGlite.create({ loadDataDir })` reads a backup too, and so does `tar -xzf`. It is
// written by streaming the files, not with dumpDataDir(), which builds the whole tar and then its
// gzip in memory (three times the database's size) and cannot report progress.
//
// PGlite takes no lock on its folder: a second process opens it without complaint, and two
// writers damage it. Before a backup or a restore, the processes that have a file of the folder
// open are looked for in /proc (Linux), and the command refuses while there are any.
//
// On a PostgreSQL server, a backup is `pg_dump --format=custom` run for the operator, and a
// restore `pg_restore` into an empty database; on a Citus cluster neither (each node holds its own
// shards: docs/operations.md).

export const MANIFEST_NAME = 'stratum-backup.json';
export const BACKUP_FORMAT = 'stratum-backup';
const FORMAT_VERSION = 1;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  /** the Stratum version (package.json) that made it */
  stratumVersion: string;
  engine: 'pglite';
  /** the PostgreSQL version of the embedded engine (a folder opens only in the same major version) */
  postgres: string;
  /** what schema_migrations held, in order */
  migrations: { name: string; checksum: string }[];
  /** the release those migrations are, e.g. "v0.1.0" or "v0.1.0 and 2 unreleased migrations" */
  release: string;
  /** rows of every table, by name */
  tables: Record<string, number>;
  latestBusinessDate: string | null;
  /** the database folder: its files and their bytes (before compression) */
  files: number;
  bytes: number;
}

export type OnProgress = (done: number, total: number, label: string) => void;

export class BackupError extends Error {}

// ---------------------------------------------------------------------------------------------
// What is in a database

/** Rows of every table of the schema (partitioned tables counted once, with their partitions), by name. */
export async function tableRowCounts(s: SqlSession): Promise<Record<string, number>> {
  const tables = await s.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      ORDER BY c.relname COLLATE "C"`,
  );
  const out: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const r = await s.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM public."${name.replace(/"/g, '""')}"`);
    out[name] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

interface DbContents {
  migrations: { name: string; checksum: string }[];
  tables: Record<string, number>;
  latestBusinessDate: string | null;
  postgres: string;
}

async function contentsOf(db: Db): Promise<DbContents> {
  return db.session(async (s) => {
    const postgres = (await s.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? '';
    const tables = await tableRowCounts(s);
    const migrations =
      'schema_migrations' in tables
        ? (await s.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name')).rows
        : [];
    const latestBusinessDate =
      'business_dates' in tables
        ? ((await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM business_dates')).rows[0]?.d ?? null)
        : null;
    return { migrations, tables, latestBusinessDate, postgres };
  });
}

export function stratumVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// Who has the folder open

export interface Holder {
  pid: number;
  command: string;
}

/**
 * The other processes that have a file under `dir` open (a running PGlite keeps its catalog files
 * open), from /proc; null where that cannot be known (not Linux). Processes of other users whose
 * descriptors cannot be read are not seen.
 */
export function processesUsing(dir: string): Holder[] | null {
  if (!existsSync('/proc/self/fd')) return null;
  const root = path.resolve(dir);
  const holders: Holder[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    const holds = fds.some((fd) => {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        return target === root || target.startsWith(root + path.sep);
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    let command = '';
    try {
      command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      /* gone meanwhile */
    }
    holders.push({ pid: Number(entry), command: command.length > 120 ? `${command.slice(0, 117)}...` : command });
  }
  return holders;
}

function refuseIfHeld(dir: string, risk: string): void {
  const holders = processesUsing(dir);
  if (!holders?.length) return;
  const list = holders.map((h) => `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`).join(', ');
  throw new BackupError(
    `the embedded database in ${dir} is open in another process: ${list}. PGlite takes no lock of its own, and ${risk}: ` +
      'stop that process first (e.g. `stratum serve`, a load or a batch), then run this again.',
  );
}

// ---------------------------------------------------------------------------------------------
// A tar (ustar) of a folder, written and read as streams

const BLOCK = 512;
const CHUNK = 1024 * 1024;

interface Entry {
  rel: string; // relative to the folder, '/' separated; directories end with '/'
  abs: string;
  dir: boolean;
  size: number;
  mode: number;
  mtime: number;
}

async function walk(root: string): Promise<Entry[]> {
  const out: Entry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const names = (await readdir(path.join(root, rel))).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const abs = path.join(root, r);
      const st = await lstat(abs);
      if (st.isDirectory()) {
        out.push({ rel: `${r}/`, abs, dir: true, size: 0, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) });
        await visit(r);
      } else if (st.isFile()) {
        out.push({ rel: r, abs, dir: false, size: st.size, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) });
      } else {
        throw new BackupError(`${abs} is neither a file nor a folder; the embedded database holds only those`);
      }
    }
  };
  await visit('');
  return out;
}

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  const s = value.toString(8);
  if (s.length > width - 1) throw new BackupError(`a value too large for a tar header (${value})`);
  buf.write(s.padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

function tarHeader(name: string, size: number, mode: number, mtime: number, dir: boolean): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) throw new BackupError(`a path too long for a tar header: ${name}`);
  }
  h.write(base, 0, 100, 'utf8');
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, mtime);
  h.fill(' ', 148, 156);
  h.write(dir ? '5' : '0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

async function* tarStream(manifest: BackupManifest, entries: Entry[], onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const m = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  yield tarHeader(MANIFEST_NAME, m.length, 0o644, Math.floor(Date.parse(manifest.createdAt) / 1000), false);
  yield Buffer.concat([m, padding(m.length)]);
  for (const e of entries) {
    yield tarHeader(e.rel, e.size, e.mode, e.mtime, e.dir);
    if (e.dir) continue;
    const fh = await open(e.abs, 'r');
    try {
      let left = e.size;
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left));
        const { bytesRead } = await fh.read(buf, 0, buf.length, e.size - left);
        if (bytesRead === 0) throw new BackupError(`${e.abs} became shorter while it was read: is another process using the database?`);
        left -= bytesRead;
        onBytes(bytesRead);
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
    yield padding(e.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** Reads exact byte counts from a stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer>) {}
  /** Up to n bytes (fewer only at the end of the stream). */
  async read(n: number): Promise<Buffer> {
    while (this.have < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else {
        this.chunks.push(r.value);
        this.have += r.value.length;
      }
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, Math.min(n, all.length));
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
    return out;
  }
}

interface Header {
  name: string;
  size: number;
  mode: number;
  type: string;
}

function parseHeader(h: Buffer): Header | 'end' | 'bad' {
  if (h.every((b) => b === 0)) return 'end';
  const str = (o: number, w: number) => {
    const s = h.subarray(o, o + w);
    const z = s.indexOf(0);
    return s.subarray(0, z < 0 ? w : z).toString('utf8');
  };
  const num = (o: number, w: number) => parseInt(str(o, w).trim() || '0', 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  if (num(148, 8) !== sum || !str(257, 6).startsWith('ustar')) return 'bad';
  const prefix = str(345, 155);
  const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
  return { name, size: num(124, 12), mode: num(100, 8), type: str(156, 1) || '0' };
}

const NOT_A_BACKUP = (file: string, why: string) =>
  new BackupError(`${file} is not a Stratum backup (${why}); a backup is what \`stratum db backup FILE\` wrote`);

function gunzipped(file: string, onRead?: (n: number) => void): AsyncIterator<Buffer> {
  const input = createReadStream(file);
  if (onRead) input.on('data', (c) => onRead(c.length));
  const gunzip = createGunzip();
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  return gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
}

async function fileKind(file: string): Promise<'gzip' | 'pg_dump' | 'other'> {
  const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new BackupError(e.code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${e.message}`);
  });
  try {
    const b = Buffer.alloc(5);
    const { bytesRead } = await fh.read(b, 0, 5, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 5 && b.toString('ascii') === 'PGDMP') return 'pg_dump';
    return 'other';
  } finally {
    await fh.close();
  }
}

/** The manifest of a backup of the embedded database; a clear error for any other file. */
export async function readManifest(file: string): Promise<BackupManifest> {
  const kind = await fileKind(file);
  if (kind === 'pg_dump') {
    throw new BackupError(`${file} is a pg_dump archive of a PostgreSQL server database: restore it on a server (DATABASE_URL set), not into the embedded database`);
  }
  if (kind !== 'gzip') throw NOT_A_BACKUP(file, 'not a gzip file');
  const source = gunzipped(file);
  try {
    const reader = new ByteReader(source);
    const first = parseHeader(await reader.read(BLOCK).catch((e: Error) => Promise.reject(NOT_A_BACKUP(file, e.message))));
    if (first === 'end' || first === 'bad' || first.name !== MANIFEST_NAME) throw NOT_A_BACKUP(file, `no ${MANIFEST_NAME} at its start`);
    const m = JSON.parse((await reader.read(first.size)).toString('utf8')) as Partial<BackupManifest>;
    if (m.format !== BACKUP_FORMAT || !Array.isArray(m.migrations) || typeof m.tables !== 'object') throw NOT_A_BACKUP(file, `${MANIFEST_NAME} is not Stratum's`);
    if ((m.formatVersion ?? 0) > FORMAT_VERSION) {
      throw new BackupError(`${file} was written by a newer Stratum (backup format ${m.formatVersion}, ${m.stratumVersion}): restore it with that version`);
    }
    return m as BackupManifest;
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw NOT_A_BACKUP(file, e instanceof Error ? e.message : String(e));
  } finally {
    await source.return?.();
  }
}

/** Writes the tar's entries under `dir` (the manifest is checked, not written); returns the files and bytes written. */
async function extract(file: string, dir: string, onProgress: OnProgress | undefined): Promise<{ files: number; bytes: number }> {
  const total = (await stat(file)).size;
  let read = 0;
  const source = gunzipped(file, (n) => {
    read += n;
    onProgress?.(read, total, 'restoring');
  });
  const reader = new ByteReader(source);
  let files = 0;
  let bytes = 0;
  let first = true;
  try {
    for (;;) {
      const h = parseHeader(await reader.read(BLOCK));
      if (h === 'end') break;
      if (h === 'bad') throw NOT_A_BACKUP(file, 'a damaged tar header');
      if (first) {
        first = false;
        if (h.name !== MANIFEST_NAME) throw NOT_A_BACKUP(file, `no ${MANIFEST_NAME} at its start`);
        await reader.read(h.size + padding(h.size).length);
        continue;
      }
      const rel = h.name.replace(/\/$/, '');
      if (!rel || path.isAbsolute(rel) || rel.split('/').some((p) => p === '..' || p === '')) throw NOT_A_BACKUP(file, `an unsafe path '${h.name}'`);
      const abs = path.join(dir, rel);
      if (h.type === '5') {
        await mkdir(abs, { recursive: true, mode: h.mode || 0o700 });
        continue;
      }
      if (h.type !== '0') throw NOT_A_BACKUP(file, `an entry of type '${h.type}'`);
      await mkdir(path.dirname(abs), { recursive: true });
      const fh = await open(abs, 'wx', h.mode || 0o600);
      try {
        let left = h.size;
        while (left > 0) {
          const chunk = await reader.read(Math.min(CHUNK, left));
          if (chunk.length === 0) throw new BackupError(`${file} ends in the middle of ${rel}: the file is incomplete`);
          await fh.write(chunk);
          left -= chunk.length;
        }
      } finally {
        await fh.close();
      }
      await reader.read(padding(h.size).length);
      files++;
      bytes += h.size;
    }
    return { files, bytes };
  } catch (e) {
    if (e instanceof BackupError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new BackupError(`${file} could not be read to its end (${msg}): the file is damaged or incomplete`);
  } finally {
    await source.return?.();
  }
}

// ---------------------------------------------------------------------------------------------
// The embedded database

const isDatabaseFolder = (dir: string) => existsSync(path.join(dir, 'PG_VERSION'));

async function isEmptyFolder(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw e;
  }
}

/** Writes `file` through a temporary file beside it, renamed into place once complete. */
async function writeAtomically(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const target = path.resolve(file);
  if (existsSync(target)) throw new BackupError(`${file} already exists: give the backup a new name (e.g. with the date) or remove the old file first`);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await write(tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  // the rename itself on disk
  const dirFh = await open(path.dirname(target), 'r').catch(() => null);
  await dirFh?.sync().catch(() => {});
  await dirFh?.close();
}

export interface BackupResult {
  manifest: BackupManifest;
  file: string;
  /** size of the backup file */
  size: number;
}

/**
 * Backs up the embedded database in `dataDir` (the pglite folder) to `file`: opened (not
 * migrated) to read what it holds, closed (PostgreSQL's shutdown writes every change into its
 * files), then its folder streamed into the file.
 */
export async function backupEmbedded(dataDir: string, file: string, onProgress?: OnProgress): Promise<BackupResult> {
  const dir = path.resolve(dataDir);
  if (!isDatabaseFolder(dir)) throw new BackupError(`there is no embedded database in ${dir} to back up`);
  if (existsSync(path.resolve(file))) throw new BackupError(`${file} already exists: give the backup a new name (e.g. with the date) or remove the old file first`);
  if (path.resolve(file).startsWith(dir + path.sep)) throw new BackupError(`${file} is inside the database folder ${dir}: write the backup elsewhere`);
  refuseIfHeld(dir, 'a copy taken while it writes would be damaged');
  const db = await openDb({ dataDir: dir });
  let contents: DbContents;
  try {
    contents = await contentsOf(db);
  } finally {
    await db.close();
  }
  if (!contents.migrations.length) throw new BackupError(`the embedded database in ${dir} holds no Stratum tables (it was never migrated): nothing to back up`);
  refuseIfHeld(dir, 'a copy taken while it writes would be damaged'); // again: nothing may have opened it while it was read
  const entries = await walk(dir);
  const files = entries.filter((e) => !e.dir);
  const total = files.reduce((n, e) => n + e.size, 0);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    stratumVersion: stratumVersion(),
    engine: 'pglite',
    postgres: contents.postgres,
    migrations: contents.migrations,
    release: describeRelease(contents.migrations.map((m) => m.name)),
    tables: contents.tables,
    latestBusinessDate: contents.latestBusinessDate,
    files: files.length,
    bytes: total,
  };
  let done = 0;
  await writeAtomically(file, async (tmp) => {
    await pipeline(
      Readable.from(
        tarStream(manifest, entries, (n) => {
          done += n;
          onProgress?.(done, total, 'backing up');
        }),
      ),
      createGzip(),
      createWriteStream(tmp, { flags: 'wx' }),
    );
  });
  return { manifest, file: path.resolve(file), size: (await stat(file)).size };
}

export interface RestoreResult {
  manifest: BackupManifest;
  dataDir: string;
  /** migrations of this version the backup had not had: applied when Stratum next opens the database */
  pending: string[];
  /** a database was there and was replaced (--force) */
  replaced: boolean;
}

/** What a non-empty folder holds, in words, for the refusal. */
async function describeFolder(dir: string): Promise<string> {
  if (isDatabaseFolder(dir)) {
    try {
      const db = await openDb({ dataDir: dir });
      try {
        const c = await contentsOf(db);
        const rows = Object.values(c.tables).reduce((a, b) => a + b, 0);
        if (!c.migrations.length) return `an embedded database without Stratum tables (${rows.toLocaleString('en-US')} rows)`;
        const customers = c.tables.customers ?? 0;
        return (
          `a Stratum database (${describeRelease(c.migrations.map((m) => m.name))}, ${customers.toLocaleString('en-US')} customers, ` +
          `${rows.toLocaleString('en-US')} rows in all, ${c.latestBusinessDate ? `latest business date ${c.latestBusinessDate}` : 'no business date loaded'})`
        );
      } finally {
        await db.close();
      }
    } catch {
      /* described by its files below */
    }
  }
  const n = (await readdir(dir)).length;
  return `${n} file(s) or folder(s)`;
}

/**
 * Restores a backup into the embedded database folder `dataDir`: refused when the folder holds
 * anything unless `force`; written into a new folder beside it, opened and checked against the
 * manifest (every table's rows), and only then put in the folder's place (the old one removed
 * after that). Migrations newer than the backup are not applied here: Stratum applies them when
 * it next opens the database, as on every start.
 */
export async function restoreEmbedded(file: string, dataDir: string, opts: { force?: boolean; onProgress?: OnProgress } = {}): Promise<RestoreResult> {
  const manifest = await readManifest(file);
  const known = new Map(listMigrations().map((m) => [m.name, m.checksum]));
  const unknown = manifest.migrations.filter((m) => !known.has(m.name));
  if (unknown.length) {
    throw new BackupError(
      `${file} holds a database of a newer Stratum (${manifest.release}, made by ${manifest.stratumVersion}; migrations this version does not have: ` +
        `${unknown.map((m) => m.name).join(', ')}): restore it with that version or a later one`,
    );
  }
  const changed = manifest.migrations.filter((m) => known.get(m.name) !== m.checksum);
  if (changed.length) {
    throw new BackupError(`${file} holds migrations that differ from this version's files (${changed.map((m) => m.name).join(', ')}): it was made by a different build of Stratum`);
  }
  const dir = path.resolve(dataDir);
  const empty = await isEmptyFolder(dir);
  if (!empty) {
    refuseIfHeld(dir, 'replacing the folder under it would damage the database');
    if (!opts.force) {
      throw new BackupError(
        `${dir} is not empty: it holds ${await describeFolder(dir)}. Restoring would replace it; add --force to do so ` +
          '(back it up first if it may be needed: stratum db backup FILE)',
      );
    }
  }
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const fresh = await mkdtemp(path.join(parent, `${path.basename(dir)}.restoring-`));
  try {
    const written = await extract(file, fresh, opts.onProgress);
    if (written.files !== manifest.files || written.bytes !== manifest.bytes) {
      throw new BackupError(`${file} is incomplete: ${written.files} files and ${written.bytes} bytes where the backup had ${manifest.files} and ${manifest.bytes}`);
    }
    // the restored folder opens, and holds what was backed up, table by table
    let contents: DbContents;
    try {
      const db = await openDb({ dataDir: fresh });
      try {
        contents = await contentsOf(db);
      } finally {
        await db.close();
      }
    } catch (e) {
      throw new BackupError(
        `the restored database does not open (${e instanceof Error ? e.message : String(e)}); it was made with PostgreSQL ${manifest.postgres} ` +
          `by Stratum ${manifest.stratumVersion}`,
      );
    }
    const differ = [...new Set([...Object.keys(manifest.tables), ...Object.keys(contents.tables)])].filter((t) => manifest.tables[t] !== contents.tables[t]);
    if (differ.length) {
      throw new BackupError(
        `the restored database does not hold what was backed up: ${differ.map((t) => `${t} ${contents.tables[t] ?? 'missing'} rows, backed up ${manifest.tables[t] ?? 'none'}`).join('; ')}`,
      );
    }
    // the swap: the old folder aside, the new one in its place, the old one removed
    let aside: string | undefined;
    if (existsSync(dir)) {
      if (empty) await rmdir(dir);
      else {
        aside = `${dir}.replaced-${Date.now()}`;
        await rename(dir, aside);
      }
    }
    try {
      await rename(fresh, dir);
    } catch (e) {
      if (aside) await rename(aside, dir).catch(() => {});
      throw e;
    }
    if (aside) await rm(aside, { recursive: true, force: true });
  } catch (e) {
    await rm(fresh, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
  const had = new Set(manifest.migrations.map((m) => m.name));
  return { manifest, dataDir: dir, pending: [...known.keys()].filter((m) => !had.has(m)), replaced: !empty };
}

// ---------------------------------------------------------------------------------------------
// A PostgreSQL server: pg_dump and pg_restore

/** The URL without its password (which goes to the tools in PGPASSWORD, not on their command line). */
function toolConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  try {
    const u = new URL(url);
    if (u.password) {
      env.PGPASSWORD = decodeURIComponent(u.password);
      u.password = '';
    }
    return { url: u.toString(), env };
  } catch {
    return { url, env };
  }
}

/** The commands an operator runs by hand, for messages: the dump, and a restore into a new database beside the old one. */
export function serverCommands(url: string, file: string, newDatabase = 'stratum_restored'): { dump: string; createdb: string; restore: string } {
  const u = redactUrl(url);
  let target = u;
  let createdb = `createdb ${newDatabase}`;
  try {
    const parsed = new URL(u);
    parsed.pathname = `/${newDatabase}`;
    target = parsed.toString();
    const user = decodeURIComponent(parsed.username);
    createdb = `createdb --host=${parsed.hostname} --port=${parsed.port || 5432}${user ? ` --username=${user}` : ''} ${newDatabase}`;
  } catch {
    /* not a URL: the commands with the text as it is */
  }
  return {
    dump: `pg_dump --format=custom --file=${file} '${u}'`,
    createdb,
    restore: `pg_restore --no-owner --exit-on-error --single-transaction --dbname='${target}' ${file}`,
  };
}

async function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new BackupError(e.code === 'ENOENT' ? `${tool} is not installed on this machine (or not on PATH): install the PostgreSQL client tools of the server's version` : `${tool}: ${e.message}`)),
    );
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new BackupError(`${tool} failed (exit code ${code}): ${err.trim() || 'no message'}`))));
  });
}

/** `pg_dump --format=custom` of the server's database into `file` (through a temporary file). */
export async function backupServer(url: string, file: string): Promise<{ file: string; size: number; migrations: string[] }> {
  const conn = toolConnection(url);
  const db = await openDb({ databaseUrl: url });
  let migrations: string[];
  try {
    if (db.citus) throw citusRefusal();
    migrations = await db.session(async (s) => {
      const has = await s.query(`SELECT 1 FROM pg_class WHERE relname = 'schema_migrations' AND relnamespace = 'public'::regnamespace`);
      return has.rows.length ? (await s.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map((r) => r.name) : [];
    });
  } finally {
    await db.close();
  }
  if (!migrations.length) throw new BackupError(`the database at ${redactUrl(url)} holds no Stratum tables: nothing to back up`);
  await writeAtomically(file, async (tmp) => {
    await runTool('pg_dump', ['--format=custom', `--file=${tmp}`, `--dbname=${conn.url}`], conn.env);
  });
  return { file: path.resolve(file), size: (await stat(file)).size, migrations };
}

/** `pg_restore` of a pg_dump archive into the server's database, which must hold no tables yet. */
export async function restoreServer(url: string, file: string): Promise<{ migrations: string[]; pending: string[] }> {
  const kind = await fileKind(file);
  if (kind === 'gzip') {
    throw new BackupError(`${file} is a backup of an embedded database: restore it with DATABASE_URL unset (into the data folder), not into a server`);
  }
  if (kind !== 'pg_dump') throw NOT_A_BACKUP(file, 'not a pg_dump archive');
  const conn = toolConnection(url);
  const list = await runTool('pg_restore', ['--list', file], conn.env);
  if (!/ TABLE (DATA )?public schema_migrations /.test(list)) throw NOT_A_BACKUP(file, 'a pg_dump archive without Stratum\'s schema_migrations table');
  const db = await openDb({ databaseUrl: url });
  try {
    if (db.citus) throw citusRefusal();
    const tables = await db.session((s) =>
      s.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`),
    );
    if ((tables.rows[0]?.n ?? 0) > 0) {
      throw new BackupError(
        `the database at ${redactUrl(url)} already holds tables: restore into a new, empty database (createdb, then point DATABASE_URL at it); ` +
          'a server database is never replaced in place',
      );
    }
  } finally {
    await db.close();
  }
  await runTool('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${conn.url}`, file], conn.env);
  const after = await openDb({ databaseUrl: url });
  try {
    const names = (await after.session((s) => s.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name'))).rows.map((r) => r.name);
    const had = new Set(names);
    return { migrations: names, pending: listMigrations().map((m) => m.name).filter((m) => !had.has(m)) };
  } finally {
    await after.close();
  }
}

function citusRefusal(): BackupError {
  return new BackupError(
    'this is a Citus cluster: a pg_dump of the coordinator does not hold the rows on the workers. Back up every node ' +
      '(pg_dump of each, or the disks\' snapshots, taken together) as docs/operations.md describes',
  );
}
