import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { GenerateOptions } from '../features/demo/demo.generate.js';
import { demoFeedDir } from '../platform/config.js';
import type { StaffRole } from '../platform/schema.js';
import { configFrom, describeDb, openMigratedDb, type GlobalOptions } from './context.js';
import { count, seconds } from './format.js';
import { serveUntilStopped } from './serve.command.js';
import { loadFolders } from './load.command.js';
import { progressBar } from './progress.js';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of 1 or more, not '${v}'`);
  return n;
};
const anyInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, not '${v}'`);
  return n;
};

async function generate(opts: GenerateOptions): Promise<void> {
  const { generateDemoBank } = await import('../features/demo/demo.generate.js');
  const bar = progressBar('rows');
  const summary = await generateDemoBank(opts, (done, total, phase) => bar.update(done, total, phase));
  bar.stop();
  const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
  console.log(
    `Generated ${summary.folders.length} business date folder(s) in ${opts.out}: ${count(rows)} rows ` +
      `(${Object.entries(summary.rows).map(([f, n]) => `${f} ${count(n)}`).join(', ')}) in ${seconds(summary.seconds)} s`,
  );
}

const ROLE_NAMES: Record<StaffRole, [string, string]> = {
  branch_head: ['branch head', '网点负责人'],
  cm_supervisor: ['CM supervisor', '客户经理主管'],
  customer_manager: ['customer manager', '个人客户经理'],
  lobby_manager: ['lobby manager', '大堂经理'],
  vip_teller: ['VIP counter teller', '低柜柜员'],
  counter_teller: ['counter teller', '高柜柜员'],
  lobby_assistant: ['lobby assistant', '大堂副理'],
  pb_dept: ['personal banking dept.', '个人金融部'],
};

interface DemoRunOptions {
  customers: number;
  days: number;
  seed: number;
  txnsPerDay: number;
  fresh?: boolean;
  serve: boolean;
}

