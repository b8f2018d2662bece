import type { SmsSettings } from '../../platform/config.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { logger } from '../../platform/logger.js';
import { campaignById, campaignCounts, type Campaign, type CampaignCounts } from './campaign.service.js';
import { GATEWAY_BATCH, postMessages, type GatewayMessage, type GatewayResult } from './sms.gateway.js';
import { inMarketingHours, MARKETING_PER_7_DAYS, nextMarketingStart } from './sms.rules.js';
import { RECEIPTS_LOCK } from './sms.webhooks.js';

// The sender: the campaign's outbox through the gateway, keeping every rule of POLICIES "Messages
// and campaigns". Exactly once, even when killed: a batch is claimed (status 'sending', with the
// phone it goes to) in one transaction before it is posted, and the gateway's answers recorded
// after; a row found 'sending' by the next run was perhaps posted, perhaps not, and is posted again
// under the same ref, which the gateway answers as the message it already has.

const log = logger.child({ component: 'sms' });

// one claim at a time over the whole outbox: the 2-in-7-days count of a customer must see the
// messages another campaign's sender has just claimed
const CLAIM_LOCK = 731_942_121;

export interface SendOptions {
  settings: SmsSettings;
  now?: () => Date;
  /** rows claimed in one transaction (posted in requests of GATEWAY_BATCH) */
  claimSize?: number;
  /** requests to the gateway at once */
  concurrency?: number;
  /** after each batch: messages answered so far and how many the campaign has to send */
  progress?: (done: number, total: number) => void;
  /** asked before each batch: true stops the run there (the server is stopping); run it again to go on */
  stop?: () => boolean;
}

export interface SendResult {
  campaign: Campaign;
  /** messages posted by this run (a resent one included) */
  posted: number;
  /** set when the campaign is marketing and it is outside 08:00–21:00 China time: when it may go on */
  waitsUntil: string | null;
  counts: CampaignCounts;
}

// The rules per recipient, in SQL over the claimed rows: the first that applies is the reason.
// A left customer and one without a phone get nothing; a marketing message needs consent, no
// do-not-disturb, no opt-out and fewer than 2 marketing messages claimed in the last 7 days.
const SKIP = `
UPDATE sms_outbox o SET status = 'skipped', skip_reason = x.reason
  FROM (
    SELECT q.customer_id,
           CASE
             WHEN c.customer_id IS NULL OR c.status = 'left' THEN 'left'
             WHEN c.phone IS NULL OR btrim(c.phone) = '' THEN 'no_phone'
             WHEN NOT q.marketing THEN NULL
             WHEN EXISTS (SELECT 1 FROM sms_opt_outs n WHERE n.customer_id = q.customer_id) THEN 'opted_out'
             WHEN NOT c.marketing_consent THEN 'no_consent'
             WHEN c.do_not_disturb THEN 'do_not_disturb'
             WHEN (SELECT count(*) FROM sms_outbox m
                    WHERE m.customer_id = q.customer_id AND m.marketing AND m.sent_at > $3::timestamptz - interval '7 days'
                      AND m.status IN ('sending', 'accepted', 'delivered', 'failed')) >= ${MARKETING_PER_7_DAYS} THEN 'weekly_limit'
           END AS reason
      FROM sms_outbox q LEFT JOIN customers c ON c.customer_id = q.customer_id
     WHERE q.campaign_id = $1 AND q.customer_id = ANY($2::text[]) AND q.status = 'queued'
  ) x
 WHERE o.campaign_id = $1 AND o.customer_id = x.customer_id AND x.reason IS NOT NULL`;

const CLAIM = `
UPDATE sms_outbox o SET status = 'sending', phone = btrim(c.phone), sent_at = $3::timestamptz, attempts = o.attempts + 1
  FROM customers c
 WHERE o.campaign_id = $1 AND o.customer_id = ANY($2::text[]) AND o.status = 'queued' AND c.customer_id = o.customer_id
RETURNING o.customer_id, o.ref, o.phone, o.text`;

const RECORD = `
UPDATE sms_outbox o
   SET status = CASE WHEN o.status IN ('delivered', 'failed') THEN o.status ELSE r.status END,
       gateway_id = r.gateway_id, reason = r.reason, answered_at = $6::timestamptz
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) r(customer_id, gateway_id, status, reason)
 WHERE o.campaign_id = $1 AND o.customer_id = r.customer_id AND o.status IN ('sending', 'delivered', 'failed')`;

const EARLY = `
UPDATE sms_outbox o
   SET status = e.status, receipt_at = e.at, reason = CASE WHEN e.status = 'failed' THEN coalesce(e.reason, o.reason) ELSE o.reason END
  FROM sms_early_receipts e
 WHERE o.campaign_id = $1 AND o.customer_id = ANY($2::text[]) AND o.status = 'accepted'
   AND o.gateway_id = e.gateway_id AND e.gateway_id = ANY($3::text[])
RETURNING o.gateway_id`;

interface Claimed extends GatewayMessage {
  customer_id: string;
}

/** Claims the next batch of the campaign's queued recipients: the skipped decided, the rest 'sending'. */
async function claim(db: Db, campaignId: string, size: number, at: Date): Promise<Claimed[] | null> {
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
    const ids = (await s.query<{ customer_id: string }>(`SELECT customer_id FROM sms_outbox WHERE campaign_id = $1 AND status = 'queued' ORDER BY customer_id LIMIT $2`, [campaignId, size])).rows.map((r) => r.customer_id);
    if (ids.length === 0) return null;
    await s.query(SKIP, [campaignId, ids, at.toISOString()]);
    return (await s.query<Claimed>(CLAIM, [campaignId, ids, at.toISOString()])).rows;
  });
}

