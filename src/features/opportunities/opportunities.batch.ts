import { recordAudit } from '../../platform/audit.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ID_SQL_TYPE } from '../../platform/schema.js';
import { createWorkTable } from '../../platform/work-tables.js';
import { OPEN_STAGES } from './opportunities.contract.js';
import { STALE_AFTER_STAGE_DAYS, STALE_AFTER_STEP_DAYS, staleSql } from './opportunities.rules.js';
import { dueBy, DUE_EVENT, STALE_EVENT } from './opportunities.service.js';

// The opportunities step of the daily batch, after the worklist (whose rerun of a date removes the
// open reminders that date's first run made), set-based in one transaction:
//  1. prospects who became customers: an open prospect whose ID number a customer of customers.csv
//     has, or (without a contradicting ID number) whose phone and name one has, is turned into that
//     customer: its opportunities (with their stages and comments) and its contacts move under the
//     customer, the prospect is marked converted, and one audit entry records them all;
//  2. reminders: an open opportunity whose next step is due by the next working day is a work task
//     for its owner (one per next-step date); a stale one (POLICIES: 7 days past the next step, or
//     30 days in one stage) is a risk for the branch head of its owner's outlet (the nearest branch
//     up the tree with one), one per stale spell. A rerun of the date makes the same, once;
//     reminders no longer called for (the step done or moved, the opportunity closed or moving
//     again) expire.
// Only customers' opportunities make reminders (My day lists customers); a prospect's due and
// stale ones show on the board and in the weekly review.

const LOCK = 7_310_019;
/** not made by the events policy: no version of it */
const POLICY_VERSION = 0;
/** The first day an opportunity is stale (an expression: Citus plans a correlated subquery only beside tables). */
const SINCE = `least(o.next_step_on + ${STALE_AFTER_STEP_DAYS + 1}, o.stage_since + ${STALE_AFTER_STAGE_DAYS + 1})`;
const OPEN = `ARRAY[${OPEN_STAGES.map((s) => `'${s}'`).join(', ')}]::text[]`;

export interface OpportunitiesStepResult {
  businessDate: string;
  /** prospects turned into customers */
  converted: number;
  movedOpportunities: number;
  movedContacts: number;
  /** opportunities whose customer moved to another branch, now seen by that branch's heads */
  followed: number;
  /** reminders called for on the date (made or refreshed) */
  due: number;
  stale: number;
  expired: number;
  seconds: number;
}

export async function runOpportunities(db: Db, businessDate: string): Promise<OpportunitiesStepResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
    const last = (await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM worklist_runs')).rows[0]?.d ?? null;
    if (last && last > businessDate) {
      throw new AppError('bad_request', `${businessDate} is before ${last}, the last business date reminders were made for; they only move forward (run the batch for ${last} or a later date).`);
    }
    const conv = await convertProspects(s, businessDate);
    // a customer the load moved to another branch: the opportunities go with them to its heads
    const followed = await followCustomers(s, null);
    const rem = await makeReminders(s, businessDate);
    return { businessDate, ...conv, followed, ...rem, seconds: (performance.now() - t0) / 1000 };
  });
}

// ---- 1. prospects who became customers ----------------------------------------------------------

