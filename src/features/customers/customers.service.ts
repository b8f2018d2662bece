import type { Db } from '../../platform/db.js';
import { maskAddress, maskIdNumber, maskPhone, viewCounterparty, viewDetail, viewName } from '../../platform/pii.js';
import { customerNotFound, customerScope, piiView, requireCustomer } from '../access/access.scope.js';
import { branchesWithinScope, type SignedInUser } from '../access/access.service.js';
import { businessToday, latestLoadedDate } from '../system/system.service.js';
import type { Customer360, CustomerListItem, CustomerListQuery } from './customers.contract.js';
import * as q from './customers.sql.js';

// Customers as staff see them: only within their scope, personal data masked by role (platform/pii.ts).

export async function customerList(db: Db, user: SignedInUser, f: CustomerListQuery) {
  const branches = f.branchId ? await branchesWithinScope(db, user, f.branchId) : null;
  const v = customerScope(user, f.owner === 'me');
  const [{ rows, total }, asOf] = await Promise.all([q.listCustomers(db, v, branches, f), latestLoadedDate(db)]);
  const view = piiView(user);
  const items: CustomerListItem[] = rows.map((r) => ({
    customerId: r.customer_id,
    name: viewName(view, r.name),
    gender: r.gender,
    phone: maskPhone(r.phone),
    branch: { id: r.branch_id, name: r.branch_name },
    openedOn: r.opened_on,
    aum: r.aum,
    vipCard: r.vip_grade,
    status: r.status,
    aumBand: r.aum_band,
    relationshipTier: r.relationship_tier,
    householdBand: r.household_band ?? null,
  }));
  return {
    items,
    page: f.page,
    pageSize: f.pageSize,
    total: Math.min(total, q.COUNT_CAP),
    totalIsLowerBound: total > q.COUNT_CAP,
    asOf,
  };
}

/** Days from one YYYY-MM-DD to another. */
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

function ageOn(birth: string | null, on: string): number | null {
  if (!birth) return null;
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  if (by === undefined || bm === undefined || bd === undefined || y === undefined || m === undefined || d === undefined) return null;
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export async function customer360(db: Db, user: SignedInUser, customerId: string): Promise<Customer360> {
  const c = await q.findCustomer(db, customerScope(user), customerId);
  if (!c) throw customerNotFound();
  const [snap, accounts, cards, loans, latest] = await Promise.all([
    q.latestSnapshot(db, customerId),
    q.accountsOf(db, customerId),
    q.cardsOf(db, customerId),
    q.loansOf(db, customerId),
    latestLoadedDate(db),
  ]);
  const today = latest ?? new Date().toISOString().slice(0, 10);
  const view = piiView(user);
  return {
    profile: {
      customerId: c.customer_id,
      name: viewName(view, c.name),
      gender: c.gender,
      birthDate: viewDetail(view, c.birth_date),
      age: ageOn(c.birth_date, today),
      idNumber: maskIdNumber(c.id_number),
      phone: maskPhone(c.phone),
      address: maskAddress(c.address),
      occupation: c.occupation,
      annualIncome: viewDetail(view, c.annual_income),
      riskLevel: c.risk_level,
      branch: { id: c.branch_id, name: c.branch_name },
      openedOn: c.opened_on,
      doNotDisturb: c.do_not_disturb,
      marketingConsent: c.marketing_consent,
      status: c.status,
    },
    aum: snap
      ? {
          asOf: snap.business_date,
          total: snap.aum,
          deposits: snap.deposits,
          byKind: {
            current: snap.current_balance,
            timeDeposit: snap.time_deposit,
            wealth: snap.wealth,
            fund: snap.fund,
            insurance: snap.insurance,
            loans: snap.loans_outstanding,
          },
        }
      : null,
    accounts: accounts.map((a) => ({
      accountId: a.account_id,
      kind: a.kind,
      productCode: a.product_code,
      productName: a.product_name,
      balance: a.balance,
      openedOn: a.opened_on,
      maturesOn: a.matures_on,
      daysToMaturity: a.matures_on ? daysBetween(today, a.matures_on) : null,
      status: a.status,
    })),
    cards: cards.map((k) => ({ cardId: k.card_id, grade: k.grade, issuedOn: k.issued_on, status: k.status, cancelledOn: k.cancelled_on })),
    loans: loans.map((l) => ({
      loanId: l.loan_id,
      principal: l.principal,
      outstanding: l.outstanding,
      overdueDays: l.overdue_days,
      openedOn: l.opened_on,
      status: l.status,
    })),
  };
}

/** The unmasked revealable fields of a customer the caller sees, or null: for the audited reveal only. */
export async function personalFieldsInScope(db: Db, user: SignedInUser, customerId: string) {
  const c = await q.findCustomer(db, customerScope(user), customerId);
  return c ? { phone: c.phone, id_number: c.id_number, address: c.address } : null;
}

export async function customerAumHistory(db: Db, user: SignedInUser, customerId: string, days: number) {
  await requireCustomer(db, user, customerId);
  const latest = await businessToday(db);
  const from = new Date(Date.parse(`${latest}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await q.aumHistory(db, customerId, from);
  return { points: rows.map((r) => ({ date: r.business_date, aum: r.aum, deposits: r.deposits, wealth: r.wealth, fund: r.fund, insurance: r.insurance })) };
}

export async function customerTransactions(db: Db, user: SignedInUser, customerId: string, page: number, pageSize: number) {
  await requireCustomer(db, user, customerId);
  const { rows, total } = await q.transactionsOf(db, customerId, page, pageSize);
  const view = piiView(user);
  return {
    items: rows.map((t) => ({
      txnId: t.txn_id,
      accountId: t.account_id,
      bookedAt: chinaTime(new Date(t.booked_at)),
      amount: t.amount,
      channel: t.channel,
      counterparty: viewCounterparty(view, t.counterparty),
    })),
    page,
    pageSize,
    total,
  };
}

/** 2026-11-20T09:30:00+08:00: transactions are shown in the bank's time, whatever the server's zone */
function chinaTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

export async function branchesForFilter(db: Db, user: SignedInUser) {
  const rows = await q.branchesIn(db, user.scope);
  return { items: rows.map((b) => ({ id: b.branch_id, name: b.name, parentId: b.parent_id, level: b.level })) };
}
