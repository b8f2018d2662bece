import type { Db, SqlSession } from '../../platform/db.js';
import { customerScope, rowScopeSql } from '../access/access.scope.js';
import type { SignedInUser } from '../access/access.service.js';
import { OPEN_STAGES } from './opportunities.contract.js';
import { STALE_AFTER_STAGE_DAYS, STALE_AFTER_STEP_DAYS, staleSql } from './opportunities.rules.js';

// The only SQL of opportunities and the weekly review. An opportunity is addressed by its id; its
// customer_id (the distribution key on Citus, '' for a prospect's) is looked up first, and every
// change then names both, so that on Citus it goes to the one shard that holds it.

export interface OppRow {
  customer_id: string;
  opportunity_id: string;
  prospect_id: string | null;
  target_type: string;
  target_code: string | null;
  product_name: string | null;
  source: string;
  source_ref: string | null;
  stage: string;
  stage_since: string;
  expected_amount: string | null;
  next_step: string | null;
  next_step_on: string | null;
  notes: string | null;
  lost_reason: string | null;
  owner_id: string;
  branch_id: string;
  created_by: string;
  created_on: string;
  created_at: Date;
  updated_at: Date;
  closed_on: string | null;
  closed_at: Date | null;
  customer_name: string | null;
  prospect_name: string | null;
  owner_name: string | null;
  owner_role: string | null;
}

export const OPP = `o.customer_id, o.opportunity_id, o.prospect_id, o.target_type, o.target_code, pr.name AS product_name, o.source, o.source_ref,
  o.stage, o.stage_since, o.expected_amount::text AS expected_amount, o.next_step, o.next_step_on, o.notes, o.lost_reason, o.owner_id, o.branch_id,
  o.created_by, o.created_on, o.created_at, o.updated_at, o.closed_on, o.closed_at,
  c.name AS customer_name, p.name AS prospect_name, st.name AS owner_name, st.role AS owner_role`;
export const OPP_JOIN = `LEFT JOIN customers c ON c.customer_id = o.customer_id
  LEFT JOIN prospects p ON p.prospect_id = o.prospect_id
  LEFT JOIN products pr ON pr.product_code = o.target_code AND o.target_type = 'product'
  LEFT JOIN staff st ON st.staff_id = o.owner_id`;
const OPEN = `ARRAY[${OPEN_STAGES.map((s) => `'${s}'`).join(', ')}]::text[]`;

/**
 * The opportunities a user may see, as a condition on `o` (values appended to `params`): an owner
 * (a manager, a supervisor) their own, of customers they still see (or of prospects); a branch head
 * those of customers in their branches, and of prospects of their branches' staff; the department
 * all. Another manager's opportunity is answered as one that does not exist.
 */
export function visibleSql(user: SignedInUser | null, params: unknown[], o = 'o'): string {
  // no user: the operator's command line (stratum opportunities export), the whole bank
  if (user === null) return 'true';
  const scope = customerScope(user);
  if (scope.ownerId !== null) {
    params.push(scope.ownerId);
    const me = `$${params.length}`;
    return `(${o}.owner_id = ${me} AND (${o}.customer_id = '' OR ${rowScopeSql(scope, `${o}.customer_id`, params)}))`;
  }
  if (scope.branches === null) return 'true';
  params.push([...scope.branches]);
  const b = `$${params.length}::text[]`;
  // the branches' opportunities through their scope branch (opportunities_scope_branch_idx), each
  // checked against its customer's branch now (one lookup by key): a customer moved away today is
  // out at once, one moved in comes with the night's batch, which sets the scope branch again
  return `(${o}.scope_branch_id = ANY(${b})
    AND (${o}.customer_id = '' OR EXISTS (SELECT 1 FROM customers c_scope WHERE c_scope.customer_id = ${o}.customer_id AND c_scope.branch_id = ANY(${b}))))`;
}

/** The key of an opportunity by its id, if it exists (whoever may see it). */
export async function keyOf(s: SqlSession, opportunityId: string): Promise<string | undefined> {
  const r = await s.query<{ customer_id: string }>('SELECT customer_id FROM opportunities WHERE opportunity_id = $1', [opportunityId]);
  return r.rows[0]?.customer_id;
}

