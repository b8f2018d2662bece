import type { SqlSession } from '../../platform/db.js';
import { scopeSql, type CustomerScope } from '../access/access.scope.js';

// The SQL of campaigns made through the API: the members kept with the campaign and its holdout,
// what held-out members would have been skipped for, the messages counted, and the comparison of
// recipients and holdout 30 days after the send. Every statement is set-based over the campaign's
// members; on Citus the members, the outbox, the snapshots and the opportunities are co-located by
// customer_id, so each join runs on the workers.

export interface CampaignRow {
  campaign_id: string;
  name: string;
  kind: 'marketing' | 'service';
  text: string;
  status: 'draft' | 'approved' | 'sending' | 'done';
  /** a birthday or festival greeting the batch prepared: decided on the greetings page, by its rules */
  greeting: boolean;
  branch_id: string | null;
  branch_name: string | null;
  group_id: string | null;
  group_name: string | null;
  template_id: string | null;
  template_version: number | null;
  template_name: string | null;
  taken_on: string | null;
  holdout_percent: number;
  created_by: string;
  creator_name: string;
  created_at: Date | string;
  approved_by: string | null;
  approver_name: string | null;
  approved_at: Date | string | null;
  sent_on: string | null;
  send_job: string | null;
  send_state: 'queued' | 'running' | 'done' | 'waiting' | 'failed' | 'interrupted' | null;
  send_started_at: Date | string | null;
  send_finished_at: Date | string | null;
  send_posted: number;
  send_waits_until: Date | string | null;
  send_error_zh: string | null;
  send_error_en: string | null;
}

const SELECT = `SELECT c.campaign_id, c.name, c.kind, c.text, c.status, c.branch_id, b.name AS branch_name, c.group_id, g.name AS group_name,
       c.template_id, c.template_version, t.name AS template_name, to_char(c.taken_on, 'YYYY-MM-DD') AS taken_on, c.holdout_percent,
       c.created_by, coalesce(cs.name, c.created_by) AS creator_name, c.created_at, c.approved_by, coalesce(aps.name, c.approved_by) AS approver_name,
       c.approved_at, to_char(c.sent_on, 'YYYY-MM-DD') AS sent_on, c.send_job, c.send_state, c.send_started_at, c.send_finished_at, c.send_posted,
       c.send_waits_until, c.send_error_zh, c.send_error_en,
       EXISTS (SELECT 1 FROM greetings gr WHERE gr.campaign_id = c.campaign_id) AS greeting
  FROM campaigns c
  LEFT JOIN branches b ON b.branch_id = c.branch_id
  LEFT JOIN customer_groups g ON g.group_id = c.group_id
  LEFT JOIN message_templates t ON t.template_id = c.template_id AND t.version = c.template_version
  LEFT JOIN staff cs ON cs.staff_id = c.created_by
  LEFT JOIN staff aps ON aps.staff_id = c.approved_by`;

/**
 * The campaigns a user sees: their own; a head's (approver's) those of the branches in their scope;
 * the department (scope null) every one. One campaign when campaignId is given.
 */
export async function campaignsVisible(s: SqlSession, v: { staffId: string; scope: readonly string[] | null; approver: boolean }, o: { campaignId?: string; status?: string } = {}): Promise<CampaignRow[]> {
  const params: unknown[] = [v.staffId, v.scope ? [...v.scope] : null, v.approver];
  let where = `(c.created_by = $1 OR $2::text[] IS NULL OR ($3::boolean AND c.branch_id = ANY($2::text[])))`;
  if (o.campaignId !== undefined) {
    params.push(o.campaignId);
    where += ` AND c.campaign_id = $${params.length}`;
  }
  if (o.status !== undefined) {
    params.push(o.status);
    where += ` AND c.status = $${params.length}`;
  }
  // the list leaves out the greetings the batch prepares (dozens a day: they have their own page)
  if (o.campaignId === undefined) where += ` AND NOT EXISTS (SELECT 1 FROM greetings gr WHERE gr.campaign_id = c.campaign_id)`;
  return (await s.query<CampaignRow>(`${SELECT} WHERE ${where} ORDER BY c.created_at DESC, c.campaign_id LIMIT 500`, params)).rows;
}

/** Members and held-out members of each campaign. */
export async function memberCounts(s: SqlSession, ids: readonly string[]): Promise<Map<string, { members: number; heldOut: number }>> {
  if (ids.length === 0) return new Map();
  const r = await s.query<{ campaign_id: string; members: number; held_out: number }>(
    `SELECT campaign_id, count(*)::int AS members, (count(*) FILTER (WHERE held_out))::int AS held_out
       FROM campaign_members WHERE campaign_id = ANY($1::text[]) GROUP BY campaign_id`,
    [[...ids]],
  );
  return new Map(r.rows.map((x) => [x.campaign_id, { members: x.members, heldOut: x.held_out }]));
}

/**
 * Keeps the group's members taken on `takenOn` with the campaign, within the scope of whoever made
 * the campaign; holds out those whose hash of campaign id and customer id falls under the percent
 * (the same customers every time for the same campaign). How many members.
 */
export async function keepMembers(s: SqlSession, c: { campaignId: string; groupId: string; takenOn: string; holdoutPercent: number }, scope: CustomerScope): Promise<number> {
  const params: unknown[] = [c.campaignId, c.groupId, c.takenOn, c.holdoutPercent];
  const inScope = scopeSql(scope, 'o', params);
  const r = await s.query(
    `INSERT INTO campaign_members (customer_id, campaign_id, held_out)
     SELECT gm.customer_id, $1::text, ${holdoutSql('$1::text', 'gm.customer_id', '$4::int')}
       FROM group_members gm JOIN customer_overview o ON o.customer_id = gm.customer_id
      WHERE gm.group_id = $2 AND gm.taken_on = $3::date AND ${inScope}
     ON CONFLICT (customer_id, campaign_id) DO NOTHING
     RETURNING 1`,
    params,
  );
  return r.rows.length;
}

