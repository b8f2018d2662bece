import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/** `stratum profile export [--date D]`: every customer's profile completeness as CSV (issue 23 §2), audited. */
export function registerProfile(program: Command): void {
  const profile = program.command('profile').description("customers' profiles (客户信息梳理): completeness of the 9 fields");
  profile
    .command('export')
    .description('write customer_id,completeness,missing as CSV to standard output: every active customer, completeness = filled ÷ 9 (two decimals), the missing fields separated by ";"')
    .option('--date <date>', 'the business date (default and only choice: the last the batch computed completeness for)')
    .action(async (opts: { date?: string }, cmd: Command) => {
      if (opts.date && !isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { exportProfileCsv } = await import('../features/profile/profile.export.js');
      await withDb(config, async (db) => {
        const r = await exportProfileCsv(db, { date: opts.date, by: process.env.USER ?? null });
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write(r.csv);
      });
    });
}