export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('a realistic demo bank: generate its feed, load it');

  demo
    .command('run', { isDefault: true })
    .description('generate a demo bank (if not yet done), load every business date of it, and say what to do next')
    .option('--customers <n>', 'number of customers', positiveInt('customers'), 20_000)
    .option('--days <n>', 'number of business dates', positiveInt('days'), 90)
    .option('--seed <n>', 'random seed: the same seed gives the same bank', anyInt('seed'), 1)
    // most retail customers do not transact every day; this also keeps the demo within two minutes
    .option('--txns-per-day <n>', 'average transactions per customer per day', Number, 0.4)
    .option('--fresh', 'delete the database and the generated feed first')
    .option('--no-serve', 'load only; do not start the server afterwards')
    .action(async (opts: DemoRunOptions, cmd: Command) => {
      const started = performance.now();
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const out = demoFeedDir(config);
      const params = JSON.stringify({ customers: opts.customers, days: opts.days, seed: opts.seed, txnsPerDay: opts.txnsPerDay });
      const marker = path.join(out, 'demo.json');
      if (opts.fresh) {
        rmSync(out, { recursive: true, force: true });
        if (!config.databaseUrl) rmSync(path.join(config.dataDir, 'pglite'), { recursive: true, force: true });
      }
      if (existsSync(marker) && readFileSync(marker, 'utf8') === params) {
        console.log(`Using the demo feed already generated in ${out}`);
      } else {
        rmSync(out, { recursive: true, force: true });
        await generate({ customers: opts.customers, days: opts.days, seed: opts.seed, out, txnsPerCustomerDay: opts.txnsPerDay });
        writeFileSync(marker, params);
      }
      const db = await openMigratedDb(config);
      let serving = false;
      try {
        console.log(`Loading ${opts.days} business dates into the ${describeDb(db)}`);
        const results = await loadFolders(db, out, { brief: true });
        if (results.some((r) => r.outcome === 'refused')) {
          process.exitCode = 1;
          return;
        }
        // the daily batch for the latest date, unless it already ran for it
        const { runDailyBatch } = await import('../batch/batch.pipeline.js');
        const { recordedBatch } = await import('../features/operations/runs.record.js');
        const { lastEvaluatedDate } = await import('../features/tiering/tiering.sql.js');
        const latest = results.at(-1)?.businessDate;
        if (latest && (await db.session((s) => lastEvaluatedDate(s))) !== latest) {
          const bar = progressBar('steps');
          const { steps } = await recordedBatch(db, latest, { startedBy: 'cli', onProgress: (p) => bar.update(p.done, p.total, `${p.step}${p.detail ? `: ${p.detail}` : ''}`) });
          bar.stop();
          for (const st of steps) console.log(`Daily batch for ${latest}, ${st.step}: ${st.summary} (${seconds(st.seconds)} s)`);
        }
        const { ensureDemoLogins, DEMO_PASSWORD } = await import('../features/access/access.demo.js');
        const logins = await ensureDemoLogins(db);
        // owners for every demo login's customers, with some proposals, a claim and referrals left open
        const { seedDemoOwnership } = await import('../features/ownership/ownership.demo.js');
        const seeded = await seedDemoOwnership(db, logins);
        if (seeded) console.log(`Ownership: ${count(seeded.accepted)} proposals accepted by the system; ${seeded.leftOpen} left open for the branch head, with a claim and referrals`);
        // opportunities at every stage for the demo manager (and a colleague), prospects, the branch head's weekly review
        const { seedDemoOpportunities } = await import('../features/opportunities/opportunities.demo.js');
        const opportunities = await seedDemoOpportunities(db, logins);
        if (opportunities) {
          const made = opportunities.owners.map((o) => `${o.opportunities} made for ${o.name} (${o.staffId})`).join(', ');
          const review = opportunities.review;
          console.log(
            `Opportunities: ${made}, with ${opportunities.prospects} prospects; ` +
              (review ? `a weekly review of ${review.date} saved for ${review.name} (${review.staffId}) with ${review.comments} comments` : 'no weekly review (no branch head)'),
          );
        }
        // complaints on the outlet's customers, recorded by the lobby and counter logins and the demo
        // manager: one past its first-response limit on the branch head's red list, one in progress,
        // one closed, one reopened (the complaints step below escalates as well)
        const { seedDemoComplaints } = await import('../features/serving/complaints.demo.js');
        const complaints = await seedDemoComplaints(db, logins);
        if (complaints) {
          const status = (st: string) => complaints.complaints.filter((c) => c.status === st).length;
          const recorders = new Set(complaints.complaints.map((c) => c.recordedBy)).size;
          console.log(
            `Complaints: ${complaints.complaints.length} recorded by ${recorders} staff (${[...new Set(complaints.complaints.map((c) => c.channel))].join(', ')}): ` +
              `${status('responded')} in progress, ${status('reopened')} reopened, ${status('closed')} closed; ` +
              (complaints.head ? `${complaints.head.escalated} past a limit on the red list of ${complaints.head.name} (${complaints.head.staffId})` : 'no branch head for the red list'),
          );
        }
        // birthday greetings for the owners' customers: the first batch ran before there were owners
        const { seedDemoGreetings } = await import('../features/greetings/greetings.demo.js');
        const greetings = await seedDemoGreetings(db, logins);
        if (greetings) {
          const p = greetings.prepared;
          console.log(
            (p.recipients
              ? `Greetings: ${p.birthdayCampaigns} birthday and ${p.festivalCampaigns} festival greetings prepared for ${greetings.businessDate} (${count(p.recipients)} customers added); `
              : `Greetings: nothing new to prepare for ${greetings.businessDate}; `) +
              (greetings.head ? `${greetings.head.drafts} with ${count(greetings.head.recipients)} customers await the approval of ${greetings.head.name} (${greetings.head.staffId})` : 'no branch head to approve them'),
          );
        }
        // a wealth salon a week ahead, its invitees called by their owners, three yes and one no
        const { seedDemoGathering } = await import('../features/gatherings/gatherings.demo.js');
        const gathering = await seedDemoGathering(db, logins);
        if (gathering) {
          console.log(
            `Relationship events: '${gathering.title}' on ${gathering.startsAt.replace('T', ' ')} held by ${gathering.head.name} (${gathering.head.staffId}): ` +
              `${gathering.invited} invited through their owners' call lists, ${gathering.accepted} accepted, ${gathering.declined} declined`,
          );
        }
        if (seeded || opportunities || complaints) {
          // reminders and contact plans go to owners, and the opportunities step reminds of next
          // steps due and stale opportunities: now that there are both, make them again (the worklist
          // and every step after it)
          const worklistDate = await db.session((s) => lastEvaluatedDate(s));
          if (worklistDate) {
            const steps = await runDailyBatch(db, worklistDate, undefined, { from: 'worklist' });
            for (const st of steps) console.log(`Daily batch for ${worklistDate}, ${st.step} again: ${st.summary} (${seconds(st.seconds)} s)`);
          }
        }
        // a walk-in handed by the lobby manager to the demo manager (现场分配), a task on their My day:
        // after the reruns above (the worklist step replaces the reminders first made on its date)
        const { seedDemoHandover } = await import('../features/serving/counter.demo.js');
        const handover = await seedDemoHandover(db, logins);
        if (handover) console.log(`Counter: customer ${handover.customerId} handed by ${handover.from.name} (${handover.from.staffId}) to ${handover.to.name} (${handover.to.staffId}), a task on their "My day"`);
        const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${config.port}/`;
        console.log(`
The demo bank is loaded (${seconds((performance.now() - started) / 1000)} s).

Demo logins (password ${DEMO_PASSWORD} for each, unless you changed it):
${logins.map((l) => `  ${l.login.padEnd(8)}  ${ROLE_NAMES[l.role][0].padEnd(24)}  ${ROLE_NAMES[l.role][1]}  ${l.name}, ${l.branch}`).join('\n')}

Sign in as the customer manager: "My day" shows the reminders of their customers and the contact
plan for the next working day, "My opportunities" (我的商机) their opportunities at every stage;
the branch head reviews every plan under "Contact plans" and the week's opportunities under
"Weekly review" (商机周检视), the complaints past their limits under "Escalations and report"
(投诉升级与统计), approves the birthday greetings under "Greetings" (祝福短信) and follows the
wealth salon's answers and arrivals under "Relationship events" (客户活动).

Also:
  npx stratum db stats          what was loaded: rows per table, customers and AUM per business date
  npx stratum load <folder>     load a bank's own feed (its files: docs/feed-format.md)
  npx stratum --help            every command`);
        if (opts.serve) {
          // short messages through the fake SMS gateway (unless a real one is set): a demo campaign delivered
          const { startDemoGateway, sendDemoCampaign, DEMO_CAMPAIGN } = await import('../features/outreach/sms.demo.js');
          const gateway = await startDemoGateway(url);
          console.log(`\nOpen ${url} and sign in with one of the logins above.`);
          await serveUntilStopped(db, config);
          serving = true;
          if (gateway) console.log(`The fake SMS gateway runs at ${gateway.url} (docs/sms-gateway.md).`);
          try {
            const sms = await sendDemoCampaign(db);
            console.log(`Messages: the campaign '${DEMO_CAMPAIGN}' went through it to ${sms.recipients} customers: ${sms.delivered} delivered.`);
          } catch (e) {
            console.log(`Messages: the demo campaign was not sent (${e instanceof Error ? e.message : String(e)}).`);
          }
        }
      } finally {
        if (!serving) await db.close();
      }
    });

  demo
    .command('generate')
    .description('write a demo bank as feed folders, in the format the loader reads')
    .requiredOption('--out <dir>', 'folder to write the business-date folders into')
    .option('--customers <n>', 'number of customers', positiveInt('customers'), 20_000)
    .option('--days <n>', 'number of business dates (days of transactions)', positiveInt('days'), 90)
    .option('--seed <n>', 'random seed: the same seed gives the same files', anyInt('seed'), 1)
    .option('--end-date <date>', 'the last business date (YYYY-MM-DD)', '2026-11-20')
    .option('--layout <layout>', "'daily': a full first day then one delta folder per day; 'single': one full folder carrying all days of transactions; 'history': one full folder for the day before the last carrying its days of transactions, then a delta for the last day", 'daily')
    .option('--txns-per-day <n>', 'average transactions per customer per day', Number, 1)
    .action(async (opts: { out: string; customers: number; days: number; seed: number; endDate: string; layout: string; txnsPerDay: number }) => {
      if (opts.layout !== 'daily' && opts.layout !== 'single' && opts.layout !== 'history') throw new Error(`--layout must be 'daily', 'single' or 'history', not '${opts.layout}'`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.endDate)) throw new Error(`--end-date must be a date like 2026-11-20, not '${opts.endDate}'`);
      await generate({
        customers: opts.customers,
        days: opts.days,
        seed: opts.seed,
        out: path.resolve(opts.out),
        endDate: opts.endDate,
        layout: opts.layout,
        txnsPerCustomerDay: opts.txnsPerDay,
      });
    });
}
