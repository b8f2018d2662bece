import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import { smsSettings } from '../platform/config.js';
import { configFrom, withDb, type GlobalOptions } from './context.js';
import { count, table } from './format.js';
import { progressBar } from './progress.js';

/** An instant as China time reads it: 2026-12-02 08:00 */
export const chinaClock = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const operator = () => `cli:${process.env.USER || os.userInfo().username || 'operator'}`;

export function registerCampaign(program: Command): void {
  const campaign = program.command('campaign').description('short-message campaigns (群发短信) through the SMS gateway (docs/sms-gateway.md)');
  campaign
    .command('run')
    .description(
      'create a campaign, approve it as you (audited), send it and print what was sent and what was skipped and why; ' +
        'the same name again sends only what is left (nobody gets a campaign twice)',
    )
    .requiredOption('--name <name>', 'the campaign’s name (one name, one campaign)')
    .requiredOption('--customers <file>', 'a CSV file with a customer_id column')
    .requiredOption('--text <text>', 'the message; a marketing one gets 拒收请回复R at its end')
    .requiredOption('--kind <kind>', 'marketing (consent, no do-not-disturb, no opt-out, 08:00–21:00 China time, 2 per 7 days) or service (anyone with a phone)')
    .option('--branch <branchId>', 'the branch it speaks for (default: bank-wide)')
    .action(async (opts: { name: string; customers: string; text: string; kind: string; branch?: string }, cmd: Command) => {
      if (opts.kind !== 'marketing' && opts.kind !== 'service') throw new Error(`--kind must be marketing or service, not '${opts.kind}'`);
      const kind = opts.kind;
      let content: string;
      try {
        content = readFileSync(opts.customers, 'utf8');
      } catch (e) {
        throw new Error(`cannot read ${opts.customers}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      const { parseRecipientsCsv } = await import('../features/outreach/campaign.recipients.js');
      const list = parseRecipientsCsv(content, opts.customers);
      const settings = smsSettings();
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const svc = await import('../features/outreach/campaign.service.js');
      const { sendCampaign } = await import('../features/outreach/sms.sender.js');
      const { SKIP_WORDS } = await import('../features/outreach/sms.rules.js');
      await withDb(config, async (db) => {
        if (opts.branch) {
          const known = await db.session(async (s) => (await s.query(`SELECT 1 FROM branches WHERE branch_id = $1`, [opts.branch])).rows.length > 0);
          if (!known) throw new Error(`--branch ${opts.branch}: no such branch (branches.csv of the feed)`);
        }
        if (list.problems.length === 0) {
          const unknown = await svc.unknownCustomers(db, list.ids);
          for (const id of unknown) list.problems.push(`${opts.customers} line ${list.lineOf.get(id)}: no customer ${id}`);
        }
        if (list.problems.length > 0) {
          const shown = list.problems.slice(0, 30);
          throw new Error(
            `nothing was sent; correct the file and run again:\n  ${shown.join('\n  ')}${list.problems.length > shown.length ? `\n  … and ${count(list.problems.length - shown.length)} more` : ''}`,
          );
        }
        const actor = { login: null, name: operator(), via: 'cli' as const };
        const { campaign: c, created } = await svc.createCampaign(db, actor, { name: opts.name, kind, text: opts.text, branchId: opts.branch ?? null });
        if (created) {
          await svc.approveCampaign(db, actor, c.campaignId);
          const added = await svc.addRecipients(db, c, list.ids);
          console.log(`Campaign '${c.name}' (${kind}) created and approved by ${actor.name}: ${count(added)} recipients${list.repeated ? ` (${count(list.repeated)} repeated lines counted once)` : ''}.`);
        } else {
          const inside = await db.session(async (s) =>
            (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 AND customer_id = ANY($2::text[])`, [c.campaignId, list.ids])).rows[0]?.n ?? 0,
          );
          console.log(`Campaign '${c.name}' exists (approved by ${c.approvedBy ?? 'nobody yet'}): sending only what is left; nobody gets it twice.`);
          if (inside < list.ids.length) {
            console.log(`${count(list.ids.length - inside)} customers of the file are not among its recipients (fixed when it was made): a new name reaches them.`);
          }
          if (c.status === 'draft') await svc.approveCampaign(db, actor, c.campaignId);
        }
        if (kind === 'marketing' && c.text !== opts.text.trim()) console.log(`The text ends with the opt-out line: ${c.text}`);
        const { sendUnderWay } = await import('../features/outreach/campaign.sends.js');
        if (await db.session((s) => sendUnderWay(s, c.campaignId))) {
          throw new Error(`Campaign '${c.name}' is being sent by the server right now (started in the web app): wait for that send to finish (its page shows the progress), then run this again if anything is left.`);
        }
        const bar = progressBar('rows');
        let result;
        try {
          result = await sendCampaign(db, c.campaignId, { settings, progress: (done, total) => bar.update(done, total, 'messages posted') });
        } catch (e) {
          bar.stop();
          const { GatewayUnavailable } = await import('../features/outreach/sms.gateway.js');
          if (e instanceof GatewayUnavailable) {
            throw new Error(`${e.message}. The messages not yet answered wait in the outbox; run the same command again to send them (none goes twice).`);
          }
          throw e;
        }
        bar.stop();
        const by = result.counts.byStatus;
        const sent = (by.accepted ?? 0) + (by.delivered ?? 0) + (by.failed ?? 0);
        console.log(`Posted now: ${count(result.posted)}${result.posted === 0 ? ' (nothing new)' : ''}.`);
        console.log(
          table([
            ['sent', count(sent)],
            ['  delivered', count(by.delivered ?? 0)],
            ['  delivery failed', count(by.failed ?? 0)],
            ['  awaiting receipt', count(by.accepted ?? 0)],
            ['rejected by the gateway', count(by.rejected ?? 0)],
            ['skipped', count(by.skipped ?? 0)],
            ...Object.entries(result.counts.skipped).map(([reason, n]) => [`  ${SKIP_WORDS[reason as keyof typeof SKIP_WORDS] ?? reason}`, count(n ?? 0)]),
            ['waiting', count((by.queued ?? 0) + (by.sending ?? 0))],
          ]),
        );
        if (result.waitsUntil) {
          console.log(`Marketing messages go out 08:00–21:00 China time: the rest waits until ${chinaClock(result.waitsUntil)} China time (run \`stratum sms send\` then).`);
        }
      });
    });
}
