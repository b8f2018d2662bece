import type { Chunks } from '../../platform/chunks.js';
import type { Db, SqlSession } from '../../platform/db.js';
import type { AuditFilters } from './audit.contract.js';

// The only SQL of the audit page.
//
// What a branch head (scope: its subtree) reads, as a bank's branch auditor expects it:
//  - the entries about its subtree when they were written: by its staff, or about a customer of
//    its branches then (audit_log.branch_ids: the actor's and the customers' branches at the time,
//    kept on the entry so the filter needs no join). Its staff's actions on other branches'
//    customers are there (a refused attempt is exactly what a supervisor must look into), and so
//    is another branch's action on one of its customers, even one who has moved away since;
//  - of an entry's customers, the ids of those of its branches now, as on every other page; the
//    others are left out and counted (customersOutsideScope): the nightly batch's entry about
//    thousands of customers shows the head its own, and how many others there were;
//  - not an entry about no branch of its own (another branch's staff on another branch's
//    customers): nothing of it is the head's business. Searching by a customer outside the scope
//    finds nothing, rather than the entries about it.
// The department (scope null) reads every entry with every id.

export interface AuditRow {
  entry_id: number;
  at: Date;
  actor: string | null;
  actor_name: string | null;
  role: string | null;
  ip: string | null;
  action: string;
  /** the entry's customers the reader may see */
  customer_ids: string[];
  /** how many of the entry's customers are left out: outside the reader's scope */
  customers_outside: number;
  /** the entry's customers within the reader's scope, listed or kept apart */
  customers_in_scope: number;
  /** the entry's customers are kept apart, one per row in audit_customers (a long list) */
  customers_apart: boolean;
  fields: string[];
  outcome: 'allowed' | 'refused';
  reason: string | null;
  detail: Record<string, unknown>;
}

interface Query {
  sql: string;
  params: unknown[];
  /** a parameter's placeholder */
  p: (v: unknown) => string;
  /** the scope's placeholder, null for the department */
  scope: string | null;
}

