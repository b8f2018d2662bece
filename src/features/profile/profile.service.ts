import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskAddress, maskPhone, viewDetail, viewName, type PiiView } from '../../platform/pii.js';
import { can } from '../access/access.permissions.js';
import { customerNotFound, customerScope, piiView, rowScopeSql, visibleAmong } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { chinaTime } from '../serving/complaints.service.js';
import { businessToday } from '../system/system.service.js';
import { staffByIds, staffRefOr, type WorkActor } from '../worklist/worklist.common.js';
import type { OutletRow, Profile, ProfileBody } from './profile.contract.js';
import { FEED_VALUE_SQL, lockProfile, recomputeCustomerProfile } from './profile.batch.js';
import { checkBirthDate, checkIncome, checkPhone, checkText, COMPLETE_AT, CORE_FIELDS, PROFILE_FIELDS, type CoreField, type ProfileField } from './profile.rules.js';

// A customer's profile (issue 23 §2): who may read and write it, the proposals for the core
// system, and the outlet's customers to complete. Anyone who sees the customer reads it; staff
// who collect (profile.collect) write it within their scope, and a counter teller also for a
// customer of their outlet whose collection the batch gave the outlet's tellers (below band_3).
// Every change is an audit entry naming the fields (not their values).

type Access = 'scope' | 'teller' | null;

async function accessOf(s: SqlSession, user: SignedInUser, customerId: string): Promise<Access> {
  if ((await visibleAmong(s, user, [customerId])).has(customerId)) return 'scope';
  if (user.role === 'counter_teller' && user.branchId) {
    const r = await s.query(
      `SELECT 1 FROM customer_completeness k JOIN customers c ON c.customer_id = k.customer_id
        WHERE k.customer_id = $1 AND k.assignee = 'tellers' AND k.filled < ${COMPLETE_AT} AND c.branch_id = $2 AND c.status = 'active'`,
      [customerId, user.branchId],
    );
    if (r.rows.length) return 'teller';
  }
  return null;
}

function show(view: PiiView, field: CoreField, v: string | null): string | null {
  if (v === null) return null;
  if (field === 'phone') return maskPhone(v);
  if (field === 'address') return maskAddress(v);
  if (field === 'birth_date' || field === 'annual_income') return viewDetail(view, v);
  return v;
}

interface ProfileRow {
  interests: string[];
  family_notes: string | null;
  contact_time: Profile['contactTime'];
  contact_channel: Profile['contactChannel'];
  updated_by: string;
  updated_at: Date | string;
}

async function readProfile(s: SqlSession, user: SignedInUser, customerId: string, access: Exclude<Access, null>): Promise<Profile> {
  const view = piiView(user);
  const feed = await s.query<Record<CoreField, string | null>>(
    `SELECT ${CORE_FIELDS.map((f) => `${FEED_VALUE_SQL('c', `'${f}'`)} AS ${f}`).join(', ')} FROM customers c WHERE c.customer_id = $1`,
    [customerId],
  );
  const values = feed.rows[0];
  if (!values) throw customerNotFound();
  const open = await s.query<{ field: CoreField; value: string; proposed_by: string; proposed_at: Date | string }>(
    `SELECT field, value, proposed_by, proposed_at FROM profile_proposals WHERE customer_id = $1 AND status = 'open'`,
    [customerId],
  );
  const own = (await s.query<ProfileRow>('SELECT interests, family_notes, contact_time, contact_channel, updated_by, updated_at FROM customer_profiles WHERE customer_id = $1', [customerId])).rows[0];
  const done = (await s.query<{ business_date: string; filled: number; missing: ProfileField[] }>(
    'SELECT business_date::text AS business_date, filled, missing FROM customer_completeness WHERE customer_id = $1',
    [customerId],
  )).rows[0];
  const staff = await staffByIds(s, [...open.rows.map((p) => p.proposed_by), ...(own ? [own.updated_by] : [])]);
  const proposals = new Map(open.rows.map((p) => [p.field, p]));
  return {
    customerId,
    core: CORE_FIELDS.map((field) => {
      const p = proposals.get(field);
      return {
        field,
        feedValue: show(view, field, values[field]),
        proposal: p ? { value: show(view, field, p.value), proposedBy: staffRefOr(staff, p.proposed_by), proposedAt: chinaTime(p.proposed_at) } : null,
      };
    }),
    interests: own?.interests ?? [],
    familyNotes: own?.family_notes ?? null,
    contactTime: own?.contact_time ?? null,
    contactChannel: own?.contact_channel ?? null,
    updatedBy: own ? staffRefOr(staff, own.updated_by) : null,
    updatedAt: own ? chinaTime(own.updated_at) : null,
    completeness: done ? { businessDate: done.business_date, filled: done.filled, of: PROFILE_FIELDS.length, missing: done.missing } : null,
    canEdit: can(user.role, 'profile.collect') && (access === 'scope' || access === 'teller'),
  };
}

