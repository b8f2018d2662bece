import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { backupEmbedded, backupServer, restoreEmbedded, restoreServer, serverCommands, tableRowCounts } from '../platform/backup.js';
import { placements } from '../platform/citus.js';
import { pgliteDir } from '../platform/config.js';
import { redactUrl } from '../platform/db.js';
import { migrate, resetDatabase } from '../platform/migrate.js';
import { describeRelease } from '../platform/releases.js';
import { configFrom, describeDb, openConfiguredDb, withDb, type GlobalOptions } from './context.js';
import { count, seconds, table, wan } from './format.js';
import { progressBar } from './progress.js';

const megabytes = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`);

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database: migrate, reset, stats, backup, restore');

  db.command('migrate')
    .description('apply the migrations this database has not had yet (also done on every start)')
    .action(async (_o: unknown, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const conn = await openConfiguredDb(config);
      try {
        const applied = await migrate(conn);
        console.log(
          applied.length
            ? `Applied ${applied.length} migration(s) to the ${describeDb(conn)}: ${applied.join(', ')}`
            : `The ${describeDb(conn)} is up to date; nothing to apply.`,
        );
        if (conn.citus) {
          // where each table is: customers' data spread over the workers, small tables on every node
          const placed = await conn.session((s) => placements(s));
          const of = (p: string) => placed.filter((t) => t.placement === p).map((t) => t.table);
          console.log(`Distributed by customer_id over the workers (${of('distributed').length}): ${of('distributed').join(', ')}`);
          console.log(`Reference tables, copied to every node (${of('reference').length}): ${of('reference').join(', ')}`);
          console.log(`On the coordinator only (${of('coordinator').length}): ${of('coordinator').join(', ')}`);
        }
      } finally {
        await conn.close();
      }
    });

  db.command('reset')
    .description('delete all of Stratum\'s data and recreate the empty schema')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (opts: { yes?: boolean }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const conn = await openConfiguredDb(config);
      try {
        const where = describeDb(conn);
        if (!opts.yes) {
          if (!process.stdin.isTTY) throw new Error(`db reset deletes everything in the ${where}; add --yes to confirm`);
          if (!(await confirm(`Delete everything in the ${where}?`))) {
            console.log('Nothing was deleted.');
            return;
          }
        }
        await resetDatabase(conn);
        const applied = await migrate(conn);
        console.log(`Reset the ${where}: all data deleted, ${applied.length} migration(s) applied to the empty schema.`);
      } finally {
        await conn.close();
      }
    });

  db.command('stats')
    .description('rows per table, and per loaded business date its customers and total AUM')
    .option('--json', 'print JSON for machines')
    .option('--all', 'rows of every table of the schema, not only the feed\'s (what a restore is checked with)')
    .action(async (opts: { json?: boolean; all?: boolean }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { databaseStats } = await import('../features/stats/stats.service.js');
      await withDb(config, async (conn) => {
        const feed = await databaseStats(conn);
        // --all: every table of the schema (work, audit, sessions…), not only the feed's
        const stats: { tables: Record<string, number> } & Omit<typeof feed, 'tables'> = opts.all
          ? { ...feed, tables: await conn.session((s) => tableRowCounts(s)) }
          : feed;
        if (opts.json) {
          console.log(JSON.stringify(stats, null, 2));
          return;
        }
        console.log(`Stratum, ${describeDb(conn)}\n`);
        console.log(table([['table', 'rows'], ...Object.entries(stats.tables).map(([t, n]) => [t, count(n)])]));
        console.log('');
        if (!stats.businessDates.length) {
          console.log('No business date loaded yet: `stratum load <folder>` or `npm run demo`.');
          return;
        }
        console.log(
          table([
            ['business date', 'mode', 'customers', 'total AUM'],
            ...stats.businessDates.map((d) => [d.businessDate, d.mode, count(d.customers), wan(d.totalAum)]),
          ]),
        );
      });
    });

  db.command('backup <file>')
    .description('back up the database into FILE: the embedded one as a compressed copy of its folder; on a server, pg_dump --format=custom')
    .addHelpText(
      'after',
      `
