import { randomBytes } from 'node:crypto';
import type { SmsSettings } from '../../platform/config.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang, type LocalText } from '../../platform/i18n.js';
import { JobPool } from '../../platform/jobs.js';
import { logger } from '../../platform/logger.js';
import { addRecipients, campaignById, type CampaignCounts } from './campaign.service.js';
import type { SendJob } from './campaigns.contract.js';
import { sendingMembers, type CampaignRow } from './campaigns.sql.js';
import { sendCampaign } from './sms.sender.js';

// A campaign's send as a background job (issue 21), on the job pool of the exports
// (platform/jobs.ts): POST /api/campaigns/:id/send claims the campaign's send (its row in
// campaigns: send_state queued, this process as its runner) and answers at once; the pool puts its
// members in the outbox and runs the sender (sms.sender.ts) one campaign at a time on the
// embedded engine (two on a server). While it runs its heartbeat is written every few seconds;
// a second send of the same campaign is refused while one is queued or running with a fresh
// heartbeat, on whichever server it runs. A send whose server stopped (its heartbeat grew old; on
// the embedded engine, every open one found at start) is marked interrupted: sending the campaign
// again finishes it, the outbox (one row per campaign and recipient) keeping every message to once.

const log = logger.child({ component: 'campaign-sends' });

export interface CampaignSendOptions {
  /** sends at once: 1 on the embedded engine (its one connection), 2 on a server */
  concurrency?: number;
  /** how often heartbeats are written and stopped servers' sends swept (ms) */
  tickMs?: number;
  /** a send whose heartbeat is older than this is interrupted (ms) */
  staleMs?: number;
  /** the sender's rows claimed at a time (tests: small, to stop between batches) */
  claimSize?: number;
}

interface Progress {
  posted: number;
}

