import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { nameFor, requireCustomer, visibleAmong } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { eventsPolicyInEffect } from '../events/events.policies.js';
import { staffByIds } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import { VIP_GRADES, type Signing, type VipGrade, type Voucher } from './selling.contract.js';
import { chinaTime, chinaTimeOrNull, me, requireText, staffRefOr, type SellingActor } from './selling.common.js';
import * as q from './signings.sql.js';

// VIP signing (issue 19 §2; POLICIES.md "VIP signing", seed 003). A customer qualifies for a card
// grade when aum_avg_mtd (the latest facts of the daily batch) reaches its standard (the events
// policy's card_standards: gold 100,000, platinum 500,000, diamond 3,000,000). Applying for a grade
// the customer qualifies for signs at once; above it the signing waits for the approver: gold and
// platinum the branch head of the customer's outlet (a branch head whose branches hold it),
// diamond the personal banking department. Signing writes the voucher: six fields, never edited
// (the database refuses it), kept when the signing is cancelled. A card is recorded as issued only
// with that voucher; the card of the grade arriving in cards.csv afterwards is shown with it.

export const APPROVER: Record<VipGrade, 'branch_head' | 'pb_dept'> = { gold: 'branch_head', platinum: 'branch_head', diamond: 'pb_dept' };
const GRADE_NAME: Record<VipGrade, { zh: string; en: string }> = {
  gold: { zh: '金卡', en: 'gold' },
  platinum: { zh: '白金卡', en: 'platinum' },
  diamond: { zh: '钻石卡', en: 'diamond' },
};
const HISTORY = 100;

/** Yuan (a decimal string or a number) in fen, exactly. */
function fen(v: string | number): bigint {
  const s = typeof v === 'number' ? v.toFixed(2) : v;
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s.trim());
  if (!m) throw new Error(`not an amount: ${s}`);
  const n = BigInt(m[2] ?? '0') * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -n : n;
}

export interface Standing {
  /** the business date of the facts read (null: none yet) */
  asOf: string | null;
  aumAvgMtd: string | null;
  standards: Record<VipGrade, string>;
  qualifies: VipGrade[];
}

/** The grades the customer qualifies for today: the latest facts' aum_avg_mtd against each standard of the events policy then in effect. */
export async function standingOf(s: SqlSession, customerId: string, today: string): Promise<Standing> {
  const facts = await q.latestFacts(s, customerId);
  const policy = await eventsPolicyInEffect(s, facts?.business_date ?? today);
  const std = policy.document.card_standards;
  const standards = { gold: std.gold.toFixed(2), platinum: std.platinum.toFixed(2), diamond: std.diamond.toFixed(2) };
  const qualifies = facts ? VIP_GRADES.filter((g) => fen(facts.aum_avg_mtd) >= fen(standards[g])) : [];
  return { asOf: facts?.business_date ?? null, aumAvgMtd: facts?.aum_avg_mtd ?? null, standards, qualifies };
}

const byGrade = (grades: readonly string[]) => VIP_GRADES.filter((g) => grades.includes(g));

interface Present {
  staff: Awaited<ReturnType<typeof staffByIds>>;
  vouchers: Map<string, q.VoucherRow>;
  cards: q.CardRow[];
  /** the customers the user sees: another one (re-assigned since) shows its number and masked name only */
  visible: Set<string>;
}

async function presenting(s: SqlSession, rows: q.SigningRow[], user: SignedInUser): Promise<Present> {
  const ids = rows.flatMap((r) => [r.requested_by, r.decided_by, r.cancelled_by, r.card_issued_by].filter((x): x is string => x !== null));
  return {
    visible: await visibleAmong(s, user, rows.map((r) => r.customer_id)),
    staff: await staffByIds(s, ids),
    vouchers: await q.vouchersByNumber(s, rows.flatMap((r) => (r.agreement_no ? [r.agreement_no] : []))),
    cards: await q.cardsOf(s, rows.filter((r) => r.agreement_no).map((r) => r.customer_id)),
  };
}

function presentVoucher(v: q.VoucherRow, cancelled: boolean, user: SignedInUser, visible: boolean): Voucher {
  return {
    agreementNo: v.agreement_no,
    customerId: v.customer_id,
    customerName: nameFor(user, visible, v.customer_name),
    qualifiedGrades: byGrade(v.qualified_grades),
    appliedGrade: v.applied_grade,
    signedAt: chinaTime(v.signed_at),
    cancelled,
  };
}