export async function getProfile(db: Db, user: SignedInUser, customerId: string): Promise<Profile> {
  return db.session(async (s) => {
    const access = await accessOf(s, user, customerId);
    if (!access) throw customerNotFound();
    return readProfile(s, user, customerId, access);
  });
}

/** The proposals' values as kept (the same text the feed's value is compared with). */
function coreValues(body: ProfileBody, today: string): Partial<Record<CoreField, string>> {
  const out: Partial<Record<CoreField, string>> = {};
  if (body.phone !== undefined) out.phone = checkPhone(body.phone);
  if (body.birthDate !== undefined) out.birth_date = checkBirthDate(body.birthDate, today);
  if (body.annualIncome !== undefined) out.annual_income = checkIncome(body.annualIncome);
  if (body.address !== undefined) out.address = checkText('address', body.address, text('地址', 'address'), 200);
  if (body.occupation !== undefined) out.occupation = checkText('occupation', body.occupation, text('职业', 'occupation'), 60);
  return out;
}

function interestsOf(v: string[]): string[] {
  const tags = [...new Set(v.map((t) => t.trim()).filter(Boolean))];
  for (const t of tags) {
    if ([...t].length > 20) throw new AppError('bad_request', text(`兴趣“${t}”过长（最多 20 个字）。`, `interests: '${t}' is too long (at most 20 characters).`), { interests: text('每项最多 20 个字', 'at most 20 characters each') });
  }
  return tags;
}

/**
 * Records what staff collected: core fields as proposals (one that equals the feed's value is not
 * needed and is not kept; a newer one supersedes the open one), Stratum's own fields in place.
 * The customer's completeness (and collection task) is counted again at once.
 */
