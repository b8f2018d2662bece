import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** `stratum complaints export [--from D --to D]`: the complaints as CSV (issue 22 §1), audited as exports are. */
export function registerComplaints(program: Command): void {
  const complaints = program.command('complaints').description('complaints (投诉)');
  complaints
    .command('export')
    .description(
      'write complaint_id,customer_id,channel,received_at,band,first_response_due,resolution_due,first_response_at,resolved_at,status,root_cause as CSV to standard output: every complaint received in the period, oldest first (times in China time, +08:00; customer_id empty for a non-customer)',
    )
    .option('--from <date>', 'complaints received on or after this day (China time, YYYY-MM-DD)')
    .option('--to <date>', 'complaints received on or before this day (China time, YYYY-MM-DD)')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (v !== undefined && !isDate(v)) throw new Error(`${name} must be a date like 2026-11-20, not '${v}'`);
      }
      if (opts.from && opts.to && opts.from > opts.to) throw new Error(`--from ${opts.from} is after --to ${opts.to}`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { exportComplaints, COMPLAINTS_CSV_COLUMNS } = await import('../features/serving/complaints.report.js');
      await withDb(config, async (db) => {
        const rows = await exportComplaints(db, opts.from ?? null, opts.to ?? null);
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write(`${COMPLAINTS_CSV_COLUMNS.join(',')}\n`);
        for (const r of rows) process.stdout.write(`${COMPLAINTS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`);
        await (await import('../platform/audit.js')).recordAuditDb(db, {
          actor: null,
          action: 'export',
          customerIds: rows.map((r) => r.customer_id).filter(Boolean),
          outcome: 'allowed',
          detail: { what: 'complaints', from: opts.from ?? null, to: opts.to ?? null, rows: rows.length, via: 'cli', by: process.env.USER ?? null },
        });
      });
    });
}