export async function oneVisible(s: SqlSession, user: SignedInUser, customerId: string, opportunityId: string): Promise<OppRow | undefined> {
  const params: unknown[] = [customerId, opportunityId];
  const r = await s.query<OppRow>(`SELECT ${OPP} FROM opportunities o ${OPP_JOIN} WHERE o.customer_id = $1 AND o.opportunity_id = $2 AND ${visibleSql(user, params)}`, params);
  return r.rows[0];
}

/** Locks the row for a change (a statement on the opportunity alone: Citus locks rows only in one it sends whole to the shard). */
export async function lock(s: SqlSession, customerId: string, opportunityId: string): Promise<void> {
  await s.query('SELECT 1 FROM opportunities WHERE customer_id = $1 AND opportunity_id = $2 FOR UPDATE', [customerId, opportunityId]);
}

export interface NewOpportunity {
  customerId: string;
  prospectId: string | null;
  targetType: string;
  targetCode: string | null;
  source: string;
  sourceRef: string | null;
  expectedAmount: string | null;
  nextStep: string;
  nextStepOn: string;
  notes: string | null;
  ownerId: string;
  branchId: string;
  by: string;
  today: string;
}

export async function insertOpportunity(s: SqlSession, n: NewOpportunity): Promise<string> {
  const now = await transactionNow(s);
  const r = await s.query<{ opportunity_id: string }>(
    `INSERT INTO opportunities (customer_id, prospect_id, target_type, target_code, source, source_ref, stage, stage_since, expected_amount,
                                next_step, next_step_on, notes, owner_id, branch_id, created_by, created_on, created_at, updated_at, scope_branch_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'identified', $7::date, $8::numeric, $9, $10::date, $11, $12, $13, $14, $7::date, $15::timestamptz, $15::timestamptz, $16)
     RETURNING opportunity_id`,
    [n.customerId, n.prospectId, n.targetType, n.targetCode, n.source, n.sourceRef, n.today, n.expectedAmount, n.nextStep, n.nextStepOn, n.notes, n.ownerId, n.branchId, n.by, now, await scopeBranch(s, n.customerId, n.branchId)],
  );
  const id = r.rows[0]?.opportunity_id;
  if (!id) throw new Error('the opportunity was not written');
  await s.query(
    `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id)
     VALUES ($1, $2, 1, NULL, 'identified', $3, $4::timestamptz, $5::date, $6)`,
    [n.customerId, id, n.by, now, n.today, n.branchId],
  );
  return id;
}

/** The branch whose heads see an opportunity: its customer's, or for a prospect's the owner's outlet. */
async function scopeBranch(s: SqlSession, customerId: string, ownerBranch: string): Promise<string> {
  if (customerId === '') return ownerBranch;
  const r = await s.query<{ branch_id: string }>('SELECT branch_id FROM customers WHERE customer_id = $1', [customerId]);
  return r.rows[0]?.branch_id ?? ownerBranch;
}

/** The transaction's time, read first: Citus sends a change to a shard only with its values decided. */
async function transactionNow(s: SqlSession): Promise<string> {
  return (await s.query<{ t: string }>('SELECT now()::text AS t')).rows[0]?.t ?? new Date().toISOString();
}

export async function changeStage(
  s: SqlSession,
  k: { customerId: string; opportunityId: string },
  c: { from: string; to: string; by: string; today: string; branchId: string; reason: string | null; nextStep: string | null; nextStepOn: string | null; closed: boolean },
): Promise<void> {
  const now = await transactionNow(s);
  await s.query(
    `UPDATE opportunities SET stage = $3, stage_since = $4::date, lost_reason = $5, next_step = $6, next_step_on = $7::date,
            closed_at = $8::timestamptz, closed_on = $9::date, updated_at = $10::timestamptz
      WHERE customer_id = $1 AND opportunity_id = $2`,
    [k.customerId, k.opportunityId, c.to, c.today, c.reason, c.nextStep, c.nextStepOn, c.closed ? now : null, c.closed ? c.today : null, now],
  );
  await s.query(
    `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id, reason)
     SELECT $1, $2, coalesce(max(seq), 0) + 1, $3, $4, $5, $6::timestamptz, $7::date, $8, $9 FROM opportunity_stages WHERE customer_id = $1 AND opportunity_id = $2`,
    [k.customerId, k.opportunityId, c.from, c.to, c.by, now, c.today, c.branchId, c.reason],
  );
}