/** Whether a member is held out: the hash of "campaign:customer" read as a number, modulo 100, below the percent. */
export const holdoutSql = (campaign: string, customer: string, percent: string) =>
  `(${percent} > 0 AND (('x' || lpad(substr(md5(${campaign} || ':' || ${customer}), 1, 8), 16, '0'))::bit(64)::bigint % 100) < ${percent})`;

/**
 * When the campaign is sent: for each held-out member, the reason the sender would have skipped
 * them (the rules of sms.sender.ts but the 7-day count, which depends on the sending itself).
 */
export async function markHoldoutReasons(s: SqlSession, campaignId: string, marketing: boolean): Promise<void> {
  await s.query(
    `UPDATE campaign_members m SET would_skip = CASE
         WHEN c.status = 'left' THEN 'left'
         WHEN c.phone IS NULL OR btrim(c.phone) = '' THEN 'no_phone'
         WHEN NOT $2::boolean THEN NULL
         WHEN EXISTS (SELECT 1 FROM sms_opt_outs n WHERE n.customer_id = m.customer_id) THEN 'opted_out'
         WHEN NOT c.marketing_consent THEN 'no_consent'
         WHEN c.do_not_disturb THEN 'do_not_disturb'
       END
       FROM customers c
      WHERE m.campaign_id = $1 AND m.held_out AND c.customer_id = m.customer_id`,
    [campaignId, marketing],
  );
}

/** The members the campaign sends to (not held out). */
export async function sendingMembers(s: SqlSession, campaignId: string): Promise<string[]> {
  const r = await s.query<{ customer_id: string }>(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND NOT held_out ORDER BY customer_id`, [campaignId]);
  return r.rows.map((x) => x.customer_id);
}

/** Recipients whose opt-out came after their message was sent. */
export async function optedOutAfter(s: SqlSession, campaignId: string): Promise<number> {
  const r = await s.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sms_outbox o JOIN sms_opt_outs n ON n.customer_id = o.customer_id
      WHERE o.campaign_id = $1 AND o.sent_at IS NOT NULL AND n.at >= o.sent_at`,
    [campaignId],
  );
  return r.rows[0]?.n ?? 0;
}

export interface ArmRow {
  arm: 'recipients' | 'holdout';
  customers: number;
  aum_before: string;
  aum_after: string;
  mean_change: string | null;
  with_opportunity: number;
}

/**
 * Recipients (sent a message the gateway accepted or delivered) against the held-out members who
 * could have been sent it: their AUM on `from` and on `to` (a customer without a snapshot that day
 * had none: 0), and how many got an opportunity created from `from` to `to`.
 */
export async function compareArms(s: SqlSession, campaignId: string, from: string, to: string): Promise<ArmRow[]> {
  return compareArmsOf<ArmRow['arm']>(
    s,
    `SELECT m.customer_id, CASE WHEN m.held_out THEN 'holdout' ELSE 'recipients' END AS arm
       FROM campaign_members m LEFT JOIN sms_outbox o ON o.customer_id = m.customer_id AND o.campaign_id = m.campaign_id
      WHERE m.campaign_id = $3
        AND ((m.held_out AND m.would_skip IS NULL) OR (NOT m.held_out AND o.status IN ('accepted', 'delivered')))`,
    [campaignId],
    from,
    to,
  );
}

/**
 * Any two (or more) sets of customers compared the same way (a campaign's arms, a relationship
 * event's attendees and the invited who did not come): `armsSql` selects (customer_id, arm), its
 * own parameters from $3 on ($1 and $2 are `from` and `to`).
 */
export async function compareArmsOf<A extends string>(s: SqlSession, armsSql: string, params: unknown[], from: string, to: string): Promise<(Omit<ArmRow, 'arm'> & { arm: A })[]> {
  const r = await s.query<Omit<ArmRow, 'arm'> & { arm: A }>(
    `SELECT a.arm, count(*)::int AS customers,
            coalesce(sum(coalesce(b1.aum, 0)), 0)::text AS aum_before, coalesce(sum(coalesce(b2.aum, 0)), 0)::text AS aum_after,
            round(avg(coalesce(b2.aum, 0) - coalesce(b1.aum, 0)), 2)::text AS mean_change,
            (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM opportunities op WHERE op.customer_id = a.customer_id AND op.created_on BETWEEN $1::date AND $2::date)))::int AS with_opportunity
       FROM (${armsSql}) a
       LEFT JOIN balance_snapshots b1 ON b1.customer_id = a.customer_id AND b1.business_date = $1::date
       LEFT JOIN balance_snapshots b2 ON b2.customer_id = a.customer_id AND b2.business_date = $2::date
      GROUP BY a.arm`,
    [from, to, ...params],
  );
  return r.rows;
}

/** The business date loaded on `date`, or the last one loaded before it (a day without a load); `date` itself when none. */
export async function loadedOnOrBefore(s: SqlSession, date: string): Promise<string> {
  return (await s.query<{ d: string | null }>(`SELECT to_char(max(business_date), 'YYYY-MM-DD') AS d FROM business_dates WHERE business_date <= $1::date`, [date])).rows[0]?.d ?? date;
}
