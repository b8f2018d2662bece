import type { Db } from '../../platform/db.js';
import { addDays, festivalsBetween } from '../events/events.calendar.js';
import { FESTIVALS as FESTIVAL_LIST, type Festival } from '../events/events.policy.js';
import { withOptOutLine } from '../outreach/sms.rules.js';
import { recipientValues, valuesFor } from '../outreach/templates.service.js';
import { renderTemplate } from '../outreach/templates.text.js';
import { FESTIVALS as FESTIVAL_NAMES } from '../worklist/worklist.summary.js';

// Greetings (issue 21 §4, POLICIES "Messages and campaigns"), prepared by the daily batch for a
// business date D, set-based:
// - birthday greetings: for each manager, one campaign per day from D to D+BIRTHDAY_DAYS_AHEAD
//   with the manager's customers (primary owner) whose birthday falls on it (29 February: the
//   28th in other years), in the manager's and the branch's name (a manager who has left sends none);
// - festival greetings: for each branch, one campaign per festival falling from D+1 to
//   D+FESTIVAL_DAYS_AHEAD (3 days before it, or the first batch after if a day had no batch) with
//   the branch's band_5 customers, in the branch's name.
// Each is a marketing campaign (consent, do-not-disturb, opt-out, hours, 2 in 7 days are the
// sender's) that waits as a draft for the head of its branch. The campaign's id and name are made
// of what it is for, so a rerun finds it; recipients are added only while it is a draft, and a
// customer already in a greeting for the same birthday or festival is not added again (a customer
// who changed manager is greeted once).

/** Birthdays from D to D+3: prepared 3 days ahead, time enough for the head to approve. */
export const BIRTHDAY_DAYS_AHEAD = 3;
/** POLICIES: festival greetings are prepared 3 days before the festival. */
export const FESTIVAL_DAYS_AHEAD = 3;
/** POLICIES: festival greetings go to band_5 customers. */
export const FESTIVAL_BAND = 'band_5';
/** Who made a greeting campaign (campaigns.created_by). */
export const GREETINGS_AUTHOR = 'batch:greetings';

export const BIRTHDAY_TEXT = withOptOutLine('尊敬的{姓名}{称谓}：{日期}是您的生日，{客户经理}与{网点}全体同事祝您生日快乐、身体健康、万事如意！');
export const festivalText = (festival: Festival) =>
  withOptOutLine(`尊敬的{姓名}{称谓}：值此${FESTIVAL_NAMES[festival]?.zh ?? festival}来临之际，{网点}恭祝您节日快乐、阖家幸福！`);

export const birthdayCampaignId = (day: string, ownerId: string) => `greeting-birthday-${day}-${ownerId}`;
export const festivalCampaignId = (festival: string, day: string, branchId: string) => `greeting-${festival}-${day}-${branchId}`;

// the birthday of c falls on day (a date column or parameter): same month and day; 29 February on
// the 28th when the year has no 29th
const birthdayOn = (day: string) => `(c.birth_date <= ${day} AND (to_char(c.birth_date, 'MM-DD') = to_char(${day}, 'MM-DD')
   OR (to_char(c.birth_date, 'MM-DD') = '02-29' AND to_char(${day}, 'MM-DD') = '02-28' AND to_char(${day} + 1, 'MM-DD') = '03-01')))`;

export interface GreetingsResult {
  birthdayCampaigns: number;
  festivalCampaigns: number;
  /** outbox rows added (customers put in a greeting) by this run */
  recipients: number;
}

interface Made {
  campaign_id: string;
  name: string;
  text: string;
  occasion: 'birthday' | 'festival';
  festival: string | null;
  occasion_date: string;
  branch_id: string;
  owner_id: string | null;
}

