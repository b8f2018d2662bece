import type { Db, SqlSession } from '../../platform/db.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import { responsibilityMap, type BandOwners } from './ownership.map.js';

// The nightly ownership step (after tiering): proposes owners for customers with none (or whose
// owner has left), whose primary owner's role is not among their band's roles, and whose band
// changed that date — never moving anyone: the branch head accepts, edits or rejects. Set-based
// statements; a rerun of the date replaces its open proposals with the same ones.
//
// Value priority (seed 003 价值优先): diamond and platinum cards first, then contribution (the
// value tier of seed 004, then the exact net contribution breaks ties last), potential
// (relationship_tier: vip, then potential), wealth need (holds wealth/fund/insurance, or a needs tag).
// Load balance: within an outlet and role, the customers in that order go round-robin to the
// staff ordered by fewest primary customers owned, so the most valuable go to the least loaded.
// Staff are those of the role in the customer's outlet, else at the nearest branch above it.
// A rejected proposal is not made again while the customer's band stays the same.

const OWNERSHIP_LOCK = 7_310_005;

// Three statements over work tables (platform/work-tables.ts), so that each runs where its data
// is on a Citus cluster too: the staff each outlet's customers go to (small: a reference table),
// the customers needing a decision (distributed with the customers, from their own shards), then
// the ranking within each outlet, which needs all of an outlet's candidates together.

/** own_cand: per outlet and role, the staff who take its customers, least loaded first (k = 0, 1, …). */
const CANDIDATES = `
WITH RECURSIVE anc AS (
  SELECT branch_id AS outlet, branch_id AS ancestor, 0 AS depth FROM branches
  UNION ALL
  SELECT a.outlet, b.parent_id, a.depth + 1 FROM anc a JOIN branches b ON b.branch_id = a.ancestor WHERE b.parent_id IS NOT NULL
), pool AS (
  SELECT a.outlet, st.role, st.staff_id, a.depth, min(a.depth) OVER (PARTITION BY a.outlet, st.role) AS nearest
    FROM anc a JOIN staff st ON st.branch_id = a.ancestor AND st.active
)
SELECT p.outlet, p.role, p.staff_id,
       row_number() OVER (PARTITION BY p.outlet, p.role ORDER BY coalesce(l.n, 0), p.staff_id) - 1 AS k,
       count(*) OVER (PARTITION BY p.outlet, p.role) AS n_staff
  FROM pool p LEFT JOIN own_load l ON l.staff_id = p.staff_id
 WHERE p.depth = p.nearest`;

