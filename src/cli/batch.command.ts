import type { Command } from 'commander';
import { configFrom, withDb, type GlobalOptions } from './context.js';
import { count, seconds } from './format.js';
import { progressBar } from './progress.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

export function registerBatch(program: Command): void {
  const batch = program.command('batch').description('the daily batch: tiering (facts, every published model and tag) for a business date');
  batch
    .command('run')
    .description('the daily batch for a business date (default: the latest loaded): tiering (facts, every published model and tag), then each later step; dates run in order, a rerun of the last date replaces it')
    .option('--date <date>', 'the business date (YYYY-MM-DD)')
    .action(async (opts: { date?: string }, cmd: Command) => {
      if (opts.date && !isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { recordedBatch } = await import('../features/operations/runs.record.js');
      const { latestLoadedDate } = await import('../features/system/system.service.js');
      await withDb(config, async (db) => {
        const date = opts.date ?? (await latestLoadedDate(db));
        if (!date) throw new Error('no business date has been loaded yet: run `stratum load <folder>` first');
        const bar = progressBar('steps');
        const t0 = performance.now();
        const { steps } = await recordedBatch(db, date, { startedBy: 'cli', onProgress: (p) => bar.update(p.done, p.total, `${p.step}${p.detail ? `: ${p.detail}` : ''}`) });
        bar.stop();
        console.log(`Daily batch for ${date}:`);
        for (const st of steps) console.log(`  ${st.step.padEnd(12)} ${seconds(st.seconds).padStart(7)} s  ${st.summary}`);
        console.log(`done in ${seconds((performance.now() - t0) / 1000)} s`);
      });
    });
}

export function registerTiers(program: Command): void {
  const tiers = program.command('tiers').description("customers' tiers under each model");
  tiers
    .command('export')
    .description('write customer_id,tier,since as CSV to standard output: every customer\'s tier under a model as of a date')
    .requiredOption('--model <model>', 'aum_band, savings_grade, value_tier, relationship_tier, or tags.<group> (life_stage, needs, behaviour, channel)')
    .option('--date <date>', 'as of this business date (default: the latest evaluated)')
    .action(async (opts: { model: string; date?: string }, cmd: Command) => {
      if (opts.date && !isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { tiersAsOf } = await import('../features/tiering/tiering.batch.js');
      await withDb(config, async (db) => {
        const known = await db.session((s) => s.query<{ model: string; last: string }>('SELECT model, max(business_date) AS last FROM tier_runs GROUP BY model ORDER BY model'));
        const run = known.rows.find((r) => r.model === opts.model);
        if (!run) {
          const list = known.rows.map((r) => r.model).join(', ');
          throw new Error(list ? `no model '${opts.model}' has been evaluated; evaluated models: ${list}` : 'no business date has been evaluated yet: run `stratum batch run` first');
        }
        const date = opts.date ?? run.last;
        // `… | head` closes the pipe early: that is the reader's choice, not an error
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write('customer_id,tier,since\n');
        for await (const rows of tiersAsOf(db, opts.model, date)) {
          const ok = process.stdout.write(rows.map((r) => `${r.customer_id},${r.tier},${r.since}`).join('\n') + '\n');
          if (!ok) await new Promise((resolve) => process.stdout.once('drain', resolve));
        }
        // an export from the command line is audited too (no login: the operating-system user)
        await (await import('../platform/audit.js')).recordAuditDb(db, { actor: null, action: 'export', outcome: 'allowed', detail: { what: 'tiers', model: opts.model, date, via: 'cli', by: process.env.USER ?? null } });
      });
    });
}
