import type { Db, SqlSession } from './db.js';

// The audit writer every feature calls (issue 5). The table (migration 0005) is append-only and
// chained by the database itself: the insert trigger assigns the entry number, links the entry
// to the previous one's SHA-256 and serialises concurrent writers on the chain head, so a writer
// here cannot get the chain wrong.

export interface AuditEntry {
  /** the login (staff number or admin login); null for an unknown login */
  actor: string | null;
  role?: string | null;
  /** from where: the client address */
  ip?: string | null;
  /** 'sign_in' | 'sign_in_failed' | 'reveal' | 'export' | 'assign' | 'reassign' | 'recall' | 'policy_publish' | … (snake_case) */
  action: string;
  customerIds?: readonly string[];
  /** which sensitive fields were revealed or exported */
  fields?: readonly string[];
  outcome: 'allowed' | 'refused';
  /** the reason the user gave */
  reason?: string | null;
  /** never personal data */
  detail?: Record<string, unknown>;
}

const ACTION = /^[a-z][a-z0-9_.]*$/;

// The branches an entry is about, kept on the entry so a branch head's view needs no join: the
// actor's branch and the customers' branches, as they are when the entry is written.
const INSERT = `
INSERT INTO audit_log (actor, role, ip, action, customer_ids, fields, outcome, reason, detail, branch_ids)
SELECT $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9::jsonb,
  array(SELECT DISTINCT b FROM (
      SELECT c.branch_id AS b FROM customers c WHERE c.customer_id = ANY($5::text[])
      UNION ALL
      SELECT s.branch_id FROM user_accounts u JOIN staff s ON s.staff_id = u.staff_id WHERE u.login = $1
    ) x WHERE b IS NOT NULL ORDER BY b)`;

/** Appends one entry, inside the caller's transaction (it commits or rolls back with the change it records). */
export async function recordAudit(s: SqlSession, e: AuditEntry): Promise<void> {
  if (!ACTION.test(e.action)) throw new Error(`audit action '${e.action}' is not snake_case`);
  await s.query(INSERT, [
    e.actor,
    e.role ?? null,
    e.ip ?? null,
    e.action,
    [...new Set(e.customerIds ?? [])],
    [...new Set(e.fields ?? [])],
    e.outcome,
    e.reason ?? null,
    JSON.stringify(e.detail ?? {}),
  ]);
}

/** Appends one entry in a transaction of its own (sign-ins, refusals: nothing else to commit with). */
export async function recordAuditDb(db: Db, e: AuditEntry): Promise<void> {
  await db.transaction((s) => recordAudit(s, e));
}
