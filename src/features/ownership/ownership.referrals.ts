import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { can, type Role } from '../access/access.permissions.js';
import { nameFor, visibleAmong } from '../access/access.scope.js';
import type { CONTACT_CHANNELS, REFERRAL_NEEDS, REFERRAL_OUTCOMES, REFERRAL_STATUSES } from './ownership.contract.js';
import { audit, requireReason, type Actor } from './ownership.service.js';
import * as q from './ownership.sql.js';

// Referrals (seed 003 客户转介): a teller, the lobby manager or a lobby assistant refers a
// customer of their outlet (picked by customer number: they need not own them) to a manager of
// the outlet or to its pool. A manager accepts it, records the contact, then the outcome. Counted
// per referrer.
//
// Accepting does not make the manager an owner: ownership decides whose results a customer counts
// for and who keeps them, and a bank leaves that to the branch head (assignment, proposals,
// claims), as it does for a familiar-customer claim that would give the same result. While the
// referral is in progress (accepted, contacted) the customer's page is open to the manager who
// accepted it (access.scope.ts), to prepare the contact and record it; it closes with the
// referral. A manager who should keep the customer claims them, or the branch head assigns them.
// In lists, a customer outside the reader's scope shows number and masked name only.

/** Roles a referral may be addressed to. */
const RECEIVERS: readonly string[] = ['customer_manager', 'cm_supervisor', 'branch_head'];

const notFound = () => new AppError('not_found', text('没有这条转介，或不在您的范围内。', 'There is no such referral within your scope.'));

export async function createReferral(db: Db, a: Actor, customerId: string, body: { toStaffId: string | null; reason: string; need: (typeof REFERRAL_NEEDS)[number] }) {
  const reason = requireReason(body.reason);
  return db.transaction(async (s) => {
    const customer = (await q.customersIn(s, [customerId], a.user.scope)).get(customerId);
    if (!customer) throw new AppError('not_found', text('没有这位客户，或该客户不在您的网点。', 'There is no such customer at your outlet.'));
    if (body.toStaffId) {
      const st = await q.staffById(s, body.toStaffId);
      if (!st || !st.active || st.branch_id !== customer.branch_id || !RECEIVERS.includes(st.role)) {
        throw new AppError('bad_request', text('只能转介给本网点在职的客户经理、主管或网点负责人。', 'A referral goes to an active manager, supervisor or branch head of the outlet.'), {
          toStaffId: text('不是本网点在职的客户经理', 'not an active manager of the outlet'),
        });
      }
    }
    const r = await s.query<{ referral_id: string }>(
      `INSERT INTO referrals (customer_id, referrer_id, branch_id, to_staff_id, reason, need) VALUES ($1, $2, $3, $4, $5, $6) RETURNING referral_id`,
      [customerId, a.user.staffId, customer.branch_id, body.toStaffId, reason, body.need],
    );
    const id = r.rows[0]?.referral_id ?? '';
    await audit(s, a, 'referral_create', [customerId], reason, { referralId: id, to: body.toStaffId ?? 'pool', need: body.need });
    const [one] = await referralRows(db, a.user, { ids: [id] }, s);
    if (!one) throw new Error('the referral was not written');
    return one;
  });
}

interface ReferralRow {
  referral_id: string;
  customer_id: string;
  name: string;
  branch_id: string;
  branch_name: string;
  referrer_id: string;
  to_staff_id: string | null;
  accepted_by: string | null;
  reason: string;
  need: (typeof REFERRAL_NEEDS)[number];
  status: (typeof REFERRAL_STATUSES)[number];
  outcome: (typeof REFERRAL_OUTCOMES)[number] | null;
  created_at: Date;
  accepted_at: Date | null;
  contacted_at: Date | null;
  closed_at: Date | null;
}

type Session = Parameters<Parameters<Db['session']>[0]>[0];

