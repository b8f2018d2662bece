import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text as t } from '../../platform/i18n.js';
import { chinaDay } from '../worklist/worklist.common.js';
import { withOptOutLine, type SkipReason } from './sms.rules.js';
import { recipientValues, valuesFor } from './templates.service.js';
import { checkPlaceholders, placeholdersIn, renderTemplate } from './templates.text.js';

// Campaigns (群发): created, approved (audited), their recipients put in the outbox once each.

export type CampaignKind = 'marketing' | 'service';
export type CampaignStatus = 'draft' | 'approved' | 'sending' | 'done';

export interface Campaign {
  campaignId: string;
  name: string;
  kind: CampaignKind;
  text: string;
  branchId: string | null;
  status: CampaignStatus;
  createdBy: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

/** Who acts: a signed-in user's login, or the operating-system user at the CLI (login null). */
export interface CampaignActor {
  login: string | null;
  role?: string | null;
  ip?: string | null;
  /** shown as created_by / approved_by: the login, or `cli:<os user>` */
  name: string;
  via: 'cli' | 'api';
}

const COLUMNS = `campaign_id AS "campaignId", name, kind, text, branch_id AS "branchId", status, created_by AS "createdBy",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", approved_by AS "approvedBy",
  to_char(approved_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "approvedAt"`;

export async function campaignByName(s: SqlSession, name: string): Promise<Campaign | null> {
  return (await s.query<Campaign>(`SELECT ${COLUMNS} FROM campaigns WHERE name = $1`, [name])).rows[0] ?? null;
}

export async function campaignById(s: SqlSession, id: string): Promise<Campaign | null> {
  return (await s.query<Campaign>(`SELECT ${COLUMNS} FROM campaigns WHERE campaign_id = $1`, [id])).rows[0] ?? null;
}

/**
 * The campaign of this name, made now (a draft) unless it exists; an existing one with another
 * kind or text is refused (a name is one campaign). A marketing text gets the opt-out line.
 */
export async function createCampaign(db: Db, actor: CampaignActor, input: { name: string; kind: CampaignKind; text: string; branchId?: string | null }): Promise<{ campaign: Campaign; created: boolean }> {
  const name = input.name.trim();
  if (!name) throw new AppError('bad_request', t('请填写活动名称。', 'Give the campaign a name.'), { name: t('必填', 'required') });
  const body = input.kind === 'marketing' ? withOptOutLine(input.text) : input.text.trim();
  if (!body) throw new AppError('bad_request', t('请填写短信内容。', 'Write the text of the message.'), { text: t('必填', 'required') });
  // placeholders as in templates ({姓名} {称谓} …): each recipient's own text; an unknown one is refused with its place
  checkPlaceholders(body, 'text');
  if (body.length > 500) throw new AppError('bad_request', t(`短信内容过长（${body.length} 个字，最多 500）。`, `The text is too long (${body.length} characters, at most 500).`), { text: t('最多 500 个字', 'at most 500 characters') });
  return db.transaction(async (s) => {
    const made = await s.query(
      `INSERT INTO campaigns (name, kind, text, branch_id, created_by) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING RETURNING campaign_id`,
      [name, input.kind, body, input.branchId ?? null, actor.name],
    );
    const campaign = await campaignByName(s, name);
    if (!campaign) throw new Error(`campaign ${name} was neither made nor found`);
    const created = made.rowCount > 0;
    if (campaign.kind !== input.kind || campaign.text !== body) {
      throw new AppError(
        'conflict',
        t(`已有名为“${name}”的活动，其类型或内容不同；同名只能是同一个活动，请换一个名称。`, `A campaign named "${name}" already exists with another kind or text; a name is one campaign: choose another name.`),
        { name: t('已被另一个活动使用', 'used by another campaign') },
      );
    }
    return { campaign, created };
  });
}

/** Approves a draft (audited: campaign_approve); an approved one is left as it is. */
export async function approveCampaign(db: Db, actor: CampaignActor, campaignId: string): Promise<Campaign> {
  return db.transaction(async (s) => {
    const r = await s.query(`UPDATE campaigns SET status = 'approved', approved_by = $2, approved_at = now() WHERE campaign_id = $1 AND status = 'draft'`, [campaignId, actor.name]);
    const campaign = await campaignById(s, campaignId);
    if (!campaign) throw new AppError('not_found', t('没有这个活动。', 'No such campaign.'));
    if (r.rowCount > 0) {
      await recordAudit(s, {
        actor: actor.login,
        role: actor.role ?? null,
        ip: actor.ip ?? null,
        action: 'campaign_approve',
        outcome: 'allowed',
        detail: { campaign: campaign.campaignId, name: campaign.name, kind: campaign.kind, via: actor.via, by: actor.name },
      });
    }
    return campaign;
  });
}

/** Of these customer ids, those no customer has (in the order given). */
export async function unknownCustomers(db: Db, ids: readonly string[]): Promise<string[]> {
  // the ids found, then the difference here: on Citus a correlated NOT EXISTS beside unnest() is refused
  const found = new Set<string>();
  await db.session(async (s) => {
    for (let i = 0; i < ids.length; i += 50_000) {
      const r = await s.query<{ id: string }>(`SELECT customer_id AS id FROM customers WHERE customer_id = ANY($1::text[])`, [ids.slice(i, i + 50_000)]);
      for (const x of r.rows) found.add(x.id);
    }
  });
  return ids.filter((id) => !found.has(id));
}

/**
 * Puts the customers in the campaign's outbox, once each (a customer already there stays as they
 * are: never twice for a campaign); how many were added.
 */
export async function addRecipients(db: Db, campaign: Campaign, ids: readonly string[], chunk = 20_000): Promise<number> {
  // a text with placeholders is written for each recipient (their name, salutation, manager, outlet, today)
  const personal = placeholdersIn(campaign.text).length > 0;
  const date = chinaDay(new Date());
  let added = 0;
  for (let i = 0; i < ids.length; i += chunk) {
    const part = ids.slice(i, i + chunk);
    added += await db.transaction(async (s) => {
      let texts: string[] | null = null;
      if (personal) {
        const values = await recipientValues(s, part);
        texts = part.map((id) => {
          const v = values.get(id);
          return v ? renderTemplate(campaign.text, valuesFor(v, { date })) : campaign.text;
        });
      }
      const r = await s.query(
        `INSERT INTO sms_outbox (customer_id, campaign_id, marketing, text)
         SELECT DISTINCT ON (x.id) x.id, $2::text, $3::boolean, coalesce(x.text, $4::text) FROM unnest($1::text[], $5::text[]) x(id, text)
         ON CONFLICT (campaign_id, customer_id) DO NOTHING
         RETURNING 1`,
        [part, campaign.campaignId, campaign.kind === 'marketing', campaign.text, texts ?? part.map(() => null)],
      );
      // the rows returned, not rowCount: Citus counts an INSERT … SELECT's rows before ON CONFLICT
      return r.rows.length;
    });
  }
  return added;
}

export interface CampaignCounts {
  recipients: number;
  byStatus: Record<string, number>;
  skipped: Partial<Record<SkipReason, number>>;
}

/** A campaign's outbox counted by status and skip reason. */
export async function campaignCounts(s: SqlSession, campaignId: string): Promise<CampaignCounts> {
  const r = await s.query<{ status: string; skip_reason: SkipReason | null; n: number }>(
    `SELECT status, skip_reason, count(*)::int AS n FROM sms_outbox WHERE campaign_id = $1 GROUP BY status, skip_reason`,
    [campaignId],
  );
  const out: CampaignCounts = { recipients: 0, byStatus: {}, skipped: {} };
  for (const x of r.rows) {
    out.recipients += x.n;
    out.byStatus[x.status] = (out.byStatus[x.status] ?? 0) + x.n;
    if (x.skip_reason) out.skipped[x.skip_reason] = (out.skipped[x.skip_reason] ?? 0) + x.n;
  }
  return out;
}
