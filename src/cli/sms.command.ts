import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { smsSettings } from '../platform/config.js';
import { chinaClock } from './campaign.command.js';
import { configFrom, withDb, type GlobalOptions } from './context.js';
import { count, table } from './format.js';
import { progressBar } from './progress.js';

export function registerSms(program: Command): void {
  const sms = program.command('sms').description('the SMS outbox and gateway (docs/sms-gateway.md)');
  sms
    .command('outbox')
    .description('what waits in the outbox, per campaign, and why')
    .action(async (_opts: unknown, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { inMarketingHours, nextMarketingStart } = await import('../features/outreach/sms.rules.js');
      await withDb(config, async (db) => {
        const rows = await db.session(
          async (s) =>
            (
              await s.query<{ name: string; kind: string; status: string; queued: number; sending: number; accepted: number }>(
                `SELECT c.name, c.kind, c.status,
                        count(*) FILTER (WHERE o.status = 'queued')::int AS queued,
                        count(*) FILTER (WHERE o.status = 'sending')::int AS sending,
                        count(*) FILTER (WHERE o.status = 'accepted')::int AS accepted
                   FROM sms_outbox o JOIN campaigns c ON c.campaign_id = o.campaign_id
                  WHERE o.status IN ('queued', 'sending', 'accepted')
                  GROUP BY c.name, c.kind, c.status, c.created_at ORDER BY c.created_at, c.name`,
              )
            ).rows,
        );
        if (rows.length === 0) {
          console.log('The outbox is empty: every message of every campaign was sent (or skipped) and has its receipt.');
          return;
        }
        const now = new Date();
        const why = (r: (typeof rows)[number]) => {
          const reasons: string[] = [];
          if (r.queued > 0) {
            if (r.status === 'draft') reasons.push('not approved yet');
            else if (r.kind === 'marketing' && !inMarketingHours(now)) reasons.push(`marketing hours 08:00–21:00: waits until ${chinaClock(nextMarketingStart(now).toISOString())} China time`);
            else reasons.push('not sent yet: `stratum sms send`');
          }
          if (r.sending > 0) reasons.push('interrupted: posted again with the same ref by the next send');
          if (r.accepted > 0) reasons.push('accepted by the gateway, awaiting the delivery receipt');
          return reasons.join('; ');
        };
        console.log(table([['campaign', 'kind', 'queued', 'sending', 'awaiting receipt', '  why'], ...rows.map((r) => [r.name, r.kind, count(r.queued), count(r.sending), count(r.accepted), `  ${why(r)}`])]));
      });
    });

  sms
    .command('send')
    .description('send what waits in the outbox: every approved campaign (or one, --name), interrupted messages again with their refs')
    .option('--name <name>', 'only this campaign')
    .action(async (opts: { name?: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const settings = smsSettings();
      const { sendCampaign } = await import('../features/outreach/sms.sender.js');
      await withDb(config, async (db) => {
        const campaigns = await db.session(
          async (s) =>
            (
              await s.query<{ campaign_id: string; name: string }>(
                `SELECT c.campaign_id, c.name FROM campaigns c
                  WHERE c.status IN ('approved', 'sending') AND ($1::text IS NULL OR c.name = $1)
                    AND c.campaign_id IN (SELECT DISTINCT o.campaign_id FROM sms_outbox o WHERE o.status IN ('queued', 'sending'))
                  ORDER BY c.created_at`,
                [opts.name ?? null],
              )
            ).rows,
        );
        if (campaigns.length === 0) console.log(opts.name ? `Campaign '${opts.name}' has nothing to send (or is not approved).` : 'Nothing waits to be sent.');
        const { sendUnderWay } = await import('../features/outreach/campaign.sends.js');
        for (const c of campaigns) {
          if (await db.session((s) => sendUnderWay(s, c.campaign_id))) {
            console.log(`${c.name}: being sent by the server right now (started in the web app); left to it.`);
            continue;
          }
          const bar = progressBar('rows');
          const r = await sendCampaign(db, c.campaign_id, { settings, progress: (done, total) => bar.update(done, total, c.name) }).finally(() => bar.stop());
          const waiting = (r.counts.byStatus.queued ?? 0) + (r.counts.byStatus.sending ?? 0);
          console.log(`${c.name}: ${count(r.posted)} posted${waiting ? `, ${count(waiting)} waiting${r.waitsUntil ? ` until ${chinaClock(r.waitsUntil)} China time (marketing hours)` : ''}` : ''}.`);
        }
      });
    });

  sms
    .command('fake-gateway')
    .description('run the fake SMS gateway (for trying Stratum out, never for customers): it accepts Chinese mobile numbers and posts signed delivery receipts back')
    .option('--port <port>', 'port on 127.0.0.1', (v) => Number(v), 3900)
    .option('--receipts-url <url>', 'Stratum’s receipts webhook', 'http://127.0.0.1:3000/api/sms/receipts')
    .action(async (opts: { port: number; receiptsUrl: string }) => {
      const { startFakeGateway } = await import('../features/outreach/fake-gateway.js');
      const secret = process.env.STRATUM_SMS_WEBHOOK_SECRET || randomBytes(16).toString('hex');
      const token = process.env.STRATUM_SMS_TOKEN || undefined;
      const gw = await startFakeGateway({ port: opts.port, receiptsUrl: opts.receiptsUrl, webhookSecret: secret, ...(token ? { token } : {}) });
      console.log(`The fake SMS gateway listens at ${gw.url}; receipts go to ${opts.receiptsUrl}. Start Stratum with:
  STRATUM_SMS_URL=${gw.url} STRATUM_SMS_WEBHOOK_SECRET=${secret}${token ? ' STRATUM_SMS_TOKEN=…' : ''}
Ctrl-C stops it.`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await gw.close();
    });
}