/** The rows a stopped sender left 'sending': posted again with their refs. */
async function leftSending(s: SqlSession, campaignId: string, after: string, size: number): Promise<Claimed[]> {
  return (
    await s.query<Claimed>(
      `SELECT customer_id, ref, phone, text FROM sms_outbox WHERE campaign_id = $1 AND status = 'sending' AND customer_id > $2 ORDER BY customer_id LIMIT $3`,
      [campaignId, after, size],
    )
  ).rows;
}

async function record(db: Db, campaignId: string, sent: readonly Claimed[], results: readonly GatewayResult[], at: Date): Promise<void> {
  const byRef = new Map(sent.map((m) => [m.ref, m.customer_id]));
  const known = results.filter((r) => byRef.has(r.ref));
  if (known.length === 0) return;
  await db.transaction(async (s) => {
    // after any receipt being recorded now: one that came before this answer is then found below
    await s.query('SELECT pg_advisory_xact_lock($1)', [RECEIPTS_LOCK]);
    await s.query(RECORD, [
      campaignId,
      known.map((r) => byRef.get(r.ref)),
      known.map((r) => r.gateway_id),
      known.map((r) => r.status),
      known.map((r) => r.reason),
      at.toISOString(),
    ]);
    // receipts the gateway sent before this answer was recorded (sms.webhooks.ts)
    const early = await s.query<{ gateway_id: string }>(EARLY, [campaignId, known.map((r) => byRef.get(r.ref)), known.map((r) => r.gateway_id)]);
    if (early.rows.length > 0) await s.query('DELETE FROM sms_early_receipts WHERE gateway_id = ANY($1::text[])', [early.rows.map((r) => r.gateway_id)]);
  });
}

/** Posts the messages in requests of GATEWAY_BATCH, `concurrency` at a time; records each request's answers. */
async function post(db: Db, campaignId: string, messages: readonly Claimed[], o: Required<Pick<SendOptions, 'settings' | 'concurrency' | 'now'>>): Promise<number> {
  const requests: Claimed[][] = [];
  for (let i = 0; i < messages.length; i += GATEWAY_BATCH) requests.push(messages.slice(i, i + GATEWAY_BATCH));
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const batch = requests[next++] ?? [];
      const results = await postMessages(o.settings, batch.map(({ ref, phone, text }) => ({ ref, phone, text })));
      await record(db, campaignId, batch, results, o.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, requests.length) }, worker));
  return messages.length;
}

/**
 * Sends what the campaign has still to send: first the messages a stopped run left 'sending'
 * (same refs), then its queued recipients batch by batch. A marketing campaign outside 08:00–21:00
 * China time stops before its next batch and waits (waitsUntil); run it again then.
 */
export async function sendCampaign(db: Db, campaignId: string, opts: SendOptions): Promise<SendResult> {
  const now = opts.now ?? (() => new Date());
  const o = { settings: opts.settings, concurrency: opts.concurrency ?? 4, now };
  const size = opts.claimSize ?? 500;
  let campaign = await db.session((s) => campaignById(s, campaignId));
  if (!campaign) throw new Error(`no campaign ${campaignId}`);
  if (campaign.status === 'draft') throw new Error(`campaign '${campaign.name}' is not approved yet`);
  const total = await db.session(async (s) => {
    const c = await campaignCounts(s, campaignId);
    return (c.byStatus.queued ?? 0) + (c.byStatus.sending ?? 0);
  });
  let posted = 0;
  let waitsUntil: string | null = null;
  const marketing = campaign.kind === 'marketing';
  if (total > 0) await db.session((s) => s.query(`UPDATE campaigns SET status = 'sending' WHERE campaign_id = $1 AND status = 'approved'`, [campaignId]));

  // what a stopped run left 'sending' (claimed under the rules then: only the hours are checked again)
  let after = '';
  for (;;) {
    if (opts.stop?.()) break;
    if (marketing && !inMarketingHours(now())) break;
    const batch = await db.session((s) => leftSending(s, campaignId, after, size));
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.customer_id ?? after;
    if (posted === 0) log.info({ campaign: campaignId, resent: batch.length }, 'posting again the messages a stopped run left unanswered (same refs)');
    posted += await post(db, campaignId, batch, o);
    opts.progress?.(posted, total);
  }
  for (;;) {
    if (opts.stop?.()) break;
    const at = now();
    if (marketing && !inMarketingHours(at)) {
      waitsUntil = nextMarketingStart(at).toISOString();
      break;
    }
    const batch = await claim(db, campaignId, size, at);
    if (batch === null) break;
    posted += await post(db, campaignId, batch, o);
    opts.progress?.(posted, total);
  }
  const counts = await db.session(async (s) => {
    await s.query(
      `UPDATE campaigns SET status = 'done' WHERE campaign_id = $1 AND status IN ('approved', 'sending')
          AND NOT EXISTS (SELECT 1 FROM sms_outbox WHERE campaign_id = $1 AND status IN ('queued', 'sending'))`,
      [campaignId],
    );
    campaign = (await campaignById(s, campaignId)) ?? campaign;
    return campaignCounts(s, campaignId);
  });
  return { campaign, posted, waitsUntil, counts };
}
