import type { Db } from '../../platform/db.js';

// The customer overview: one row per customer with what the list filters and sorts on (AUM of
// the latest business date, highest VIP card, phone tail, the product kinds held), so a page of 50
// out of a million is an index range scan. Refreshed set-based once after loading, writing only the rows that changed.

/**
 * The product kinds a customer holds on the latest business date, as bits (a customer group's
 * "products held" reads them here rather than probing the balances of every customer).
 */
export const PRODUCT_BITS = { time_deposit: 1, wealth: 2, fund: 4, insurance: 8 } as const;
const PRODUCTS_HELD = Object.entries(PRODUCT_BITS)
  .map(([column, bit]) => `CASE WHEN b.${column} > 0 THEN ${bit} ELSE 0 END`)
  .join(' | ');

const VIP_RANK = `CASE grade WHEN 'diamond' THEN 3 WHEN 'platinum' THEN 2 WHEN 'gold' THEN 1 ELSE 0 END`;

/** Brings customer_overview up to the latest loaded business date; returns the rows written. */
export async function refreshCustomerOverview(db: Db): Promise<number> {
  return db.transaction(async (s) => {
    const latest = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM business_dates');
    const date = latest.rows[0]?.d ?? null;
    const r = await s.query(
      `INSERT INTO customer_overview AS o (customer_id, branch_id, name, phone_tail, opened_on, status, aum, aum_date, vip_grade, products)
       SELECT c.customer_id, c.branch_id, c.name, right(c.phone, 4), c.opened_on, c.status,
              coalesce(b.aum, 0), b.business_date, v.grade, coalesce((${PRODUCTS_HELD})::smallint, 0)
         FROM customers c
         LEFT JOIN balance_snapshots b ON b.customer_id = c.customer_id AND b.business_date = $1::date
         LEFT JOIN (
           SELECT customer_id, (array_agg(grade ORDER BY ${VIP_RANK} DESC))[1] AS grade
             FROM cards WHERE status = 'active' AND grade IN ('gold', 'platinum', 'diamond')
            GROUP BY customer_id
         ) v ON v.customer_id = c.customer_id
       ON CONFLICT (customer_id) DO UPDATE SET
         branch_id = EXCLUDED.branch_id, name = EXCLUDED.name, phone_tail = EXCLUDED.phone_tail,
         opened_on = EXCLUDED.opened_on, status = EXCLUDED.status, aum = EXCLUDED.aum,
         aum_date = EXCLUDED.aum_date, vip_grade = EXCLUDED.vip_grade, products = EXCLUDED.products
       WHERE (o.branch_id, o.name, o.phone_tail, o.opened_on, o.status, o.aum, o.aum_date, o.vip_grade, o.products)
             IS DISTINCT FROM
             (EXCLUDED.branch_id, EXCLUDED.name, EXCLUDED.phone_tail, EXCLUDED.opened_on, EXCLUDED.status,
              EXCLUDED.aum, EXCLUDED.aum_date, EXCLUDED.vip_grade, EXCLUDED.products)`,
      [date],
    );
    // the active customers of each branch, and its VIP cardholders among them, for the list's
    // total when it filters by branch and VIP card alone
    await s.exec('DELETE FROM overview_branch_counts');
    await s.exec(
      `INSERT INTO overview_branch_counts (branch_id, active, vip)
       SELECT branch_id, count(*), count(vip_grade) FROM customer_overview WHERE status = 'active' GROUP BY branch_id`,
    );
    // fresh statistics for the list's plans (the embedded engine has no autovacuum to do it)
    await s.exec('ANALYZE customer_overview');
    return r.rowCount;
  });
}

/** True when a business date was loaded after the overview was last refreshed (or it was never built). */
export async function overviewIsBehind(db: Db): Promise<boolean> {
  const r = await db.session((s) =>
    s.query<{ behind: boolean }>(
      `SELECT (SELECT max(business_date) FROM business_dates) IS DISTINCT FROM
              (SELECT max(aum_date) FROM customer_overview) AS behind`,
    ),
  );
  return r.rows[0]?.behind ?? false;
}