/** own_need: the customers that need a decision, with what ranks them. */
const NEED = (t: { band: string; value: string; relationship: string; needs: string; facts: string }, citus: boolean) => `
WITH base AS ${citus ? '' : 'MATERIALIZED'} (
  -- first the customers that need a decision (no fitting owner, or a band changed today), from the
  -- few columns that tell; only those few are then joined with what ranks them (a whole bank's
  -- facts, tiers and cards joined before filtering took most of this step's time); on Citus the
  -- query is planned whole, shard by shard
  SELECT c.customer_id, c.branch_id, t.tier AS band, m.primary_role, m.co_roles,
         o.staff_id AS owner_id, coalesce(st.active, false) AS owner_active,
         coalesce(st.active AND (st.role = m.primary_role OR st.role = ANY (m.co_roles)), false) AS owner_fits,
         EXISTS (SELECT 1 FROM tier_history h WHERE h.customer_id = c.customer_id AND h.model = 'aum_band'
                    AND h.business_date = $1::date) AS tier_changed
    FROM customers c
    JOIN ${t.band} t ON t.customer_id = c.customer_id AND t.model = 'aum_band'
    JOIN own_map m ON m.band = t.tier
    LEFT JOIN customer_owners o ON o.customer_id = c.customer_id AND o.kind = 'primary'
    LEFT JOIN staff st ON st.staff_id = o.staff_id
   WHERE c.status = 'active'
)
SELECT b.customer_id, b.branch_id, b.band, b.primary_role, b.co_roles, b.owner_id,
       CASE WHEN b.owner_id IS NULL OR NOT b.owner_active THEN 'unassigned' WHEN b.tier_changed THEN 'tier_changed' ELSE 'role_mismatch' END AS cause,
       (b.owner_fits AND b.tier_changed) AS keep,
       CASE ov.vip_grade WHEN 'diamond' THEN 2 WHEN 'platinum' THEN 1 ELSE 0 END AS card_rank,
       CASE vt.tier WHEN 'high_value' THEN 3 WHEN 'valuable' THEN 2 WHEN 'break_even' THEN 1 ELSE 0 END AS value_rank,
       CASE rt.tier WHEN 'vip' THEN 2 WHEN 'potential' THEN 1 ELSE 0 END AS potential,
       CASE WHEN coalesce(f.investment_share, 0) > 0 OR coalesce(nt.tier, 'none') <> 'none' THEN 1 ELSE 0 END AS wealth_need,
       f.net_contribution,
       coalesce(co.staff_ids, '{}') AS current_co
  FROM base b
  -- looked up by key for each of the few (the planner cannot know how few pass the filter, and
  -- would hash all a bank's rows of each: OFFSET 0 keeps each lookup a lookup; on Citus, where
  -- every lookup stays on the customer's shard, the lookups are plain joins)
  LEFT JOIN LATERAL (SELECT vip_grade FROM customer_overview WHERE customer_id = b.customer_id ${citus ? '' : 'OFFSET 0'}) ov ON true
  LEFT JOIN LATERAL (SELECT investment_share, net_contribution FROM ${t.facts} WHERE customer_id = b.customer_id AND business_date = $1::date ${citus ? '' : 'OFFSET 0'}) f ON true
  LEFT JOIN LATERAL (SELECT tier FROM ${t.value} WHERE customer_id = b.customer_id AND model = 'value_tier' ${citus ? '' : 'OFFSET 0'}) vt ON true
  LEFT JOIN LATERAL (SELECT tier FROM ${t.relationship} WHERE customer_id = b.customer_id AND model = 'relationship_tier' ${citus ? '' : 'OFFSET 0'}) rt ON true
  LEFT JOIN LATERAL (SELECT tier FROM ${t.needs} WHERE customer_id = b.customer_id AND model = 'tags.needs' ${citus ? '' : 'OFFSET 0'}) nt ON true
  LEFT JOIN LATERAL (SELECT array_agg(x.staff_id ORDER BY x.staff_id) AS staff_ids FROM customer_owners x
                      WHERE x.customer_id = b.customer_id AND x.kind = 'co' GROUP BY x.customer_id) co ON true
 WHERE (b.owner_id IS NULL OR NOT b.owner_fits OR b.tier_changed)
   AND NOT EXISTS (SELECT 1 FROM ownership_proposals r WHERE r.customer_id = b.customer_id AND r.status = 'rejected' AND r.band = b.band)`;

/** Ranks the customers needing a decision within their outlet and deals them to the candidates. */
const PROPOSE = `
WITH ranked AS (
  SELECT need.*,
         row_number() OVER (PARTITION BY branch_id, primary_role, keep
                            ORDER BY card_rank DESC, value_rank DESC, potential DESC, wealth_need DESC, net_contribution DESC NULLS LAST, customer_id) - 1 AS rn,
         row_number() OVER (PARTITION BY branch_id
                            ORDER BY card_rank DESC, value_rank DESC, potential DESC, wealth_need DESC, net_contribution DESC NULLS LAST, customer_id) AS priority
    FROM own_need need
), picked AS (
  SELECT r.*, CASE WHEN r.keep THEN r.owner_id ELSE c.staff_id END AS staff_id
    FROM ranked r
    LEFT JOIN own_cand c ON NOT r.keep AND c.outlet = r.branch_id AND c.role = r.primary_role AND c.k = r.rn % c.n_staff
), co AS (
  SELECT p.customer_id, array_agg(c.staff_id ORDER BY c.staff_id) AS co_staff_ids
    FROM picked p
    CROSS JOIN LATERAL unnest(p.co_roles) AS cr(role)
    JOIN own_cand c ON c.outlet = p.branch_id AND c.role = cr.role AND c.k = p.rn % c.n_staff
   WHERE c.staff_id <> p.staff_id
   GROUP BY p.customer_id
)
INSERT INTO ownership_proposals (customer_id, business_date, branch_id, band, cause, priority, staff_id, co_staff_ids, current_staff_id)
SELECT p.customer_id, $1::date, p.branch_id, p.band, p.cause, p.priority, p.staff_id, coalesce(co.co_staff_ids, '{}'), p.owner_id
  FROM picked p LEFT JOIN co ON co.customer_id = p.customer_id
 WHERE p.staff_id IS NOT NULL
   -- a band change that changes none of the owners needs nobody's decision
   AND NOT (p.keep AND coalesce(co.co_staff_ids, '{}') = p.current_co)
ON CONFLICT DO NOTHING`;