function query(scope: readonly string[] | null, f: AuditFilters): Query {
  const params: unknown[] = [];
  const parts: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const sc = scope ? `${p([...scope])}::text[]` : null;
  if (sc) parts.push(`l.branch_ids && ${sc}`);
  if (f.from) parts.push(`l.at >= (${p(f.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  if (f.to) parts.push(`l.at < ((${p(f.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  if (f.actor) parts.push(`l.actor = ${p(f.actor)}`);
  if (f.action) parts.push(`l.action = ${p(f.action)}`);
  if (f.customerId) {
    const id = p(f.customerId);
    // on the entry, or among the customers of a long list kept apart (platform/audit.ts)
    parts.push(`(l.customer_ids @> ARRAY[${id}::text] OR l.entry_id IN (SELECT ac.entry_id FROM audit_customers ac WHERE ac.customer_id = ${id}::text))`);
    if (sc) parts.push(`EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = ${id}::text AND c.branch_id = ANY(${sc}))`);
  }
  if (f.outcome) parts.push(`l.outcome = ${p(f.outcome)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params, p, scope: sc };
}

// The entry's customers of the scope only, by id: a few are looked up by key; the many of a batch's
// entry (a whole bank's) are intersected with the scope's customers, which costs the two lists
// once rather than an index probe per id (70 ms against 300 ms for 180,000 ids, embedded).
const MANY_IDS = 1_000;
const select = (scope: string | null, citus = false) => {
  // on Citus the log stays on the coordinator and the customers on the workers: the entries are
  // read as they are, then scoped by scopeApart (two statements, one per side)
  if (citus) scope = null;
  const shown = scope
    ? `CASE WHEN cardinality(l.customer_ids) <= ${MANY_IDS}
        THEN ARRAY(SELECT c.customer_id FROM customers c WHERE c.customer_id = ANY(l.customer_ids) AND c.branch_id = ANY(${scope}) ORDER BY c.customer_id)
        ELSE ARRAY(SELECT x.id FROM (SELECT c.customer_id FROM customers c WHERE c.branch_id = ANY(${scope}) INTERSECT SELECT unnest(l.customer_ids)) x(id) ORDER BY x.id)
      END`
    : 'l.customer_ids';
  // a long list kept apart: its count (the department), or its customers of the scope counted
  const apartInScope = scope
    ? `(SELECT count(*)::int FROM audit_customers ac JOIN customers c ON c.customer_id = ac.customer_id WHERE ac.entry_id = l.entry_id AND c.branch_id = ANY(${scope}))`
    : `(l.detail->>'customers')::int`;
  return `SELECT e.*, e.total - coalesce(e.apart_in_scope, cardinality(e.customer_ids)) AS customers_outside,
                 coalesce(e.apart_in_scope, cardinality(e.customer_ids)) AS customers_in_scope, e.apart_in_scope IS NOT NULL AS customers_apart FROM (
    SELECT l.entry_id::int AS entry_id, l.at, l.actor, coalesce(s.name, u.display_name) AS actor_name, l.role, l.ip, l.action,
           ${shown} AS customer_ids, l.fields, l.outcome, l.reason, l.detail,
           CASE WHEN l.detail ? 'customersDigest' THEN (l.detail->>'customers')::int ELSE cardinality(l.customer_ids) END AS total,
           CASE WHEN l.detail ? 'customersDigest' THEN ${apartInScope} END AS apart_in_scope
      FROM audit_log l LEFT JOIN user_accounts u ON u.login = l.actor LEFT JOIN staff s ON s.staff_id = u.staff_id`;
};
const strip = ({ total: _, apart_in_scope: __, ...row }: AuditRow & { total?: unknown; apart_in_scope?: unknown }): AuditRow => row;

/**
 * On Citus, what `select` does in one statement elsewhere: of each entry's customers, those of the
 * scope's branches now (looked up by id on their shards), and of a long list kept apart, how many.
 */
async function scopeApart(s: SqlSession, scope: readonly string[] | null, rows: (AuditRow & { total: number })[]): Promise<AuditRow[]> {
  if (!s.citus || !scope) return rows.map(strip);
  const ids = [...new Set(rows.flatMap((r) => r.customer_ids))];
  const inScope = new Set(
    ids.length
      ? (await s.query<{ id: string }>('SELECT customer_id AS id FROM customers WHERE customer_id = ANY($1::text[]) AND branch_id = ANY($2::text[])', [ids, [...scope]])).rows.map((r) => r.id)
      : [],
  );
  const apart = rows.filter((r) => r.detail && 'customersDigest' in r.detail).map((r) => r.entry_id);
  const counts = new Map<number, number>();
  if (apart.length) {
    const ac = await s.query<{ entry_id: number; n: number }>(
      `SELECT ac.entry_id::int AS entry_id, count(*)::int AS n FROM audit_customers ac JOIN customers c ON c.customer_id = ac.customer_id
        WHERE ac.entry_id = ANY($1::bigint[]) AND c.branch_id = ANY($2::text[]) GROUP BY ac.entry_id`,
      [apart, [...scope]],
    );
    for (const r of ac.rows) counts.set(r.entry_id, r.n);
  }
  return rows.map((r) => {
    const shown = r.customer_ids.filter((id) => inScope.has(id)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const kept = apart.includes(r.entry_id) ? (counts.get(r.entry_id) ?? 0) : null;
    const within = kept ?? shown.length;
    return strip({ ...r, customer_ids: shown, customers_in_scope: within, customers_outside: r.total - within, customers_apart: kept !== null });
  });
}

export async function listEntries(db: Db, scope: readonly string[] | null, f: AuditFilters, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  const q = query(scope, f);
  return db.session(async (s) => {
    const rows = await s.query<AuditRow & { total: number }>(`${select(q.scope, s.citus)} ${q.sql} ORDER BY l.entry_id DESC LIMIT ${limit} OFFSET ${offset}) e ORDER BY e.entry_id DESC`, q.params);
    const count = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log l ${q.sql}`, q.params);
    return { rows: await scopeApart(s, scope, rows.rows), total: count.rows[0]?.n ?? 0 };
  });
}

/** How many entries the filters find (an export's total, before it is read). */
export async function countEntries(s: SqlSession, scope: readonly string[] | null, f: AuditFilters): Promise<number> {
  const q = query(scope, f);
  const r = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log l ${q.sql}`, q.params);
  return r.rows[0]?.n ?? 0;
}

/**
 * The entries newest first, up to `cap`, a chunk at a time (keyset on entry_id), each handed to
 * `each` before the next is read; whether there were more than `cap`.
 */
export async function eachEntryChunk(c: Chunks, scope: readonly string[] | null, f: AuditFilters, cap: number, each: (rows: AuditRow[]) => Promise<void> | void): Promise<{ rows: number; truncated: boolean }> {
  const q = query(scope, f);
  const before = q.p(null);
  const limit = q.p(0);
  const keyset = `${q.sql ? `${q.sql} AND` : 'WHERE'} (${before}::bigint IS NULL OR l.entry_id < ${before}::bigint)`;
  const sql = (citus: boolean) => `${select(q.scope, citus)} ${keyset} ORDER BY l.entry_id DESC LIMIT ${limit}::int) e ORDER BY e.entry_id DESC`;
  const params = q.params;
  let got = 0;
  for (;;) {
    // one more than the cap, to know whether there were more
    const want = Math.min(c.rows, cap + 1 - got);
    params[params.length - 1] = want;
    const rows = await c.run(async (s) => scopeApart(s, scope, (await s.query<AuditRow & { total: number }>(sql(s.citus), params)).rows));
    const keep = rows.slice(0, Math.max(0, cap - got));
    if (keep.length) await each(keep);
    got += rows.length;
    if (got > cap) return { rows: cap, truncated: true };
    if (rows.length < want) return { rows: got, truncated: false };
    params[params.length - 2] = rows[rows.length - 1]?.entry_id;
  }
}