export async function updateFields(
  s: SqlSession,
  k: { customerId: string; opportunityId: string },
  f: { targetType: string; targetCode: string | null; expectedAmount: string | null; nextStep: string | null; nextStepOn: string | null; notes: string | null; ownerId: string; branchId: string },
): Promise<void> {
  const now = await transactionNow(s);
  await s.query(
    `UPDATE opportunities SET target_type = $3, target_code = $4, expected_amount = $5::numeric, next_step = $6, next_step_on = $7::date, notes = $8,
            owner_id = $9, branch_id = $10, updated_at = $11::timestamptz,
            -- a prospect's follows its owner's outlet; a customer's stays with the customer's branch
            scope_branch_id = CASE WHEN customer_id = '' THEN $10 ELSE scope_branch_id END
      WHERE customer_id = $1 AND opportunity_id = $2`,
    [k.customerId, k.opportunityId, f.targetType, f.targetCode, f.expectedAmount, f.nextStep, f.nextStepOn, f.notes, f.ownerId, f.branchId, now],
  );
}

export interface StageRow {
  from_stage: string | null;
  to_stage: string;
  changed_by: string;
  changed_at: Date;
  reason: string | null;
}
export async function stagesOf(s: SqlSession, customerId: string, opportunityId: string): Promise<StageRow[]> {
  const r = await s.query<StageRow>(
    'SELECT from_stage, to_stage, changed_by, changed_at, reason FROM opportunity_stages WHERE customer_id = $1 AND opportunity_id = $2 ORDER BY seq',
    [customerId, opportunityId],
  );
  return r.rows;
}

export interface CommentRow {
  opportunity_id: string;
  review_id: string;
  author_id: string;
  body: string;
  review_date: string;
  created_at: Date;
}
export async function commentsOf(s: SqlSession, customerId: string, opportunityId: string): Promise<CommentRow[]> {
  const r = await s.query<CommentRow>(
    `SELECT opportunity_id, review_id, author_id, body, review_date, created_at FROM opportunity_comments
      WHERE customer_id = $1 AND opportunity_id = $2 ORDER BY review_date DESC, created_at DESC`,
    [customerId, opportunityId],
  );
  return r.rows;
}

/** Per opportunity of a page: how many comments, and the latest. */
export async function commentSummaries(s: SqlSession, keys: readonly { customer_id: string; opportunity_id: string }[]) {
  if (!keys.length) return new Map<string, { count: number; latest: CommentRow }>();
  const r = await s.query<CommentRow & { n: number }>(
    `SELECT DISTINCT ON (k.opportunity_id) k.opportunity_id, k.review_id, k.author_id, k.body, k.review_date, k.created_at,
            count(*) OVER (PARTITION BY k.customer_id, k.opportunity_id)::int AS n
       FROM opportunity_comments k
      WHERE (k.customer_id, k.opportunity_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
      ORDER BY k.opportunity_id, k.review_date DESC, k.created_at DESC`,
    [keys.map((x) => x.customer_id), keys.map((x) => x.opportunity_id)],
  );
  return new Map(r.rows.map((x) => [x.opportunity_id, { count: x.n, latest: x }]));
}

// ---- lists ------------------------------------------------------------------------------------

export interface ListFilter {
  ownerId: string | null;
  customerId: string | null;
  prospectId: string | null;
  stage: string | null;
  status: 'open' | 'won' | 'lost' | 'closed' | 'all';
  stale: boolean | null;
  /** open, with the next step on or before this date */
  dueBy: string | null;
  sort: 'next_step_on' | 'expected_amount' | 'created_at' | 'stage_since';
  /** alive at some time from `from` to `to`: created by `to`, not closed before `from` */
  period?: { from: string | null; to: string | null } | null;
}

const SORTS: Record<ListFilter['sort'], string> = {
  next_step_on: 'o.next_step_on NULLS LAST, o.created_at',
  expected_amount: 'o.expected_amount DESC NULLS LAST, o.next_step_on NULLS LAST',
  created_at: 'o.created_at DESC',
  stage_since: 'o.stage_since, o.next_step_on NULLS LAST',
};