export async function putProfile(db: Db, a: WorkActor, customerId: string, body: ProfileBody): Promise<Profile> {
  const today = await businessToday(db);
  // checked before anything is read: a wrong value is named whatever the customer
  const core = coreValues(body, today);
  const interests = body.interests === undefined ? undefined : interestsOf(body.interests);
  const familyNotes = body.familyNotes === undefined || body.familyNotes === null ? body.familyNotes : body.familyNotes.trim() || null;
  const staffId = a.user.staffId ?? a.user.login;
  return db.transaction(async (s) => {
    // before any write: a profile step running now finishes first (it would overwrite the recount below)
    await lockProfile(s);
    const access = await accessOf(s, a.user, customerId);
    if (!access) throw customerNotFound();
    const proposed: string[] = [];
    const entries = Object.entries(core) as [CoreField, string][];
    if (entries.length) {
      const cur = (await s.query<Record<CoreField, string | null>>(
        `SELECT ${CORE_FIELDS.map((f) => `${FEED_VALUE_SQL('c', `'${f}'`)} AS ${f}`).join(', ')} FROM customers c WHERE c.customer_id = $1`,
        [customerId],
      )).rows[0];
      for (const [field, value] of entries) {
        const feedValue = cur?.[field] ?? null;
        const open = (await s.query<{ value: string }>(`SELECT value FROM profile_proposals WHERE customer_id = $1 AND field = $2 AND status = 'open'`, [customerId, field])).rows[0];
        if (open?.value === value) continue;
        await s.query(`UPDATE profile_proposals SET status = 'superseded' WHERE customer_id = $1 AND field = $2 AND status = 'open'`, [customerId, field]);
        if (feedValue === value) continue; // the core system has it already
        await s.query(`INSERT INTO profile_proposals (customer_id, field, value, feed_value, proposed_by) VALUES ($1, $2, $3, $4, $5)`, [customerId, field, value, feedValue, staffId]);
        proposed.push(field);
      }
    }
    const own: string[] = [];
    if (interests !== undefined) own.push('interests');
    if (familyNotes !== undefined) own.push('family_notes');
    if (body.contactTime !== undefined) own.push('contact_time');
    if (body.contactChannel !== undefined) own.push('contact_channel');
    if (own.length) {
      await s.query(
        `INSERT INTO customer_profiles (customer_id, interests, family_notes, contact_time, contact_channel, updated_by, updated_at)
         VALUES ($1, coalesce($2::text[], '{}'), $3, $4, $5, $6, now())
         ON CONFLICT (customer_id) DO UPDATE SET
           interests = CASE WHEN $7 THEN EXCLUDED.interests ELSE customer_profiles.interests END,
           family_notes = CASE WHEN $8 THEN EXCLUDED.family_notes ELSE customer_profiles.family_notes END,
           contact_time = CASE WHEN $9 THEN EXCLUDED.contact_time ELSE customer_profiles.contact_time END,
           contact_channel = CASE WHEN $10 THEN EXCLUDED.contact_channel ELSE customer_profiles.contact_channel END,
           updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
        [customerId, interests ?? null, familyNotes ?? null, body.contactTime ?? null, body.contactChannel ?? null, staffId,
          interests !== undefined, familyNotes !== undefined, body.contactTime !== undefined, body.contactChannel !== undefined],
      );
    }
    if (proposed.length || own.length) {
      await recordAudit(s, {
        actor: a.user.login, role: a.user.role, ip: a.ip, action: 'profile_update', customerIds: [customerId], outcome: 'allowed',
        detail: { proposed, changed: own, via: access === 'teller' ? 'outlet_collection' : 'scope' },
      });
      // the customer's completeness and collection task at once, by the batch's own rules
      await recomputeCustomerProfile(s, customerId);
    }
    return readProfile(s, a.user, customerId, access);
  });
}

const noBranch = () =>
  new AppError('not_found', text('没有这个网点，或它不在您的机构范围内。', 'There is no such outlet within your branches.'), { branchId: text('网点不存在或不在范围内', 'no such outlet within your branches') });

/** The outlet's customers under 7 of 9 that the user may collect for, the highest AUM first. */
export async function outletToComplete(db: Db, user: SignedInUser, q: { branchId?: string | undefined; page: number; pageSize: number }) {
  const branchId = q.branchId ?? user.branchId;
  if (!branchId || (user.scope !== null && !user.scope.includes(branchId))) throw noBranch();
  return db.session(async (s) => {
    const b = (await s.query<{ name: string }>('SELECT name FROM branches WHERE branch_id = $1', [branchId])).rows[0];
    if (!b) throw noBranch();
    const params: unknown[] = [branchId];
    const scoped = rowScopeSql(customerScope(user), 'k.customer_id', params);
    const teller = user.role === 'counter_teller' && user.branchId === branchId ? ` OR k.assignee = 'tellers'` : '';
    const where = `k.branch_id = $1 AND k.filled < ${COMPLETE_AT} AND (${scoped}${teller})`;
    const total = (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer_completeness k WHERE ${where}`, params)).rows[0]?.n ?? 0;
    params.push(q.pageSize, (q.page - 1) * q.pageSize);
    const r = await s.query<{ customer_id: string; name: string; aum: string; band: string | null; filled: number; missing: ProfileField[]; assignee: 'owner' | 'tellers'; owner_id: string | null; business_date: string }>(
      `SELECT k.customer_id, ov.name, coalesce(ov.aum, 0)::text AS aum, t.tier AS band, k.filled, k.missing, k.assignee, k.business_date::text AS business_date,
              (SELECT o.staff_id FROM customer_owners o WHERE o.customer_id = k.customer_id AND o.kind = 'primary' LIMIT 1) AS owner_id
         FROM customer_completeness k
         JOIN customer_overview ov ON ov.customer_id = k.customer_id
         LEFT JOIN customer_tiers t ON t.customer_id = k.customer_id AND t.model = 'aum_band'
        WHERE ${where}
        ORDER BY coalesce(ov.aum, 0) DESC, k.customer_id
        LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const staff = await staffByIds(s, r.rows.flatMap((x) => (x.owner_id ? [x.owner_id] : [])));
    const view = piiView(user);
    const date = (await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM profile_runs')).rows[0]?.d ?? null;
    const items: OutletRow[] = r.rows.map((x) => ({
      customerId: x.customer_id,
      name: viewName(view, x.name),
      aum: x.aum,
      aumBand: x.band,
      filled: x.filled,
      of: PROFILE_FIELDS.length,
      missing: x.missing,
      assignee: x.assignee,
      owner: x.owner_id ? staffRefOr(staff, x.owner_id) : null,
    }));
    return { businessDate: date, branch: { id: branchId, name: b.name }, items, total };
  });
}
