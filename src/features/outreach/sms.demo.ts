import { randomBytes } from 'node:crypto';
import { smsSettings } from '../../platform/config.js';
import type { Db } from '../../platform/db.js';
import { addRecipients, approveCampaign, campaignCounts, createCampaign } from './campaign.service.js';
import { startFakeGateway, type FakeGateway } from './fake-gateway.js';
import { sendCampaign } from './sms.sender.js';

// The demo's short messages: unless a real gateway is set (STRATUM_SMS_URL), the fake gateway runs
// beside the demo server and Stratum points at it, so a new user sees messages delivered.

export const DEMO_CAMPAIGN = '演示：网点营业时间调整通知';

/** Starts the fake gateway (receipts to the server at `serverUrl`) and sets the SMS settings to it; null when a gateway is set already. */
export async function startDemoGateway(serverUrl: string): Promise<FakeGateway | null> {
  if (process.env.STRATUM_SMS_URL) return null;
  const secret = process.env.STRATUM_SMS_WEBHOOK_SECRET || randomBytes(16).toString('hex');
  const gw = await startFakeGateway({ receiptsUrl: new URL('/api/sms/receipts', serverUrl).toString(), webhookSecret: secret, receiptDelayMs: 300 });
  process.env.STRATUM_SMS_URL = gw.url;
  process.env.STRATUM_SMS_WEBHOOK_SECRET = secret;
  return gw;
}

/** A service message to 20 demo customers with a phone, once (the same name again sends nothing); how many were delivered a moment later. */
export async function sendDemoCampaign(db: Db): Promise<{ recipients: number; delivered: number }> {
  const actor = { login: null, name: 'demo', via: 'cli' as const };
  const { campaign, created } = await createCampaign(db, actor, { name: DEMO_CAMPAIGN, kind: 'service', text: '尊敬的客户：本网点自12月起周六营业时间调整为9:00-17:00，敬请留意。' });
  if (created) {
    await approveCampaign(db, actor, campaign.campaignId);
    const ids = await db.session(async (s) => (await s.query<{ id: string }>(`SELECT customer_id AS id FROM customers WHERE phone IS NOT NULL AND status = 'active' ORDER BY customer_id LIMIT 20`)).rows.map((r) => r.id));
    await addRecipients(db, campaign, ids);
  }
  await sendCampaign(db, campaign.campaignId, { settings: smsSettings() });
  let counts = await db.session((s) => campaignCounts(s, campaign.campaignId));
  for (let i = 0; i < 30 && (counts.byStatus.accepted ?? 0) > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    counts = await db.session((s) => campaignCounts(s, campaign.campaignId));
  }
  return { recipients: counts.recipients, delivered: counts.byStatus.delivered ?? 0 };
}