export function listWhere(user: SignedInUser | null, f: ListFilter, asOf: string, params: unknown[]): string {
  const parts = [visibleSql(user, params)];
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.ownerId !== null) parts.push(`o.owner_id = ${add(f.ownerId)}`);
  if (f.customerId !== null) parts.push(`o.customer_id = ${add(f.customerId)}`);
  if (f.prospectId !== null) parts.push(`o.prospect_id = ${add(f.prospectId)}`);
  if (f.stage !== null) parts.push(`o.stage = ${add(f.stage)}`);
  // (closed_at IS NULL too: the partial indexes of open opportunities)
  if (f.status === 'open') parts.push(`o.closed_at IS NULL AND o.stage = ANY(${OPEN})`);
  else if (f.status === 'closed') parts.push(`o.stage IN ('won', 'lost')`);
  else if (f.status !== 'all') parts.push(`o.stage = ${add(f.status)}`);
  if (f.stale !== null) parts.push(`${f.stale ? '' : 'NOT '}${staleSql('o', add(asOf))}`);
  if (f.dueBy !== null) parts.push(`o.closed_at IS NULL AND o.next_step_on <= ${add(f.dueBy)}::date`);
  if (f.period?.to) parts.push(`o.created_on <= ${add(f.period.to)}::date`);
  if (f.period?.from) parts.push(`(o.closed_on IS NULL OR o.closed_on >= ${add(f.period.from)}::date)`);
  return parts.join(' AND ');
}

export async function listOpportunities(s: SqlSession, user: SignedInUser, f: ListFilter, asOf: string, page: { limit: number; offset: number }) {
  const params: unknown[] = [];
  const where = listWhere(user, f, asOf, params);
  const rows = await s.query<OppRow>(
    `SELECT ${OPP} FROM opportunities o ${OPP_JOIN} WHERE ${where} ORDER BY ${SORTS[f.sort]}, o.opportunity_id LIMIT ${page.limit} OFFSET ${page.offset}`,
    params,
  );
  const totals = await s.query<{ n: number; amount: string }>(`SELECT count(*)::int AS n, coalesce(sum(o.expected_amount), 0)::text AS amount FROM opportunities o WHERE ${where}`, params);
  return { rows: rows.rows, total: totals.rows[0]?.n ?? 0, amount: totals.rows[0]?.amount ?? '0' };
}

export interface BoardRow extends OppRow {
  /** the column's count and expected amount, and the owner's open ones stale and due (the same on every row) */
  col_n: number;
  col_amount: string;
  stale_n: number;
  due_n: number;
}

/**
 * An owner's board in one statement: per stage the first `limit` opportunities (open ones by next
 * step; won and lost since `closedSince`, the latest first), each column's count and sum, and how
 * many open ones are stale on `asOf` and due by `dueBy`. The owner's opportunities are read once
 * (a few hundred to a few thousand, through opportunities_owner_idx) and numbered per stage; on
 * Citus the owner's rows come from every shard to the coordinator, which numbers them.
 */
export async function board(s: SqlSession, user: SignedInUser, ownerId: string, d: { closedSince: string; asOf: string; dueBy: string; limit: number }) {
  const params: unknown[] = [ownerId, d.closedSince, d.asOf, d.dueBy, d.limit];
  const r = await s.query<BoardRow>(
    `WITH mine AS MATERIALIZED (
       SELECT ${OPP}, ${staleSql('o', '$3')} AS is_stale, (o.closed_at IS NULL AND o.next_step_on <= $4::date) AS is_due
         FROM opportunities o ${OPP_JOIN}
        WHERE o.owner_id = $1 AND (o.stage = ANY(${OPEN}) OR (o.stage IN ('won', 'lost') AND o.closed_on >= $2::date)) AND ${visibleSql(user, params)}
     )
     SELECT * FROM (
       SELECT m.*, row_number() OVER (PARTITION BY m.stage ORDER BY m.closed_at DESC NULLS LAST, m.next_step_on NULLS LAST, m.created_at, m.opportunity_id) AS rn,
              count(*) OVER (PARTITION BY m.stage)::int AS col_n,
              coalesce(sum(m.expected_amount::numeric) OVER (PARTITION BY m.stage), 0)::text AS col_amount,
              count(*) FILTER (WHERE m.is_stale) OVER ()::int AS stale_n,
              count(*) FILTER (WHERE m.is_due) OVER ()::int AS due_n
         FROM mine m
     ) x
     WHERE x.rn <= $5
     ORDER BY x.stage, x.rn`,
    params,
  );
  return r.rows;
}

// ---- the weekly review --------------------------------------------------------------------------