function presentSigning(r: q.SigningRow, p: Present, user: SignedInUser): Signing {
  const v = r.agreement_no ? p.vouchers.get(r.agreement_no) : undefined;
  // the card of the grade the feed delivered issued on or after the business date of the request
  // (the first such): business dates, not the clock, so that a card of the day of signing matches
  const card = v ? p.cards.find((k) => k.customer_id === r.customer_id && k.grade === r.grade && k.issued_on >= r.business_date) : undefined;
  const staff = (id: string | null) => staffRefOr(p.staff, id);
  const visible = p.visible.has(r.customer_id);
  return {
    signingId: r.signing_id,
    customerId: r.customer_id,
    customerName: nameFor(user, visible, r.customer_name),
    grade: r.grade,
    status: r.status,
    requestedBy: staff(r.requested_by) ?? { staffId: r.requested_by, name: r.requested_by, role: 'customer_manager' },
    requestedAt: chinaTime(r.requested_at),
    factsDate: r.facts_date,
    aumAvgMtd: r.aum_avg_mtd,
    qualifiedAtRequest: byGrade(r.qualified),
    approverRole: r.approver_role,
    branch: { id: r.branch_id, name: r.branch_name },
    decidedBy: staff(r.decided_by),
    decidedAt: chinaTimeOrNull(r.decided_at),
    decisionReason: r.decision_reason,
    cancelledBy: staff(r.cancelled_by),
    cancelledAt: chinaTimeOrNull(r.cancelled_at),
    cancelReason: r.cancel_reason,
    cardIssuedBy: staff(r.card_issued_by),
    cardIssuedAt: chinaTimeOrNull(r.card_issued_at),
    card: card ? { cardId: card.card_id, issuedOn: card.issued_on, status: card.status } : null,
    voucher: v ? presentVoucher(v, r.status === 'cancelled', user, visible) : null,
  };
}

async function presentOne(s: SqlSession, r: q.SigningRow, user: SignedInUser): Promise<Signing> {
  return presentSigning(r, await presenting(s, [r], user), user);
}

/** The VIP signing card of the 360 page: where the customer stands against each standard today, and every signing. */
export async function customerSignings(db: Db, user: SignedInUser, customerId: string) {
  await requireCustomer(db, user, customerId);
  const today = await businessToday(db);
  return db.session(async (s) => {
    const st = await standingOf(s, customerId, today);
    const rows = await q.signingsOfCustomer(s, customerId, HISTORY);
    const p = await presenting(s, rows, user);
    return {
      asOf: st.asOf,
      aumAvgMtd: st.aumAvgMtd,
      grades: VIP_GRADES.map((g) => ({ grade: g, standard: st.standards[g], qualifies: st.qualifies.includes(g), approverRole: st.qualifies.includes(g) ? null : APPROVER[g] })),
      qualifies: st.qualifies,
      items: rows.map((r) => presentSigning(r, p, user)),
    };
  });
}

const noSigning = () => new AppError('not_found', text('没有这条签约记录。', 'There is no such signing.'));
const conflict = (zh: string, en: string) => new AppError('conflict', text(zh, en));
const audit = (s: SqlSession, a: SellingActor, action: string, customerId: string, reason: string | null, detail: Record<string, unknown>) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, customerIds: [customerId], outcome: 'allowed', reason, detail });

/** Writes the voucher of a signing being signed now; its number. */
async function signNow(s: SqlSession, g: { customerId: string; signingId: string; customerName: string; qualifies: readonly VipGrade[]; grade: VipGrade }, agreement?: { no: string; at: Date }) {
  const a = agreement ?? (await q.nextAgreement(s));
  await q.insertVoucher(s, { agreementNo: a.no, customerId: g.customerId, signingId: g.signingId, customerName: g.customerName, qualified: g.qualifies, grade: g.grade, signedAt: a.at });
  return a;
}

/**
 * Signs a customer in the user's scope for a grade: at once when the customer qualifies today
 * (the voucher is written), else a request waiting for its approver.
 */