/**
 * A household keeps one primary owner (POLICIES "Households"): the owner of its member with the
 * highest AUM (its head: tonight's proposal for the head when there is one, else the head's
 * primary owner). Tonight's proposals for the other members propose that owner; a member with
 * another primary owner and no proposal gets one with the cause 'household' (not again after a
 * rejection while the member's band stays the same); a proposal left changing nothing is dropped.
 * The households are the households step's of the date (none: nothing to do). Returns the
 * proposals added.
 */
async function keepHouseholdsTogether(s: SqlSession, businessDate: string, bandTable: string): Promise<number> {
  // per household its owner (no customer_id column: a reference table on Citus)
  await createWorkTable(s, 'own_household', {
    names: 'household_id, staff_id',
    as: `SELECT h.household_id, coalesce(p.staff_id, st.staff_id)
           FROM customer_households h
           LEFT JOIN ownership_proposals p ON p.customer_id = h.customer_id AND p.business_date = $1::date AND p.status = 'open'
           LEFT JOIN customer_owners o ON o.customer_id = h.customer_id AND o.kind = 'primary'
           LEFT JOIN staff st ON st.staff_id = o.staff_id AND st.active
          WHERE h.business_date = $1::date AND h.customer_id = h.head_customer_id`,
    params: [businessDate],
  });
  await s.query(
    `UPDATE ownership_proposals p SET staff_id = w.staff_id, co_staff_ids = array_remove(p.co_staff_ids, w.staff_id)
       FROM customer_households h, own_household w
      WHERE h.customer_id = p.customer_id AND h.business_date = $1::date AND w.household_id = h.household_id
        AND p.business_date = $1::date AND p.status = 'open' AND h.customer_id <> h.head_customer_id
        AND w.staff_id IS NOT NULL AND p.staff_id <> w.staff_id`,
    [businessDate],
  );
  await s.query(
    `DELETE FROM ownership_proposals p USING customer_households h
      WHERE h.customer_id = p.customer_id AND h.business_date = $1::date AND p.business_date = $1::date AND p.status = 'open'
        AND p.staff_id = p.current_staff_id
        AND p.co_staff_ids = coalesce((SELECT array_agg(x.staff_id ORDER BY x.staff_id) FROM customer_owners x
                                        WHERE x.customer_id = p.customer_id AND x.kind = 'co'), '{}')`,
    [businessDate],
  );
  await createWorkTable(s, 'own_last_priority', {
    names: 'branch_id, n',
    as: `SELECT branch_id, max(priority) FROM ownership_proposals WHERE business_date = $1::date GROUP BY branch_id`,
    params: [businessDate],
  });
  const r = await s.query(
    `INSERT INTO ownership_proposals (customer_id, business_date, branch_id, band, cause, priority, staff_id, co_staff_ids, current_staff_id)
     SELECT m.customer_id, $1::date, m.branch_id, m.band, 'household',
            coalesce(lp.n, 0) + row_number() OVER (PARTITION BY m.branch_id ORDER BY m.aum DESC, m.customer_id),
            m.household_owner, array_remove(m.co, m.household_owner), m.owner_id
       FROM (
         SELECT h.customer_id, c.branch_id, t.tier AS band, coalesce(b.aum, 0) AS aum, w.staff_id AS household_owner, o.staff_id AS owner_id,
                coalesce((SELECT array_agg(x.staff_id ORDER BY x.staff_id) FROM customer_owners x WHERE x.customer_id = h.customer_id AND x.kind = 'co'), '{}') AS co
           FROM customer_households h
           JOIN own_household w ON w.household_id = h.household_id
           JOIN customers c ON c.customer_id = h.customer_id AND c.status = 'active'
           JOIN ${bandTable} t ON t.customer_id = h.customer_id AND t.model = 'aum_band'
           LEFT JOIN balance_snapshots b ON b.customer_id = h.customer_id AND b.business_date = $1::date
           LEFT JOIN customer_owners o ON o.customer_id = h.customer_id AND o.kind = 'primary'
          WHERE h.business_date = $1::date AND h.customer_id <> h.head_customer_id AND w.staff_id IS NOT NULL
            AND o.staff_id IS DISTINCT FROM w.staff_id
            AND NOT EXISTS (SELECT 1 FROM ownership_proposals p WHERE p.customer_id = h.customer_id AND p.status = 'open')
            AND NOT EXISTS (SELECT 1 FROM ownership_proposals r WHERE r.customer_id = h.customer_id AND r.status = 'rejected' AND r.band = t.tier)
       ) m
       LEFT JOIN own_last_priority lp ON lp.branch_id = m.branch_id
     ON CONFLICT DO NOTHING`,
    [businessDate],
  );
  return r.rowCount;
}

