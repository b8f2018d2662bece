import { recordAudit } from '../../platform/audit.js';
import { campaignHoldoutPercent, smsSettings, type SmsSettings } from '../../platform/config.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { customerScope } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { addDays } from '../events/events.calendar.js';
import { latestLoadedDate } from '../system/system.service.js';
import { chinaDay, type WorkActor } from '../worklist/worklist.common.js';
import { approveCampaign, campaignCounts } from './campaign.service.js';
import { presentSend, sendOpen, type CampaignSends } from './campaign.sends.js';
import type { CampaignDetail, CampaignSummary } from './campaigns.contract.js';
import * as q from './campaigns.sql.js';
import { groupsVisible, takeMembership } from './groups.sql.js';
import { withOptOutLine } from './sms.rules.js';
import { mayDecide } from './templates.service.js';

// Campaigns through the API (群发活动, issue 21 §3 and §6). Made from a customer group and an
// approved template: the group's members are taken on the business date and kept with the
// campaign, a share of them held out (10% by default) by a hash of campaign and customer. The
// head of the campaign's branch (the department for a bank-wide one) approves it, never its
// author; its author or an approver sends it through the sender (sms.sender.ts, every rule of
// POLICIES). Its page counts the messages, and 30 days after the send compares the recipients'
// AUM change and new opportunities with the held-out customers'.

/** Days after the send at which a campaign's results are read. */
export const RESULT_DAYS = 30;

const notFound = () => new AppError('not_found', text('没有这个活动，或它不在您的权限范围内。', 'There is no such campaign within your scope.'));
const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const viewer = (user: SignedInUser) => ({ staffId: user.staffId ?? user.login, scope: user.scope, approver: user.permissions.includes('campaigns.approve') });

const mayApprove = (user: SignedInUser, r: q.CampaignRow) => r.status === 'draft' && !r.greeting && user.permissions.includes('campaigns.approve') && mayDecide(user, r);
const maySend = (user: SignedInUser, r: q.CampaignRow) =>
  (r.status === 'approved' || r.status === 'sending') &&
  user.permissions.includes('campaigns.write') &&
  (r.created_by === user.staffId || (user.permissions.includes('campaigns.approve') && (user.scope === null || (r.branch_id !== null && user.scope.includes(r.branch_id)))));

function summary(user: SignedInUser, r: q.CampaignRow, n: { members: number; heldOut: number } | undefined): CampaignSummary {
  return {
    campaignId: r.campaign_id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    branch: r.branch_id === null ? null : { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    group: r.group_id === null ? null : { id: r.group_id, name: r.group_name ?? r.group_id },
    template: r.template_id === null ? null : { id: r.template_id, version: r.template_version ?? 1, name: r.template_name ?? r.template_id },
    takenOn: r.taken_on,
    holdoutPercent: r.holdout_percent,
    members: n?.members ?? 0,
    heldOut: n?.heldOut ?? 0,
    createdBy: { staffId: r.created_by, name: r.creator_name },
    createdAt: iso(r.created_at) ?? '',
    approvedBy: r.approved_by ? { staffId: r.approved_by, name: r.approver_name ?? r.approved_by } : null,
    approvedAt: iso(r.approved_at),
    sentOn: r.sent_on,
    approvable: mayApprove(user, r),
    sendable: maySend(user, r) && !sendOpen(r),
  };
}

async function visible(s: SqlSession, user: SignedInUser, campaignId: string): Promise<q.CampaignRow> {
  const [r] = await q.campaignsVisible(s, viewer(user), { campaignId });
  if (!r) throw notFound();
  return r;
}

export async function listCampaigns(db: Db, user: SignedInUser, status?: string) {
  return db.session(async (s) => {
    const rows = await q.campaignsVisible(s, viewer(user), status ? { status } : {});
    const counts = await q.memberCounts(s, rows.map((r) => r.campaign_id));
    return { items: rows.map((r) => summary(user, r, counts.get(r.campaign_id))) };
  });
}

const arm = (r: q.ArmRow | undefined) =>
  r
    ? {
        customers: r.customers,
        aumBefore: Number(r.aum_before),
        aumAfter: Number(r.aum_after),
        meanAumChange: r.mean_change === null ? null : Number(r.mean_change),
        withNewOpportunity: r.with_opportunity,
        newOpportunityShare: r.customers > 0 ? r.with_opportunity / r.customers : null,
      }
    : { customers: 0, aumBefore: 0, aumAfter: 0, meanAumChange: null, withNewOpportunity: 0, newOpportunityShare: null };

/**
 * A campaign's page: where it came from, its messages counted, its latest send's progress, and its
 * results once 30 days have passed.
 */
export async function campaignDetail(db: Db, user: SignedInUser, campaignId: string, o: { lang?: Lang; sends?: CampaignSends } = {}): Promise<CampaignDetail> {
  const latest = await latestLoadedDate(db);
  return db.session(async (s) => {
    const r = await visible(s, user, campaignId);
    const [counts, members, optedOut] = [await campaignCounts(s, campaignId), await q.memberCounts(s, [campaignId]), await q.optedOutAfter(s, campaignId)];
    const by = counts.byStatus;
    const availableOn = r.sent_on ? addDays(r.sent_on, RESULT_DAYS) : null;
    const ready = availableOn !== null && latest !== null && latest >= availableOn && r.sent_on !== null;
    let recipients = null;
    let holdout = null;
    if (ready && r.sent_on && availableOn) {
      // the business date 30 days on, or the last one loaded before it (a day without a load)
      const to = await q.loadedOnOrBefore(s, availableOn);
      const arms = await q.compareArms(s, campaignId, r.sent_on, to);
      recipients = arm(arms.find((a) => a.arm === 'recipients'));
      holdout = arm(arms.find((a) => a.arm === 'holdout'));
    }
    const n = members.get(campaignId);
    return {
      ...summary(user, r, n),
      text: r.text,
      send: presentSend(r, counts, n ? n.members - n.heldOut : 0, o.lang ?? 'zh', o.sends?.livePosted(campaignId) ?? null),
      messages: {
        queued: by.queued ?? 0,
        sent: (by.sending ?? 0) + (by.accepted ?? 0) + (by.delivered ?? 0) + (by.failed ?? 0),
        delivered: by.delivered ?? 0,
        failed: (by.failed ?? 0) + (by.rejected ?? 0),
        optedOut,
        skipped: by.skipped ?? 0,
        skippedBy: counts.skipped,
      },
      results: { availableOn, ready, recipients, holdout },
    };
  });
}

const audit = (s: SqlSession, a: WorkActor, action: string, detail: Record<string, unknown>) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, outcome: 'allowed', detail });