export interface WeekFlags {
  f_created: boolean;
  f_moved: boolean;
  f_won: boolean;
  f_lost: boolean;
  f_stale: boolean;
}
export interface WeekRow extends OppRow, WeekFlags {}

export type WeekFlag = 'created' | 'moved' | 'won' | 'lost' | 'stale';
export interface WeekScope {
  branches: readonly string[] | null;
  ownerId: string | null;
  from: string;
  to: string;
}

/**
 * The week of a review as conditions on `o` (values appended to `params`): `where` narrows to the
 * reviewer's scope (branches, an owner, what the user sees); `inWeek` is an opportunity created,
 * closed or moved in the days from `from` to `to`, or stale on `to`; and each flag. One pass over the
 * scope's opportunities (a branch's through its index and the key, the bank's in one scan), the
 * week's moves looked up in a hash of the week's stage changes, never a query per opportunity.
 */
function weekSql(user: SignedInUser, w: WeekScope, params: unknown[], citus: boolean) {
  params.push(w.from, w.to);
  const from = `$${params.length - 1}::date`;
  const to = `$${params.length}::date`;
  const parts: string[] = [];
  let stageBranch = '';
  if (w.branches) {
    params.push([...w.branches]);
    parts.push(`o.branch_id = ANY($${params.length}::text[])`);
    stageBranch = ` AND sk.branch_id = ANY($${params.length}::text[])`;
  }
  if (w.ownerId !== null) {
    params.push(w.ownerId);
    parts.push(`o.owner_id = $${params.length}`);
  }
  parts.push(visibleSql(user, params));
  // moved in the week: any change after the creation, recorded in the scope's branches (what puts
  // it in the week), and the flag, a change to an open stage (wherever it was recorded). On one
  // server each is a hash of the week's changes (opportunity_stages_moved_idx), built once per
  // statement, where a correlated subquery would look up every opportunity; on Citus a subquery
  // joined on the key, which each shard answers (it pushes down no other)
  const changes = (alias: string, cond: string, correlated = citus) =>
    correlated
      ? `EXISTS (SELECT 1 FROM opportunity_stages ${alias} WHERE ${alias}.customer_id = o.customer_id AND ${alias}.opportunity_id = o.opportunity_id AND ${cond})`
      : `(o.customer_id, o.opportunity_id) IN (SELECT ${alias}.customer_id, ${alias}.opportunity_id FROM opportunity_stages ${alias} WHERE ${cond})`;
  const movedKey = changes('sk', `sk.from_stage IS NOT NULL AND sk.changed_on BETWEEN ${from} AND ${to}${stageBranch}`);
  // (the flag asked of a branch's few opportunities is one lookup each by key, not a hash of the
  // whole bank's moves of the week: 17,324 of them at a million customers)
  const movedOpen = changes('sm', `sm.from_stage IS NOT NULL AND sm.to_stage = ANY(${OPEN}) AND sm.changed_on BETWEEN ${from} AND ${to}`, citus || w.branches !== null);
  const created = `(o.created_on BETWEEN ${from} AND ${to})`;
  const closedIn = `(o.closed_on BETWEEN ${from} AND ${to})`;
  const stale = staleSql('o', to);
  const inWeek = `(${created} OR ${closedIn} OR ${stale} OR ${movedKey})`;
  const flags: Record<WeekFlag, string> = {
    created,
    moved: `(${inWeek} AND ${movedOpen})`,
    won: `(o.stage = 'won' AND ${closedIn})`,
    lost: `(o.stage = 'lost' AND ${closedIn})`,
    stale,
  };
  return { where: parts.join(' AND '), inWeek, flags };
}

export interface OwnerWeek {
  owner_id: string;
  /** the owner's opportunities of the week */
  week: number;
  created: number;
  moved: number;
  won: number;
  lost: number;
  stale: number;
  /** open now (the review's "open" column) */
  open: number;
  won_amount: string;
}

/**
 * Per owner of the scope (or per outlet: the owners' outlets, `by: 'outlet'`, with `owner_id` then
 * the outlet's id): the week's figures and the open opportunities, aggregated in one statement.
 */
