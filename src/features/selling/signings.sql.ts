import type { SqlSession } from '../../platform/db.js';

// The only SQL of VIP signing. vip_signings is per customer (distributed by customer_id on Citus);
// signing_vouchers, guarded by triggers, stays on the coordinator: it is read by its own key and
// never joined with the customers' tables in one statement.

export interface SigningRow {
  customer_id: string;
  signing_id: string;
  grade: 'gold' | 'platinum' | 'diamond';
  branch_id: string;
  requested_by: string;
  requested_at: Date;
  business_date: string;
  facts_date: string | null;
  aum_avg_mtd: string | null;
  qualified: string[];
  approver_role: 'branch_head' | 'pb_dept' | null;
  status: 'pending_approval' | 'signed' | 'rejected' | 'cancelled';
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  agreement_no: string | null;
  cancelled_by: string | null;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  card_issued_by: string | null;
  card_issued_at: Date | null;
  customer_name: string;
  branch_name: string;
}
const SIGNING = `g.customer_id, g.signing_id, g.grade, g.branch_id, g.requested_by, g.requested_at, g.business_date, g.facts_date, g.aum_avg_mtd::text AS aum_avg_mtd,
  g.qualified, g.approver_role, g.status, g.decided_by, g.decided_at, g.decision_reason, g.agreement_no, g.cancelled_by, g.cancelled_at,
  g.cancel_reason, g.card_issued_by, g.card_issued_at, c.name AS customer_name, b.name AS branch_name`;
const FROM = 'vip_signings g JOIN customers c ON c.customer_id = g.customer_id JOIN branches b ON b.branch_id = g.branch_id';

export interface VoucherRow {
  agreement_no: string;
  customer_id: string;
  signing_id: string;
  customer_name: string;
  qualified_grades: string[];
  applied_grade: 'gold' | 'platinum' | 'diamond';
  signed_at: Date;
}

/** The customer's latest facts: the business date and its month-to-date average AUM (none before the batch ran for them). */
export async function latestFacts(s: SqlSession, customerId: string): Promise<{ business_date: string; aum_avg_mtd: string } | undefined> {
  const r = await s.query<{ business_date: string; aum_avg_mtd: string }>(
    'SELECT business_date, aum_avg_mtd::text AS aum_avg_mtd FROM customer_facts WHERE customer_id = $1 ORDER BY business_date DESC LIMIT 1',
    [customerId],
  );
  return r.rows[0];
}

export async function customerOf(s: SqlSession, customerId: string) {
  const r = await s.query<{ customer_id: string; name: string; branch_id: string; status: 'active' | 'left' }>('SELECT customer_id, name, branch_id, status FROM customers WHERE customer_id = $1', [customerId]);
  return r.rows[0];
}

/**
 * A new agreement number and the moment of signing (the transaction's): 'QY', the China-time day,
 * the sequence's next number in 5 digits or more. A sequence never gives a number twice, even when
 * the transaction that took it rolls back.
 */
export async function nextAgreement(s: SqlSession): Promise<{ no: string; at: Date }> {
  const r = await s.query<{ no: string; at: Date }>(
    `SELECT 'QY' || to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(nextval('signing_agreement_seq')::text, 5, '0') AS no, now() AS at`,
  );
  const row = r.rows[0];
  if (!row) throw new Error('no agreement number');
  return row;
}

export async function insertVoucher(s: SqlSession, v: { agreementNo: string; customerId: string; signingId: string; customerName: string; qualified: readonly string[]; grade: string; signedAt: Date }): Promise<void> {
  await s.query(
    `INSERT INTO signing_vouchers (agreement_no, customer_id, signing_id, customer_name, qualified_grades, applied_grade, signed_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7::timestamptz)`,
    [v.agreementNo, v.customerId, v.signingId, v.customerName, [...v.qualified], v.grade, v.signedAt],
  );
}

/** A new signing; none when the customer has an open request or signing of that grade already. */
export async function insertSigning(
  s: SqlSession,
  g: {
    customerId: string;
    signingId: string;
    grade: string;
    branchId: string;
    requestedBy: string;
    businessDate: string;
    factsDate: string | null;
    aumAvgMtd: string | null;
    qualified: readonly string[];
    approverRole: string | null;
    status: 'pending_approval' | 'signed';
    agreementNo: string | null;
    at: Date;
  },
): Promise<boolean> {
  const r = await s.query(
    `INSERT INTO vip_signings (customer_id, signing_id, grade, branch_id, requested_by, requested_at, facts_date, aum_avg_mtd, qualified, approver_role, status, agreement_no, business_date)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::date, $8::numeric, $9::text[], $10, $11, $12, $13::date)
     ON CONFLICT (customer_id, grade) WHERE status IN ('pending_approval', 'signed') DO NOTHING`,
    [g.customerId, g.signingId, g.grade, g.branchId, g.requestedBy, g.at, g.factsDate, g.aumAvgMtd, [...g.qualified], g.approverRole, g.status, g.agreementNo, g.businessDate],
  );
  return r.rowCount === 1;
}

/** One signing, locked for a change (a statement of its own on the signings alone: Citus locks rows only there). */
export async function signingOf(s: SqlSession, customerId: string, signingId: string, lock = false): Promise<SigningRow | undefined> {
  if (lock) await s.query('SELECT 1 FROM vip_signings WHERE customer_id = $1 AND signing_id = $2 FOR UPDATE', [customerId, signingId]);
  const r = await s.query<SigningRow>(`SELECT ${SIGNING} FROM ${FROM} WHERE g.customer_id = $1 AND g.signing_id = $2`, [customerId, signingId]);
  return r.rows[0];
}

