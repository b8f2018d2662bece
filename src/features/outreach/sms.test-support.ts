import type { Db } from '../../platform/db.js';
import type { SmsSettings } from '../../platform/config.js';
import { approveCampaign, addRecipients, createCampaign, type Campaign, type CampaignActor, type CampaignKind } from './campaign.service.js';

// Factories for the SMS tests: customers copied from the scoped bank's C1 with the flags a rule
// looks at, and a campaign made, approved and filled in one call.

export interface TestRecipient {
  id: string;
  phone?: string | null;
  consent?: boolean;
  dnd?: boolean;
  left?: boolean;
}

export async function addTestCustomers(db: Db, list: readonly TestRecipient[]): Promise<void> {
  await db.session((s) =>
    s.query(
      `INSERT INTO customers (customer_id, name, gender, birth_date, id_number, phone, branch_id, opened_on, do_not_disturb, marketing_consent, status, first_seen_on, updated_on)
       SELECT x.id, c.name, c.gender, c.birth_date, NULL, x.phone, c.branch_id, c.opened_on, x.dnd, x.consent, CASE WHEN x.left_ THEN 'left' ELSE 'active' END, c.first_seen_on, c.updated_on
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[], $5::boolean[]) x(id, phone, consent, dnd, left_)
         CROSS JOIN customers c WHERE c.customer_id = 'C1'`,
      [
        list.map((r) => r.id),
        list.map((r) => (r.phone === undefined ? `139${String(Math.abs(hash(r.id))).padStart(8, '0').slice(-8)}` : r.phone)),
        list.map((r) => r.consent ?? true),
        list.map((r) => r.dnd ?? false),
        list.map((r) => r.left ?? false),
      ],
    ),
  );
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h;
}

export const OPERATOR: CampaignActor = { login: null, name: 'cli:tester', via: 'cli' };

export async function approvedCampaign(db: Db, name: string, kind: CampaignKind, ids: readonly string[], text = '您好，本周理财沙龙欢迎参加。'): Promise<Campaign> {
  const { campaign } = await createCampaign(db, OPERATOR, { name, kind, text });
  await approveCampaign(db, OPERATOR, campaign.campaignId);
  await addRecipients(db, campaign, ids);
  return campaign;
}

export const gatewaySettings = (url: string, over: Partial<SmsSettings> = {}): SmsSettings => ({ url, token: 'test-token', timeoutMs: 5000, retries: 2, backoffMs: 10, ...over });

/** An instant given in China time: chinaTime('2026-12-01 20:59') */
export const chinaTime = (v: string) => new Date(`${v.replace(' ', 'T')}:00+08:00`);