const INTERRUPTED = text(
  '发送中断：服务器在发送过程中停止。请再次点击“发送”继续，已发出的短信不会重发。',
  'The send was interrupted: the server stopped while it sent. Send the campaign again to finish it; no message is sent twice.',
);
const FAILED = text(
  '发送出错（如短信网关无法连接），已记录。请稍后再次点击“发送”继续，已发出的短信不会重发。',
  'The send stopped on an error (for example the SMS gateway could not be reached); it has been logged. Send the campaign again later to finish it; no message is sent twice.',
);
const BUSY = text('这个活动正在发送中，请等待本次发送完成；活动页面会显示进度。', 'This campaign is being sent right now: wait for this send to finish. The campaign page shows its progress.');

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The send is queued or running (a stopped server's is swept to interrupted). */
export const sendOpen = (r: Pick<CampaignRow, 'send_state'>) => r.send_state === 'queued' || r.send_state === 'running';

/** A send of the campaign is queued or running on a server now (its heartbeat fresh): the command line waits for it. */
export async function sendUnderWay(s: SqlSession, campaignId: string, staleMs = 60_000): Promise<boolean> {
  const r = await s.query(
    `SELECT 1 FROM campaigns WHERE campaign_id = $1 AND send_state IN ('queued', 'running') AND send_heartbeat_at >= now() - make_interval(secs => $2::int)`,
    [campaignId, Math.max(1, Math.round(staleMs / 1000))],
  );
  return r.rows.length > 0;
}

export class CampaignSends {
  readonly id = randomBytes(8).toString('hex');
  private readonly pool: JobPool<Progress>;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly o: CampaignSendOptions = {},
  ) {
    this.pool = new JobPool<Progress>(o.concurrency ?? (db.engine === 'postgres' ? 2 : 1), (id, e) => log.error({ err: e, campaign: id }, 'campaign send bookkeeping failed'));
  }

  private get staleSecs() {
    return Math.max(1, Math.round((this.o.staleMs ?? 60_000) / 1000));
  }

  /** Interrupts the sends of stopped processes, and keeps doing so every few seconds. */
  async start(): Promise<void> {
    await this.sweep(this.db.engine !== 'postgres');
    this.timer = setInterval(() => void this.tick().catch((e: unknown) => log.error({ err: e }, 'campaign send heartbeat failed')), this.o.tickMs ?? 5_000);
    this.timer.unref();
  }

  /** Stops taking sends; a running one stops before its next batch and is marked interrupted. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const waiting = await this.pool.close();
    if (waiting.length) await this.finish(waiting, 'interrupted', { error: INTERRUPTED }).catch(() => {});
  }

  /**
   * Claims the campaign's send for this process (queued), or refuses it (409) while another send of
   * it is queued or running; the new send's id.
   */
  async claim(campaignId: string): Promise<string> {
    if (this.pool.stopping) throw new AppError('unavailable', text('服务器正在停止，请稍后再试。', 'The server is stopping; try again shortly.'));
    const job = randomBytes(9).toString('base64url');
    const r = await this.db.session((s) =>
      s.query(
        `UPDATE campaigns SET send_job = $2, send_state = 'queued', send_runner = $3, send_heartbeat_at = now(), send_started_at = NULL, send_finished_at = NULL,
                send_posted = 0, send_waits_until = NULL, send_error_zh = NULL, send_error_en = NULL
          WHERE campaign_id = $1
            AND NOT (coalesce(send_state IN ('queued', 'running'), false) AND send_heartbeat_at >= now() - make_interval(secs => $4::int))
        RETURNING 1`,
        [campaignId, job, this.id, this.staleSecs],
      ),
    );
    if (r.rows.length === 0) throw new AppError('conflict', BUSY);
    return job;
  }

  /** Gives up a claimed send that could not be started (the request failed after the claim). */
  async release(campaignId: string, why: unknown): Promise<void> {
    log.error({ err: why, campaign: campaignId }, 'campaign send not started');
    await this.finish([campaignId], 'failed', { error: FAILED });
  }

  /** Runs a claimed send in the background: the members put in the outbox, then the sender. */
  run(campaignId: string, settings: SmsSettings, now?: () => Date): void {
    this.pool.add(campaignId, { posted: 0 }, (p) => this.send(campaignId, p, settings, now));
  }

  private async send(campaignId: string, progress: Progress, settings: SmsSettings, now?: () => Date): Promise<void> {
    const t = Date.now();
    await this.db.session((s) => s.query(`UPDATE campaigns SET send_state = 'running', send_started_at = now(), send_heartbeat_at = now() WHERE campaign_id = $1 AND send_runner = $2`, [campaignId, this.id]));
    try {
      const campaign = await this.db.session((s) => campaignById(s, campaignId));
      if (!campaign) throw new Error(`no campaign ${campaignId}`);
      if (campaign.status === 'approved') {
        // the members not held out, once each (a send interrupted here adds only those missing)
        const ids = await this.db.session((s) => sendingMembers(s, campaignId));
        if (!this.pool.stopping) await addRecipients(this.db, campaign, ids);
      }
      const sent = await sendCampaign(this.db, campaignId, {
        settings,
        ...(now ? { now } : {}),
        ...(this.o.claimSize ? { claimSize: this.o.claimSize } : {}),
        stop: () => this.pool.stopping,
        progress: (posted) => void (progress.posted = posted),
      });
      progress.posted = sent.posted;
      const state = sent.campaign.status === 'done' ? 'done' : sent.waitsUntil ? 'waiting' : 'interrupted';
      await this.finish([campaignId], state, { posted: sent.posted, waitsUntil: sent.waitsUntil, ...(state === 'interrupted' ? { error: INTERRUPTED } : {}) });
      log.info({ campaign: campaignId, state, posted: sent.posted, ms: Date.now() - t }, 'campaign send finished');
    } catch (e) {
      log.error({ err: e, campaign: campaignId }, 'campaign send failed');
      await this.finish([campaignId], this.pool.stopping ? 'interrupted' : 'failed', { posted: progress.posted, error: this.pool.stopping ? INTERRUPTED : FAILED });
    }
  }

  private async finish(ids: string[], state: SendJob['state'], o: { posted?: number; waitsUntil?: string | null; error?: LocalText }): Promise<void> {
    await this.db.session((s) =>
      s.query(
        `UPDATE campaigns SET send_state = $3, send_runner = NULL, send_finished_at = now(), send_posted = coalesce($4::int, send_posted),
                send_waits_until = $5::timestamptz, send_error_zh = $6, send_error_en = $7
          WHERE campaign_id = ANY($1::text[]) AND send_runner = $2`,
        [ids, this.id, state, o.posted ?? null, o.waitsUntil ?? null, o.error?.zh ?? null, o.error?.en ?? null],
      ),
    );
  }

  // ---- reading ------------------------------------------------------------------------------

  /** Messages posted so far by a send running in this process. */
  livePosted(campaignId: string): number | null {
    return this.pool.progress(campaignId)?.posted ?? null;
  }

  // ---- housekeeping -------------------------------------------------------------------------

  /** The heartbeats and progress of this process's sends, then the sweep. */
  async tick(): Promise<void> {
    if (this.pool.stopping) return;
    const mine = this.pool.ids();
    await this.db.session(async (s) => {
      if (mine.length) {
        await s.query(`UPDATE campaigns SET send_heartbeat_at = now() WHERE campaign_id = ANY($1::text[]) AND send_runner = $2 AND send_state IN ('queued', 'running')`, [mine, this.id]);
      }
      for (const [id, p] of this.pool.active()) {
        await s.query(`UPDATE campaigns SET send_posted = $3 WHERE campaign_id = $1 AND send_runner = $2`, [id, this.id, p.posted]);
      }
    });
    await this.sweep(false);
  }

  /** Interrupts the open sends of processes that stopped (`all`: every one not of this process: the embedded database has one). */
  async sweep(all: boolean): Promise<void> {
    await this.db.session((s) =>
      s.query(
        `UPDATE campaigns SET send_state = 'interrupted', send_runner = NULL, send_finished_at = now(), send_error_zh = $3, send_error_en = $4
          WHERE send_state IN ('queued', 'running') AND send_runner IS DISTINCT FROM $1
            AND ($2::boolean OR send_heartbeat_at < now() - make_interval(secs => $5::int))`,
        [this.id, all, INTERRUPTED.zh, INTERRUPTED.en, this.staleSecs],
      ),
    );
  }
}

/** Where the campaign's latest send stands, from the outbox counted (and `live`: posted so far by this process). */
export function presentSend(r: CampaignRow, counts: CampaignCounts, toSend: number, lang: Lang, live: number | null): SendJob | null {
  if (!r.send_job || !r.send_state) return null;
  const by = counts.byStatus;
  const open = (by.queued ?? 0) + (by.sending ?? 0);
  const total = Math.max(toSend, counts.recipients);
  const done = Math.max(0, counts.recipients - open);
  const percent = r.send_state === 'done' ? 100 : total > 0 ? Math.min(99, Math.floor((done / total) * 100)) : 0;
  return {
    campaignId: r.campaign_id,
    jobId: r.send_job,
    state: r.send_state,
    done,
    total,
    sent: (by.sending ?? 0) + (by.accepted ?? 0) + (by.delivered ?? 0) + (by.failed ?? 0),
    percent,
    posted: live !== null && sendOpen(r) ? live : r.send_posted,
    waitsUntil: iso(r.send_waits_until),
    error: (lang === 'en' ? r.send_error_en : r.send_error_zh) ?? null,
    startedAt: iso(r.send_started_at),
    finishedAt: iso(r.send_finished_at),
  };
}
