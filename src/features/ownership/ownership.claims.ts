import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { can, type Role } from '../access/access.permissions.js';
import { visibleAmong } from '../access/access.scope.js';
import { businessToday } from '../system/system.service.js';
import { CUSTOMER_FACTS, type MANAGER_FACTS } from './ownership.contract.js';
import { audit, presentOutletCustomer, requireReason, type Actor } from './ownership.service.js';
import * as q from './ownership.sql.js';

// Familiar-customer claims (熟户认养, seed 003): a manager may claim a customer of their outlet
// when at least one manager-side fact (they tick it) and one customer-side fact hold. The
// customer-side facts are checked from the bank's data when the claim is made:
//   product_kinds_3    3+ kinds among the active accounts, an active loan, and e-banking (a mobile
//                      or online transaction in the last 90 days: "电子银行类属一种")
//   wealth_purchases_3 3+ wealth-product accounts ever opened (closed ones included)
//   purchase_over_1m   an account of a product (time deposit, wealth, fund, insurance) over 100万
//   buys_monthly       a wealth or fund account opened in each of the last three 30-day periods
//   books_appointments NOT in the feed: the manager declares it; it counts, and the branch head
//                      sees it marked "declared" (not checked) when deciding
// The branch head approves (the manager becomes the primary owner) or refuses.

export type FactState = 'met' | 'not_met' | 'declared';
export type CustomerFacts = Record<(typeof CUSTOMER_FACTS)[number], FactState>;

/** The customer-side facts of a customer as of a business date, from accounts, loans and transactions. */
export async function checkCustomerFacts(s: SqlSession, customerId: string, asOf: string, booksAppointments: boolean): Promise<CustomerFacts> {
  const r = await s.query<{ kinds: number; wealth: number; big: boolean; months: number }>(
    `SELECT
       (SELECT count(*)::int FROM (
          SELECT kind FROM accounts WHERE customer_id = $1 AND status = 'active'
          UNION SELECT 'loan' FROM loans WHERE customer_id = $1 AND status = 'active'
          UNION SELECT 'ebanking' FROM transactions WHERE customer_id = $1 AND channel IN ('mobile', 'online')
                   AND booked_on > $2::date - 90 AND booked_on <= $2::date) k) AS kinds,
       (SELECT count(*)::int FROM accounts WHERE customer_id = $1 AND kind = 'wealth' AND opened_on <= $2::date) AS wealth,
       EXISTS (SELECT 1 FROM accounts WHERE customer_id = $1 AND status = 'active'
                  AND kind IN ('time_deposit', 'wealth', 'fund', 'insurance') AND balance > 1000000) AS big,
       (SELECT count(DISTINCT ($2::date - opened_on) / 30)::int FROM accounts
         WHERE customer_id = $1 AND kind IN ('wealth', 'fund') AND opened_on > $2::date - 90 AND opened_on <= $2::date) AS months`,
    [customerId, asOf],
  );
  const f = r.rows[0] ?? { kinds: 0, wealth: 0, big: false, months: 0 };
  const state = (b: boolean): FactState => (b ? 'met' : 'not_met');
  return {
    product_kinds_3: state(f.kinds >= 3),
    wealth_purchases_3: state(f.wealth >= 3),
    books_appointments: booksAppointments ? 'declared' : 'not_met',
    purchase_over_1m: state(f.big),
    buys_monthly: state(f.months >= 3),
  };
}

const noCustomer = () => new AppError('not_found', text('没有这位客户，或该客户不在您的网点。', 'There is no such customer at your outlet.'));

/** A manager claims a customer of their outlet. */
export async function claimCustomer(db: Db, a: Actor, customerId: string, body: { managerFacts: (typeof MANAGER_FACTS)[number][]; booksAppointments: boolean; note?: string | undefined }) {
  const staffId = a.user.staffId ?? '';
  // a claim is for a customer of one's outlet, owned by someone else or nobody: the outlet, not the ownership scope
  if (!(await db.session((s) => q.customersIn(s, [customerId], a.user.scope))).size) throw noCustomer();
  if (!body.managerFacts.length) {
    throw new AppError('bad_request', text('请至少勾选一项您了解的客户情况。', 'Tick at least one thing you know about the customer.'), {
      managerFacts: text('至少勾选一项', 'tick at least one'),
    });
  }
  const asOf = await businessToday(db);
  return db.transaction(async (s) => {
    const owners = await q.ownersOf(s, [customerId]);
    if (owners.some((o) => o.kind === 'primary' && o.staff_id === staffId)) {
      throw new AppError('conflict', text('您已是这位客户的主管户人。', 'You are already the primary owner of this customer.'));
    }
    const facts = await checkCustomerFacts(s, customerId, asOf, body.booksAppointments);
    const met = Object.values(facts).filter((v) => v !== 'not_met').length;
    if (!met) {
      throw new AppError('bad_request', text('客户方面的熟户条件一项也不满足，不能认养。', 'None of the customer-side facts holds, so the customer cannot be claimed.'), {
        customerFacts: text('客户方面条件均不满足', 'no customer-side fact holds'),
      });
    }
    const r = await s.query<{ claim_id: string }>(
      `INSERT INTO ownership_claims (customer_id, staff_id, branch_id, manager_facts, customer_facts, note)
       SELECT $1, $2, c.branch_id, $3::text[], $4::jsonb, $5 FROM customers c WHERE c.customer_id = $1
       ON CONFLICT DO NOTHING RETURNING claim_id`,
      [customerId, staffId, body.managerFacts, JSON.stringify(facts), body.note?.trim() || null],
    );
    const claimId = r.rows[0]?.claim_id;
    if (!claimId) throw new AppError('conflict', text('您对这位客户已有待审批的认养申请。', 'You have a claim on this customer waiting for a decision already.'));
    await audit(s, a, 'claim_submit', [customerId], null, { claimId, managerFacts: body.managerFacts, customerFacts: facts });
    return { claimId, status: 'pending' as const, customerFactsMet: met };
  });
}

