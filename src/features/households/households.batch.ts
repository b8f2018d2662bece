import type { Db, SqlSession } from '../../platform/db.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { compilePolicy, type PolicyDocument } from '../tiering/tiering.policy.js';
import { builtInPolicies, policiesInEffect } from '../tiering/tiering.policies.js';

// The nightly households step (issue 23 §1), after tiering and before the ownership proposals:
// the households of a business date are the connected groups of active customers joined by the
// feed's relations (relations.csv) or by links staff added. Set-based: the relation graph is
// copied into two small work tables (reference tables on Citus: a family graph is a small part of
// a bank) and each customer's label is lowered to the smallest customer_id among its neighbours'
// labels until none changes (label propagation: as many rounds as the widest household is long).
// A rerun of the date replaces what it wrote.

const HOUSEHOLDS_LOCK = 7_310_023;
/** a guard against a graph that never settles (it always does: labels only fall) */
const MAX_ROUNDS = 10_000;

export interface HouseholdsRun {
  businessDate: string;
  households: number;
  members: number;
  rounds: number;
}

/** The aum_band policy in effect on the date compiled to a CASE over `f.aum`, and its parameters. */
export async function householdBandSql(s: SqlSession, businessDate: string): Promise<{ expression: string; params: unknown[] }> {
  const doc = ((await policiesInEffect(s, businessDate)).find((p) => p.model === 'aum_band')?.document ?? builtInPolicies().find((p) => p.model === 'aum_band')) as PolicyDocument | undefined;
  if (!doc) throw new Error('no aum_band policy');
  const [model] = compilePolicy(doc);
  if (!model) throw new Error('the aum_band policy compiles to nothing');
  return { expression: model.expression, params: model.params };
}

/** The households of a business date, inside the caller's transaction. */
export async function computeHouseholdsIn(s: SqlSession, businessDate: string): Promise<HouseholdsRun> {
  await s.query('SELECT pg_advisory_xact_lock($1)', [HOUSEHOLDS_LOCK]);
  await s.query('DELETE FROM customer_households WHERE business_date = $1::date', [businessDate]);
  // every pair, both ways: the feed's relations, and staff links between customers the feed does not relate
  await createWorkTable(s, 'hh_pair', {
    names: 'a, b, relation',
    as: `SELECT customer_id, related_customer_id, relation FROM customer_relations
         UNION ALL
         SELECT l.customer_id, l.related_customer_id, l.relation FROM customer_links l
          WHERE NOT EXISTS (SELECT 1 FROM customer_relations r WHERE r.customer_id = l.customer_id AND r.related_customer_id = l.related_customer_id)`,
  });
  // the active customers in some pair, with their AUM of the date; each starts as its own label
  await createWorkTable(s, 'hh_node', {
    names: 'm, aum, label',
    as: `SELECT c.customer_id, coalesce(b.aum, 0)::numeric(18, 2), c.customer_id
           FROM customers c
           LEFT JOIN balance_snapshots b ON b.customer_id = c.customer_id AND b.business_date = $1::date
          WHERE c.status = 'active' AND c.customer_id IN (SELECT a FROM hh_pair)`,
    params: [businessDate],
  });
  // the pairs of two active customers
  await createWorkTable(s, 'hh_edge', {
    names: 'a, b, relation',
    as: `SELECT p.a, p.b, p.relation FROM hh_pair p WHERE p.a IN (SELECT m FROM hh_node) AND p.b IN (SELECT m FROM hh_node)`,
  });
  let rounds = 0;
  for (;;) {
    const r = await s.query(
      `UPDATE hh_node n SET label = x.l
         FROM (SELECT e.a, min(o.label COLLATE "C") AS l FROM hh_edge e JOIN hh_node o ON o.m = e.b GROUP BY e.a) x
        WHERE x.a = n.m AND x.l < n.label COLLATE "C"`,
    );
    rounds += 1;
    if (r.rowCount === 0) break;
    if (rounds >= MAX_ROUNDS) throw new Error(`households: the relation graph did not settle in ${MAX_ROUNDS} rounds`);
  }
  const band = await householdBandSql(s, businessDate);
  const d = `$${band.params.length + 1}::date`;
  const written = await s.query(
    `INSERT INTO customer_households (customer_id, business_date, household_id, head_customer_id, relation_to_head, members, household_aum, household_band)
     SELECT n.m, ${d}, 'H' || f.label, f.head,
            CASE WHEN n.m = f.head THEN 'self' ELSE coalesce(e.relation, 'other') END,
            f.members, f.aum, ${band.expression}
       FROM hh_node n
       JOIN (SELECT label, count(*)::int AS members, sum(aum) AS aum,
                    (array_agg(m ORDER BY aum DESC, m COLLATE "C"))[1] AS head
               FROM hh_node GROUP BY label HAVING count(*) > 1) f ON f.label = n.label
       LEFT JOIN hh_edge e ON e.a = f.head AND e.b = n.m`,
    [...band.params, businessDate],
  );
  // the customer list's column, when this is the latest loaded date (the list shows the latest)
  const latest = await s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM business_dates');
  if (latest.rows[0]?.d === businessDate) {
    await s.query(
      `UPDATE customer_overview o SET household_band = h.household_band
         FROM customer_households h
        WHERE h.customer_id = o.customer_id AND h.business_date = $1::date AND o.household_band IS DISTINCT FROM h.household_band`,
      [businessDate],
    );
    await s.query(
      `UPDATE customer_overview o SET household_band = NULL
        WHERE o.household_band IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM customer_households h WHERE h.customer_id = o.customer_id AND h.business_date = $1::date)`,
      [businessDate],
    );
  }
  const n = await s.query<{ households: number }>('SELECT count(DISTINCT household_id)::int AS households FROM customer_households WHERE business_date = $1::date', [businessDate]);
  return { businessDate, households: n.rows[0]?.households ?? 0, members: written.rowCount, rounds };
}

/** The batch step: the households of a business date, in one transaction. */
export async function computeHouseholds(db: Db, businessDate: string): Promise<HouseholdsRun> {
  return db.transaction((s) => computeHouseholdsIn(s, businessDate));
}
