import { recordAudit, recordAuditDb } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang, type LocalText } from '../../platform/i18n.js';
import { requireCustomer } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { staffByIds } from '../ownership/ownership.sql.js';
import { businessToday } from '../system/system.service.js';
import type { CustomerSuitability, ProductCheck, Recommendation } from './selling.contract.js';
import { chinaTime, me, staffRefOr, staffSees, type SellingActor } from './selling.common.js';
import { assessmentNotice, SENIOR_AGE, suitability, type Suitability } from './suitability.rules.js';
import * as q from './suitability.sql.js';

// Suitable products (issue 19 §3): for a customer, the products of products.csv that suit and
// those that do not, each with the reason; a recommendation or proposal recorded only when the
// product suits (422 with a stable code otherwise), with a second staff member's confirmation for
// R4/R5 to a customer of 65 or over (recorded and audited). `checkSuitability` is the one check,
// for any feature that offers a product (an opportunity whose target is a product).

export interface SuitabilityCheck extends Suitability {
  customerId: string;
  productCode: string;
  productName: string;
  productKind: string;
  productActive: boolean;
  /** the day of the check */
  date: string;
}

const noProduct = () =>
  new AppError('not_found', text('没有这个产品（产品目录 products.csv 中没有该产品代码）。', 'There is no such product in the catalogue (products.csv).'), {
    productCode: text('产品目录中没有该产品代码', 'not a product code of the catalogue'),
  });
const noCustomer = () => new AppError('not_found', text('没有这位客户。', 'There is no such customer.'));

const isSession = (x: Db | SqlSession): x is SqlSession => 'query' in x;

/**
 * Whether a product suits a customer on a day (default: the latest loaded business date), and
 * why. No scope check: the caller has made sure the user sees the customer. A customer or product
 * that does not exist answers 404 (AppError not_found).
 */