The embedded database must not be open in another process (stop \`stratum serve\` first): PGlite
takes no lock, and a copy taken while it writes would be damaged. FILE must not exist yet; it is
written under a temporary name and renamed when complete. On a PostgreSQL server (DATABASE_URL),
pg_dump (of the server's major version) must be installed; on a Citus cluster back up every node
(docs/operations.md).`,
    )
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const started = Date.now();
      if (config.databaseUrl) {
        const r = await backupServer(config.databaseUrl, file);
        console.log(
          `Backed up the database at ${redactUrl(config.databaseUrl)} with pg_dump to ${r.file} (${megabytes(r.size)}, ${describeRelease(r.migrations)}) ` +
            `in ${seconds((Date.now() - started) / 1000)} s.`,
        );
        const how = serverCommands(config.databaseUrl, file);
        console.log(`To restore it into a new, empty database: ${how.createdb}, then DATABASE_URL pointing at it and \`stratum db restore ${file}\` (or: ${how.restore}).`);
        return;
      }
      const bar = progressBar('MB');
      let r;
      try {
        r = await backupEmbedded(pgliteDir(config), file, (done, total, label) => bar.update(done, total, label));
      } finally {
        bar.stop();
      }
      const m = r.manifest;
      const rows = Object.values(m.tables).reduce((a, b) => a + b, 0);
      console.log(
        `Backed up the embedded database in ${pgliteDir(config)} to ${r.file} (${megabytes(r.size)}, from ${megabytes(m.bytes)}) ` +
          `in ${seconds((Date.now() - started) / 1000)} s.`,
      );
      console.log(
        `It holds ${m.release}, ${count(Object.keys(m.tables).length)} tables, ${count(rows)} rows, ` +
          `${m.latestBusinessDate ? `latest business date ${m.latestBusinessDate}` : 'no business date loaded'}.`,
      );
    });

  db.command('restore <file>')
    .description('restore a backup made by `stratum db backup` into the embedded database (a server: into a new, empty database)')
    .option('--force', 'replace the embedded database that is there (removed once the restore has succeeded)')
    .addHelpText(
      'after',
      `
The backup is written into a new folder beside the data folder, opened and checked (every
table's rows as backed up), and only then put in its place: a failed restore leaves what was
there as it was. Migrations newer than the backup are applied the next time Stratum opens the
database (any command, \`stratum serve\`, or \`stratum db migrate\` at once). On a PostgreSQL
server (DATABASE_URL) the file is a pg_dump archive restored with pg_restore into an empty database.`,
    )
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const started = Date.now();
      const pending = (names: string[]) =>
        names.length
          ? `${names.length} migration(s) newer than the backup (${names.join(', ')}) will be applied the next time Stratum opens the database (or now: stratum db migrate).`
          : 'It is up to date with this version of Stratum; no migration is pending.';
      if (config.databaseUrl) {
        if (opts.force) throw new Error('--force does not apply to a server: a server database is never replaced in place; restore into a new, empty database');
        const r = await restoreServer(config.databaseUrl, file);
        console.log(`Restored ${file} into the database at ${redactUrl(config.databaseUrl)} (${describeRelease(r.migrations)}) in ${seconds((Date.now() - started) / 1000)} s.`);
        console.log(pending(r.pending));
        return;
      }
      const bar = progressBar('MB');
      let r;
      try {
        r = await restoreEmbedded(file, pgliteDir(config), { force: opts.force ?? false, onProgress: (done, total, label) => bar.update(done, total, label) });
      } finally {
        bar.stop();
      }
      const m = r.manifest;
      const rows = Object.values(m.tables).reduce((a, b) => a + b, 0);
      console.log(
        `Restored ${file} (backed up ${m.createdAt} by Stratum ${m.stratumVersion}) into ${r.dataDir}${r.replaced ? ', replacing the database that was there' : ''}, ` +
          `in ${seconds((Date.now() - started) / 1000)} s.`,
      );
      console.log(
        `Checked: ${count(Object.keys(m.tables).length)} tables, ${count(rows)} rows, as backed up; ${m.release}; ` +
          `${m.latestBusinessDate ? `latest business date ${m.latestBusinessDate}` : 'no business date loaded'}.`,
      );
      console.log(pending(r.pending));
    });
}