async function referralRows(db: Db, user: SignedInUser, f: { ids?: string[]; view?: 'mine' | 'outlet'; status?: string | undefined }, inside?: Session) {
  const run = async (s: Session) => {
    const me = user.staffId ?? '';
    const r = await s.query<ReferralRow>(
      `SELECT r.referral_id, r.customer_id, c.name, r.branch_id, b.name AS branch_name, r.referrer_id, r.to_staff_id, r.accepted_by,
              r.reason, r.need, r.status, r.outcome, r.created_at, r.accepted_at, r.contacted_at, r.closed_at
         FROM referrals r JOIN customers c ON c.customer_id = r.customer_id JOIN branches b ON b.branch_id = r.branch_id
        WHERE ($1::text[] IS NULL OR r.referral_id = ANY($1::text[]))
          AND ($2::text[] IS NULL OR r.branch_id = ANY($2::text[]))
          AND ($3::text IS NULL OR r.referrer_id = $3 OR r.to_staff_id = $3 OR r.accepted_by = $3
               OR ($4 AND r.to_staff_id IS NULL AND r.status = 'open'))
          AND ($5::text IS NULL OR r.status = $5)
        ORDER BY r.created_at DESC LIMIT 500`,
      [
        f.ids ?? null,
        user.scope ? [...user.scope] : null,
        f.view === 'outlet' ? null : me,
        can(user.role, 'referrals.work'), // receivers see the outlet's open pool referrals
        f.status ?? null,
      ],
    );
    const staff = await q.staffByIds(s, r.rows.flatMap((x) => [x.referrer_id, x.to_staff_id ?? '', x.accepted_by ?? '']));
    const visible = await visibleAmong(s, user, r.rows.map((x) => x.customer_id));
    const ref = (id: string | null) => {
      const st = id ? staff.get(id) : undefined;
      return st ? { staffId: st.staff_id, name: st.name, role: st.role as Role } : null;
    };
    return r.rows.map((x) => ({
      referralId: x.referral_id,
      customer: { customerId: x.customer_id, name: nameFor(user, visible.has(x.customer_id), x.name), branch: { id: x.branch_id, name: x.branch_name }, visible: visible.has(x.customer_id) },
      referrer: ref(x.referrer_id) ?? { staffId: x.referrer_id, name: x.referrer_id, role: 'counter_teller' as Role },
      to: ref(x.to_staff_id),
      acceptedBy: ref(x.accepted_by),
      reason: x.reason,
      need: x.need,
      status: x.status,
      outcome: x.outcome,
      createdAt: new Date(x.created_at).toISOString(),
      acceptedAt: x.accepted_at ? new Date(x.accepted_at).toISOString() : null,
      contactedAt: x.contacted_at ? new Date(x.contacted_at).toISOString() : null,
      closedAt: x.closed_at ? new Date(x.closed_at).toISOString() : null,
    }));
  };
  return inside ? run(inside) : db.session(run);
}

/** Mine: made by me, addressed to me, accepted by me (and, for managers, the outlet's open pool); outlet: all in scope. */
export async function listReferrals(db: Db, user: SignedInUser, f: { view: 'mine' | 'outlet'; status?: (typeof REFERRAL_STATUSES)[number] | undefined }) {
  // only roles that see the whole outlet (or more) read the outlet's referrals, with names
  const view = f.view === 'outlet' && user.ownerId === null ? 'outlet' : 'mine';
  return { items: await referralRows(db, user, { view, status: f.status }) };
}

const wrongStep = () => new AppError('conflict', text('这条转介当前不能进行这一步，请刷新。', 'This referral is not at a stage for that step; reload.'));