async function convertProspects(s: SqlSession, date: string): Promise<{ converted: number; movedOpportunities: number; movedContacts: number }> {
  const none = { converted: 0, movedOpportunities: 0, movedContacts: 0 };
  const open = await s.query(`SELECT 1 FROM prospects WHERE status = 'open' LIMIT 1`);
  if (!open.rows.length) return none;
  // every (customer, prospect) pair that matches, each rule an equality join (one pass over the
  // customers each, hashing the few open prospects)
  await createWorkTable(s, 'opp_match', {
    as: `SELECT c.customer_id, p.prospect_id, true AS by_id
           FROM prospects p JOIN customers c ON c.id_number = p.id_number
          WHERE p.status = 'open' AND p.id_number IS NOT NULL AND c.status = 'active'
         UNION ALL
         SELECT c.customer_id, p.prospect_id, false AS by_id
           FROM prospects p JOIN customers c ON c.phone = p.phone AND c.name = p.name
          WHERE p.status = 'open' AND p.phone IS NOT NULL AND c.status = 'active' AND (p.id_number IS NULL OR c.id_number IS NULL)`,
  });
  // one customer per prospect: by ID number first, then the lowest customer number (a handful of rows a night)
  const pairs = await s.query<{ customer_id: string; prospect_id: string; by_id: boolean }>('SELECT customer_id, prospect_id, by_id FROM opp_match ORDER BY prospect_id, by_id DESC, customer_id');
  const chosen = new Map<string, { customer_id: string; by_id: boolean }>();
  for (const p of pairs.rows) if (!chosen.has(p.prospect_id)) chosen.set(p.prospect_id, p);
  if (!chosen.size) return none;
  const prospects = [...chosen.keys()];
  const customers = prospects.map((p) => chosen.get(p)?.customer_id ?? '');
  const moved = await s.query<{ opportunity_id: string }>(
    `SELECT o.opportunity_id FROM opportunities o WHERE o.customer_id = '' AND o.prospect_id = ANY($1::text[])`,
    [prospects],
  );
  const ids = moved.rows.map((r) => r.opportunity_id);
  // a distribution key never changes in place (Citus): each row is written under the customer, then removed
  const map = `unnest($1::text[], $2::text[]) AS x(prospect_id, customer_id)`;
  await s.query(
    `INSERT INTO opportunities (customer_id, opportunity_id, prospect_id, target_type, target_code, source, source_ref, stage, stage_since, expected_amount,
                                next_step, next_step_on, notes, lost_reason, owner_id, branch_id, created_by, created_on, created_at, updated_at, closed_on, closed_at, scope_branch_id)
     SELECT x.customer_id, o.opportunity_id, o.prospect_id, o.target_type, o.target_code, o.source, o.source_ref, o.stage, o.stage_since, o.expected_amount,
            o.next_step, o.next_step_on, o.notes, o.lost_reason, o.owner_id, o.branch_id, o.created_by, o.created_on, o.created_at, o.updated_at, o.closed_on, o.closed_at,
            o.scope_branch_id
       FROM opportunities o JOIN ${map} ON x.prospect_id = o.prospect_id WHERE o.customer_id = ''`,
    [prospects, customers],
  );
  await s.query(
    `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id, reason)
     SELECT x.customer_id, g.opportunity_id, g.seq, g.from_stage, g.to_stage, g.changed_by, g.changed_at, g.changed_on, g.branch_id, g.reason
       FROM opportunity_stages g JOIN opportunities o ON o.customer_id = '' AND o.opportunity_id = g.opportunity_id JOIN ${map} ON x.prospect_id = o.prospect_id
      WHERE g.customer_id = ''`,
    [prospects, customers],
  );
  await s.query(
    `INSERT INTO opportunity_comments (customer_id, opportunity_id, review_id, author_id, body, review_date, created_at)
     SELECT x.customer_id, k.opportunity_id, k.review_id, k.author_id, k.body, k.review_date, k.created_at
       FROM opportunity_comments k JOIN opportunities o ON o.customer_id = '' AND o.opportunity_id = k.opportunity_id JOIN ${map} ON x.prospect_id = o.prospect_id
      WHERE k.customer_id = ''`,
    [prospects, customers],
  );
  // now the customer's opportunities: their branch heads see them (the customers' branches)
  await followCustomers(s, customers);
  await s.query(`DELETE FROM opportunity_comments WHERE customer_id = '' AND opportunity_id = ANY($1::text[])`, [ids]);
  await s.query(`DELETE FROM opportunity_stages WHERE customer_id = '' AND opportunity_id = ANY($1::text[])`, [ids]);
  await s.query(`DELETE FROM opportunities WHERE customer_id = '' AND opportunity_id = ANY($1::text[])`, [ids]);
  // the prospect's contacts join the customer's work log (kept: who, when, how, what, the next date)
  const contacts = await s.query(
    `INSERT INTO contact_log (customer_id, contact_id, staff_id, contacted_at, channel, outcome, notes, next_contact_on, recorded_at, source)
     SELECT x.customer_id, pc.contact_id, pc.staff_id, pc.contacted_at, pc.channel, pc.outcome, pc.notes, pc.next_contact_on, pc.recorded_at, 'prospect'
       FROM prospect_contacts pc JOIN ${map} ON x.prospect_id = pc.prospect_id`,
    [prospects, customers],
  );
  await s.query('DELETE FROM prospect_contacts WHERE prospect_id = ANY($1::text[])', [prospects]);
  await s.query(
    `UPDATE prospects p SET status = 'converted', converted_customer = x.customer_id, converted_on = $3::date, updated_at = now()
       FROM ${map} WHERE p.prospect_id = x.prospect_id AND p.status = 'open'`,
    [prospects, customers, date],
  );
  await recordAudit(s, {
    actor: 'system',
    action: 'prospect_convert',
    outcome: 'allowed',
    customerIds: customers,
    detail: {
      businessDate: date,
      prospects: prospects.map((p) => ({ prospectId: p, customerId: chosen.get(p)?.customer_id, matchedBy: chosen.get(p)?.by_id ? 'id_number' : 'phone_and_name' })),
      opportunities: ids.length,
      contacts: contacts.rowCount,
    },
  });
  return { converted: prospects.length, movedOpportunities: ids.length, movedContacts: contacts.rowCount };
}

