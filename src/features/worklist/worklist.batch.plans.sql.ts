import type { SqlSession } from '../../platform/db.js';
import { CONTACT_DUE, CONTACT_FACTS } from './worklist.batch.sql.js';
import { createWorkTable } from '../../platform/work-tables.js';

// The contact plans of business date D, set-based, after the reminders of D (it reads wl_contact
// and the reminders). Every active staff member who is primary owner of an active customer gets a
// plan for the next working day: open risk reminders, then open opportunity reminders, then due
// contacts (the policy's plan.order), each by AUM high to low then customer_id, a customer once in
// its first group, up to plan.size. Only the primary owner's customers; co-owners get reminders.
//
// A rerun of D keeps what the owner did: items added by hand (source 'manual'), moved (changed_by
// set), contacted or removed stay as they are, positions included. Batch items nobody touched are
// made again; they fill the positions the kept items leave free, in plan order, and then the whole
// plan is numbered 1..n again in that order (a kept item at 2 stays 2 when there are enough items).
// The batch items are limited to plan.size less the batch items kept; hand-added ones are extra.
// Only plans of D are written: an earlier date's plans are never touched.

export interface PlanInput {
  businessDate: string;
  workDate: string;
  size: number;
  /** the policy's plan.order: open_risk_reminders, open_opportunity_reminders, due_contacts */
  order: string[];
}

// (a searched CASE: Citus 13 sends `CASE x WHEN 'a'` to its workers as `WHEN NULL::boolean` once it has bound the statement's parameters)
const GROUP_OF_REASON = `CASE WHEN g.reason = 'risk' THEN 'open_risk_reminders' WHEN g.reason = 'opportunity' THEN 'open_opportunity_reminders' ELSE 'due_contacts' END`;

