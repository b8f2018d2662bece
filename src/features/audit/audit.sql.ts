import type { Db } from '../../platform/db.js';
import type { AuditFilters } from './audit.contract.js';

// The only SQL of the audit page. A branch head's scope is the branches an entry is about
// (audit_log.branch_ids: the actor's and the customers' branches when it was written).

export interface AuditRow {
  entry_id: number;
  at: Date;
  actor: string | null;
  actor_name: string | null;
  role: string | null;
  ip: string | null;
  action: string;
  customer_ids: string[];
  fields: string[];
  outcome: 'allowed' | 'refused';
  reason: string | null;
  detail: Record<string, unknown>;
}

function where(scope: readonly string[] | null, f: AuditFilters): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (scope) parts.push(`l.branch_ids && ${p([...scope])}::text[]`);
  if (f.from) parts.push(`l.at >= (${p(f.from)}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  if (f.to) parts.push(`l.at < ((${p(f.to)}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  if (f.actor) parts.push(`l.actor = ${p(f.actor)}`);
  if (f.action) parts.push(`l.action = ${p(f.action)}`);
  if (f.customerId) parts.push(`l.customer_ids @> ARRAY[${p(f.customerId)}::text]`);
  if (f.outcome) parts.push(`l.outcome = ${p(f.outcome)}`);
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

const SELECT = `SELECT l.entry_id::int AS entry_id, l.at, l.actor, coalesce(s.name, u.display_name) AS actor_name, l.role, l.ip, l.action,
  l.customer_ids, l.fields, l.outcome, l.reason, l.detail
  FROM audit_log l LEFT JOIN user_accounts u ON u.login = l.actor LEFT JOIN staff s ON s.staff_id = u.staff_id`;

export async function listEntries(db: Db, scope: readonly string[] | null, f: AuditFilters, limit: number, offset: number): Promise<{ rows: AuditRow[]; total: number }> {
  const w = where(scope, f);
  return db.session(async (s) => {
    const rows = await s.query<AuditRow>(`${SELECT} ${w.sql} ORDER BY l.entry_id DESC LIMIT ${limit} OFFSET ${offset}`, w.params);
    const count = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log l ${w.sql}`, w.params);
    return { rows: rows.rows, total: count.rows[0]?.n ?? 0 };
  });
}
