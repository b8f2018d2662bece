// npm run bench:sms — a campaign of 100,000 recipients into the fake SMS gateway (issue 21 §3: aim
// ≥ 500 messages/s), against two floors measured in the same run: the plain INSERT of the outbox
// rows (the database's part), and the same 100,000 messages posted raw to the fake gateway in
// requests of 100, 4 at a time (the HTTP part). The campaign does both and more: the rules in SQL
// per batch (consent, do-not-disturb, opt-out, 2 in 7 days), the claim (status sending, phone) in
// one transaction, and the gateway's answers recorded.
//
//   npm run bench:sms -- [--engine pglite|pg] [--recipients 100000]
//
// pg: a new database on STRATUM_BENCH_DATABASE_URL's server (default the test server), dropped after.
import './quiet-logs.js';
import pg from 'pg';
import { fmt, num, opt, timed } from './bench-lib.js';
import { addRecipients, approveCampaign, createCampaign } from '../src/features/outreach/campaign.service.js';
import { startFakeGateway } from '../src/features/outreach/fake-gateway.js';
import { GATEWAY_BATCH, postMessages } from '../src/features/outreach/sms.gateway.js';
import { sendCampaign } from '../src/features/outreach/sms.sender.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';

const engine = opt('engine') ?? 'pglite';
if (engine !== 'pglite' && engine !== 'pg') throw new Error('--engine is pglite or pg');
const N = num('recipients', 100_000);
const AIM = 500;
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = 'stratum_bench_sms';

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: SERVER });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function open(): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openDb({ dataDir: 'memory://' });
    return { db, drop: async () => {} };
  }
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB_NAME}`);
  const u = new URL(SERVER);
  u.pathname = `/${DB_NAME}`;
  const db = await openDb({ databaseUrl: u.toString() });
  return { db, drop: () => admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`) };
}

const { db, drop } = await open();
const gw = await startFakeGateway();
try {
  await migrate(db);
  // N customers, every 10th without consent, every 25th do-not-disturb (set-based)
  await db.session(async (s) => {
    await s.query(`INSERT INTO branches (branch_id, name, level, updated_on) VALUES ('B1', '总行', 'bank', '2026-12-01')`);
    await s.query(
      `INSERT INTO customers (customer_id, name, branch_id, phone, opened_on, do_not_disturb, marketing_consent, first_seen_on, updated_on)
       SELECT 'C' || lpad(i::text, 7, '0'), '客户' || i, 'B1', '139' || lpad(i::text, 8, '0'), '2020-01-01', i % 25 = 0, i % 10 <> 0, '2026-12-01', '2026-12-01'
         FROM generate_series(1, $1::int) i`,
      [N],
    );
  });
  const ids = (await db.session((s) => s.query<{ id: string }>(`SELECT customer_id AS id FROM customers ORDER BY 1`))).rows.map((r) => r.id);
  console.log(`sms bench: ${fmt(N)} recipients, ${engine}`);

  // floor 1: the outbox rows written by a plain INSERT … SELECT
  const [insertMs] = await timed(() =>
    db.session(async (s) => {
      await s.query(`INSERT INTO sms_outbox (customer_id, campaign_id, marketing, text) SELECT customer_id, 'floor', true, '您好' FROM customers`);
      await s.query(`DELETE FROM sms_outbox WHERE campaign_id = 'floor'`);
    }),
  );
  // floor 2: the messages posted raw to the fake gateway, 100 a request, 4 at a time
  const settings = { url: gw.url, timeoutMs: 10_000, retries: 2, backoffMs: 100 };
  const [postMs] = await timed(async () => {
    let next = 0;
    const worker = async () => {
      while (next < N) {
        const from = next;
        next += GATEWAY_BATCH;
        await postMessages(settings, ids.slice(from, from + GATEWAY_BATCH).map((id, i) => ({ ref: `floor-${from + i}`, phone: `139${String(from + i).padStart(8, '0')}`, text: '您好' })));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  });

  // the campaign: made, approved, filled and sent (marketing at noon China time: every rule applies)
  const actor = { login: null, name: 'bench', via: 'cli' as const };
  const [fillMs, campaign] = await timed(async () => {
    const { campaign } = await createCampaign(db, actor, { name: 'bench', kind: 'marketing', text: '您好，本周理财沙龙欢迎参加。' });
    await approveCampaign(db, actor, campaign.campaignId);
    await addRecipients(db, campaign, ids);
    return campaign;
  });
  const noon = new Date('2026-12-01T04:00:00Z');
  const [sendMs, result] = await timed(() => sendCampaign(db, campaign.campaignId, { settings, now: () => noon }));
  const accepted = result.counts.byStatus.accepted ?? 0;
  const total = fillMs + sendMs;
  const rate = (n: number, ms: number) => (n / ms) * 1000;
  console.log(`  floor: INSERT of the outbox rows       ${fmt(insertMs)} ms (${fmt(rate(N, insertMs))} rows/s)`);
  console.log(`  floor: raw posts to the fake gateway    ${fmt(postMs)} ms (${fmt(rate(N, postMs))} messages/s)`);
  console.log(`  campaign: recipients into the outbox    ${fmt(fillMs)} ms`);
  console.log(`  campaign: send (rules, claim, post, record) ${fmt(sendMs)} ms: ${fmt(accepted)} accepted, ${fmt(result.counts.byStatus.skipped ?? 0)} skipped`);
  console.log(`  campaign in all: ${fmt(rate(N, total))} recipients/s, ${fmt(rate(accepted, sendMs))} messages/s sent (aim ≥ ${AIM}/s: ${rate(N, total) >= AIM ? 'met' : 'NOT met'}); ${(total / Math.max(insertMs + postMs, 1)).toFixed(1)}× the two floors together`);
  if (accepted + (result.counts.byStatus.skipped ?? 0) !== N) throw new Error(`expected every recipient sent or skipped, got ${JSON.stringify(result.counts.byStatus)}`);
} finally {
  await gw.close();
  await db.close();
  await drop();
}