/** Prepares the greetings of business date D; a rerun of D (or D+1 over the same days) prepares nothing twice. */
export async function prepareGreetings(db: Db, businessDate: string, chunk = 5_000): Promise<GreetingsResult> {
  const days = Array.from({ length: BIRTHDAY_DAYS_AHEAD + 1 }, (_, i) => addDays(businessDate, i));
  const festivals = festivalsBetween(addDays(businessDate, 1), addDays(businessDate, FESTIVAL_DAYS_AHEAD), FESTIVAL_LIST);

  // 1. the campaigns: one per manager and birthday, one per branch and festival (a few rows)
  const campaigns = await db.transaction(async (s) => {
    const wanted: Made[] = [];
    const owners = await s.query<{ staff_id: string; branch_id: string; day: string }>(
      `SELECT DISTINCT o.staff_id, st.branch_id, d.day::text AS day
         FROM customers c
         JOIN customer_owners o ON o.customer_id = c.customer_id AND o.kind = 'primary'
         JOIN staff st ON st.staff_id = o.staff_id AND st.active
         CROSS JOIN unnest($1::date[]) AS d(day)
        WHERE c.status = 'active' AND c.birth_date IS NOT NULL AND ${birthdayOn('d.day')}`,
      [days],
    );
    for (const o of owners.rows) {
      const id = birthdayCampaignId(o.day, o.staff_id);
      wanted.push({ campaign_id: id, name: `生日祝福 ${o.day} ${o.staff_id}`, text: BIRTHDAY_TEXT, occasion: 'birthday', festival: null, occasion_date: o.day, branch_id: o.branch_id, owner_id: o.staff_id });
    }
    if (festivals.length > 0) {
      const branches = await s.query<{ branch_id: string }>(
        `SELECT DISTINCT c.branch_id FROM customers c
           JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = 'aum_band' AND t.tier = $1
          WHERE c.status = 'active'`,
        [FESTIVAL_BAND],
      );
      for (const f of festivals) {
        for (const b of branches.rows) {
          wanted.push({
            campaign_id: festivalCampaignId(f.festival, f.date, b.branch_id),
            name: `${FESTIVAL_NAMES[f.festival]?.zh ?? f.festival}祝福 ${f.date} ${b.branch_id}`,
            text: festivalText(f.festival),
            occasion: 'festival',
            festival: f.festival,
            occasion_date: f.date,
            branch_id: b.branch_id,
            owner_id: null,
          });
        }
      }
    }
    if (wanted.length === 0) return [];
    const col = <K extends keyof Made>(k: K) => wanted.map((w) => w[k]);
    await s.query(
      `INSERT INTO campaigns (campaign_id, name, kind, text, branch_id, created_by)
       SELECT id, name, 'marketing', text, branch, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x(id, name, text, branch)
       ON CONFLICT DO NOTHING`,
      [col('campaign_id'), col('name'), col('text'), col('branch_id'), GREETINGS_AUTHOR],
    );
    await s.query(
      `INSERT INTO greetings (campaign_id, occasion, festival, occasion_date, branch_id, owner_id, prepared_on)
       SELECT id, occasion, festival, day, branch, owner, $7::date
         FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[]) AS x(id, occasion, festival, day, branch, owner)
       ON CONFLICT (campaign_id) DO NOTHING`,
      [col('campaign_id'), col('occasion'), col('festival'), col('occasion_date'), col('branch_id'), col('owner_id'), businessDate],
    );
    // those still drafts take recipients (an approved one is as the head approved it)
    const drafts = await s.query<{ campaign_id: string }>(`SELECT campaign_id FROM campaigns WHERE campaign_id = ANY($1::text[]) AND status = 'draft'`, [col('campaign_id')]);
    const open = new Set(drafts.rows.map((r) => r.campaign_id));
    return wanted.filter((w) => open.has(w.campaign_id));
  });

  // 2. their recipients, set-based: every candidate of the draft campaigns in one query each kind
  const recipients = await db.session(async (s) => {
    const birthday = campaigns.filter((c) => c.occasion === 'birthday');
    const festival = campaigns.filter((c) => c.occasion === 'festival');
    const rows: { customer_id: string; campaign_id: string }[] = [];
    if (birthday.length > 0) {
      rows.push(
        ...(
          await s.query<{ customer_id: string; campaign_id: string }>(
            `SELECT c.customer_id, g.id AS campaign_id
               FROM unnest($1::text[], $2::text[], $3::date[]) AS g(id, owner, day)
               JOIN customer_owners o ON o.staff_id = g.owner AND o.kind = 'primary'
               JOIN customers c ON c.customer_id = o.customer_id
              WHERE c.status = 'active' AND c.birth_date IS NOT NULL AND ${birthdayOn('g.day')}`,
            [birthday.map((c) => c.campaign_id), birthday.map((c) => c.owner_id), birthday.map((c) => c.occasion_date)],
          )
        ).rows,
      );
    }
    if (festival.length > 0) {
      rows.push(
        ...(
          await s.query<{ customer_id: string; campaign_id: string }>(
            `SELECT c.customer_id, g.id AS campaign_id
               FROM unnest($1::text[], $2::text[]) AS g(id, branch)
               JOIN customers c ON c.branch_id = g.branch
               JOIN customer_tiers t ON t.customer_id = c.customer_id AND t.model = 'aum_band' AND t.tier = $3
              WHERE c.status = 'active'`,
            [festival.map((c) => c.campaign_id), festival.map((c) => c.branch_id), FESTIVAL_BAND],
          )
        ).rows,
      );
    }
    return rows;
  });
  const byId = new Map(campaigns.map((c) => [c.campaign_id, c]));
  const key = (c: { occasion: string; festival: string | null; occasion_date: string }) => `${c.occasion}|${c.festival ?? ''}|${c.occasion_date}`;

  let added = 0;
  for (let i = 0; i < recipients.length; i += chunk) {
    const part = recipients.slice(i, i + chunk);
    added += await db.transaction(async (s) => {
      // a customer already in a greeting for the same occasion (another manager's, before a change of owner) is left out
      const ids = [...new Set(part.map((r) => r.customer_id))];
      const had = await s.query<{ customer_id: string; campaign_id: string; occasion: string; festival: string | null; occasion_date: string }>(
        `SELECT x.customer_id, x.campaign_id, g.occasion, g.festival, g.occasion_date::text AS occasion_date
           FROM sms_outbox x JOIN greetings g ON g.campaign_id = x.campaign_id
          WHERE x.customer_id = ANY($1::text[]) AND g.occasion_date >= $2::date`,
        [ids, businessDate],
      );
      const greeted = new Map(had.rows.map((h) => [`${h.customer_id}|${key(h)}`, h.campaign_id]));
      const todo = part.filter((r) => {
        const c = byId.get(r.campaign_id);
        const already = c ? greeted.get(`${r.customer_id}|${key(c)}`) : undefined;
        return c && (already === undefined || already === r.campaign_id);
      });
      if (todo.length === 0) return 0;
      const values = await recipientValues(s, todo.map((r) => r.customer_id));
      const texts = todo.map((r) => {
        const c = byId.get(r.campaign_id) as Made;
        const v = values.get(r.customer_id);
        return v ? renderTemplate(c.text, valuesFor(v, { date: c.occasion_date })) : c.text;
      });
      const r = await s.query(
        `INSERT INTO sms_outbox (customer_id, campaign_id, ref, marketing, text)
         SELECT x.id, x.campaign, 'greeting:' || x.campaign || ':' || x.id, true, x.text FROM unnest($1::text[], $2::text[], $3::text[]) AS x(id, campaign, text)
         ON CONFLICT (campaign_id, customer_id) DO NOTHING
         RETURNING 1`,
        [todo.map((r) => r.customer_id), todo.map((r) => r.campaign_id), texts],
      );
      // the rows returned, not rowCount: Citus counts an INSERT … SELECT's rows before ON CONFLICT
      return r.rows.length;
    });
  }
  return {
    birthdayCampaigns: new Set(campaigns.filter((c) => c.occasion === 'birthday').map((c) => c.campaign_id)).size,
    festivalCampaigns: new Set(campaigns.filter((c) => c.occasion === 'festival').map((c) => c.campaign_id)).size,
    recipients: added,
  };
}
