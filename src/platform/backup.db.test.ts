import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedDir } from '../../test/feed-builder.js';
import { fillEveryTable } from '../../test/full-bank.js';
import { freshServerDatabase, testEngine } from '../../test/test-db.js';
import { readManifest, tableRowCounts } from './backup.js';
import { openDb } from './db.js';
import { listMigrations, migrate } from './migrate.js';
import { RELEASES, releaseMigrations } from './releases.js';

// `stratum db backup` and `stratum db restore` as an operator runs them: a round trip gives the
// same `stratum db stats --all`. The embedded database on the PGlite run; pg_dump and pg_restore
// on the PostgreSQL run (a Citus cluster is backed up node by node: documented, not tested).

const run = promisify(execFile);
const BIN = path.resolve('bin/stratum.js');

async function stratum(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 180_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** `stratum db stats --all --json`: the rows of every table and each business date's customers and AUM. */
async function stats(env: NodeJS.ProcessEnv): Promise<unknown> {
  const r = await stratum(env, 'db', 'stats', '--all', '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as unknown;
}

/** A data folder whose embedded database was migrated (with these migrations) and filled by `fill`. */
async function embeddedFolder(fill?: 'bank', migrationsDir?: string): Promise<{ env: NodeJS.ProcessEnv; dir: string }> {
  const dir = feedDir();
  const db = await openDb({ dataDir: path.join(dir, 'pglite') });
  try {
    await migrate(db, migrationsDir);
    if (fill) await fillEveryTable(db, feedDir());
  } finally {
    await db.close();
  }
  return { env: { STRATUM_DATA_DIR: dir, DATABASE_URL: '' }, dir };
}

const leftovers = (dataDir: string) => readdirSync(dataDir).filter((f) => f !== 'pglite');

// each test runs the command line several times (a process, a PGlite opened and closed each): 5
// minutes each, for a busy machine
describe.skipIf(testEngine() !== 'pglite')('backup and restore of the embedded database', { timeout: 300_000 }, () => {
  let bank: { env: NodeJS.ProcessEnv; dir: string };
  let bankStats: unknown;
  let file: string;
  beforeAll(async () => {
    bank = await embeddedFolder('bank');
    bankStats = await stats(bank.env);
    file = path.join(feedDir(), 'backups', 'stratum-2026-11-20.tar.gz');
  }, 600_000);

  it('a round trip gives identical `db stats`, every table and every business date', async () => {
    const backup = await stratum(bank.env, 'db', 'backup', file);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`Backed up the embedded database in ${path.join(bank.dir, 'pglite')} to ${file}`);
    expect(backup.stdout).toMatch(/latest business date 2026-11-20/);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]); // the temporary file renamed, nothing else
    // the manifest says what it holds
    const manifest = await readManifest(file);
    expect(manifest.migrations.map((m) => m.name)).toEqual(listMigrations().map((m) => m.name));
    expect(manifest.tables).toEqual((bankStats as { tables: Record<string, number> }).tables);
    expect(manifest.latestBusinessDate).toBe('2026-11-20');
    // backing up over an existing file is refused
    const again = await stratum(bank.env, 'db', 'backup', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    const other = { STRATUM_DATA_DIR: feedDir(), DATABASE_URL: '' };
    const restore = await stratum(other, 'db', 'restore', file);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`into ${path.join(other.STRATUM_DATA_DIR, 'pglite')}`);
    expect(restore.stdout).toMatch(/Checked: \d+ tables, [\d,]+ rows, as backed up/);
    expect(restore.stdout).toContain('no migration is pending');
    expect(await stats(other)).toEqual(bankStats);
    expect(leftovers(other.STRATUM_DATA_DIR)).toEqual([]);
  });

  it('the file is an ordinary .tar.gz, its manifest first, which PGlite itself can also load', async () => {
    const { stdout } = await run('tar', ['-tzf', file]);
    const names = stdout.split('\n');
    expect(names[0]).toBe('stratum-backup.json');
    expect(names).toContain('PG_VERSION');
    const db = await openDb({ dataDir: 'memory://', loadDataDir: new Blob([readFileSync(file)]) });
    try {
      expect(await db.session((s) => tableRowCounts(s))).toEqual((bankStats as { tables: Record<string, number> }).tables);
    } finally {
      await db.close();
    }
  });

  it('restore refuses a folder that holds a database unless --force, and keeps it when the file is bad', async () => {
    const target = await embeddedFolder(); // migrated, no data yet: Stratum tables
    const refused = await stratum(target.env, 'db', 'restore', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty: it holds a Stratum database');
    expect(refused.stderr).toContain('add --force');
    expect(leftovers(target.dir)).toEqual([]);

    // not a backup at all, a damaged one, a pg_dump archive: refused, the database as it was
    const before = await stats(target.env);
    const text = path.join(feedDir(), 'notes.txt');
    writeFileSync(text, 'not a backup\n');
    const notBackup = await stratum(target.env, 'db', 'restore', text, '--force');
    expect(notBackup.code).toBe(1);
    expect(notBackup.stderr).toContain(`${text} is not a Stratum backup (not a gzip file)`);
    const cut = path.join(feedDir(), 'cut.tar.gz');
    writeFileSync(cut, readFileSync(file).subarray(0, Math.floor(statSync(file).size / 2)));
    const damaged = await stratum(target.env, 'db', 'restore', cut, '--force');
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/could not be read to its end .*damaged or incomplete/);
    const dump = path.join(feedDir(), 'server.dump');
    writeFileSync(dump, 'PGDMP\x01\x0e\x00');
    const serverDump = await stratum(target.env, 'db', 'restore', dump);
    expect(serverDump.stderr).toContain('is a pg_dump archive of a PostgreSQL server database');
    expect(await stats(target.env)).toEqual(before);
    expect(leftovers(target.dir)).toEqual([]);

    // with --force it is replaced, and nothing of the old one is left beside it
    const forced = await stratum(target.env, 'db', 'restore', file, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('replacing the database that was there');
    expect(await stats(target.env)).toEqual(bankStats);
    expect(leftovers(target.dir)).toEqual([]);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('refuses while another process has the database open (PGlite takes no lock)', async () => {
    const pglite = path.join(bank.dir, 'pglite');
    // another process with the database open, as `stratum serve` would have it
    const holder: ChildProcess = spawn(
      process.execPath,
      ['--input-type=module', '-e', `import { PGlite } from '@electric-sql/pglite'; await PGlite.create(${JSON.stringify(pglite)}); console.log('open'); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (c: Buffer) => c.toString().includes('open') && resolve());
        holder.on('exit', (code) => reject(new Error(`the holding process ended (${code})`)));
      });
      const backup = await stratum(bank.env, 'db', 'backup', path.join(feedDir(), 'held.tar.gz'));
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain(`the embedded database in ${pglite} is open in another process: pid ${holder.pid}`);
      expect(backup.stderr).toContain('stop that process first');
      const restore = await stratum(bank.env, 'db', 'restore', file, '--force');
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain(`is open in another process: pid ${holder.pid}`);
    } finally {
      holder.kill();
    }
  });

  it.skipIf(listMigrations().at(-1)?.name === RELEASES.at(-1)?.lastMigration)(
    "a backup of the last release's database restores as it was; the newer migrations apply on the next start",
    async () => {
      const release = RELEASES.at(-1)!;
      const dir = feedDir();
      for (const m of releaseMigrations(release)) writeFileSync(path.join(dir, m.name), m.sql);
      const old = await embeddedFolder(undefined, dir);
      const oldFile = path.join(feedDir(), `${release.tag}.tar.gz`);
      const backup = await stratum(old.env, 'db', 'backup', oldFile);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain(`It holds ${release.tag},`);
      const target = { STRATUM_DATA_DIR: feedDir(), DATABASE_URL: '' };
      const restore = await stratum(target, 'db', 'restore', oldFile);
      expect(restore.code, restore.stderr).toBe(0);
      const later = listMigrations().filter((m) => m.name > release.lastMigration).map((m) => m.name);
      expect(restore.stdout).toContain(`${later.length} migration(s) newer than the backup (${later.join(', ')}) will be applied the next time Stratum opens the database`);
      const migrated = await stratum(target, 'db', 'migrate');
      expect(migrated.stdout).toContain(`Applied ${later.length} migration(s)`);
    },
  );
});

describe.skipIf(testEngine() !== 'postgres')('backup and restore on a PostgreSQL server: pg_dump and pg_restore', { timeout: 300_000 }, () => {
  const drops: (() => Promise<void>)[] = [];
  let source: { DATABASE_URL: string };
  let sourceStats: unknown;
  const newDatabase = async () => {
    const server = await freshServerDatabase();
    drops.push(server.drop);
    return server.url;
  };
  beforeAll(async () => {
    source = { DATABASE_URL: await newDatabase() };
    const db = await openDb({ databaseUrl: source.DATABASE_URL });
    try {
      await migrate(db);
      await fillEveryTable(db, feedDir());
    } finally {
      await db.close();
    }
    sourceStats = await stats(source);
  }, 600_000);
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('`stratum db backup` runs pg_dump --format=custom; `stratum db restore` pg_restore into a new database: identical `db stats`', async () => {
    const file = path.join(feedDir(), 'stratum.dump');
    const backup = await stratum(source, 'db', 'backup', file);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('with pg_dump to');
    expect(backup.stdout).toMatch(/createdb --host=127\.0\.0\.1 --port=5432 --username=postgres stratum_restored/);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP');

    const target = { DATABASE_URL: await newDatabase() };
    const restore = await stratum(target, 'db', 'restore', file);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('no migration is pending');
    expect(await stats(target)).toEqual(sourceStats);
    // a database that holds tables is never restored over, --force or not
    const again = await stratum(target, 'db', 'restore', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds tables: restore into a new, empty database');
    expect((await stratum(target, 'db', 'restore', file, '--force')).stderr).toContain('--force does not apply to a server');
  });

  it('the commands of docs/operations.md, by hand: pg_dump -Fc, createdb, pg_restore --no-owner --exit-on-error --single-transaction', async () => {
    const file = path.join(feedDir(), 'by-hand.dump');
    await run('pg_dump', ['--format=custom', `--file=${file}`, source.DATABASE_URL]);
    const target = { DATABASE_URL: await newDatabase() };
    await run('pg_restore', ['--no-owner', '--exit-on-error', '--single-transaction', `--dbname=${target.DATABASE_URL}`, file]);
    expect(await stats(target)).toEqual(sourceStats);
  });
});
