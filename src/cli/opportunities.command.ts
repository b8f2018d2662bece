import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

export function registerOpportunities(program: Command): void {
  const opportunities = program.command('opportunities').description('opportunities (商机): customers’ and prospects’, with their stage, next step and status');

  opportunities
    .command('export')
    .description(
      'write every opportunity as CSV to standard output: opportunity_id,customer_id,prospect_id,owner_id,branch_id,source,target_type,target_code,stage,status,' +
        'expected_amount,next_step,next_step_on,stage_since,created_on,closed_on,lost_reason,notes (status: open, stale, won or lost on the latest business date); ' +
        'with --from/--to only those alive in the period (created by --to, not closed before --from)',
    )
    .option('--from <date>', 'first day of the period (YYYY-MM-DD)')
    .option('--to <date>', 'last day of the period (YYYY-MM-DD)')
    .action(async (opts: { from?: string; to?: string }, cmd: Command) => {
      for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
        if (v !== undefined && !isDate(v)) throw new Error(`${name} must be a date like 2026-11-20, not '${v}'`);
      }
      if (opts.from && opts.to && opts.from > opts.to) throw new Error(`--from ${opts.from} is after --to ${opts.to}`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { writeOpportunityCsv } = await import('../features/opportunities/opportunities.sheet.js');
      await withDb(config, async (db) => {
        // `… | head` closes the pipe early: that is the reader's choice, not an error
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        const written = await writeOpportunityCsv(db, { from: opts.from, to: opts.to }, async (text) => {
          if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
        });
        // an export from the command line is audited too (no login: the operating-system user)
        await (await import('../platform/audit.js')).recordAuditDb(db, {
          actor: null,
          action: 'export',
          outcome: 'allowed',
          customerIds: written.customerIds,
          fields: [],
          detail: { what: 'opportunities', from: opts.from ?? null, to: opts.to ?? null, rows: written.rows, via: 'cli', by: process.env.USER ?? null },
        });
      });
    });
}
