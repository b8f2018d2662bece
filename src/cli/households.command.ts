import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `stratum households export [--date D]`: the households as CSV (issue 23 §1), audited as exports are. */
export function registerHouseholds(program: Command): void {
  const households = program.command('households').description('households (家庭): customers joined by family relations');
  households
    .command('export')
    .description(
      'write household_id,customer_id,relation_to_head,household_aum,household_band as CSV to standard output: every member of every household of the business date (default: the last one the daily batch computed), by household, the head first',
    )
    .option('--date <date>', 'the business date (YYYY-MM-DD)')
    .action(async (opts: { date?: string }, cmd: Command) => {
      if (opts.date !== undefined && !isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { exportHouseholds, HOUSEHOLDS_CSV_COLUMNS } = await import('../features/households/households.report.js');
      await withDb(config, async (db) => {
        const { date, rows } = await exportHouseholds(db, opts.date ?? null);
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write(`${HOUSEHOLDS_CSV_COLUMNS.join(',')}\n`);
        for (const r of rows) process.stdout.write(`${HOUSEHOLDS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`);
        await (await import('../platform/audit.js')).recordAuditDb(db, {
          actor: null,
          action: 'export',
          customerIds: rows.map((r) => r.customer_id),
          outcome: 'allowed',
          detail: { what: 'households', date, rows: rows.length, via: 'cli', by: process.env.USER ?? null },
        });
      });
    });
}