export async function requestSigning(db: Db, a: SellingActor, customerId: string, grade: VipGrade) {
  await requireCustomer(db, a.user, customerId);
  const today = await businessToday(db);
  const staffId = me(a.user);
  return db.transaction(async (s) => {
    const c = await q.customerOf(s, customerId);
    if (!c) throw noSigning();
    if (c.status !== 'active') throw conflict('该客户已销户（已不在客户清单中），不能签约。', 'The customer has left the bank and cannot be signed.');
    const st = await standingOf(s, customerId, today);
    const signingId = randomUUID();
    const automatic = st.qualifies.includes(grade);
    const agreement = automatic ? await q.nextAgreement(s) : null;
    const written = await q.insertSigning(s, {
      customerId,
      signingId,
      grade,
      branchId: c.branch_id,
      requestedBy: staffId,
      businessDate: today,
      factsDate: st.asOf,
      aumAvgMtd: st.aumAvgMtd,
      qualified: st.qualifies,
      approverRole: automatic ? null : APPROVER[grade],
      status: automatic ? 'signed' : 'pending_approval',
      agreementNo: agreement?.no ?? null,
      at: agreement?.at ?? new Date(),
    });
    if (!written) {
      throw conflict(
        `该客户已有${GRADE_NAME[grade].zh}的签约或待审批申请；如需重签，请先撤销原签约。`,
        `The customer has a ${GRADE_NAME[grade].en} signing or a request waiting for approval already; cancel it first to sign again.`,
      );
    }
    if (agreement) await signNow(s, { customerId, signingId, customerName: c.name, qualifies: st.qualifies, grade }, agreement);
    await audit(s, a, automatic ? 'vip_signing_sign' : 'vip_signing_request', customerId, null, {
      signingId,
      grade,
      qualifies: st.qualifies,
      factsDate: st.asOf,
      agreementNo: agreement?.no ?? null,
      approverRole: automatic ? null : APPROVER[grade],
    });
    const row = await q.signingOf(s, customerId, signingId);
    if (!row) throw new Error('the signing was not written');
    const signing = await presentOne(s, row, a.user);
    if (signing.voucher) return { status: 'signed' as const, signing, voucher: signing.voucher };
    return { status: 'pending_approval' as const, signing, approverRole: APPROVER[grade] };
  });
}

/** A signing of a customer in the user's scope, locked for a change (404 otherwise). */
async function lockedSigning(s: SqlSession, customerId: string, signingId: string): Promise<q.SigningRow> {
  const r = await q.signingOf(s, customerId, signingId, true);
  if (!r) throw noSigning();
  return r;
}

/**
 * The approver approves (the voucher is written with the grades the customer qualifies for that
 * day) or rejects with a reason. Gold and platinum: a branch head whose branches hold the customer;
 * diamond: the department. Nobody decides their own request.
 */
export async function decideSigning(db: Db, a: SellingActor, customerId: string, signingId: string, body: { decision: 'approve' | 'reject'; reason?: string | undefined }) {
  await requireCustomer(db, a.user, customerId);
  const reason = body.decision === 'reject' ? requireText(body.reason, 'reason', { zh: '拒绝原因', en: 'reason for rejecting' }) : body.reason?.trim() || null;
  const today = await businessToday(db);
  const staffId = me(a.user);
  return db.transaction(async (s) => {
    const r = await lockedSigning(s, customerId, signingId);
    if (r.status !== 'pending_approval') throw conflict('这条签约不在待审批状态（已处理或已撤销）。', 'This signing is not waiting for approval (decided or cancelled already).');
    if (r.approver_role !== a.user.role) {
      throw new AppError(
        'forbidden',
        r.approver_role === 'pb_dept'
          ? text('钻石卡签约由个人金融部审批。', 'A diamond signing is approved by the personal banking department.')
          : text('金卡、白金卡签约由客户所在网点的负责人审批。', "A gold or platinum signing is approved by the head of the customer's branch."),
      );
    }
    if (r.requested_by === staffId) throw new AppError('forbidden', text('不能审批自己提交的签约申请。', 'You cannot approve a signing you requested.'));
    const at = new Date();
    if (body.decision === 'approve') {
      const c = await q.customerOf(s, customerId);
      if (!c) throw noSigning();
      const st = await standingOf(s, customerId, today);
      const agreement = await signNow(s, { customerId, signingId, customerName: c.name, qualifies: st.qualifies, grade: r.grade });
      await q.updateSigning(s, customerId, signingId, { status: 'signed', agreement_no: agreement.no, decided_by: staffId, decided_at: agreement.at, decision_reason: reason });
      await audit(s, a, 'vip_signing_approve', customerId, reason, { signingId, grade: r.grade, agreementNo: agreement.no, qualifies: st.qualifies, requestedBy: r.requested_by });
    } else {
      await q.updateSigning(s, customerId, signingId, { status: 'rejected', decided_by: staffId, decided_at: at, decision_reason: reason });
      await audit(s, a, 'vip_signing_reject', customerId, reason, { signingId, grade: r.grade, requestedBy: r.requested_by });
    }
    const after = await q.signingOf(s, customerId, signingId);
    if (!after) throw noSigning();
    return presentOne(s, after, a.user);
  });
}