export async function checkSuitability(dbOrSession: Db | SqlSession, customerId: string, productCode: string, date?: string): Promise<SuitabilityCheck> {
  const run = async (s: SqlSession) => {
    const day = date ?? (await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM business_dates')).rows[0]?.d ?? new Date().toISOString().slice(0, 10);
    const c = await q.customerForCheck(s, customerId);
    if (!c) throw noCustomer();
    const p = await q.productByCode(s, productCode);
    if (!p) throw noProduct();
    return checkOf(c, p, day);
  };
  return isSession(dbOrSession) ? run(dbOrSession) : dbOrSession.session(run);
}

function checkOf(c: q.CheckCustomerRow, p: q.ProductRow, date: string): SuitabilityCheck {
  const s = suitability({ productRisk: p.risk_level, riskLevel: c.risk_level, assessedOn: c.risk_assessed_on, birthDate: c.birth_date, date });
  return { ...s, customerId: c.customer_id, productCode: p.product_code, productName: p.name, productKind: p.kind, productActive: p.active, date };
}

/** The refusal of an unsuitable product (422 product_unsuitable), naming the product and why. */
export function unsuitableError(check: SuitabilityCheck): AppError {
  return new AppError(
    'product_unsuitable',
    text(`${check.productName}（${check.productCode}）不适合该客户：${check.reason.zh}。`, `${check.productName} (${check.productCode}) does not suit the customer: ${check.reason.en}.`),
    { productCode: check.reason },
  );
}

/** The refusal of an R4/R5 product for a customer of 65 or over without a second staff member's confirmation (422 confirmation_required). */
export function confirmationError(check: SuitabilityCheck): AppError {
  return new AppError(
    'confirmation_required',
    text(`${check.productName}（${check.productCode}）：${check.reason.zh}。请选择确认人。`, `${check.productName} (${check.productCode}): ${check.reason.en}. Name the colleague who confirms it.`),
    { confirmedBy: text('须由另一名服务该客户的员工确认', 'another staff member who serves the customer must confirm') },
  );
}

const present = (c: SuitabilityCheck, p: q.ProductRow, lang: Lang): ProductCheck => ({
  productCode: p.product_code,
  name: p.name,
  kind: p.kind,
  riskLevel: p.risk_level,
  minAmount: p.min_amount,
  suitable: c.suitable,
  needsConfirmation: c.needsConfirmation,
  rule: c.rule,
  // a sentence of its own in a list: capitalised (the rule's text is also used inside a longer sentence)
  reason: c.reason[lang].charAt(0).toUpperCase() + c.reason[lang].slice(1),
});

function presentRecommendation(r: q.RecommendationRow, staff: Awaited<ReturnType<typeof staffByIds>>): Recommendation {
  return {
    recommendationId: r.recommendation_id,
    customerId: r.customer_id,
    productCode: r.product_code,
    productName: r.product_name,
    kind: r.kind,
    staff: staffRefOr(staff, r.staff_id) ?? { staffId: r.staff_id, name: r.staff_id, role: 'customer_manager' },
    confirmedBy: staffRefOr(staff, r.confirmed_by),
    businessDate: r.business_date,
    productRisk: r.product_risk,
    customerLevel: r.customer_level,
    assessment: r.assessment,
    note: r.note,
    createdAt: chinaTime(r.created_at),
  };
}

const RECENT = 20;

/**
 * Colleagues who may confirm for this customer: active staff of a role that recommends products
 * and sees the customer — its owners and co-owners, the branch heads above its outlet, the
 * department — other than the user.
 */
async function confirmers(s: SqlSession, user: SignedInUser, customerId: string) {
  const r = await s.query<{ staff_id: string }>(
    `WITH RECURSIVE up AS (
       SELECT b.branch_id, b.parent_id FROM branches b JOIN customers c ON c.branch_id = b.branch_id WHERE c.customer_id = $1
       UNION SELECT b.branch_id, b.parent_id FROM branches b JOIN up ON b.branch_id = up.parent_id
     )
     SELECT o.staff_id FROM customer_owners o WHERE o.customer_id = $1
     UNION SELECT st.staff_id FROM staff st WHERE st.active AND (st.role = 'pb_dept' OR (st.role = 'branch_head' AND st.branch_id IN (SELECT branch_id FROM up)))`,
    [customerId],
  );
  const out = [];
  for (const { staff_id } of r.rows.sort((a, b) => a.staff_id.localeCompare(b.staff_id))) {
    if (staff_id === me(user)) continue;
    const st = await staffSees(s, staff_id, customerId, 'products.recommend');
    if (st) out.push({ staffId: st.staff_id, name: st.name, role: st.role as SignedInUser['role'] });
  }
  return out;
}

/** The suitable products card of the 360 page. */
export async function customerSuitability(db: Db, user: SignedInUser, lang: Lang, customerId: string): Promise<CustomerSuitability> {
  await requireCustomer(db, user, customerId);
  const date = await businessToday(db);
  return db.session(async (s) => {
    const c = await q.customerForCheck(s, customerId);
    if (!c) throw noCustomer();
    const products = await q.activeProducts(s);
    const checks = products.map((p) => ({ p, c: checkOf(c, p, date) }));
    const recent = await q.recentRecommendations(s, customerId, RECENT);
    const staff = await staffByIds(s, recent.flatMap((r) => [r.staff_id, ...(r.confirmed_by ? [r.confirmed_by] : [])]));
    const notice = assessmentNotice(c.risk_level, c.risk_assessed_on, date);
    const first = checks[0]?.c ?? suitability({ productRisk: 'R1', riskLevel: c.risk_level, assessedOn: c.risk_assessed_on, birthDate: c.birth_date, date });
    return {
      asOf: date,
      riskLevel: c.risk_level as CustomerSuitability['riskLevel'],
      assessedOn: c.risk_assessed_on,
      assessment: first.assessment,
      expiredSince: first.expiredSince,
      age: first.age,
      notice: notice ? notice[lang] : null,
      suitable: checks.filter((x) => x.c.suitable).map((x) => present(x.c, x.p, lang)),
      unsuitable: checks.filter((x) => !x.c.suitable).map((x) => present(x.c, x.p, lang)),
      confirmers: await confirmers(s, user, customerId),
      recent: recent.map((r) => presentRecommendation(r, staff)),
    };
  });
}

const badConfirmer = (why: LocalText) => new AppError('bad_request', text(`确认人有误：${why.zh}。`, `The confirming colleague is not valid: ${why.en}.`), { confirmedBy: why });

/**
 * Records a product recommended or proposed to a customer in the user's scope, when it suits:
 * refused with 422 product_unsuitable (the reason in the user's language) when it does not, and
 * with 422 confirmation_required for R4/R5 to a customer of 65 or over without a second staff
 * member (another one than the user, who serves the customer). Recorded and audited; a refusal is
 * audited too.
 */
export async function recommendProduct(
  db: Db,
  a: SellingActor,
  customerId: string,
  body: { productCode: string; kind: 'recommendation' | 'proposal'; confirmedBy?: string | undefined; note?: string | undefined },
): Promise<Recommendation> {
  await requireCustomer(db, a.user, customerId);
  const date = await businessToday(db);
  const staffId = me(a.user);
  const note = body.note?.trim() || null;
  const check = await checkSuitability(db, customerId, body.productCode, date);
  if (!check.productActive) {
    throw new AppError('conflict', text(`${check.productName}（${check.productCode}）已不在售（产品目录中已停用）。`, `${check.productName} (${check.productCode}) is no longer on sale (inactive in the catalogue).`), {
      productCode: text('产品已停售', 'no longer on sale'),
    });
  }
  const confirmedBy = body.confirmedBy?.trim() || null;
  if (confirmedBy !== null) {
    if (confirmedBy === staffId) throw badConfirmer(text('确认人须是另一名员工，不能是您本人', 'it must be another staff member, not you'));
    const ok = await db.session((s) => staffSees(s, confirmedBy, customerId, 'products.recommend'));
    if (!ok) throw badConfirmer(text('须是在职、可推荐产品且服务该客户的员工', 'it must be an active staff member who recommends products and serves this customer'));
  }
  const audited = {
    productCode: check.productCode,
    kind: body.kind,
    productRisk: check.productRisk,
    customerLevel: check.customerLevel,
    assessment: check.assessment,
    // the rule's fact, not the age (a birth date is a personal detail)
    senior: check.age !== null && check.age >= SENIOR_AGE,
    rule: check.rule,
    confirmedBy,
    date,
  };
  const refuse = async (e: AppError) => {
    await recordAuditDb(db, { actor: a.user.login, role: a.user.role, ip: a.ip, action: 'product_recommend', customerIds: [customerId], outcome: 'refused', detail: audited });
    return e;
  };
  if (!check.suitable) throw await refuse(unsuitableError(check));
  if (check.needsConfirmation && confirmedBy === null) throw await refuse(confirmationError(check));
  return db.transaction(async (s) => {
    const id = await q.insertRecommendation(s, {
      customerId,
      productCode: check.productCode,
      kind: body.kind,
      staffId,
      date,
      productRisk: check.productRisk,
      customerLevel: check.customerLevel,
      assessment: check.assessment,
      age: check.age,
      confirmedBy: check.needsConfirmation ? confirmedBy : null,
      note,
    });
    await recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action: 'product_recommend', customerIds: [customerId], outcome: 'allowed', detail: { ...audited, recommendationId: id } });
    const row = await q.recommendationById(s, customerId, id);
    if (!row) throw new Error('the recommendation was not written');
    return presentRecommendation(row, await staffByIds(s, [staffId, ...(row.confirmed_by ? [row.confirmed_by] : [])]));
  });
}