/** accept → contact (recorded in the contact log) → outcome (signed, product sold, declined). */
export async function progressReferral(
  db: Db,
  a: Actor,
  body: { customerId: string; referralId: string; step: 'accept' | 'contact' | 'outcome'; channel?: (typeof CONTACT_CHANNELS)[number] | undefined; outcome?: (typeof REFERRAL_OUTCOMES)[number] | undefined; note?: string | undefined },
) {
  const me = a.user.staffId ?? '';
  const note = body.note?.trim() || null;
  return db.transaction(async (s) => {
    const cur = (
      await s.query<{ status: string; to_staff_id: string | null; accepted_by: string | null; branch_id: string }>(
        `SELECT status, to_staff_id, accepted_by, branch_id FROM referrals WHERE customer_id = $1 AND referral_id = $2 AND ($3::text[] IS NULL OR branch_id = ANY($3::text[])) FOR UPDATE`,
        [body.customerId, body.referralId, a.user.scope ? [...a.user.scope] : null],
      )
    ).rows[0];
    if (!cur) throw notFound();
    const key = [body.customerId, body.referralId];
    if (body.step === 'accept') {
      const mayAccept = cur.to_staff_id === me || cur.to_staff_id === null || a.user.ownerId === null;
      if (cur.status !== 'open') throw wrongStep();
      if (!mayAccept) throw notFound();
      await s.query(`UPDATE referrals SET status = 'accepted', accepted_by = $3, accepted_at = now() WHERE customer_id = $1 AND referral_id = $2`, [...key, me]);
      // the customer's page opens to the accepting manager until the referral closes (access.scope.ts)
      await audit(s, a, 'referral_accept', [body.customerId], null, { referralId: body.referralId });
    } else if (body.step === 'contact') {
      if (cur.status !== 'accepted' || cur.accepted_by !== me) throw wrongStep();
      await s.query(`UPDATE referrals SET status = 'contacted', contacted_at = now(), note = coalesce($3, note) WHERE customer_id = $1 AND referral_id = $2`, [...key, note]);
      await q.recordContact(s, { customerId: body.customerId, staffId: me, channel: body.channel ?? 'phone', outcome: 'referral', notes: note });
    } else {
      if (!body.outcome) {
        throw new AppError('bad_request', text('请选择转介结果。', 'Choose the outcome of the referral.'), { outcome: text('请选择结果', 'choose an outcome') });
      }
      if (cur.status !== 'contacted' || cur.accepted_by !== me) throw wrongStep();
      await s.query(`UPDATE referrals SET status = 'closed', outcome = $3, closed_at = now(), note = coalesce($4, note) WHERE customer_id = $1 AND referral_id = $2`, [...key, body.outcome, note]);
    }
    const [one] = await referralRows(db, a.user, { ids: [body.referralId], view: 'outlet' }, s);
    if (!one) throw notFound();
    return one;
  });
}

/** Referrals per referrer within scope: how many made, accepted, contacted, and their outcomes. */
export async function referralCounts(db: Db, user: SignedInUser, f: { branchId?: string | undefined }) {
  const branches = await branchesWithinScope(db, user, f.branchId);
  const r = await db.session((s) =>
    s.query<{ staff_id: string; name: string; role: string; referred: number; accepted: number; contacted: number; signed: number; product_sold: number; declined: number }>(
      `SELECT r.referrer_id AS staff_id, st.name, st.role, count(*)::int AS referred,
              count(*) FILTER (WHERE r.accepted_at IS NOT NULL)::int AS accepted,
              count(*) FILTER (WHERE r.contacted_at IS NOT NULL)::int AS contacted,
              count(*) FILTER (WHERE r.outcome = 'signed')::int AS signed,
              count(*) FILTER (WHERE r.outcome = 'product_sold')::int AS product_sold,
              count(*) FILTER (WHERE r.outcome = 'declined')::int AS declined
         FROM referrals r JOIN staff st ON st.staff_id = r.referrer_id
        WHERE ($1::text[] IS NULL OR r.branch_id = ANY($1::text[]))
        GROUP BY 1, 2, 3 ORDER BY referred DESC, 1`,
      [branches ? [...branches] : null],
    ),
  );
  return {
    items: r.rows.map((x) => ({ staffId: x.staff_id, name: x.name, role: x.role as Role, referred: x.referred, accepted: x.accepted, contacted: x.contacted, signed: x.signed, productSold: x.product_sold, declined: x.declined })),
  };
}
