import type { Command } from 'commander';
import { stringify } from 'yaml';
import { configFrom, withDb, type GlobalOptions } from './context.js';

const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function registerEvents(program: Command): void {
  const events = program.command('events').description('events the daily batch detected (birthdays, large flows, maturities, cards, tier changes…) and their policy');

  events
    .command('export')
    .description('write customer_id,event,subject,kind as CSV to standard output: every event detected for a business date')
    .requiredOption('--date <date>', 'the business date (YYYY-MM-DD)')
    .action(async (opts: { date: string }, cmd: Command) => {
      if (!isDate(opts.date)) throw new Error(`--date must be a date like 2026-11-20, not '${opts.date}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { eventsOf } = await import('../features/events/events.batch.js');
      await withDb(config, async (db) => {
        const runs = await db.session((s) => s.query<{ last: string | null; has: boolean }>('SELECT max(business_date) AS last, bool_or(business_date = $1::date) AS has FROM event_runs', [opts.date]));
        const run = runs.rows[0];
        if (!run?.has) {
          throw new Error(run?.last ? `events have not been detected for ${opts.date} (the latest detected business date is ${run.last})` : 'events have not been detected for any date yet: run `stratum batch run` first');
        }
        // `… | head` closes the pipe early: that is the reader's choice, not an error
        process.stdout.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'EPIPE') process.exit(0);
          throw e;
        });
        process.stdout.write('customer_id,event,subject,kind\n');
        for await (const rows of eventsOf(db, opts.date)) {
          const ok = process.stdout.write(rows.map((r) => [r.customer_id, r.event, r.subject, r.kind].map(csvCell).join(',')).join('\n') + '\n');
          if (!ok) await new Promise((resolve) => process.stdout.once('drain', resolve));
        }
        // an export from the command line is audited too (no login: the operating-system user)
        await (await import('../platform/audit.js')).recordAuditDb(db, { actor: null, action: 'export', outcome: 'allowed', detail: { what: 'events', date: opts.date, via: 'cli', by: process.env.USER ?? null } });
      });
    });

  const policy = events.command('policy').description('the events policy (thresholds, contact frequency, plan order): versions, checking, publishing');
  policy
    .command('list')
    .description('every version: who published it, when, why, and from which business date it applies')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { eventsPolicyVersions } = await import('../features/events/events.policies.js');
      for (const v of await withDb(config, (db) => eventsPolicyVersions(db))) {
        console.log(`events v${String(v.version).padEnd(3)} from ${v.effectiveFrom}  by ${v.publishedBy} at ${v.publishedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${v.reason}`);
      }
    });
  policy
    .command('show')
    .description('print a version as YAML (default: the newest), to edit and publish again')
    .option('--version <n>', 'the version', (v) => Number(v))
    .action(async (opts: { version?: number }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { eventsPolicyVersions } = await import('../features/events/events.policies.js');
      const versions = await withDb(config, (db) => eventsPolicyVersions(db));
      const v = opts.version === undefined ? versions.at(-1) : versions.find((x) => x.version === opts.version);
      if (!v) throw new Error(`the events policy has versions ${versions.map((x) => x.version).join(', ')}, not ${opts.version}`);
      process.stdout.write(`# events version ${v.version}, from ${v.effectiveFrom}, by ${v.publishedBy}: ${v.reason}\n${stringify(v.document)}`);
    });
  policy
    .command('check')
    .description('check an events policy file (YAML or JSON) and list every problem with where it is')
    .argument('<file>')
    .action(async (file: string) => {
      const { readPolicyFile } = await import('../features/tiering/tiering.policies.js');
      const { checkEventsPolicy } = await import('../features/events/events.policy.js');
      const read = readPolicyFile(file);
      const problems = read.problems.length ? read.problems : checkEventsPolicy(read.document).problems;
      if (problems.length) {
        console.error(`${file} is not a valid events policy (${problems.length} problem${problems.length > 1 ? 's' : ''}):`);
        for (const p of problems) console.error(`  ${p.path}: ${p.message}`);
        process.exitCode = 1;
        return;
      }
      console.log(`${file} is a valid events policy.`);
    });
  policy
    .command('publish')
    .description('publish an events policy file as the next version')
    .argument('<file>')
    .requiredOption('--reason <text>', 'why it changes (kept with the version)')
    .requiredOption('--effective-from <date>', 'the first business date it applies to')
    .option('--by <name>', 'who publishes it (default: the operating-system user)')
    .action(async (file: string, opts: { reason: string; effectiveFrom: string; by?: string }, cmd: Command) => {
      if (!isDate(opts.effectiveFrom)) throw new Error(`--effective-from must be a date like 2026-12-01, not '${opts.effectiveFrom}'`);
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { readPolicyFile } = await import('../features/tiering/tiering.policies.js');
      const { publishEventsPolicy } = await import('../features/events/events.policies.js');
      const read = readPolicyFile(file);
      if (read.problems.length) throw new Error(`${file} ${read.problems[0]?.message}`);
      const by = opts.by ?? process.env.USER ?? 'unknown';
      const v = await withDb(config, (db) => publishEventsPolicy(db, read.document, { publishedBy: by, reason: opts.reason, effectiveFrom: opts.effectiveFrom }));
      console.log(`Published events version ${v.version}, in effect from ${v.effectiveFrom}.`);
    });
}
