import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configFrom, withDb, type GlobalOptions } from './context.js';

export function registerPolicy(program: Command): void {
  const policy = program.command('policy').description('tiering policies: versions, checking, publishing');

  policy
    .command('list')
    .description('every version of every policy: who published it, when, why, and from which business date it applies')
    .option('--model <model>', 'only this model')
    .action(async (opts: { model?: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { policyVersions } = await import('../features/tiering/tiering.policies.js');
      const versions = await withDb(config, (db) => policyVersions(db, opts.model));
      for (const v of versions) {
        console.log(`${v.model.padEnd(18)} v${String(v.version).padEnd(3)} from ${v.effectiveFrom}  by ${v.publishedBy} at ${v.publishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${v.reason}`);
      }
    });

  policy
    .command('show')
    .description('print a version of a policy as YAML (default: the newest), to edit and publish again')
    .argument('<model>')
    .option('--version <n>', 'the version', (v) => Number(v))
    .action(async (model: string, opts: { version?: number }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { policyVersions } = await import('../features/tiering/tiering.policies.js');
      const versions = await withDb(config, (db) => policyVersions(db, model));
      const v = opts.version === undefined ? versions.at(-1) : versions.find((x) => x.version === opts.version);
      if (!v) throw new Error(versions.length ? `${model} has versions ${versions.map((x) => x.version).join(', ')}, not ${opts.version}` : `there is no policy '${model}'`);
      process.stdout.write(`# ${v.model} version ${v.version}, from ${v.effectiveFrom}, by ${v.publishedBy}: ${v.reason}\n${stringify(v.document)}`);
    });

  policy
    .command('check')
    .description('check a policy file (YAML or JSON) and list every problem with where it is')
    .argument('<file>')
    .action(async (file: string) => {
      const { readPolicyFile } = await import('../features/tiering/tiering.policies.js');
      const { checkPolicy } = await import('../features/tiering/tiering.policy.js');
      const read = readPolicyFile(file);
      const problems = read.problems.length ? read.problems : checkPolicy(read.document).problems;
      if (problems.length) {
        console.error(`${file} is not a valid policy (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
        for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
        process.exitCode = 1;
        return;
      }
      console.log(`${file} is a valid policy.`);
    });

  policy
    .command('simulate')
    .description('what a draft policy would do on a business date, changing nothing: customers and AUM per tier, and the moves from the published version')
    .argument('<file>')
    .option('--date <date>', 'the business date (default: the latest loaded)')
    .action(async (file: string, opts: { date?: string }, cmd: Command) => {
      if (opts.date && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { readPolicyFile } = await import('../features/tiering/tiering.policies.js');
      const { simulatePolicy } = await import('../features/tiering/tiering.simulate.js');
      const { latestLoadedDate } = await import('../features/system/system.service.js');
      const read = readPolicyFile(file);
      if (read.problems.length) throw new Error(`${file} ${read.problems[0]?.message}`);
      const r = await withDb(config, async (db) => {
        const date = opts.date ?? (await latestLoadedDate(db));
        if (!date) throw new Error('no business date has been loaded yet');
        return simulatePolicy(db, read.document, date);
      });
      console.log(`Simulation on ${r.businessDate} (${r.customers.toLocaleString('en-US')} customers); nothing was changed.`);
      for (const m of r.models) {
        console.log(`\n${m.model} (draft against ${m.publishedVersion ? `published version ${m.publishedVersion}` : 'nothing published'}): ${m.moved.toLocaleString('en-US')} customers would change tier`);
        for (const t of m.tiers) console.log(`  ${t.tier.padEnd(20)} ${t.customers.toLocaleString('en-US').padStart(10)} customers  AUM ${Number(t.aum).toLocaleString('en-US', { minimumFractionDigits: 2 })}`);
        const moves = m.migration.filter((x) => x.from !== x.to);
        if (moves.length) {
          console.log('  moves (published → draft):');
          for (const x of moves) console.log(`    ${(x.from ?? '(none)').padEnd(18)} → ${x.to.padEnd(18)} ${x.customers.toLocaleString('en-US').padStart(10)}`);
        }
      }
    });

  policy
    .command('publish')
    .description("publish a policy file as its model's next version")
    .argument('<file>')
    .requiredOption('--reason <text>', 'why it changes (kept with the version)')
    .requiredOption('--effective-from <date>', 'the first business date it applies to')
    .option('--by <name>', 'who publishes it (default: the operating-system user)')
    .action(async (file: string, opts: { reason: string; effectiveFrom: string; by?: string }, cmd: Command) => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.effectiveFrom)) throw new Error(`--effective-from must be a date like 2026-12-01, not '${opts.effectiveFrom}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { readPolicyFile, publishPolicy } = await import('../features/tiering/tiering.policies.js');
      const read = readPolicyFile(file);
      if (read.problems.length) throw new Error(`${file} ${read.problems[0]?.message}`);
      const by = opts.by ?? process.env.USER ?? 'unknown';
      const { recordAuditDb } = await import('../platform/audit.js');
      const v = await withDb(config, async (db) => {
        const published = await publishPolicy(db, read.document, { publishedBy: by, reason: opts.reason, effectiveFrom: opts.effectiveFrom });
        await recordAuditDb(db, { actor: null, action: 'policy_publish', outcome: 'allowed', reason: opts.reason, detail: { model: published.model, version: published.version, effectiveFrom: opts.effectiveFrom, via: 'cli', by } });
        return published;
      });
      console.log(`Published ${v.model} version ${v.version}, in effect from ${v.effectiveFrom}.`);
    });
}