export async function mergePlans(s: SqlSession, x: PlanInput): Promise<{ plans: number; items: number }> {
  // untouched batch items of D are made again
  await s.query(`DELETE FROM contact_plan_items WHERE plan_date = $1::date AND source = 'batch' AND changed_by IS NULL AND status = 'planned'`, [x.businessDate]);
  await s.query(
    `INSERT INTO contact_plans (staff_id, plan_date, work_date, branch_id, size, generated_at)
     SELECT staff_id, $1::date, $2::date, min(branch_id), $3, now() FROM wl_contact GROUP BY staff_id
     ON CONFLICT (staff_id, plan_date) DO UPDATE SET work_date = EXCLUDED.work_date, branch_id = EXCLUDED.branch_id, size = EXCLUDED.size, generated_at = EXCLUDED.generated_at`,
    [x.businessDate, x.workDate, x.size],
  );
  // no longer a primary owner (or inactive) on a rerun, and nothing of the owner's kept
  // (the staff who keep a plan first: plans are per staff member, a small table on every node of
  // Citus, which deletes from such a table only with conditions on tables like it)
  const keep = await s.query<{ staff_id: string }>(
    `SELECT staff_id FROM wl_contact UNION SELECT staff_id FROM contact_plan_items WHERE plan_date = $1::date`,
    [x.businessDate],
  );
  await s.query(`DELETE FROM contact_plans p WHERE p.plan_date = $1::date AND NOT (p.staff_id = ANY ($2::text[]))`, [
    x.businessDate,
    keep.rows.map((r) => r.staff_id),
  ]);
  // a snoozed reminder (risk, opportunity or the contact task) keeps its customer out until the work
  // date. Each owner's customers are ranked first, and only the first plan.size of each (no more
  // can be chosen) get their facts and reminders built: a bank has hundreds of thousands to rank.
  const OPEN = `r.status = 'open' AND (r.snoozed_until IS NULL OR r.snoozed_until <= $2::date)`;
  // wl_rank: each owner's candidates with their group and AUM (customer by customer, on Citus shard
  // by shard); wl_top: the first plan.size of each owner, the one ranking across an owner's customers
  // (on Citus the only rows gathered on the coordinator: four narrow columns of the customers with
  // something to do); wl_pick: those with their facts and reminders.
  await createWorkTable(s, 'wl_rank', {
    as: `WITH reminded AS (
       SELECT DISTINCT r.customer_id, r.staff_id, r.kind AS reason
         FROM reminders r JOIN wl_contact c ON c.customer_id = r.customer_id AND c.staff_id = r.staff_id
        WHERE ${OPEN} AND r.kind IN ('risk', 'opportunity')
     ), groups AS (
       SELECT customer_id, staff_id, reason FROM reminded
       UNION ALL
       SELECT c.customer_id, c.staff_id, c.reason FROM wl_contact c
        WHERE c.reason IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.customer_id = c.customer_id AND r.staff_id = c.staff_id AND r.event = $3::text
                             AND r.occurrence = c.due_from::text AND r.status = 'open' AND r.snoozed_until > $2::date)
     ), ranked AS (
       SELECT DISTINCT ON (g.customer_id, g.staff_id) g.*, array_position($4::text[], ${GROUP_OF_REASON}) AS grank
         FROM groups g WHERE array_position($4::text[], ${GROUP_OF_REASON}) IS NOT NULL
        ORDER BY g.customer_id, g.staff_id, array_position($4::text[], ${GROUP_OF_REASON})
     )
     SELECT k.customer_id, k.staff_id, k.reason, k.grank, c.aum
       FROM ranked k JOIN wl_contact c ON c.customer_id = k.customer_id
      WHERE NOT EXISTS (SELECT 1 FROM contact_plan_items i WHERE i.customer_id = k.customer_id AND i.plan_date = $1::date AND i.staff_id = k.staff_id)`,
    params: [x.businessDate, x.workDate, CONTACT_DUE, x.order],
  });
  await createWorkTable(s, 'wl_top', {
    names: 'customer_id, staff_id, reason, rank',
    as: `SELECT customer_id, staff_id, reason, rank
           FROM (SELECT customer_id, staff_id, reason, row_number() OVER (PARTITION BY staff_id ORDER BY grank, aum DESC, customer_id) AS rank FROM wl_rank) k
          WHERE k.rank <= $1::int`,
    params: [x.size],
  });
  await createWorkTable(s, 'wl_pick', {
    as: `SELECT k.customer_id, k.staff_id, k.reason, c.service_only, c.aum,
            ${CONTACT_FACTS} || jsonb_build_object('aum', c.aum, 'due_reason', c.reason, 'due_from', c.due_from)
              || CASE WHEN k.reason IN ('risk', 'opportunity') THEN jsonb_build_object('reminders', rr.reminders) ELSE '{}'::jsonb END AS facts,
            k.rank
       FROM wl_top k JOIN wl_contact c ON c.customer_id = k.customer_id
       LEFT JOIN LATERAL (
         SELECT jsonb_agg(jsonb_build_object('event', r.event, 'occurrence', r.occurrence, 'facts', r.facts) ORDER BY r.event, r.occurrence) AS reminders
           FROM reminders r WHERE r.customer_id = k.customer_id AND r.staff_id = k.staff_id AND r.kind = k.reason AND ${OPEN}
       ) rr ON true`.replaceAll('$2', '$1'), // the work date is this statement's only parameter
    params: [x.workDate],
  });
  // the chosen batch items take the positions the kept items leave free, in plan order (the kept
  // items' positions first: a few rows per owner, on Citus on every node like the plans themselves)
  await createWorkTable(s, 'wl_kept', {
    names: 'staff_id, position, source',
    as: `SELECT staff_id, position, source FROM contact_plan_items WHERE plan_date = $1::date`,
    params: [x.businessDate],
  });
  await s.query(
    `WITH kept AS (
       SELECT staff_id, count(*) AS n, count(*) FILTER (WHERE source = 'batch') AS batch_n FROM wl_kept GROUP BY staff_id
     ), chosen AS (
       SELECT p.*, coalesce(k.n, 0) AS kept_n FROM wl_pick p LEFT JOIN kept k ON k.staff_id = p.staff_id
        WHERE p.rank <= $2::int - coalesce(k.batch_n, 0)
     ), totals AS (SELECT staff_id, max(kept_n) + count(*) AS total FROM chosen GROUP BY staff_id),
     free AS (
       SELECT t.staff_id, pos, row_number() OVER (PARTITION BY t.staff_id ORDER BY pos) AS slot
         FROM totals t CROSS JOIN LATERAL generate_series(1, t.total::int) AS pos
        WHERE NOT EXISTS (SELECT 1 FROM wl_kept i WHERE i.staff_id = t.staff_id AND i.position = pos)
     )
     INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, service_only, source, status)
     SELECT c.customer_id, c.staff_id, $1::date, f.pos, c.reason, c.facts, c.service_only, 'batch', 'planned'
       FROM chosen c JOIN free f ON f.staff_id = c.staff_id AND f.slot = c.rank
      ORDER BY c.staff_id, f.pos`,
    [x.businessDate, x.size],
  );
  // 1..n without gaps or ties (kept items beyond the new end, or two kept at one position)
  await s.query(
    `UPDATE contact_plan_items i SET position = o.n
       FROM (SELECT customer_id, staff_id, row_number() OVER (PARTITION BY staff_id ORDER BY position, source = 'batch', customer_id) AS n
               FROM contact_plan_items WHERE plan_date = $1::date) o
      WHERE i.plan_date = $1::date AND i.customer_id = o.customer_id AND i.staff_id = o.staff_id AND i.position <> o.n`,
    [x.businessDate],
  );
  const r = await s.query<{ plans: number; items: number }>(
    `SELECT (SELECT count(*)::int FROM contact_plans WHERE plan_date = $1::date) AS plans,
            (SELECT count(*)::int FROM contact_plan_items WHERE plan_date = $1::date) AS items`,
    [x.businessDate],
  );
  return r.rows[0] ?? { plans: 0, items: 0 };
}