export async function signingsOfCustomer(s: SqlSession, customerId: string, limit: number): Promise<SigningRow[]> {
  const r = await s.query<SigningRow>(`SELECT ${SIGNING} FROM ${FROM} WHERE g.customer_id = $1 ORDER BY g.requested_at DESC, g.signing_id LIMIT $2`, [customerId, limit]);
  return r.rows;
}

export async function updateSigning(
  s: SqlSession,
  customerId: string,
  signingId: string,
  set: Partial<Record<'status' | 'decided_by' | 'decision_reason' | 'agreement_no' | 'cancelled_by' | 'cancel_reason' | 'card_issued_by', string | null>> &
    Partial<Record<'decided_at' | 'cancelled_at' | 'card_issued_at', Date>>,
): Promise<void> {
  const cols = Object.keys(set) as (keyof typeof set)[];
  const params: unknown[] = [customerId, signingId, ...cols.map((c) => set[c])];
  await s.query(`UPDATE vip_signings SET ${cols.map((c, i) => `${c} = $${i + 3}`).join(', ')} WHERE customer_id = $1 AND signing_id = $2`, params);
}

/**
 * Signings an approver decides: pending ones (or, with `decided`, decided ones) for the role, of
 * customers now in the branches (null: all). Newest first; paged.
 */
export async function signingsToApprove(s: SqlSession, role: 'branch_head' | 'pb_dept', branches: readonly string[] | null, decided: boolean, page: number, pageSize: number) {
  const where = `g.approver_role = $1 AND ($2::text[] IS NULL OR c.branch_id = ANY($2::text[]))
    AND ${decided ? `g.decided_at IS NOT NULL` : `g.status = 'pending_approval'`}`;
  const params = [role, branches ? [...branches] : null];
  const rows = await s.query<SigningRow>(
    `SELECT ${SIGNING} FROM ${FROM} WHERE ${where} ORDER BY ${decided ? 'g.decided_at DESC' : 'g.requested_at'}, g.customer_id, g.signing_id LIMIT $3 OFFSET $4`,
    [...params, pageSize, (page - 1) * pageSize],
  );
  const total = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM vip_signings g JOIN customers c ON c.customer_id = g.customer_id WHERE ${where}`, params);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** The signings a staff member requested, newest first; paged. */
export async function signingsRequestedBy(s: SqlSession, staffId: string, status: string | null, page: number, pageSize: number) {
  const where = `g.requested_by = $1 AND ($2::text IS NULL OR g.status = $2)`;
  const rows = await s.query<SigningRow>(`SELECT ${SIGNING} FROM ${FROM} WHERE ${where} ORDER BY g.requested_at DESC, g.customer_id, g.signing_id LIMIT $3 OFFSET $4`, [
    staffId,
    status,
    pageSize,
    (page - 1) * pageSize,
  ]);
  const total = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM vip_signings g WHERE ${where}`, [staffId, status]);
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

export async function vouchersByNumber(s: SqlSession, numbers: readonly string[]): Promise<Map<string, VoucherRow>> {
  if (!numbers.length) return new Map();
  const r = await s.query<VoucherRow>(
    'SELECT agreement_no, customer_id, signing_id, customer_name, qualified_grades, applied_grade, signed_at FROM signing_vouchers WHERE agreement_no = ANY($1::text[])',
    [[...new Set(numbers)]],
  );
  return new Map(r.rows.map((v) => [v.agreement_no, v]));
}

export interface CardRow {
  customer_id: string;
  card_id: string;
  grade: string;
  issued_on: string;
  status: 'active' | 'cancelled';
}
export async function cardsOf(s: SqlSession, customerIds: readonly string[]): Promise<CardRow[]> {
  if (!customerIds.length) return [];
  const r = await s.query<CardRow>('SELECT customer_id, card_id, grade, issued_on, status FROM cards WHERE customer_id = ANY($1::text[]) ORDER BY issued_on, card_id', [
    [...new Set(customerIds)],
  ]);
  return r.rows;
}

/** Every voucher signed in a China-time day range (null: from the first, to the last), oldest first, with its signing's status. */
export async function vouchersBetween(s: SqlSession, from: string | null, to: string | null): Promise<VoucherRow[]> {
  const r = await s.query<VoucherRow>(
    `SELECT agreement_no, customer_id, signing_id, customer_name, qualified_grades, applied_grade, signed_at FROM signing_vouchers
      WHERE ($1::date IS NULL OR signed_at >= ($1::date)::timestamp AT TIME ZONE 'Asia/Shanghai')
        AND ($2::date IS NULL OR signed_at < ($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
      ORDER BY signed_at, agreement_no`,
    [from, to],
  );
  return r.rows;
}

/** The status of signings, by customer and signing id. */
export async function statusOf(s: SqlSession, keys: readonly { customer_id: string; signing_id: string }[]): Promise<Map<string, string>> {
  if (!keys.length) return new Map();
  const r = await s.query<{ customer_id: string; signing_id: string; status: string }>(
    `SELECT customer_id, signing_id, status FROM vip_signings WHERE customer_id = ANY($1::text[]) AND (customer_id, signing_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.customer_id), keys.map((k) => k.signing_id)],
  );
  return new Map(r.rows.map((x) => [`${x.customer_id}/${x.signing_id}`, x.status]));
}
