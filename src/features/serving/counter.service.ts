import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskIdNumber, maskPhone } from '../../platform/masking.js';
import { viewName } from '../../platform/pii.js';
import { customerNotFound, customerScope, piiView, rowScopeSql, scopeSql } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { businessToday } from '../system/system.service.js';
import { chinaDay, me, type WorkActor } from '../worklist/worklist.common.js';
import { entitlementsFor } from './entitlements.service.js';

// The counter's view (issue 22 §3): tellers, the lobby manager and the lobby assistant find a
// walk-in customer fast within their scope, see what to do for them, and the lobby manager hands
// them to a customer manager available today (现场分配).

export const SEARCH_LIMIT = 20;
const likePrefix = (s: string) => s.replace(/[\\%_]/g, (m) => '\\' + m) + '%';

export type MatchedBy = 'phone_tail' | 'id_tail' | 'card' | 'customer_id' | 'name';

/**
 * How the text is read: 4 digits are a phone's last four or an ID number's; 3 digits and X an ID
 * number's; letters and digits (5 or more) a card number or a customer number; anything else the
 * beginning of a name. Each reading is an index probe (migration 0034, customer_overview's indexes).
 */
export function readingsOf(q: string): MatchedBy[] {
  if (/^\d{4}$/.test(q)) return ['phone_tail', 'id_tail'];
  if (/^\d{3}[Xx]$/.test(q)) return ['id_tail'];
  if (/^[A-Za-z0-9-]{5,40}$/.test(q)) return ['card', 'customer_id'];
  if (/^\d+$/.test(q)) return [];
  return ['name'];
}

const PROBES: Record<Exclude<MatchedBy, 'name'>, string> = {
  phone_tail: `SELECT customer_id, 'phone_tail' AS by FROM customer_overview WHERE phone_tail = $1`,
  id_tail: `SELECT customer_id, 'id_tail' AS by FROM customers WHERE right(id_number, 4) = upper($1) AND id_number IS NOT NULL`,
  card: `SELECT customer_id, 'card' AS by FROM cards WHERE card_id = $1`,
  customer_id: `SELECT customer_id, 'customer_id' AS by FROM customers WHERE customer_id = upper($1)`,
};

interface HitRow {
  customer_id: string;
  by: MatchedBy;
  name: string;
  branch_id: string;
  branch_name: string;
  phone: string | null;
  id_number: string | null;
}

const HIT_COLUMNS = `o.customer_id, o.name, o.branch_id, b.name AS branch_name, c.phone, c.id_number`;

/** The customers a text finds within the user's scope (at most SEARCH_LIMIT, the largest AUM first; a name in name order). */
export async function searchIds(s: SqlSession, user: SignedInUser, q: string): Promise<HitRow[]> {
  const readings = readingsOf(q);
  if (!readings.length) return [];
  const scope = customerScope(user);
  if (readings[0] === 'name') {
    const params: unknown[] = [likePrefix(q)];
    const r = await s.query<HitRow>(
      `SELECT ${HIT_COLUMNS}, 'name' AS by
         FROM customer_overview o
         JOIN customers c ON c.customer_id = o.customer_id
         JOIN branches b ON b.branch_id = o.branch_id
        WHERE (o.name COLLATE "C") LIKE $1 AND o.status = 'active' AND ${scopeSql(scope, 'o', params)}
        ORDER BY (o.name COLLATE "C"), o.customer_id
        LIMIT ${SEARCH_LIMIT}`,
      params,
    );
    return r.rows;
  }
  const params: unknown[] = [q];
  const probes = readings.map((k) => PROBES[k as Exclude<MatchedBy, 'name'>]).join(' UNION ALL ');
  // The probes' customers first, as they are (a few hundred at most for a tail over the whole bank):
  // left to itself the planner may instead walk every customer by AUM, the order asked for, and test
  // each against the probes (seconds at 1,000,000 for an ID tail it thinks common). Then the largest
  // AUM in scope, and only for those 20 the personal data and the branch's name.
  const r = await s.query<HitRow>(
    `WITH h AS MATERIALIZED (${probes}),
     top AS (
       SELECT DISTINCT ON (o.aum, o.customer_id) o.customer_id, o.aum, o.name, o.branch_id, h.by
         FROM h JOIN customer_overview o ON o.customer_id = h.customer_id
        WHERE o.status = 'active' AND ${rowScopeSql(scope, 'o.customer_id', params)}
        ORDER BY o.aum DESC, o.customer_id, h.by
        LIMIT ${SEARCH_LIMIT})
     SELECT ${HIT_COLUMNS.replaceAll('o.', 'top.')}, top.by
       FROM top
       JOIN customers c ON c.customer_id = top.customer_id
       JOIN branches b ON b.branch_id = top.branch_id
      ORDER BY top.aum DESC, top.customer_id`,
    params,
  );
  return r.rows;
}