export interface ProposalRun {
  businessDate: string;
  proposed: number;
  superseded: number;
  seconds: number;
}

/** Proposals inside the caller's transaction (the batch step and tests). */
export async function proposeOwnersIn(s: SqlSession, businessDate: string, map: readonly BandOwners[]): Promise<Omit<ProposalRun, 'seconds'>> {
  await s.query('SELECT pg_advisory_xact_lock($1)', [OWNERSHIP_LOCK]);
  // a whole bank's customers and owners hashed in memory, not in batches on disk; no JIT for one statement
  await s.exec(`SET LOCAL work_mem = '128MB'`);
  await s.exec('SET LOCAL jit = off');
  // a rerun of the date: its open proposals are made again (decided ones stay as decided)
  await s.query(`DELETE FROM ownership_proposals WHERE business_date = $1::date AND status = 'open'`, [businessDate]);
  // yesterday's undecided proposals give way to tonight's, made from today's tiers and loads
  const old = await s.query(
    `UPDATE ownership_proposals SET status = 'superseded', decided_at = now(), decided_by = 'system'
      WHERE status = 'open' AND business_date < $1::date`,
    [businessDate],
  );
  const json = JSON.stringify(map.map((m) => ({ band: m.band, primary_role: m.primaryRole, co_roles: m.coRoles })));
  // partitions by name (see monthPartition)
  const tables = {
    band: await ensureTierPartition(s, 'aum_band'),
    value: await ensureTierPartition(s, 'value_tier'),
    relationship: await ensureTierPartition(s, 'relationship_tier'),
    needs: await ensureTierPartition(s, 'tags.needs'),
    facts: await ensureMonthPartition(s, 'customer_facts', businessDate),
  };
  await createWorkTable(s, 'own_map', { names: 'band, primary_role, co_roles', as: 'SELECT * FROM jsonb_to_recordset($1::jsonb) AS m(band text, primary_role text, co_roles text[])', params: [json] });
  await createWorkTable(s, 'own_load', { names: 'staff_id, n', as: `SELECT staff_id, count(*) FROM customer_owners WHERE kind = 'primary' GROUP BY staff_id` });
  await createWorkTable(s, 'own_cand', { names: 'outlet, role, staff_id, k, n_staff', as: CANDIDATES });
  await createWorkTable(s, 'own_need', { as: NEED(tables, s.citus), params: [businessDate] });
  if (!s.citus) await s.exec('ANALYZE own_need');
  const r = await s.query(PROPOSE, [businessDate]);
  const household = await keepHouseholdsTogether(s, businessDate, tables.band);
  return { businessDate, proposed: r.rowCount + household, superseded: old.rowCount };
}

/** The batch step: proposals for a business date, in one transaction. */
export async function proposeOwners(db: Db, businessDate: string): Promise<ProposalRun> {
  const t0 = performance.now();
  const r = await db.transaction(async (s) => proposeOwnersIn(s, businessDate, await responsibilityMap(s, businessDate)));
  return { ...r, seconds: (performance.now() - t0) / 1000 };
}