export async function weekFigures(s: SqlSession, user: SignedInUser, w: WeekScope, by: 'owner' | 'outlet' = 'owner'): Promise<OwnerWeek[]> {
  const params: unknown[] = [];
  const k = weekSql(user, w, params, s.citus);
  const key = by === 'owner' ? 'o.owner_id' : 'o.branch_id';
  const r = await s.query<OwnerWeek>(
    `SELECT ${key} AS owner_id, count(*) FILTER (WHERE ${k.inWeek})::int AS week,
            count(*) FILTER (WHERE ${k.flags.created})::int AS created, count(*) FILTER (WHERE ${k.flags.moved})::int AS moved,
            count(*) FILTER (WHERE ${k.flags.won})::int AS won, count(*) FILTER (WHERE ${k.flags.lost})::int AS lost,
            count(*) FILTER (WHERE ${k.flags.stale})::int AS stale, count(*) FILTER (WHERE o.closed_at IS NULL)::int AS open,
            coalesce(sum(o.expected_amount) FILTER (WHERE ${k.flags.won}), 0)::numeric(20, 2)::text AS won_amount
       FROM opportunities o
      WHERE ${k.where} AND (o.closed_at IS NULL OR ${k.inWeek})
      GROUP BY ${key}`,
    params,
  );
  return r.rows;
}

/**
 * The whole bank's week per outlet (the department, who sees every opportunity), each figure from an
 * index alone: created and closed in the week by their day, open and stale by the open ones' outlet,
 * next step and stage start, moved from the week's stage changes. Moved counts the opportunities
 * moved to an open stage by the outlet's staff (where the change was recorded), the others the
 * opportunities of the outlet's owners. Four statements over a few hundred outlets, at once on a
 * server (a connection each), one after the other on the embedded engine.
 */
export async function bankWeekByOutlet(db: Db, from: string, to: string): Promise<OwnerWeek[]> {
  const run = <R>(text: string, params: unknown[]) =>
    db.transaction(async (s) => {
      // short index scans: neither JIT nor parallel workers pay for their start here
      if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0');
      return (await s.query<R>(text, params)).rows;
    });
  const [created, closed, open, moved] = await Promise.all([
    run<{ b: string; n: number }>('SELECT branch_id AS b, count(*)::int AS n FROM opportunities WHERE created_on BETWEEN $1::date AND $2::date GROUP BY branch_id', [from, to]),
    run<{ b: string; won: number; lost: number; amount: string }>(
      `SELECT branch_id AS b, count(*) FILTER (WHERE stage = 'won')::int AS won, count(*) FILTER (WHERE stage = 'lost')::int AS lost,
              coalesce(sum(expected_amount) FILTER (WHERE stage = 'won'), 0)::numeric(20, 2)::text AS amount
         FROM opportunities WHERE closed_on BETWEEN $1::date AND $2::date GROUP BY branch_id`,
      [from, to],
    ),
    run<{ b: string; open: number; stale: number }>(
      `SELECT branch_id AS b, count(*)::int AS open, count(*) FILTER (WHERE ${staleSql('o', '$1')})::int AS stale
         FROM opportunities o WHERE o.closed_at IS NULL GROUP BY branch_id ORDER BY branch_id`,
      [to],
    ),
    run<{ b: string; n: number }>(
      `SELECT m.branch_id AS b, count(*)::int AS n
         FROM (SELECT DISTINCT branch_id, customer_id, opportunity_id FROM opportunity_stages
                WHERE from_stage IS NOT NULL AND to_stage = ANY(${OPEN}) AND changed_on BETWEEN $1::date AND $2::date) m
        GROUP BY m.branch_id`,
      [from, to],
    ),
  ]);
  const out = new Map<string, OwnerWeek>();
  const at = (b: string) => {
    let x = out.get(b);
    if (!x) out.set(b, (x = { owner_id: b, week: 0, created: 0, moved: 0, won: 0, lost: 0, stale: 0, open: 0, won_amount: '0.00' }));
    return x;
  };
  for (const r of created) at(r.b).created = r.n;
  for (const r of closed) Object.assign(at(r.b), { won: r.won, lost: r.lost, won_amount: r.amount });
  for (const r of open) Object.assign(at(r.b), { open: r.open, stale: r.stale });
  for (const r of moved) at(r.b).moved = r.n;
  return [...out.values()];
}

/**
 * A page of the week's opportunities (one flag's, if given), in the review's order: the owners as the
 * review lists them (the branches' working staff by branch, role and number, then any other owner),
 * stale ones first, then by the next step; their keys and flags only (the page's rows are read after).
 */