export interface ApprovedTemplate {
  template_id: string;
  version: number;
  kind: 'marketing' | 'service';
  body: string;
}

/** The latest approved version of a template the user sees (404 outside their scope, 409 not approved yet). */
export async function approvedTemplate(s: SqlSession, user: SignedInUser, templateId: string): Promise<ApprovedTemplate> {
  const t = (
    await s.query<ApprovedTemplate & { branch_id: string | null; created_by: string; status: string }>(
      `SELECT template_id, version, kind, body, branch_id, created_by, status FROM message_templates
        WHERE template_id = $1 AND (created_by = $2 OR branch_id IS NULL OR $3::text[] IS NULL OR branch_id = ANY($3::text[]))
        ORDER BY (status = 'approved') DESC, version DESC LIMIT 1`,
      [templateId, user.staffId, user.scope ? [...user.scope] : null],
    )
  ).rows[0];
  if (!t) throw new AppError('not_found', text('没有这个短信模板，或它不在您的权限范围内。', 'There is no such message template within your scope.'), { templateId: text('不在您的权限范围内', 'not within your scope') });
  if (t.status !== 'approved') throw new AppError('conflict', text('这个短信模板还没有审批通过，审批后才能用于活动。', 'This message template is not approved yet; a campaign uses approved templates only.'), { templateId: text('未审批', 'not approved') });
  return t;
}

/** The text a campaign of the template sends: a marketing one ends with the opt-out line; at most 500 characters. */
export function campaignText(t: ApprovedTemplate): string {
  const message = t.kind === 'marketing' ? withOptOutLine(t.body) : t.body.trim();
  if (message.length > 500) throw bad('templateId', `模板内容过长（${message.length} 个字，活动最多 500）。`, `The template's text is too long for a campaign (${message.length} characters, at most 500).`);
  return message;
}

/**
 * A campaign made from a group and an approved template (a draft): the group's members taken on the
 * latest business date, kept with it, the holdout drawn. Audited (campaign_create).
 */