/**
 * Sets the scope branch of customers' opportunities (those of `customers`, or all) to their
 * customer's branch where it differs: one join on the key, co-located on Citus; a night without
 * moves writes nothing.
 */
async function followCustomers(s: SqlSession, customers: readonly string[] | null): Promise<number> {
  const r = await s.query(
    `UPDATE opportunities o SET scope_branch_id = c.branch_id
       FROM customers c
      WHERE c.customer_id = o.customer_id AND o.customer_id <> '' AND o.scope_branch_id <> c.branch_id${customers ? ' AND o.customer_id = ANY($1::text[])' : ''}`,
    customers ? [customers] : [],
  );
  return r.rowCount;
}

// ---- 2. reminders -----------------------------------------------------------------------------

async function makeReminders(s: SqlSession, date: string): Promise<{ due: number; stale: number; expired: number }> {
  const workDate = dueBy(date);
  // the branch head of each outlet: the nearest branch up the tree (itself first) with an active one
  await createWorkTable(s, 'opp_heads', {
    as: `WITH RECURSIVE anc AS (
           SELECT branch_id AS outlet, branch_id AS ancestor, 0 AS depth FROM branches
           UNION ALL
           SELECT a.outlet, b.parent_id, a.depth + 1 FROM anc a JOIN branches b ON b.branch_id = a.ancestor WHERE b.parent_id IS NOT NULL
         ), heads AS (
           SELECT a.outlet, st.staff_id, a.depth, min(a.depth) OVER (PARTITION BY a.outlet) AS nearest
             FROM anc a JOIN staff st ON st.branch_id = a.ancestor AND st.active AND st.role = 'branch_head'
         )
         SELECT outlet, staff_id FROM heads WHERE depth = nearest`,
  });
  // the reminders called for on the date, into a work table without a key: each row is one by
  // construction (one per opportunity and next-step date for its owner, one per stale spell for
  // each nearest branch head), and a key built row by row cost more than the scan (2.1 s of 2.9 s
  // for the stale ones at 130,000)
  await createWorkTable(s, 'opp_new', {
    columns: `customer_id ${ID_SQL_TYPE} NOT NULL, staff_id text NOT NULL, event text NOT NULL, occurrence text NOT NULL, kind text NOT NULL,
    facts jsonb NOT NULL, due_on date NOT NULL`,
  });
  // the next step due: a work task for the owner, one per opportunity and next-step date
  await s.query(
    `INSERT INTO opp_new (customer_id, staff_id, event, occurrence, kind, facts, due_on)
     SELECT o.customer_id, o.owner_id, $3, o.opportunity_id || ':' || o.next_step_on::text, 'work_task',
            jsonb_build_object('opportunity_id', o.opportunity_id, 'stage', o.stage, 'target_type', o.target_type, 'target_code', o.target_code,
                               'next_step_on', o.next_step_on, 'expected_amount', o.expected_amount, 'days_overdue', greatest($1::date - o.next_step_on, 0)),
            o.next_step_on
       FROM opportunities o JOIN staff st ON st.staff_id = o.owner_id AND st.active
      WHERE o.closed_at IS NULL AND o.customer_id <> '' AND o.stage = ANY(${OPEN}) AND o.next_step_on <= $2::date`,
    [date, workDate, DUE_EVENT],
  );
  // stale: a risk for the branch head, one per spell (it starts the first day it is stale)
  await s.query(
    `INSERT INTO opp_new (customer_id, staff_id, event, occurrence, kind, facts, due_on)
     SELECT o.customer_id, h.staff_id, $2, o.opportunity_id || ':' || (${SINCE})::text, 'risk',
            jsonb_build_object('opportunity_id', o.opportunity_id, 'owner_id', o.owner_id, 'owner_name', st.name, 'stage', o.stage, 'stage_since', o.stage_since,
                               'days_in_stage', $1::date - o.stage_since, 'next_step_on', o.next_step_on, 'days_past_step', $1::date - o.next_step_on,
                               'target_type', o.target_type, 'target_code', o.target_code, 'expected_amount', o.expected_amount, 'stale_since', ${SINCE}),
            $1::date
       FROM opportunities o
       JOIN opp_heads h ON h.outlet = o.branch_id
       LEFT JOIN staff st ON st.staff_id = o.owner_id
      WHERE o.customer_id <> '' AND ${staleSql('o', '$1')}`,
    [date, STALE_EVENT],
  );
  const counts = await s.query<{ event: string; n: number }>('SELECT event, count(*)::int AS n FROM opp_new GROUP BY event');
  const n = new Map(counts.rows.map((r) => [r.event, r.n]));
  // new occurrences open; open ones are refreshed; closed ones stay closed
  await s.query(
    `INSERT INTO reminders (customer_id, staff_id, event, occurrence, kind, facts, first_date, last_date, due_on, policy_version)
     SELECT customer_id, staff_id, event, occurrence, kind, facts, $1::date, $1::date, due_on, $2 FROM opp_new ORDER BY customer_id, staff_id, event, occurrence
     ON CONFLICT (customer_id, staff_id, event, occurrence) DO UPDATE
       SET kind = EXCLUDED.kind, facts = EXCLUDED.facts, last_date = greatest(reminders.last_date, EXCLUDED.last_date), due_on = EXCLUDED.due_on
     WHERE reminders.status = 'open'
       AND (reminders.kind, reminders.facts, reminders.last_date, reminders.due_on)
           IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.facts, greatest(reminders.last_date, EXCLUDED.last_date), EXCLUDED.due_on)`,
    [date, POLICY_VERSION],
  );
  // no longer called for: the step was done or moved, the opportunity closed or is moving again
  // (the events written out, as the partial index of migration 0019 names them, so that it is used)
  const expired = await s.query(
    `UPDATE reminders r SET status = 'expired', closed_at = now(), closed_reason = CASE WHEN r.event = $1 THEN 'no longer due' ELSE 'no longer stale' END
      WHERE r.event IN ('${DUE_EVENT}', '${STALE_EVENT}') AND r.status = 'open'
        AND NOT EXISTS (SELECT 1 FROM opp_new n WHERE (n.customer_id, n.staff_id, n.event, n.occurrence) = (r.customer_id, r.staff_id, r.event, r.occurrence))`,
    [DUE_EVENT],
  );
  return { due: n.get(DUE_EVENT) ?? 0, stale: n.get(STALE_EVENT) ?? 0, expired: expired.rowCount };
}
