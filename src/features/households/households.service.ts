import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import type { SignedInUser } from '../access/access.service.js';
import { customerNotFound, nameFor, requireCustomer, visibleAmong } from '../access/access.scope.js';
import { pastDate, textField, chinaToday } from '../review/review.common.js';
import type { WorkActor } from '../worklist/worklist.common.js';
import type { HouseholdLink, HouseholdView, Relation } from './households.contract.js';

// Households (issue 23 §1): a customer's household as the last daily batch computed it, and the
// links staff add between two customers of their scope (with the customer's consent noted, and
// audited). A link joins the household from the next daily batch.

/** What the customer is to the related one when the related one is `relation` to the customer. */
export const reverseRelation = (r: Relation): Relation => (r === 'parent' ? 'child' : r === 'child' ? 'parent' : r);

const money = (v: string | number) => Number(v).toFixed(2);

interface LinkRow {
  related_customer_id: string;
  name: string;
  relation: Relation;
  consent_note: string;
  consent_on: string;
  created_by: string;
  created_by_name: string;
  created_at: Date | string;
}

const presentLink = (user: SignedInUser, visible: Set<string>, r: LinkRow): HouseholdLink => ({
  relatedCustomerId: r.related_customer_id,
  name: nameFor(user, visible.has(r.related_customer_id), r.name),
  relation: r.relation,
  consentNote: r.consent_note,
  consentOn: r.consent_on,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: new Date(r.created_at).toISOString(),
});

// the related customers' names are read apart (on Citus they are on other shards than the links);
// who added the link is named from staff (a reference table), an administrator by their login
const LINKS_SQL = `
  SELECT l.related_customer_id, l.relation, l.consent_note, l.consent_on::text AS consent_on, l.created_by,
         coalesce(st.name, l.created_by) AS created_by_name, l.created_at
    FROM customer_links l
    LEFT JOIN staff st ON st.staff_id = l.created_by
   WHERE l.customer_id = $1`;

async function withNames(s: SqlSession, rows: Omit<LinkRow, 'name'>[]): Promise<LinkRow[]> {
  if (!rows.length) return [];
  const r = await s.query<{ customer_id: string; name: string }>('SELECT customer_id, name FROM customers WHERE customer_id = ANY($1::text[])', [rows.map((x) => x.related_customer_id)]);
  const names = new Map(r.rows.map((x) => [x.customer_id, x.name]));
  return rows.map((x) => ({ ...x, name: names.get(x.related_customer_id) ?? '' }));
}

/** The customer's household on the last date the batch computed households for, and its staff links (outside the scope 404). */
export async function customerHousehold(db: Db, user: SignedInUser, customerId: string): Promise<HouseholdView> {
  await requireCustomer(db, user, customerId);
  return db.session(async (s) => {
    const own = await s.query<{ household_id: string; business_date: string; head_customer_id: string; household_aum: string; household_band: string }>(
      `SELECT household_id, business_date::text AS business_date, head_customer_id, household_aum::text AS household_aum, household_band
         FROM customer_households
        WHERE customer_id = $1 AND business_date = (SELECT max(business_date) FROM customer_households)`,
      [customerId],
    );
    const links = await withNames(s, (await s.query<Omit<LinkRow, 'name'>>(`${LINKS_SQL} ORDER BY l.created_at, l.related_customer_id`, [customerId])).rows);
    const h = own.rows[0];
    let household: HouseholdView['household'] = null;
    const members = h
      ? (
          await s.query<{ customer_id: string; name: string; relation_to_head: HouseholdView['links'][number]['relation'] | 'self'; aum: string | null }>(
            `SELECT h.customer_id, c.name, h.relation_to_head, b.aum::text AS aum
               FROM customer_households h
               JOIN customers c ON c.customer_id = h.customer_id
               LEFT JOIN balance_snapshots b ON b.customer_id = h.customer_id AND b.business_date = h.business_date
              WHERE h.household_id = $1 AND h.business_date = $2::date
              ORDER BY (h.customer_id = h.head_customer_id) DESC, b.aum DESC NULLS LAST, h.customer_id`,
            [h.household_id, h.business_date],
          )
        ).rows
      : [];
    const visible = await visibleAmong(s, user, [...members.map((m) => m.customer_id), ...links.map((l) => l.related_customer_id)]);
    // the household's owner (the head's primary owner) sees every member's open risk reminders,
    // whoever owns the member: a risk in the family is the relationship's risk
    const owner = h
      ? ((await s.query<{ staff_id: string }>(`SELECT staff_id FROM customer_owners WHERE customer_id = $1 AND kind = 'primary'`, [h.head_customer_id])).rows[0]?.staff_id ?? null)
      : null;
    const householdOwner = owner !== null && owner === user.staffId;
    const riskIds = members.map((m) => m.customer_id).filter((id) => householdOwner || visible.has(id));
    const risks = new Map<string, string[]>();
    if (riskIds.length) {
      const r = await s.query<{ customer_id: string; events: string[] }>(
        `SELECT customer_id, array_agg(DISTINCT event ORDER BY event) AS events
           FROM reminders WHERE customer_id = ANY($1::text[]) AND kind = 'risk' AND status = 'open'
          GROUP BY customer_id`,
        [riskIds],
      );
      for (const x of r.rows) risks.set(x.customer_id, x.events);
    }
    if (h) {
      household = {
        householdId: h.household_id,
        businessDate: h.business_date,
        headCustomerId: h.head_customer_id,
        aum: money(h.household_aum),
        band: h.household_band,
        ownerStaffId: owner,
        members: members.map((m) => ({
          customerId: m.customer_id,
          name: nameFor(user, visible.has(m.customer_id), m.name),
          relationToHead: m.relation_to_head,
          aum: visible.has(m.customer_id) ? money(m.aum ?? 0) : null,
          inScope: visible.has(m.customer_id),
          openRisks: risks.get(m.customer_id) ?? [],
        })),
      };
    }
    return { household, links: links.map((l) => presentLink(user, visible, l)) };
  });
}

