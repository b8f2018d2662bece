import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import type { SignedInUser } from '../access/access.service.js';
import { addDays } from '../events/events.calendar.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import type { Greeting } from './greetings.contract.js';

// The greetings the daily batch prepared (greetings.batch.ts), for the head of their branch to
// approve; the department sees and approves every branch's. Once approved, the sender
// (`stratum sms send`) sends them under every marketing rule. "Today" is the latest business date
// loaded (a greeting whose day is before it has passed).

interface Row extends Listed {
  recipients: number;
}

interface Listed {
  campaign_id: string;
  occasion: 'birthday' | 'festival';
  festival: string | null;
  occasion_date: string;
  branch_id: string;
  branch_name: string | null;
  owner_id: string | null;
  owner_name: string | null;
  prepared_on: string;
  text: string;
  status: Greeting['status'];
  approved_by: string | null;
  approved_at: Date | string | null;
}

/** The rows with their recipients counted: one query over the outbox by campaign (its index), not one per row. */
async function counted(s: SqlSession, rows: readonly Listed[]): Promise<Row[]> {
  if (rows.length === 0) return [];
  const r = await s.query<{ campaign_id: string; n: number }>(
    `SELECT campaign_id, count(*)::int AS n FROM sms_outbox WHERE campaign_id = ANY($1::text[]) GROUP BY campaign_id`,
    [rows.map((x) => x.campaign_id)],
  );
  const n = new Map(r.rows.map((x) => [x.campaign_id, x.n]));
  return rows.map((x) => ({ ...x, recipients: n.get(x.campaign_id) ?? 0 }));
}

const SELECT = `
SELECT g.campaign_id, g.occasion, g.festival, g.occasion_date::text AS occasion_date, g.branch_id, b.name AS branch_name,
       g.owner_id, st.name AS owner_name, g.prepared_on::text AS prepared_on, k.text, k.status, k.approved_by, k.approved_at
  FROM greetings g
  JOIN campaigns k ON k.campaign_id = g.campaign_id
  LEFT JOIN branches b ON b.branch_id = g.branch_id
  LEFT JOIN staff st ON st.staff_id = g.owner_id`;

const inScope = (user: SignedInUser, branchId: string) => user.scope === null || user.scope.includes(branchId);
const notFound = () => new AppError('not_found', text('没有这条祝福短信，或它不在您的权限范围内。', 'There is no such greeting within your scope.'));

function present(user: SignedInUser, r: Row, today: string): Greeting {
  const passed = r.occasion_date < today;
  return {
    campaignId: r.campaign_id,
    occasion: r.occasion,
    festival: r.festival,
    occasionDate: r.occasion_date,
    branch: { id: r.branch_id, name: r.branch_name ?? r.branch_id },
    owner: r.owner_id ? { staffId: r.owner_id, name: r.owner_name ?? r.owner_id } : null,
    preparedOn: r.prepared_on,
    text: r.text,
    status: r.status,
    recipients: r.recipients,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at === null ? null : new Date(r.approved_at).toISOString(),
    passed,
    approvable: r.status === 'draft' && !passed && r.recipients > 0 && user.permissions.includes('greetings.approve') && inScope(user, r.branch_id),
  };
}

/** The greetings of the user's branches (the department: all), the next occasions first. */
export async function listGreetings(db: Db, user: SignedInUser, q: { status?: Greeting['status'] | undefined; from?: string | undefined }, today: string) {
  const rows = await db.session(async (s) => {
    const params: unknown[] = [q.from ?? addDays(today, -7), user.scope ? [...user.scope] : null];
    let where = `g.occasion_date >= $1::date AND ($2::text[] IS NULL OR g.branch_id = ANY($2::text[]))`;
    if (q.status) {
      params.push(q.status);
      where += ` AND k.status = $3`;
    }
    return counted(s, (await s.query<Listed>(`${SELECT} WHERE ${where} ORDER BY g.occasion_date, g.branch_id, g.occasion, g.campaign_id`, params)).rows);
  });
  return { items: rows.map((r) => present(user, r, today)) };
}

async function one(s: SqlSession, user: SignedInUser, campaignId: string): Promise<Row> {
  const r = (await s.query<Listed>(`${SELECT} WHERE g.campaign_id = $1`, [campaignId])).rows[0];
  if (!r || !inScope(user, r.branch_id)) throw notFound();
  return (await counted(s, [r]))[0] as Row;
}

export async function getGreeting(db: Db, user: SignedInUser, campaignId: string, today: string): Promise<Greeting> {
  return present(user, await db.session((s) => one(s, user, campaignId)), today);
}

/**
 * Approves a prepared greeting (audited: greeting_approve): the head of its branch, the
 * department any. One already approved is left as it is; one whose day has passed is refused.
 */
export async function approveGreeting(db: Db, a: WorkActor, campaignId: string, today: string): Promise<Greeting> {
  await db.transaction(async (s) => {
    const r = await one(s, a.user, campaignId);
    if (r.status !== 'draft') return;
    if (r.occasion_date < today) {
      throw new AppError(
        'conflict',
        text(`这条祝福的日期（${r.occasion_date}）已过，不能再批准。`, `The day of this greeting (${r.occasion_date}) has passed: it can no longer be approved.`),
        { campaignId: text('日期已过', 'the day has passed') },
      );
    }
    if (r.recipients === 0) throw new AppError('conflict', text('这条祝福没有收件客户，无需批准。', 'This greeting has no recipients: there is nothing to approve.'), { campaignId: text('没有收件客户', 'no recipients') });
    const u = await s.query(`UPDATE campaigns SET status = 'approved', approved_by = $2, approved_at = now() WHERE campaign_id = $1 AND status = 'draft'`, [campaignId, a.user.login]);
    if (u.rowCount > 0) {
      await recordAudit(s, {
        actor: a.user.login,
        role: a.user.role,
        ip: a.ip,
        action: 'greeting_approve',
        outcome: 'allowed',
        reason: null,
        detail: { campaign: campaignId, occasion: r.occasion, festival: r.festival, date: r.occasion_date, branch: r.branch_id, recipients: r.recipients },
      });
    }
  });
  return getGreeting(db, a.user, campaignId, today);
}