/** Cancels a signing (or withdraws a request): its voucher is kept, marked cancelled. A reason is required. */
export async function cancelSigning(db: Db, a: SellingActor, customerId: string, signingId: string, body: { reason: string }) {
  await requireCustomer(db, a.user, customerId);
  const reason = requireText(body.reason, 'reason', { zh: '撤销原因', en: 'reason for cancelling' });
  return db.transaction(async (s) => {
    const r = await lockedSigning(s, customerId, signingId);
    if (r.status !== 'signed' && r.status !== 'pending_approval') throw conflict('这条签约已撤销或已被拒绝。', 'This signing is cancelled or rejected already.');
    await q.updateSigning(s, customerId, signingId, { status: 'cancelled', cancelled_by: me(a.user), cancelled_at: new Date(), cancel_reason: reason });
    await audit(s, a, 'vip_signing_cancel', customerId, reason, { signingId, grade: r.grade, agreementNo: r.agreement_no, was: r.status });
    const after = await q.signingOf(s, customerId, signingId);
    if (!after) throw noSigning();
    return presentOne(s, after, a.user);
  });
}

/** Records the card issued: only with a complete voucher (signed, approved where needed, not cancelled), once. */
export async function recordCardIssued(db: Db, a: SellingActor, customerId: string, signingId: string, body: { note?: string | undefined }) {
  await requireCustomer(db, a.user, customerId);
  return db.transaction(async (s) => {
    const r = await lockedSigning(s, customerId, signingId);
    const v = r.agreement_no ? (await q.vouchersByNumber(s, [r.agreement_no])).get(r.agreement_no) : undefined;
    const complete = v && v.agreement_no && v.customer_id && v.customer_name && v.qualified_grades && v.applied_grade && v.signed_at;
    if (r.status !== 'signed' || !complete) {
      const why =
        r.status === 'pending_approval'
          ? text('签约尚待审批，审批通过并生成签约凭证后方可登记发卡。', 'The signing is waiting for approval: a card is recorded as issued only once it is approved and its voucher written.')
          : r.status === 'rejected'
            ? text('签约申请已被拒绝，没有签约凭证，不能登记发卡。', 'The signing was rejected: there is no voucher, so no card can be recorded as issued.')
            : text('签约已撤销，不能登记发卡。', 'The signing is cancelled: no card can be recorded as issued.');
      throw new AppError('conflict', why);
    }
    if (r.card_issued_at) throw conflict('这条签约已登记发卡。', 'The card of this signing is recorded as issued already.');
    await q.updateSigning(s, customerId, signingId, { card_issued_by: me(a.user), card_issued_at: new Date() });
    await audit(s, a, 'vip_signing_card_issued', customerId, body.note?.trim() || null, { signingId, grade: r.grade, agreementNo: r.agreement_no });
    const after = await q.signingOf(s, customerId, signingId);
    if (!after) throw noSigning();
    return presentOne(s, after, a.user);
  });
}

/** The approver's page: signings waiting for the user's decision (or decided), of customers in the user's scope. */
export async function signingsToApprove(db: Db, user: SignedInUser, f: { status: 'pending' | 'decided'; page: number; pageSize: number }) {
  if (user.role !== 'branch_head' && user.role !== 'pb_dept') throw new AppError('forbidden', text('您的岗位不审批签约。', 'Your role does not approve signings.'));
  return db.session(async (s) => {
    const { rows, total } = await q.signingsToApprove(s, user.role as 'branch_head' | 'pb_dept', user.scope, f.status === 'decided', f.page, f.pageSize);
    const p = await presenting(s, rows, user);
    return { items: rows.map((r) => presentSigning(r, p, user)), total };
  });
}

/** The signings the user requested, newest first: the outcome of each, and its voucher once signed. */
export async function mySignings(db: Db, user: SignedInUser, f: { status?: string | undefined; page: number; pageSize: number }) {
  return db.session(async (s) => {
    const { rows, total } = await q.signingsRequestedBy(s, me(user), f.status ?? null, f.page, f.pageSize);
    const p = await presenting(s, rows, user);
    return { items: rows.map((r) => presentSigning(r, p, user)), total };
  });
}

export interface VoucherExportRow {
  agreement_no: string;
  customer_id: string;
  customer_name: string;
  qualified_grades: string;
  applied_grade: string;
  signed_at: string;
  status: string;
}

/** Every voucher signed in the range (China-time days), oldest first, for `stratum signings export`. */
export async function exportVouchers(db: Db, from: string | null, to: string | null): Promise<VoucherExportRow[]> {
  return db.session(async (s) => {
    const vouchers = await q.vouchersBetween(s, from, to);
    const status = await q.statusOf(s, vouchers.map((v) => ({ customer_id: v.customer_id, signing_id: v.signing_id })));
    return vouchers.map((v) => ({
      agreement_no: v.agreement_no,
      customer_id: v.customer_id,
      customer_name: v.customer_name,
      qualified_grades: byGrade(v.qualified_grades).join(' '),
      applied_grade: v.applied_grade,
      signed_at: chinaTime(v.signed_at),
      status: status.get(`${v.customer_id}/${v.signing_id}`) ?? 'signed',
    }));
  });
}