export async function createCampaignFromGroup(db: Db, a: WorkActor, body: { name: string; groupId: string; templateId: string; holdoutPercent?: number | undefined }) {
  const user = a.user;
  const name = body.name.trim();
  if (!name) throw bad('name', '请填写活动名称。', 'Give the campaign a name.');
  if (!user.staffId || !user.branchId) throw new AppError('forbidden', text('只有员工可以建立活动。', 'Only staff members make campaigns.'));
  const holdoutPercent = body.holdoutPercent ?? campaignHoldoutPercent();
  const found = await db.session(async (s) => {
    const [group] = await groupsVisible(s, user.staffId ?? '', user.scope, body.groupId);
    if (!group) throw new AppError('not_found', text('没有这个客户分组，或它不在您的权限范围内。', 'There is no such customer group within your scope.'), { groupId: text('不在您的权限范围内', 'not within your scope') });
    const t = await approvedTemplate(s, user, body.templateId);
    return { group, template: t };
  });
  const message = campaignText(found.template);
  const takenOn = await latestLoadedDate(db);
  if (!takenOn) throw new AppError('conflict', text('还没有载入任何营业日的数据，无法选取分组的客户。', 'No business date is loaded yet: the group has no members to take.'));
  await takeMembership(db, body.groupId, takenOn);
  const campaignId = await db.transaction(async (s) => {
    const made = await s.query<{ campaign_id: string }>(
      `INSERT INTO campaigns (name, kind, text, branch_id, created_by, group_id, template_id, template_version, taken_on, holdout_percent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10) ON CONFLICT (name) DO NOTHING RETURNING campaign_id`,
      [name, found.template.kind, message, user.role === 'pb_dept' ? null : user.branchId, user.staffId, body.groupId, found.template.template_id, found.template.version, takenOn, holdoutPercent],
    );
    const id = made.rows[0]?.campaign_id;
    if (!id) throw new AppError('conflict', text(`已有名为“${name}”的活动，请换一个名称。`, `A campaign named "${name}" already exists: choose another name.`), { name: text('已被使用', 'already used') });
    const members = await q.keepMembers(s, { campaignId: id, groupId: body.groupId, takenOn, holdoutPercent }, customerScope(user));
    await audit(s, a, 'campaign_create', { campaignId: id, name, groupId: body.groupId, templateId: found.template.template_id, version: found.template.version, takenOn, members, holdoutPercent });
    return id;
  });
  return campaignDetail(db, user, campaignId);
}

/** Approved by the head of its branch (the department a bank-wide one), never its author (audited: campaign_approve). */
export async function approveFromApi(db: Db, a: WorkActor, campaignId: string) {
  const r = await db.session((s) => visible(s, a.user, campaignId));
  if (r.status !== 'draft') throw new AppError('conflict', text('这个活动已经审批过了。', 'This campaign is already approved.'));
  if (r.created_by === a.user.staffId) throw new AppError('forbidden', text('不能审批自己建立的活动。', 'You cannot approve a campaign you made.'));
  if (r.greeting) throw new AppError('forbidden', text('祝福短信在“祝福短信”页面审批。', 'Greetings are approved on the Greetings page.'));
  if (!mayApprove(a.user, r)) {
    throw new AppError('forbidden', text(r.branch_id === null ? '全行活动由个人金融部审批。' : '活动由其网点所属的负责人审批。', r.branch_id === null ? 'Bank-wide campaigns are approved by the personal banking department.' : 'A campaign is approved by the head of its branch.'));
  }
  await approveCampaign(db, { login: a.user.login, role: a.user.role, ip: a.ip, name: a.user.staffId ?? a.user.login, via: 'api' }, campaignId);
  return campaignDetail(db, a.user, campaignId);
}

export interface SendDeps {
  settings?: SmsSettings;
  now?: () => Date;
}

/**
 * Starts the send of an approved campaign (or the finish of a send that stopped) in the background
 * and answers at once with the send to follow: the held-out members' would-be skip reasons are
 * recorded on the first send, then the server puts the members not held out in the outbox once
 * each and the sender posts what waits (campaign.sends.ts). Refused (409) while a send of the
 * campaign is under way. Audited (campaign_send) each time.
 */
export async function sendFromApi(db: Db, a: WorkActor, campaignId: string, sends: CampaignSends, deps: SendDeps = {}) {
  const r = await db.session((s) => visible(s, a.user, campaignId));
  if (r.status === 'draft') throw new AppError('conflict', text('活动尚未审批，审批后才能发送。', 'The campaign is not approved yet; it can be sent once approved.'));
  if (r.status === 'done') throw new AppError('conflict', text('这个活动已经发送完毕。', 'This campaign has been sent already.'));
  if (!maySend(a.user, r)) throw new AppError('forbidden', text('只有活动的建立者或其网点的负责人可以发送它。', 'Only whoever made the campaign, or the head of its branch, may send it.'));
  const settings = deps.settings ?? smsSettings();
  if (!settings.url) throw new AppError('unavailable', text('尚未设置短信网关（STRATUM_SMS_URL），无法发送。', 'No SMS gateway is set (STRATUM_SMS_URL): nothing can be sent.'));
  const today = await latestLoadedDate(db);
  const job = await sends.claim(campaignId);
  try {
    await db.transaction(async (s) => {
      const first = await s.query(`UPDATE campaigns SET sent_on = $2::date, sent_by = $3 WHERE campaign_id = $1 AND sent_on IS NULL RETURNING 1`, [campaignId, today ?? chinaDay(new Date()), a.user.staffId ?? a.user.login]);
      if (first.rows.length > 0) await q.markHoldoutReasons(s, campaignId, r.kind === 'marketing');
      await audit(s, a, 'campaign_send', { campaignId, name: r.name, first: first.rows.length > 0, job });
    });
  } catch (e) {
    await sends.release(campaignId, e).catch(() => {});
    throw e;
  }
  sends.run(campaignId, settings, deps.now);
  const d = await campaignDetail(db, a.user, campaignId, { lang: a.lang, sends });
  if (!d.send) throw new Error('the campaign send was not recorded');
  return d.send;
}
