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

/**
 * An entry naming more customers than this keeps them one per row in audit_customers (migration
 * 0015), and on the entry only their count and digest (detail.customers, detail.customersDigest):
 * an array of 100,000 ids is no cell anyone can read, and no cell of an export may pass Excel's
 * 32,767 characters (500 ids of up to 40 characters and a space stay under 20,500).
 */
export const LISTED_CUSTOMERS_MAX = 500;

// The branches an entry is about, kept on the entry so a branch head's view needs no join: the
// actor's branch and the customers' branches, as they are when the entry is written. $5 is the
// list kept on the entry, $10 every customer of the entry (the same, or a long list kept apart).
const INSERT = `
INSERT INTO audit_log (actor, role, ip, action, customer_ids, fields, outcome, reason, detail, branch_ids)
SELECT $1, $2, $3, $4, $5::text[], $6::text[], $7, $8, $9::jsonb,
  array(SELECT DISTINCT b FROM (
      SELECT c.branch_id AS b FROM customers c WHERE c.customer_id = ANY($10::text[])
      UNION ALL
      SELECT s.branch_id FROM user_accounts u JOIN staff s ON s.staff_id = u.staff_id WHERE u.login = $1
    ) x WHERE b IS NOT NULL ORDER BY b)
RETURNING entry_id::text AS entry_id`;

/** The digest of a long customer list as detail.customersDigest holds it: SHA-256 of the ids in byte order, one per line. */
export const CUSTOMERS_DIGEST_SQL = (ids: string) => `encode(sha256(convert_to(coalesce(string_agg(${ids}, E'\\n' ORDER BY ${ids} COLLATE "C"), ''), 'UTF8')), 'hex')`;

/**
 * Appends one entry, inside the caller's transaction (it commits or rolls back with the change it
 * records); its entry number. A long customer list goes to audit_customers (see LISTED_CUSTOMERS_MAX).
 */
export async function recordAudit(s: SqlSession, e: AuditEntry): Promise<number> {
  if (!ACTION.test(e.action)) throw new Error(`audit action '${e.action}' is not snake_case`);
  const ids = [...new Set(e.customerIds ?? [])];
  const apart = ids.length > LISTED_CUSTOMERS_MAX;
  let detail = e.detail ?? {};
  if (apart) {
    const digest = await s.query<{ d: string }>(`SELECT ${CUSTOMERS_DIGEST_SQL('x.id')} AS d FROM unnest($1::text[]) x(id)`, [ids]);
    detail = { ...detail, customers: ids.length, customersDigest: digest.rows[0]?.d ?? '' };
  }
  const r = await s.query<{ entry_id: string }>(INSERT, [
    e.actor,
    e.role ?? null,
    e.ip ?? null,
    e.action,
    apart ? [] : ids,
    [...new Set(e.fields ?? [])],
    e.outcome,
    e.reason ?? null,
    JSON.stringify(detail),
    ids,
  ]);
  const entryId = Number(r.rows[0]?.entry_id);
  if (apart) await s.query('INSERT INTO audit_customers (customer_id, entry_id) SELECT x.id, $2::bigint FROM unnest($1::text[]) x(id)', [ids, entryId]);
  return entryId;
}

/**
 * The entry of a file handed to a user (a download, or an export job's file): who, from where, what
 * the file holds (`detail.what` and its filters and row count, never personal data), whose data it
 * carries and which sensitive fields. Every export in Stratum is recorded through this.
 */
export const exportAuditEntry = (
  user: { login: string; role: string },
  ip: string | null,
  file: { detail: Record<string, unknown>; customerIds?: readonly string[]; fields?: readonly string[] },
): AuditEntry => ({
  actor: user.login, role: user.role, ip, action: 'export', outcome: 'allowed',
  fields: file.fields ?? [], customerIds: file.customerIds ?? [], detail: file.detail,
});

/** Appends one entry in a transaction of its own (sign-ins, refusals: nothing else to commit with). */
export async function recordAuditDb(db: Db, e: AuditEntry): Promise<number> {
  return db.transaction((s) => recordAudit(s, e));
}