/** GET /api/counter/search: each hit with what the counter needs (names masked for the lobby roles; phone and ID number always masked). */
export async function counterSearch(db: Db, user: SignedInUser, rawQ: string, now = new Date()) {
  const q = rawQ.trim().replace(/\s+/g, ' ');
  return db.session(async (s) => {
    const hits = await searchIds(s, user, q);
    const ids = hits.map((h) => h.customer_id);
    if (!ids.length) return { q, readings: readingsOf(q), items: [] };
    const ents = await entitlementsFor(s, ids, now);
    const owners = await s.query<{ customer_id: string; staff_id: string; name: string; role: string }>(
      `SELECT o.customer_id, o.staff_id, st.name, st.role FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id WHERE o.customer_id = ANY($1::text[]) AND o.kind = 'primary'`,
      [ids],
    );
    // grouped by the key (one statement per table, pushed down to each shard on Citus)
    const reminders = await s.query<{ customer_id: string; n: number }>(
      `SELECT customer_id, count(*)::int AS n FROM reminders WHERE customer_id = ANY($1::text[]) AND status = 'open' GROUP BY customer_id`,
      [ids],
    );
    const opportunities = await s.query<{ customer_id: string; n: number }>(
      `SELECT customer_id, count(*)::int AS n FROM opportunities WHERE customer_id = ANY($1::text[]) AND stage NOT IN ('won', 'lost') GROUP BY customer_id`,
      [ids],
    );
    const view = piiView(user);
    const ownerOf = new Map(owners.rows.map((o) => [o.customer_id, { staffId: o.staff_id, name: o.name }]));
    const remindersOf = new Map(reminders.rows.map((r) => [r.customer_id, r.n]));
    const opportunitiesOf = new Map(opportunities.rows.map((r) => [r.customer_id, r.n]));
    return {
      q,
      readings: readingsOf(q),
      items: hits.map((h) => ({
        customerId: h.customer_id,
        matchedBy: h.by,
        name: viewName(view, h.name),
        phone: maskPhone(h.phone),
        idNumber: maskIdNumber(h.id_number),
        branch: { branchId: h.branch_id, name: h.branch_name },
        aumBand: ents.standing.get(h.customer_id)?.aumBand ?? null,
        cardGrade: ents.standing.get(h.customer_id)?.cardGrade ?? null,
        entitlements: ents.of.get(h.customer_id) ?? [],
        owner: ownerOf.get(h.customer_id) ?? null,
        openReminders: remindersOf.get(h.customer_id) ?? 0,
        openOpportunities: opportunitiesOf.get(h.customer_id) ?? 0,
      })),
    };
  });
}

// --- today's availability and the hand-over ---

interface ManagerRow {
  staff_id: string;
  name: string;
  away: boolean;
}

/** The customer managers of an outlet, each available today unless they marked themselves away. */
async function outletManagers(s: SqlSession, branchId: string, day: string): Promise<ManagerRow[]> {
  const r = await s.query<ManagerRow>(
    `SELECT st.staff_id, st.name, coalesce(a.away, false) AS away
       FROM staff st LEFT JOIN staff_availability a ON a.staff_id = st.staff_id AND a.day = $2::date
      WHERE st.branch_id = $1 AND st.role = 'customer_manager' AND st.active
      ORDER BY coalesce(a.away, false), st.staff_id`,
    [branchId, day],
  );
  return r.rows;
}

/** GET /api/counter/managers: the lobby manager's outlet's customer managers and whether each is available today. */
export async function availableManagers(db: Db, user: SignedInUser, now = new Date()) {
  const day = chinaDay(now);
  const rows = await db.session((s) => outletManagers(s, user.branchId ?? '', day));
  return { day, items: rows.map((r) => ({ staffId: r.staff_id, name: r.name, available: !r.away })) };
}

/** GET/PUT /api/me/availability: whether I am marked away today (China time). */
export async function myAvailability(db: Db, user: SignedInUser, now = new Date()) {
  const day = chinaDay(now);
  const r = await db.session((s) => s.query<{ away: boolean }>(`SELECT away FROM staff_availability WHERE staff_id = $1 AND day = $2::date`, [me(user), day]));
  return { day, away: r.rows[0]?.away ?? false };
}

