import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

export function registerReport(program: Command): void {
  const report = program.command('report').description('reports for the branch heads and the personal banking department, as CSV');

  report
    .command('managers')
    .description(
      'manager performance (管户业绩统计) from business date A to B, a line per staff member, as CSV to standard output; first columns: ' +
        'staff_id,customers,aum_end,aum_start,deposits_end,deposits_start,signed,contacts,plan_done,plan_items,up_moves,down_moves,churned ' +
        '(money in yuan with 2 decimals), then name,role,branch_id,financial_assets_end,financial_assets_start,churned_aum,time_deposit,wealth,fund,insurance,mobile,' +
        'opportunities_won,opportunities_lost,referrals_sent,referrals_converted. Customers: owned as primary owner on B; balances on A are the same customers’; ' +
        'what staff did counts on the days after A up to B',
    )
    .requiredOption('--from <date>', 'A: a loaded business date (YYYY-MM-DD), the start')
    .requiredOption('--to <date>', 'B: a loaded business date (YYYY-MM-DD), the end')
    .option('--branch <id>', 'only the staff of this branch and the branches under it')
    .action(async (opts: { from: string; to: string; branch?: string }, cmd: Command) => {
      for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (!isDate(v)) throw new Error(`${name} must be a date like 2026-11-20, not '${v}'`);
      }
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { performanceCsv } = await import('../features/managing/performance.sheet.js');
      const { AppError } = await import('../platform/errors.js');
      await withDb(config, async (db) => {
        try {
          const { csv } = await performanceCsv(db, { from: opts.from, to: opts.to, branchId: opts.branch });
          process.stdout.write(csv);
        } catch (e) {
          // the fields say which date was wrong and the nearest loaded ones
          if (e instanceof AppError && e.fields) {
            const why = Object.entries(e.fields).map(([k, v]) => `--${k}: ${typeof v === 'string' ? v : v.en}`).join('; ');
            throw new Error(`${e.message} ${why}`);
          }
          throw e;
        }
      });
    });
}
