import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../../platform/db.js';
import type { Schema } from '../../platform/schema.js';
import { scopeCondition, type CustomerScope } from '../access/access.scope.js';
import type { CustomerListQuery } from './customers.contract.js';

// The only SQL of the customer pages. Every query takes the caller's scope (access.scope.ts) and
// the branch filter (branch ids, or null for all branches) and applies them in SQL, so nothing
// outside them is ever read.

export type Scope = readonly string[] | null;
/** a count beyond this is reported as "10,000+": counting a million rows for a pager is waste */
export const COUNT_CAP = 10_000;

type OverviewQuery = SelectQueryBuilder<Schema, 'customer_overview', object>;

const likePrefix = (s: string) => s.replace(/[\\%_]/g, (m) => '\\' + m) + '%';


function filtered(db: Db, scope: CustomerScope, branches: readonly string[] | null, f: CustomerListQuery): OverviewQuery {
  let q = db.kysely.selectFrom('customer_overview').where('customer_overview.status', '=', 'active');
  q = q.where(scopeCondition(scope, 'customer_overview'));
  if (branches) q = q.where('customer_overview.branch_id', 'in', branches.length ? [...branches] : ['']);
  if (f.aumMin !== undefined) q = q.where('customer_overview.aum', '>=', String(f.aumMin));
  if (f.aumMax !== undefined) q = q.where('customer_overview.aum', '<', String(f.aumMax));
  if (f.vipCard === 'true') q = q.where('customer_overview.vip_grade', 'is not', null);
  if (f.vipCard === 'false') q = q.where('customer_overview.vip_grade', 'is', null);
  if (f.openedAfter) q = q.where('customer_overview.opened_on', '>=', f.openedAfter);
  if (f.householdBand === 'any') q = q.where('customer_overview.household_band', 'is not', null);
  else if (f.householdBand) q = q.where('customer_overview.household_band', '=', f.householdBand);
  for (const [model, tier] of [['aum_band', f.aumBand], ['relationship_tier', f.relationshipTier]] as const) {
    if (!tier) continue;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('customer_tiers')
          .select(sql.lit(1).as('one'))
          .whereRef('customer_tiers.customer_id', '=', 'customer_overview.customer_id')
          .where('customer_tiers.model', '=', model)
          .where('customer_tiers.tier', '=', tier),
      ),
    );
  }
  const text = f.q?.trim();
  if (text) {
    q = q.where((eb: ExpressionBuilder<Schema, 'customer_overview'>) => {
      // only the readings the text allows: Chinese is a name, 4 digits a phone tail (or the
      // digits of a customer number), letters and digits a customer number (or a Latin name).
      // An OR with a reading that cannot match would keep the planner off the name index.
      const any = [];
      if (!/^\d+$/.test(text)) any.push(eb(sql<string>`customer_overview.name collate "C"`, 'like', likePrefix(text)));
      if (/^[A-Za-z0-9-]+$/.test(text)) any.push(eb('customer_overview.customer_id', 'like', likePrefix(text.toUpperCase())));
      if (/^\d{4}$/.test(text)) any.push(eb('customer_overview.phone_tail', '=', text));
      return eb.or(any);
    });
  }
  return q;
}

const ORDER: Record<CustomerListQuery['sort'], [string, 'asc' | 'desc']> = {
  aum_desc: ['aum', 'desc'],
  aum_asc: ['aum', 'asc'],
  name: ['name', 'asc'],
  opened_desc: ['opened_on', 'desc'],
  opened_asc: ['opened_on', 'asc'],
  customer_id: ['customer_id', 'asc'],
};

/** what a list row shows of the customer beside the overview's columns (aliases c, b, band, rel) */
const DETAILS = ['band.tier as aum_band', 'rel.tier as relationship_tier', 'c.opened_on', 'c.name', 'c.gender', 'c.phone', 'c.status', 'b.branch_id', 'b.name as branch_name'] as const;

