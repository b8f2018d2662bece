import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
export const SIGNINGS_CSV_COLUMNS = ['agreement_no', 'customer_id', 'customer_name', 'qualified_grades', 'applied_grade', 'signed_at', 'status'] as const;

export function registerSignings(program: Command): void {
  const signings = program.command('signings').description('VIP signings and their vouchers (签约凭证)');
  signings
    .command('export')
    .description(
      `write ${SIGNINGS_CSV_COLUMNS.join(',')} as CSV to standard output: every signing voucher, oldest first (qualified_grades separated by spaces; signed_at in China time; status signed or cancelled)`,
    )
    .option('--from <date>', 'vouchers signed on or after this day (China time, YYYY-MM-DD)')
    .option('--to <date>', 'vouchers signed on or before this day (China time, YYYY-MM-DD)')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (v !== undefined && !isDate(v)) throw new Error(`${name} must be a date like 2026-11-20, not '${v}'`);
      }
      if (opts.from && opts.to && opts.from > opts.to) throw new Error(`--from ${opts.from} is after --to ${opts.to}`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { exportVouchers } = await import('../features/selling/signings.service.js');
      await withDb(config, async (db) => {
        const rows = await exportVouchers(db, opts.from ?? null, opts.to ?? null);
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write(`${SIGNINGS_CSV_COLUMNS.join(',')}\n`);
        for (const r of rows) process.stdout.write(`${SIGNINGS_CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`);
        // customers' names leave the system: audited (no login: the operating-system user)
        await (await import('../platform/audit.js')).recordAuditDb(db, {
          actor: null,
          action: 'export',
          customerIds: rows.map((r) => r.customer_id),
          outcome: 'allowed',
          detail: { what: 'signings', from: opts.from ?? null, to: opts.to ?? null, rows: rows.length, via: 'cli', by: process.env.USER ?? null },
        });
      });
    });
}