/**
 * Links two customers of the user's scope as family (relation: what the related customer is to
 * this one), stored both ways, with the customer's consent noted; audited. Either customer
 * outside the scope answers 404; a pair the feed or a link already relates 409.
 */
export async function addHouseholdLink(
  db: Db,
  a: WorkActor,
  customerId: string,
  body: { relatedCustomerId: string; relation: Relation; consentNote: string; consentOn?: string | undefined },
  now = new Date(),
): Promise<HouseholdLink> {
  await requireCustomer(db, a.user, customerId);
  const relatedId = body.relatedCustomerId.trim();
  if (relatedId === customerId) {
    throw new AppError('bad_request', text('不能把客户与自己关联。', 'A customer cannot be linked to themselves.'), {
      relatedCustomerId: text('须为另一位客户', 'must be another customer'),
    });
  }
  await requireCustomer(db, a.user, relatedId);
  const note = textField('consentNote', body.consentNote, { min: 2, max: 500, label: { zh: '客户同意的说明', en: "note of the customer's consent" } }) ?? '';
  const consentOn = pastDate('consentOn', body.consentOn ?? chinaToday(now), now, { zh: '客户同意日期', en: "date of the customer's consent" });
  const by = a.user.login;
  return db.transaction(async (s) => {
    const taken = await s.query(
      `SELECT 1 FROM customer_relations WHERE customer_id = $1 AND related_customer_id = $2
       UNION ALL SELECT 1 FROM customer_links WHERE customer_id = $1 AND related_customer_id = $2`,
      [customerId, relatedId],
    );
    if (taken.rows.length > 0) {
      throw new AppError('conflict', text('这两位客户已有亲属关系记录。', 'These two customers are already related.'));
    }
    await s.query(
      `INSERT INTO customer_links (customer_id, related_customer_id, relation, consent_note, consent_on, created_by, created_at)
       VALUES ($1, $2, $3, $5, $6::date, $7, $8), ($2, $1, $4, $5, $6::date, $7, $8)`,
      [customerId, relatedId, body.relation, reverseRelation(body.relation), note, consentOn, by, now],
    );
    await recordAudit(s, {
      actor: a.user.login, role: a.user.role, ip: a.ip, action: 'household_link', customerIds: [customerId, relatedId], outcome: 'allowed',
      detail: { relatedCustomerId: relatedId, relation: body.relation, consentOn },
    });
    const row = (await withNames(s, (await s.query<Omit<LinkRow, 'name'>>(`${LINKS_SQL} AND l.related_customer_id = $2`, [customerId, relatedId])).rows))[0];
    if (!row) throw customerNotFound();
    return presentLink(a.user, new Set([relatedId]), row);
  });
}

/** Removes a staff link (both ways; audited). Either customer outside the scope, or no such link, answers 404. */
export async function removeHouseholdLink(db: Db, a: WorkActor, customerId: string, relatedId: string): Promise<{ removed: boolean }> {
  await requireCustomer(db, a.user, customerId);
  await requireCustomer(db, a.user, relatedId);
  return db.transaction(async (s) => {
    const r = await s.query(
      `DELETE FROM customer_links WHERE (customer_id = $1 AND related_customer_id = $2) OR (customer_id = $2 AND related_customer_id = $1)`,
      [customerId, relatedId],
    );
    if (r.rowCount === 0) throw new AppError('not_found', text('这两位客户之间没有员工添加的关联。', 'There is no link staff added between these two customers.'));
    await recordAudit(s, {
      actor: a.user.login, role: a.user.role, ip: a.ip, action: 'household_unlink', customerIds: [customerId, relatedId], outcome: 'allowed',
      detail: { relatedCustomerId: relatedId },
    });
    return { removed: true };
  });
}