/** On Citus: the page's ids and overview columns, then the details of those ids, in the page's order. */
async function citusPage<R extends { customer_id: string }>(db: Db, page: { execute(): Promise<R[]> }) {
  const ids = await page.execute();
  if (!ids.length) return [];
  const details = await db.kysely
    .selectFrom('customers as c')
    .innerJoin('branches as b', 'b.branch_id', 'c.branch_id')
    .leftJoin('customer_tiers as band', (j) => j.onRef('band.customer_id', '=', 'c.customer_id').on('band.model', '=', 'aum_band'))
    .leftJoin('customer_tiers as rel', (j) => j.onRef('rel.customer_id', '=', 'c.customer_id').on('rel.model', '=', 'relationship_tier'))
    .select(['c.customer_id', ...DETAILS])
    .where('c.customer_id', '=', sql<string>`ANY(${sql.val(ids.map((r) => r.customer_id))}::text[])`)
    .execute();
  const byId = new Map(details.map((d) => [d.customer_id, d]));
  return ids.flatMap((r) => {
    const d = byId.get(r.customer_id);
    // a customer gone between the two statements (a load replacing them) is left out of the page
    return d ? [{ ...d, ...r }] : [];
  });
}

export async function listCustomers(db: Db, scope: CustomerScope, branches: readonly string[] | null, f: CustomerListQuery) {
  const [column, direction] = ORDER[f.sort];
  const base = filtered(db, scope, branches, f);
  let page = base.select(['customer_overview.customer_id', 'customer_overview.aum', 'customer_overview.vip_grade', 'customer_overview.household_band', 'customer_overview.opened_on', 'customer_overview.name as sort_name']);
  // names sort in byte order, the order of the index that also serves the name search
  page = page.orderBy(column === 'name' ? sql`customer_overview.name collate "C"` : sql.ref(`customer_overview.${column}`), direction);
  if (column !== 'customer_id') page = page.orderBy('customer_overview.customer_id', 'asc');
  const offset = (f.page - 1) * f.pageSize;
  // The page's rows first (an index's first rows, narrow), then their details. On a single server
  // one statement (the page in a CTE, joined). On Citus two: the page's ids, each shard giving its
  // first rows of customer_overview alone and the coordinator merging them; then the details of
  // those ids, `customer_id = ANY(…)` (the join on customer_id, co-located, stays on each shard;
  // shards holding none of them are not asked). The joins inside the page's statement would make
  // every shard join all of its first offset + pageSize rows (measured at 1,000,000 customers and
  // 4 shards: page 20 in 43–51 ms as one statement, 14–20 ms as two; page 1 12 ms and 8–10 ms).
  const rowsQuery = db.citus
    ? citusPage(db, page.limit(f.pageSize).offset(offset))
    : db.kysely
        .with('page', () => page.limit(f.pageSize).offset(offset))
        .selectFrom('page')
        .innerJoin('customers as c', 'c.customer_id', 'page.customer_id')
        .innerJoin('branches as b', 'b.branch_id', 'c.branch_id')
        .leftJoin('customer_tiers as band', (j) => j.onRef('band.customer_id', '=', 'page.customer_id').on('band.model', '=', 'aum_band'))
        .leftJoin('customer_tiers as rel', (j) => j.onRef('rel.customer_id', '=', 'page.customer_id').on('rel.model', '=', 'relationship_tier'))
        .select(['page.customer_id', 'page.aum', 'page.vip_grade', 'page.household_band', ...DETAILS])
        // the join does not keep the page's order: sort again by the same keys
        .orderBy(column === 'name' ? sql`page.sort_name collate "C"` : sql.ref(`page.${column}`), direction)
        .orderBy('page.customer_id', 'asc')
        .execute();
  const [rows, counted] = await Promise.all([
    rowsQuery,
    countOf(db, scope, branches, f),
  ]);
  return { rows, total: counted };
}

/** True when the list's filters are branches (the scope's, the chosen ones, or none) and the VIP card alone. */
const branchesAlone = (scope: CustomerScope, f: CustomerListQuery) =>
  scope.ownerId === null && f.aumMin === undefined && f.aumMax === undefined && !f.openedAfter && !f.aumBand && !f.relationshipTier && !f.householdBand && !f.q?.trim();