export async function setMyAvailability(db: Db, a: WorkActor, away: boolean, now = new Date()) {
  const day = chinaDay(now);
  await db.transaction(async (s) => {
    await s.query(
      // the time as a value (Citus refuses now() in an upsert of a reference table)
      `INSERT INTO staff_availability (staff_id, day, away, set_by, set_at) VALUES ($1, $2::date, $3, $1, $4::timestamptz)
       ON CONFLICT (staff_id, day) DO UPDATE SET away = EXCLUDED.away, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
      [me(a.user), day, away, now.toISOString()],
    );
    await recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action: 'availability_set', outcome: 'allowed', detail: { day, away } });
  });
  return { day, away };
}

/**
 * POST /api/counter/handovers: the lobby manager hands a customer of the outlet to a customer
 * manager of the outlet available today; recorded, audited, and a work task on the manager's My day.
 */
export async function handOverToManager(db: Db, a: WorkActor, body: { customerId: string; staffId: string; note?: string | undefined }, now = new Date()) {
  const user = a.user;
  const customerId = body.customerId.trim();
  const note = body.note?.trim() || null;
  const day = chinaDay(now);
  const businessDay = await businessToday(db);
  return db.transaction(async (s) => {
    const params: unknown[] = [customerId];
    const c = await s.query<{ customer_id: string; name: string }>(`SELECT c.customer_id, c.name FROM customers c WHERE c.customer_id = $1 AND c.status = 'active' AND ${rowScopeSql(customerScope(user), 'c.customer_id', params)}`, params);
    const customer = c.rows[0];
    if (!customer) throw customerNotFound();
    const managers = await outletManagers(s, user.branchId ?? '', day);
    const m = managers.find((x) => x.staff_id === body.staffId);
    if (!m) {
      throw new AppError('bad_request', text('请选择本网点的一位客户经理。', 'Choose a customer manager of your outlet.'), { staffId: text('不是本网点的客户经理', 'not a customer manager of your outlet') });
    }
    if (m.away) {
      throw new AppError('bad_request', text(`${m.name}今天不在岗，请选择其他客户经理。`, `${m.name} is marked away today: choose another customer manager.`), { staffId: text('今天不在岗', 'away today') });
    }
    const h = (
      await s.query<{ handover_id: string; handed_at: Date }>(
        `INSERT INTO counter_handovers (customer_id, branch_id, from_staff, to_staff, note) VALUES ($1, $2, $3, $4, $5) RETURNING handover_id, handed_at`,
        [customerId, user.branchId ?? '', me(user), m.staff_id, note],
      )
    ).rows[0];
    if (!h) throw new Error('the hand-over was not written');
    // a customer the manager does not own comes to them as a referral they accepted (现场分配): the
    // customer is then in their scope (My day, the 360 page, the contact log) until the referral
    // is closed, and the outlet's referral list shows it like any other
    const owns = await s.query(`SELECT 1 FROM customer_owners WHERE customer_id = $1 AND staff_id = $2`, [customerId, m.staff_id]);
    if (owns.rowCount === 0) {
      await s.query(
        `INSERT INTO referrals (customer_id, referrer_id, branch_id, to_staff_id, reason, need, status, accepted_by, accepted_at)
         VALUES ($1, $2, $3, $4, $5, 'other', 'accepted', $4, $6::timestamptz)`,
        [customerId, me(user), user.branchId ?? '', m.staff_id, note ? `柜面现场分配：${note}` : '柜面现场分配', new Date(h.handed_at).toISOString()],
      );
    }
    // the manager's My day: a work task due today (the reminder's facts hold no phone or ID number)
    await s.query(
      `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
       VALUES ($1, $2, 'counter_handover', $3, 'work_task', jsonb_build_object('handover_id', $3::text, 'from_id', $4::text, 'from_name', $5::text, 'note', $6::text), $7::date, $7::date, $7::date, 0)`,
      [customerId, m.staff_id, h.handover_id, me(user), user.name, note, businessDay],
    );
    await recordAudit(s, { actor: user.login, role: user.role, ip: a.ip, action: 'counter_handover', customerIds: [customerId], outcome: 'allowed', detail: { handoverId: h.handover_id, to: m.staff_id } });
    return { handoverId: h.handover_id, customerId, to: { staffId: m.staff_id, name: m.name }, note, handedAt: new Date(h.handed_at).toISOString() };
  });
}
