import type { SqlSession } from '../../platform/db.js';

// The only SQL of suitable products: the customer and products a check reads, and the
// recommendations recorded.

export interface CheckCustomerRow {
  customer_id: string;
  name: string;
  branch_id: string;
  status: 'active' | 'left';
  risk_level: string | null;
  risk_assessed_on: string | null;
  birth_date: string | null;
}

export async function customerForCheck(s: SqlSession, customerId: string): Promise<CheckCustomerRow | undefined> {
  const r = await s.query<CheckCustomerRow>('SELECT customer_id, name, branch_id, status, risk_level, risk_assessed_on, birth_date FROM customers WHERE customer_id = $1', [customerId]);
  return r.rows[0];
}

export interface ProductRow {
  product_code: string;
  name: string;
  kind: string;
  risk_level: string;
  min_amount: string;
  active: boolean;
}
const PRODUCT = 'product_code, name, kind, risk_level, min_amount, active';

export async function productByCode(s: SqlSession, code: string): Promise<ProductRow | undefined> {
  return (await s.query<ProductRow>(`SELECT ${PRODUCT} FROM products WHERE product_code = $1`, [code])).rows[0];
}

/** The products on sale (products.csv, the last delivered), by risk, kind and code. */
export async function activeProducts(s: SqlSession): Promise<ProductRow[]> {
  return (await s.query<ProductRow>(`SELECT ${PRODUCT} FROM products WHERE active ORDER BY risk_level, kind, product_code`)).rows;
}

export interface RecommendationRow {
  customer_id: string;
  recommendation_id: string;
  product_code: string;
  product_name: string | null;
  kind: 'recommendation' | 'proposal';
  staff_id: string;
  business_date: string;
  product_risk: string;
  customer_level: string | null;
  assessment: 'valid' | 'missing' | 'expired';
  age: number | null;
  confirmed_by: string | null;
  note: string | null;
  created_at: Date;
}
const RECOMMENDATION = `r.customer_id, r.recommendation_id, r.product_code, p.name AS product_name, r.kind, r.staff_id, r.business_date, r.product_risk,
  r.customer_level, r.assessment, r.age, r.confirmed_by, r.note, r.created_at`;

export async function insertRecommendation(
  s: SqlSession,
  r: {
    customerId: string;
    productCode: string;
    kind: string;
    staffId: string;
    date: string;
    productRisk: string;
    customerLevel: string | null;
    assessment: string;
    age: number | null;
    confirmedBy: string | null;
    note: string | null;
  },
): Promise<string> {
  const out = await s.query<{ recommendation_id: string }>(
    `INSERT INTO product_recommendations (customer_id, product_code, kind, staff_id, business_date, product_risk, customer_level, assessment, age, confirmed_by, note)
     VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9, $10, $11) RETURNING recommendation_id`,
    [r.customerId, r.productCode, r.kind, r.staffId, r.date, r.productRisk, r.customerLevel, r.assessment, r.age, r.confirmedBy, r.note],
  );
  const id = out.rows[0]?.recommendation_id;
  if (!id) throw new Error('the recommendation was not written');
  return id;
}

export async function recommendationById(s: SqlSession, customerId: string, id: string): Promise<RecommendationRow | undefined> {
  const r = await s.query<RecommendationRow>(
    `SELECT ${RECOMMENDATION} FROM product_recommendations r LEFT JOIN products p ON p.product_code = r.product_code WHERE r.customer_id = $1 AND r.recommendation_id = $2`,
    [customerId, id],
  );
  return r.rows[0];
}

/** The customer's latest recommendations, newest first. */
export async function recentRecommendations(s: SqlSession, customerId: string, limit: number): Promise<RecommendationRow[]> {
  const r = await s.query<RecommendationRow>(
    `SELECT ${RECOMMENDATION} FROM product_recommendations r LEFT JOIN products p ON p.product_code = r.product_code
      WHERE r.customer_id = $1 ORDER BY r.created_at DESC, r.recommendation_id LIMIT $2`,
    [customerId, limit],
  );
  return r.rows;
}