export async function weekPage(
  s: SqlSession,
  user: SignedInUser,
  w: WeekScope & { roles: readonly string[]; flag: WeekFlag | null },
  page: { limit: number; offset: number },
): Promise<(OppKey & WeekFlags)[]> {
  const params: unknown[] = [];
  const k = weekSql(user, w, params, s.citus);
  params.push([...w.roles]);
  const roles = `$${params.length}::text[]`;
  let listedBranch = '';
  if (w.branches) {
    params.push([...w.branches]);
    listedBranch = ` AND ost.branch_id = ANY($${params.length}::text[])`;
  }
  const listed = `(ost.active AND ost.role = ANY(${roles})${listedBranch})`;
  const r = await s.query<OppKey & WeekFlags>(
    `SELECT o.customer_id, o.opportunity_id, ${k.flags.created} AS f_created, ${k.flags.moved} AS f_moved, ${k.flags.won} AS f_won,
            ${k.flags.lost} AS f_lost, ${k.flags.stale} AS f_stale
       FROM opportunities o LEFT JOIN staff ost ON ost.staff_id = o.owner_id
      WHERE ${k.where} AND ${w.flag ? k.flags[w.flag] : k.inWeek}
      ORDER BY CASE WHEN ${listed} THEN 0 ELSE 1 END, CASE WHEN ${listed} THEN ost.branch_id END, CASE WHEN ${listed} THEN ost.role END, o.owner_id,
               ${k.flags.stale} DESC, o.next_step_on NULLS FIRST, o.opportunity_id
      LIMIT ${page.limit} OFFSET ${page.offset}`,
    params,
  );
  return r.rows;
}

/** The staff of the branches who work opportunities (managers, supervisors, branch heads), active. */
export async function reviewStaff(s: SqlSession, branches: readonly string[] | null, roles: readonly string[]) {
  const r = await s.query<{ staff_id: string; name: string; role: string; branch_id: string; branch_name: string }>(
    `SELECT st.staff_id, st.name, st.role, st.branch_id, b.name AS branch_name FROM staff st JOIN branches b ON b.branch_id = st.branch_id
      WHERE st.active AND st.role = ANY($2::text[]) AND ($1::text[] IS NULL OR st.branch_id = ANY($1::text[]))
      ORDER BY st.branch_id, st.role, st.staff_id`,
    [branches ? [...branches] : null, [...roles]],
  );
  return r.rows;
}

/** The names of branches by id. */
export async function branchNames(s: SqlSession, ids: readonly string[]): Promise<Map<string, string>> {
  const r = await s.query<{ branch_id: string; name: string }>('SELECT branch_id, name FROM branches WHERE branch_id = ANY($1::text[])', [[...new Set(ids)]]);
  return new Map(r.rows.map((b) => [b.branch_id, b.name]));
}

export interface ReviewRow {
  review_id: string;
  reviewer_id: string;
  review_date: string;
  branch_id: string | null;
  figures: unknown;
  saved_at: Date;
}
export async function reviewOf(s: SqlSession, reviewerId: string, date: string): Promise<ReviewRow | undefined> {
  const r = await s.query<ReviewRow>('SELECT review_id, reviewer_id, review_date, branch_id, figures, saved_at FROM opportunity_reviews WHERE reviewer_id = $1 AND review_date = $2::date', [
    reviewerId,
    date,
  ]);
  return r.rows[0];
}

export async function saveReview(s: SqlSession, reviewerId: string, date: string, branchId: string | null, figures: unknown): Promise<ReviewRow> {
  const r = await s.query<ReviewRow>(
    `INSERT INTO opportunity_reviews (reviewer_id, review_date, branch_id, figures, saved_at) VALUES ($1, $2::date, $3, $4::jsonb, $5::timestamptz)
     ON CONFLICT (reviewer_id, review_date) DO UPDATE SET branch_id = EXCLUDED.branch_id, figures = EXCLUDED.figures, saved_at = EXCLUDED.saved_at
     RETURNING review_id, reviewer_id, review_date, branch_id, figures, saved_at`,
    [reviewerId, date, branchId, JSON.stringify(figures), await transactionNow(s)],
  );
  const row = r.rows[0];
  if (!row) throw new Error('the review was not written');
  return row;
}

