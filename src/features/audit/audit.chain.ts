import { CUSTOMERS_DIGEST_SQL, recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

// The audit chain's own checks: `stratum audit verify` and `stratum audit prune`.

export interface ChainBreak {
  entryId: number;
  at: Date | null;
  /** changed: the entry's content no longer gives its hash; link: it does not follow the entry before; missing: entries before it are gone */
  problem: 'changed' | 'link' | 'missing' | 'tail';
}

export interface ChainReport {
  intact: boolean;
  entries: number;
  firstEntryId: number | null;
  lastEntryId: number | null;
  /** the hash of the last entry: note it somewhere else to detect a rewrite of the whole chain */
  headHash: string;
  /** the entry the chain starts after, when older entries were pruned */
  anchor: { entryId: number; at: Date | null } | null;
  firstBreak: ChainBreak | null;
}

// One pass in entry order: each entry must hash to its stored hash, link to the hash of the one
// before (the first remaining one to the prune anchor), and follow it without a gap.
const VERIFY = `
WITH head AS (SELECT * FROM audit_chain WHERE id = 1),
a AS (
  SELECT l.entry_id, l.at, l.hash, l.prev_hash, audit_digest(l) AS digest,
         lag(l.hash) OVER w AS before_hash, lag(l.entry_id) OVER w AS before_id
  FROM audit_log l WINDOW w AS (ORDER BY l.entry_id)
)
SELECT a.entry_id, a.at,
  CASE WHEN a.digest <> a.hash THEN 'changed'
       WHEN a.prev_hash <> coalesce(a.before_hash, head.anchor_hash) THEN 'link'
       WHEN a.entry_id <> coalesce(a.before_id, head.anchor_id) + 1 THEN 'missing' END AS problem
FROM a, head
WHERE a.digest <> a.hash OR a.prev_hash <> coalesce(a.before_hash, head.anchor_hash)
   OR a.entry_id <> coalesce(a.before_id, head.anchor_id) + 1
ORDER BY a.entry_id LIMIT 1`;

// The customers of an entry kept one per row (platform/audit.ts, LISTED_CUSTOMERS_MAX): their
// count and digest must still be those the entry's hashed detail holds.
const CUSTOMER_LISTS = `
SELECT l.entry_id, l.at FROM audit_log l
  LEFT JOIN LATERAL (SELECT count(*)::int AS n, ${CUSTOMERS_DIGEST_SQL('ac.customer_id')} AS d FROM audit_customers ac WHERE ac.entry_id = l.entry_id) x ON true
 WHERE l.detail ? 'customersDigest'
   AND (x.d IS DISTINCT FROM l.detail->>'customersDigest' OR x.n IS DISTINCT FROM (l.detail->>'customers')::int)
 ORDER BY l.entry_id LIMIT 1`;

export async function verifyAuditChain(db: Db): Promise<ChainReport> {
  return db.session(async (s) => {
    const head = (
      await s.query<{ last_id: number; last_hash: string; anchor_id: number; anchor_at: Date | null }>(
        'SELECT last_id::int AS last_id, last_hash, anchor_id::int AS anchor_id, anchor_at FROM audit_chain WHERE id = 1',
      )
    ).rows[0];
    if (!head) throw new Error('the audit chain head is missing: the audit_chain table was emptied');
    const stats = (
      await s.query<{ n: number; first_id: number | null; last_id: number | null; last_hash: string | null }>(
        `SELECT count(*)::int AS n, min(entry_id)::int AS first_id, max(entry_id)::int AS last_id,
                (SELECT hash FROM audit_log ORDER BY entry_id DESC LIMIT 1) AS last_hash FROM audit_log`,
      )
    ).rows[0] ?? { n: 0, first_id: null, last_id: null, last_hash: null };
    const found = (await s.query<{ entry_id: number; at: Date; problem: ChainBreak['problem'] }>(VERIFY)).rows[0];
    // an entry whose customers are kept apart (audit_customers): their digest is part of its hash
    const list = (await s.query<{ entry_id: number; at: Date }>(CUSTOMER_LISTS)).rows[0];
    const earlier = found && list ? (Number(list.entry_id) < Number(found.entry_id) ? 'list' : 'found') : list ? 'list' : found ? 'found' : null;
    let firstBreak: ChainBreak | null =
      earlier === 'found' && found ? { entryId: Number(found.entry_id), at: found.at, problem: found.problem }
      : earlier === 'list' && list ? { entryId: Number(list.entry_id), at: list.at, problem: 'changed' }
      : null;
    // entries removed from the end: the head still remembers the last one written
    if (!firstBreak && (Number(stats.last_id ?? head.anchor_id) !== head.last_id || (stats.last_hash ?? head.last_hash) !== head.last_hash)) {
      firstBreak = { entryId: Number(stats.last_id ?? head.anchor_id) + 1, at: null, problem: 'tail' };
    }
    return {
      intact: !firstBreak,
      entries: stats.n,
      firstEntryId: stats.first_id,
      lastEntryId: stats.last_id,
      headHash: head.last_hash,
      anchor: head.anchor_id > 0 ? { entryId: head.anchor_id, at: head.anchor_at } : null,
      firstBreak,
    };
  });
}

/** The earliest date a prune may reach: entries are kept at least six months. */
export function oldestPrunableBefore(now: Date): string {
  const d = new Date(now.getTime());
  d.setUTCMonth(d.getUTCMonth() - 6);
  return d.toISOString().slice(0, 10);
}

/**
 * Removes the entries written before a date (China time midnight), at least six months old.
 * The last removed entry becomes the anchor the remaining chain starts from, so `verify` still
 * proves it; the prune itself is an entry of the chain. A broken chain is not pruned: the
 * evidence would go with it.
 */
export async function pruneAudit(db: Db, before: string, actor: string | null, now = new Date()): Promise<{ removed: number; anchorId: number | null }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(before) || Number.isNaN(Date.parse(`${before}T00:00:00Z`))) {
    throw new AppError('bad_request', `--before must be a date like 2026-05-01, not '${before}'.`);
  }
  const latest = oldestPrunableBefore(now);
  if (before > latest) {
    throw new AppError(
      'bad_request',
      `Audit entries are kept at least six months: --before ${before} would remove younger ones. The latest date you may give today is ${latest}.`,
    );
  }
  const report = await verifyAuditChain(db);
  if (!report.intact) {
    throw new AppError('conflict', `The audit chain is broken at entry ${report.firstBreak?.entryId}; nothing was pruned. Run 'stratum audit verify' and investigate first.`);
  }
  const cutoff = `${before}T00:00:00+08:00`;
  return db.transaction(async (s) => {
    // a prefix of the chain: entries up to the first one that is not older than the date
    const last = (
      await s.query<{ entry_id: number; hash: string; at: Date }>(
        `SELECT entry_id::int AS entry_id, hash, at FROM audit_log
         WHERE entry_id < coalesce((SELECT min(entry_id) FROM audit_log WHERE at >= $1::timestamptz), 9223372036854775807)
         ORDER BY entry_id DESC LIMIT 1`,
        [cutoff],
      )
    ).rows[0];
    if (!last) return { removed: 0, anchorId: null };
    await s.query(`SELECT set_config('stratum.audit_prune', 'on', true)`);
    const removed = await s.query('DELETE FROM audit_log WHERE entry_id <= $1', [last.entry_id]);
    await s.query('DELETE FROM audit_customers WHERE entry_id <= $1', [last.entry_id]);
    await s.query(`SELECT set_config('stratum.audit_prune', 'off', true)`);
    await s.query('UPDATE audit_chain SET anchor_id = $1, anchor_hash = $2, anchor_at = $3 WHERE id = 1', [last.entry_id, last.hash, last.at]);
    await recordAudit(s, { actor, action: 'audit_prune', outcome: 'allowed', detail: { before, removed: removed.rowCount, anchorId: last.entry_id } });
    return { removed: removed.rowCount, anchorId: last.entry_id };
  });
}