/**
 * How many customers the list holds; beyond COUNT_CAP the service says "10,000+". Filtered by
 * branches and the VIP card alone, the sum of the branches' counts kept with the overview. Otherwise the count
 * stops after COUNT_CAP + 1 rows; on Citus a LIMIT inside the count cannot go to the shards (each
 * would send up to that many rows to the coordinator), so each shard counts its own rows and the
 * coordinator adds them up.
 */
async function countOf(db: Db, scope: CustomerScope, branches: readonly string[] | null, f: CustomerListQuery): Promise<number> {
  if (branchesAlone(scope, f)) {
    const counted = f.vipCard === 'true' ? sql`vip` : f.vipCard === 'false' ? sql`active - vip` : sql`active`;
    let q = db.kysely.selectFrom('overview_branch_counts').select(sql<string>`coalesce(sum(${counted}), 0)`.as('n'));
    if (scope.branches) q = q.where('branch_id', '=', sql<string>`ANY(${sql.val([...scope.branches])}::text[])`);
    if (branches) q = q.where('branch_id', 'in', branches.length ? [...branches] : ['']);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }
  const base = filtered(db, scope, branches, f);
  const counted = db.citus
    ? await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    : await db.kysely
        .selectFrom(base.select(sql.lit(1).as('one')).limit(COUNT_CAP + 1).as('capped'))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
  return Number(counted.n);
}

/** The customer, if within the scope; undefined otherwise (the caller answers 404 either way). */
export async function findCustomer(db: Db, scope: CustomerScope, customerId: string) {
  let q = db.kysely
    .selectFrom('customers as c')
    .innerJoin('branches as b', 'b.branch_id', 'c.branch_id')
    .selectAll('c')
    .select('b.name as branch_name')
    .where('c.customer_id', '=', customerId);
  return q.where(scopeCondition(scope, 'c')).executeTakeFirst();
}

export async function latestSnapshot(db: Db, customerId: string) {
  return db.kysely
    .selectFrom('balance_snapshots')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('business_date', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function accountsOf(db: Db, customerId: string) {
  return db.kysely
    .selectFrom('accounts as a')
    .leftJoin('products as p', 'p.product_code', 'a.product_code')
    .select(['a.account_id', 'a.kind', 'a.product_code', 'p.name as product_name', 'a.balance', 'a.opened_on', 'a.matures_on', 'a.status'])
    .where('a.customer_id', '=', customerId)
    .orderBy('a.status', 'asc')
    .orderBy('a.kind', 'asc')
    .orderBy('a.account_id', 'asc')
    .execute();
}

export async function cardsOf(db: Db, customerId: string) {
  return db.kysely.selectFrom('cards').selectAll().where('customer_id', '=', customerId).orderBy('status', 'asc').orderBy('issued_on', 'desc').execute();
}

export async function loansOf(db: Db, customerId: string) {
  return db.kysely.selectFrom('loans').selectAll().where('customer_id', '=', customerId).orderBy('status', 'asc').orderBy('opened_on', 'desc').execute();
}

export async function aumHistory(db: Db, customerId: string, from: string) {
  return db.kysely
    .selectFrom('balance_snapshots')
    .select(['business_date', 'aum', 'deposits', 'wealth', 'fund', 'insurance'])
    .where('customer_id', '=', customerId)
    .where('business_date', '>=', from)
    .orderBy('business_date', 'asc')
    .execute();
}

export async function transactionsOf(db: Db, customerId: string, page: number, pageSize: number) {
  const [rows, total] = await Promise.all([
    db.kysely
      .selectFrom('transactions')
      .select(['txn_id', 'account_id', 'booked_at', 'amount', 'channel', 'counterparty'])
      .where('customer_id', '=', customerId)
      .orderBy('booked_at', 'desc')
      .orderBy('txn_id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db.kysely.selectFrom('transactions').select((eb) => eb.fn.countAll<number>().as('n')).where('customer_id', '=', customerId).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Branches the scope covers, with their ancestors up to the bank so the tree is whole. */
export async function branchesIn(db: Db, scope: Scope) {
  let q = db.kysely.selectFrom('branches').select(['branch_id', 'name', 'parent_id', 'level']).where('active', '=', true);
  if (scope) q = q.where('branch_id', 'in', scope.length ? [...scope] : ['']);
  return q.orderBy('branch_id').execute();
}
