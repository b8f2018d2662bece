import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { placements } from '../platform/citus.js';
import { migrate, resetDatabase } from '../platform/migrate.js';
import { configFrom, describeDb, openConfiguredDb, withDb, type GlobalOptions } from './context.js';
import { count, table, wan } from './format.js';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database: migrate, reset, stats');

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
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { databaseStats } = await import('../features/stats/stats.service.js');
      await withDb(config, async (conn) => {
        const stats = await databaseStats(conn);
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
}
