import type { Db, SqlSession } from '../../platform/db.js';

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

/**
 * The AUM steps (yuan) the list's total is kept by, per branch (overview_branch_counts): a filter
 * whose bounds are among them is counted by adding up rows, not customers. The bands and tiers of
 * the built-in policies begin at these amounts. Changing them needs a migration that rebuilds the
 * counts (0042 has them), or the totals would be added up over the old steps until the next load.
 */
export const AUM_STEPS = [0, 10_000, 50_000, 100_000, 200_000, 300_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 6_000_000, 8_000_000, 10_000_000, 20_000_000, 30_000_000, 50_000_000, 100_000_000] as const;
const STEPS_SQL = `ARRAY[${AUM_STEPS.join(', ')}]::numeric[]`;
/** The step an amount is at: the largest step not above it, -1 below the first. */
const AUM_STEP_OF = (column: string) => `coalesce((${STEPS_SQL})[width_bucket(${column}, ${STEPS_SQL})], -1)`;

/** overview_marks: every MARK_EVERY-th customer down to the MARK_DEPTH-th (page 200 of 50) */
export const MARK_EVERY = 100;
const MARK_DEPTH = 10_000;

/** The customer's current tiers under the two models a list row shows (band, rel), joined to `alias`'s customer_id. */
const TIER_JOINS = (alias: string) =>
  `LEFT JOIN customer_tiers band ON band.customer_id = ${alias}.customer_id AND band.model = 'aum_band'
         LEFT JOIN customer_tiers rel ON rel.customer_id = ${alias}.customer_id AND rel.model = 'relationship_tier'`;

/** Brings customer_overview up to the latest loaded business date; returns the rows written. */
export async function refreshCustomerOverview(db: Db): Promise<number> {
  return db.transaction(async (s) => {
    const latest = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM business_dates');
    const date = latest.rows[0]?.d ?? null;
    const r = await s.query(
      `INSERT INTO customer_overview AS o (customer_id, branch_id, name, phone_tail, opened_on, status, aum, aum_date, vip_grade, products,
                                         gender, phone, branch_name, aum_band, relationship_tier)
       SELECT c.customer_id, c.branch_id, c.name, right(c.phone, 4), c.opened_on, c.status,
              coalesce(b.aum, 0), b.business_date, v.grade, coalesce((${PRODUCTS_HELD})::smallint, 0),
              c.gender, c.phone, br.name, band.tier, rel.tier
         FROM customers c
         LEFT JOIN branches br ON br.branch_id = c.branch_id
         LEFT JOIN balance_snapshots b ON b.customer_id = c.customer_id AND b.business_date = $1::date
         LEFT JOIN (
           SELECT customer_id, (array_agg(grade ORDER BY ${VIP_RANK} DESC))[1] AS grade
             FROM cards WHERE status = 'active' AND grade IN ('gold', 'platinum', 'diamond')
            GROUP BY customer_id
         ) v ON v.customer_id = c.customer_id
         ${TIER_JOINS('c')}
       ON CONFLICT (customer_id) DO UPDATE SET
         branch_id = EXCLUDED.branch_id, name = EXCLUDED.name, phone_tail = EXCLUDED.phone_tail,
         opened_on = EXCLUDED.opened_on, status = EXCLUDED.status, aum = EXCLUDED.aum,
         aum_date = EXCLUDED.aum_date, vip_grade = EXCLUDED.vip_grade, products = EXCLUDED.products,
         gender = EXCLUDED.gender, phone = EXCLUDED.phone, branch_name = EXCLUDED.branch_name, aum_band = EXCLUDED.aum_band, relationship_tier = EXCLUDED.relationship_tier
       WHERE (o.branch_id, o.name, o.phone_tail, o.opened_on, o.status, o.aum, o.aum_date, o.vip_grade, o.products,
              o.gender, o.phone, o.branch_name, o.aum_band, o.relationship_tier)
             IS DISTINCT FROM
             (EXCLUDED.branch_id, EXCLUDED.name, EXCLUDED.phone_tail, EXCLUDED.opened_on, EXCLUDED.status,
              EXCLUDED.aum, EXCLUDED.aum_date, EXCLUDED.vip_grade, EXCLUDED.products,
              EXCLUDED.gender, EXCLUDED.phone, EXCLUDED.branch_name, EXCLUDED.aum_band, EXCLUDED.relationship_tier)`,
      [date],
    );
    // the active customers of each branch by AUM step, and its VIP cardholders among them, for
    // the list's total when it filters by branches, the VIP card and AUM bounds on steps alone
    await s.exec('DELETE FROM overview_branch_counts');
    await s.exec(
      `INSERT INTO overview_branch_counts (branch_id, aum_from, active, vip)
       SELECT branch_id, ${AUM_STEP_OF('aum')}, count(*), count(vip_grade) FROM customer_overview WHERE status = 'active' GROUP BY 1, 2`,
    );
    // marks along the department's list by AUM for its deep pages (customers.sql.ts): the rows of
    // the first MARK_DEPTH narrow, each shard giving its first ones, numbered on the coordinator
    await s.exec('DELETE FROM overview_marks');
    for (const [list, where] of [['all', ''], ['vip', 'AND vip_grade IS NOT NULL']] as const) {
      await s.query(
        `INSERT INTO overview_marks (list, rank, aum, at_customer_id)
         SELECT $1, n, aum, customer_id FROM (
           SELECT aum, customer_id, row_number() OVER (ORDER BY aum DESC, customer_id) AS n FROM (
             SELECT aum, customer_id FROM customer_overview WHERE status = 'active' ${where}
              ORDER BY aum DESC, customer_id LIMIT ${MARK_DEPTH}) top) numbered
          WHERE n % ${MARK_EVERY} = 0`,
        [list],
      );
    }
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

/**
 * The tiers a list row shows, brought up to customer_tiers after the tiering step wrote a date (or
 * put a rerun's date back): one set-based statement, writing only the customers whose tier under
 * aum_band or relationship_tier is not the overview's (measured at 1,000,000 customers on a single
 * server: about 1 s when nothing changed). Returns the rows written.
 */
export async function syncOverviewTiers(s: SqlSession): Promise<number> {
  const r = await s.query(
    `UPDATE customer_overview o SET aum_band = x.band, relationship_tier = x.rel
       FROM (SELECT c.customer_id, band.tier AS band, rel.tier AS rel
               FROM customer_overview c
               ${TIER_JOINS('c')}) x
      WHERE x.customer_id = o.customer_id
        AND (o.aum_band, o.relationship_tier) IS DISTINCT FROM (x.band, x.rel)`,
  );
  return r.rowCount;
}
