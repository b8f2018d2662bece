import { Command } from 'commander';
import { registerAudit } from './audit.command.js';
import { registerCampaign } from './campaign.command.js';
import { registerSms } from './sms.command.js';
import { registerBatch, registerTiers } from './batch.command.js';
import { registerDaily } from './daily.command.js';
import { registerDb } from './db.command.js';
import { registerPolicy } from './policy.command.js';
import { registerDemo } from './demo.command.js';
import { registerEvents } from './events.command.js';
import { registerSignings } from './signings.command.js';
import { registerComplaints } from './complaints.command.js';
import { registerHouseholds } from './households.command.js';
import { registerProfile } from './profile.command.js';
import { registerSuitability } from './suitability.command.js';
import { registerOpportunities } from './opportunities.command.js';
import { registerLoad } from './load.command.js';
import { registerReport } from './report.command.js';
import { registerServe } from './serve.command.js';
import { registerUser } from './user.command.js';

const program = new Command('stratum')
  .description('Stratum: customer tiering and relationship management for retail bank branches')
  .option('--data-dir <dir>', 'folder of the embedded database and the demo feed (default: STRATUM_DATA_DIR or ./data); ignored when DATABASE_URL is set for the database')
  .showHelpAfterError()
  .addHelpText(
    'after',
    `
Environment:
  DATABASE_URL       a PostgreSQL server (postgres://user@host:5432/db); unset: the embedded database
  STRATUM_DATA_DIR   Stratum's folder (default ./data): the embedded database and the demo feed
  PORT, HOST         where \`stratum serve\` listens (default 3000, 127.0.0.1)
  STRATUM_SESSION_IDLE_MINUTES   sign-out after this many idle minutes (default 30)
  STRATUM_LOCK_MINUTES           how long five wrong passwords lock an account (default 15)
  STRATUM_INBOX                  the folder the bank drops its date folders into (stratum daily, serve --daily-at)
  STRATUM_SMS_URL, STRATUM_SMS_TOKEN, STRATUM_SMS_WEBHOOK_SECRET   the SMS gateway (docs/sms-gateway.md)

Start with:  npm run demo`,
  );

registerLoad(program);
registerDemo(program);
registerDb(program);
registerServe(program);
registerUser(program);
registerBatch(program);
registerComplaints(program);
registerHouseholds(program);
registerProfile(program);
registerDaily(program);
registerTiers(program);
registerPolicy(program);
registerEvents(program);
registerSignings(program);
registerSuitability(program);
registerOpportunities(program);
registerAudit(program);
registerReport(program);
registerCampaign(program);
registerSms(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // A clear sentence rather than a stack trace; the stack is there for developers on request.
  console.error(`stratum: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.STRATUM_DEBUG && e instanceof Error) console.error(e.stack);
  process.exitCode = process.exitCode || 1;
}