interface ClaimRow extends q.CustomerRefRow {
  claim_id: string;
  staff_id: string;
  staff_name: string;
  staff_role: string;
  manager_facts: string[];
  customer_facts: CustomerFacts;
  note: string | null;
  status: 'pending' | 'approved' | 'refused';
  created_at: Date;
  decision_note: string | null;
}

/**
 * Claims within scope: those who decide them (ownership.manage) their branches' claims; a manager
 * who may claim (ownership.claim) their own. Nobody else has business with claims (the lobby,
 * tellers): 403. A claimed customer the reader does not see yet shows number and masked name only.
 */
export async function listClaims(db: Db, user: SignedInUser, f: { status: 'pending' | 'approved' | 'refused'; branchId?: string | undefined }) {
  const decides = can(user.role, 'ownership.manage');
  if (!decides && !can(user.role, 'ownership.claim')) throw new AppError('forbidden', text('您的岗位不处理熟户认养。', 'Your role does not deal with familiar-customer claims.'));
  const branches = await branchesWithinScope(db, user, f.branchId);
  const own = decides ? null : (user.staffId ?? '');
  const { r, visible } = await db.session(async (s) => {
    const r = await s.query<ClaimRow>(
      `SELECT c.customer_id, c.name, c.branch_id, b.name AS branch_name, coalesce(ov.aum, 0)::text AS aum,
              (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band') AS aum_band, ov.vip_grade,
              k.claim_id, k.staff_id, st.name AS staff_name, st.role AS staff_role, k.manager_facts, k.customer_facts, k.note, k.status, k.created_at, k.decision_note
         FROM ownership_claims k JOIN customers c ON c.customer_id = k.customer_id JOIN branches b ON b.branch_id = c.branch_id
         JOIN staff st ON st.staff_id = k.staff_id LEFT JOIN customer_overview ov ON ov.customer_id = c.customer_id
        WHERE k.status = $1 AND ($2::text[] IS NULL OR k.branch_id = ANY($2::text[])) AND ($3::text IS NULL OR k.staff_id = $3)
        ORDER BY k.created_at DESC LIMIT 500`,
      [f.status, branches ? [...branches] : null, own],
    );
    return { r, visible: await visibleAmong(s, user, r.rows.map((k) => k.customer_id)) };
  });
  return {
    items: r.rows.map((k) => ({
      claimId: k.claim_id,
      customer: presentOutletCustomer(user, visible, k),
      claimant: { staffId: k.staff_id, name: k.staff_name, role: k.staff_role as Role },
      managerFacts: k.manager_facts as (typeof MANAGER_FACTS)[number][],
      customerFacts: k.customer_facts,
      note: k.note,
      status: k.status,
      createdAt: new Date(k.created_at).toISOString(),
      decisionNote: k.decision_note,
    })),
  };
}

/** The branch head approves (the claimant becomes primary owner) or refuses (a note is required). */
export async function decideClaim(db: Db, a: Actor, body: { customerId: string; claimId: string; decision: 'approve' | 'refuse'; note?: string | undefined }) {
  const note = body.decision === 'refuse' ? requireReason(body.note, 'note') : body.note?.trim() || null;
  return db.transaction(async (s) => {
    const r = await s.query<{ staff_id: string; branch_id: string }>(
      `UPDATE ownership_claims SET status = $3, decided_by = $4, decided_at = now(), decision_note = $5
        WHERE customer_id = $1 AND claim_id = $2 AND status = 'pending' AND ($6::text[] IS NULL OR branch_id = ANY($6::text[]))
        RETURNING staff_id, branch_id`,
      [body.customerId, body.claimId, body.decision === 'approve' ? 'approved' : 'refused', a.user.login, note, a.user.scope ? [...a.user.scope] : null],
    );
    const claim = r.rows[0];
    if (!claim) throw new AppError('not_found', text('没有这条待审批的认养申请，或不在您的范围内。', 'There is no such claim waiting for a decision within your scope.'));
    if (body.decision === 'approve') {
      const st = await q.staffById(s, claim.staff_id);
      if (!st?.active) throw new AppError('conflict', text('申请人已不在职。', 'The claimant is no longer active.'));
      await q.setPrimary(s, [body.customerId], claim.staff_id, 'claim', a.user.login, note ?? 'familiar-customer claim approved');
      await q.supersedeOpenProposals(s, [body.customerId], a.user.login);
      await audit(s, a, 'claim_approve', [body.customerId], note, { claimId: body.claimId, staffId: claim.staff_id });
    } else {
      await audit(s, a, 'claim_refuse', [body.customerId], note, { claimId: body.claimId, staffId: claim.staff_id });
    }
    return { changed: 1, customerIds: [body.customerId] };
  });
}