/** A review's comments on these opportunities: written, replaced, or removed (an empty body). */
export async function setComments(s: SqlSession, review: ReviewRow, authorId: string, comments: readonly { customerId: string; opportunityId: string; body: string }[]): Promise<void> {
  const keep = comments.filter((c) => c.body !== '');
  const drop = comments.filter((c) => c.body === '');
  if (drop.length) {
    await s.query(
      `DELETE FROM opportunity_comments WHERE review_id = $1 AND (customer_id, opportunity_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
      [review.review_id, drop.map((c) => c.customerId), drop.map((c) => c.opportunityId)],
    );
  }
  if (keep.length) {
    // the time as a value (Citus takes only immutable functions in an upsert's DO UPDATE)
    const now = await transactionNow(s);
    await s.query(
      `INSERT INTO opportunity_comments (customer_id, opportunity_id, review_id, author_id, body, review_date, created_at)
       SELECT x.c, x.o, $1, $2, x.b, $3::date, $7::timestamptz FROM unnest($4::text[], $5::text[], $6::text[]) AS x(c, o, b)
       ON CONFLICT (customer_id, opportunity_id, review_id) DO UPDATE SET body = EXCLUDED.body, author_id = EXCLUDED.author_id, created_at = EXCLUDED.created_at`,
      [review.review_id, authorId, review.review_date, keep.map((c) => c.customerId), keep.map((c) => c.opportunityId), keep.map((c) => c.body), now],
    );
  }
}

export async function reviewComments(s: SqlSession, reviewId: string): Promise<Map<string, string>> {
  const r = await s.query<{ opportunity_id: string; body: string }>('SELECT opportunity_id, body FROM opportunity_comments WHERE review_id = $1', [reviewId]);
  return new Map(r.rows.map((x) => [x.opportunity_id, x.body]));
}

export async function reviewsOf(s: SqlSession, reviewers: readonly string[] | null, from: string, to: string): Promise<ReviewRow[]> {
  const r = await s.query<ReviewRow>(
    `SELECT v.review_id, v.reviewer_id, v.review_date, v.branch_id, v.figures, v.saved_at FROM opportunity_reviews v
      WHERE v.review_date BETWEEN $2::date AND $3::date AND ($1::text[] IS NULL OR v.reviewer_id = ANY($1::text[]))
      ORDER BY v.review_date DESC, v.saved_at DESC LIMIT 200`,
    [reviewers ? [...reviewers] : null, from, to],
  );
  return r.rows;
}

export async function commentCounts(s: SqlSession, reviewIds: readonly string[]): Promise<Map<string, number>> {
  if (!reviewIds.length) return new Map();
  const r = await s.query<{ review_id: string; n: number }>('SELECT review_id, count(*)::int AS n FROM opportunity_comments WHERE review_id = ANY($1::text[]) GROUP BY review_id', [[...reviewIds]]);
  return new Map(r.rows.map((x) => [x.review_id, x.n]));
}

// ---- the 商机管理表 and the command line's CSV ---------------------------------------------------

export interface OppKey {
  customer_id: string;
  opportunity_id: string;
}

/** The keys of a filter in the sheet's order (branch, owner, open first, next step), at most `limit`. */
export async function sheetKeys(s: SqlSession, user: SignedInUser | null, f: ListFilter, asOf: string, limit: number): Promise<OppKey[]> {
  const params: unknown[] = [];
  const where = listWhere(user, f, asOf, params);
  const r = await s.query<OppKey>(
    `SELECT o.customer_id, o.opportunity_id FROM opportunities o WHERE ${where}
      ORDER BY o.branch_id, o.owner_id, o.closed_at IS NOT NULL, o.next_step_on NULLS LAST, o.created_at, o.opportunity_id LIMIT ${limit}`,
    params,
  );
  return r.rows;
}

/** The rows of these keys, in their order. */
export async function rowsOf(s: SqlSession, keys: readonly OppKey[]): Promise<OppRow[]> {
  if (!keys.length) return [];
  const r = await s.query<OppRow>(
    `SELECT ${OPP} FROM opportunities o ${OPP_JOIN} WHERE (o.customer_id, o.opportunity_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [keys.map((k) => k.customer_id), keys.map((k) => k.opportunity_id)],
  );
  const at = new Map(keys.map((k, i) => [`${k.customer_id}\u0000${k.opportunity_id}`, i]));
  return r.rows.sort((a, b) => (at.get(`${a.customer_id}\u0000${a.opportunity_id}`) ?? 0) - (at.get(`${b.customer_id}\u0000${b.opportunity_id}`) ?? 0));
}
