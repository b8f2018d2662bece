import { recordAudit } from '../../platform/audit.js';
import type { SqlSession } from '../../platform/db.js';
import { createWorkTable } from '../../platform/work-tables.js';

// owners.csv (docs/feed-format.md): the assignments a bank brings from its old system, applied
// on load, set-based, from the day's staging table stg_owners (checked: known customers, active
// staff, one primary per customer). The file is complete whenever present and is compared, per
// customer, with the last owners.csv (feed_owners):
// - a customer the file names as the last file did keeps whatever Stratum made of its owners
//   since (an assignment, a recall, an accepted proposal, a claim): the bank's old system has not
//   changed its mind, Stratum's decision stands;
// - a customer the file names differently (or names for the first time) gets exactly the file's
//   owners: primary and co-owners, source 'feed', reason 'feed';
// - a customer the last file named and this one does not: the owners the feed made and that
//   still stand end (the customer goes back to the unassigned pool, and to the nightly
//   proposals, unless Stratum gave it other owners meanwhile, who stay).
// Every customer whose owners change is audited (assign, reassign or recall, by 'system', reason
// 'feed'), in entries of at most AUDIT_CHUNK customers, in the load's transaction.

const AUDIT_CHUNK = 1000;
export const FEED_REASON = 'feed';

export interface FeedOwnersResult {
  /** customers whose owners the file set */
  assigned: number;
  /** customers whose feed-made owners ended because the file no longer names them */
  ended: number;
}

const owners = (table: string, where = '') =>
  `SELECT customer_id, staff_id, kind FROM ${table}${where ? ` WHERE ${where}` : ''}`;

export async function applyFeedOwners(s: SqlSession, businessDate: string, fileName: string): Promise<FeedOwnersResult> {
  // the customers on which this file and the last one disagree; named: this file names them
  await createWorkTable(s, 'owners_changed', { as: `
    SELECT d.customer_id, bool_or(n.customer_id IS NOT NULL) AS named FROM (
      (${owners('stg_owners')} EXCEPT ${owners('feed_owners')})
      UNION
      (${owners('feed_owners')} EXCEPT ${owners('stg_owners')})
    ) d(customer_id, staff_id, kind)
    LEFT JOIN (SELECT DISTINCT customer_id FROM stg_owners) n ON n.customer_id = d.customer_id
    GROUP BY d.customer_id` });
  await createWorkTable(s, 'owners_before', {
    as: `SELECT o.customer_id, o.staff_id, o.kind FROM customer_owners o JOIN owners_changed c ON c.customer_id = o.customer_id`,
  });

  // named differently: the file's owners, and only those
  await s.exec(`DELETE FROM customer_owners o USING owners_changed c
     WHERE c.customer_id = o.customer_id AND c.named
       AND NOT EXISTS (SELECT 1 FROM stg_owners n WHERE n.customer_id = o.customer_id AND n.staff_id = o.staff_id AND n.kind = o.kind)`);
  await s.query(
    `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, reason)
     SELECT n.customer_id, n.staff_id, n.kind, 'feed', 'system', $1 FROM stg_owners n JOIN owners_changed c ON c.customer_id = n.customer_id
      WHERE NOT EXISTS (SELECT 1 FROM customer_owners o WHERE o.customer_id = n.customer_id AND o.staff_id = n.staff_id)
      ORDER BY n.customer_id, n.kind DESC`,
    [FEED_REASON],
  );
  // no longer named: the feed's own assignments end, Stratum's stand
  await s.exec(`DELETE FROM customer_owners o USING owners_changed c
     WHERE c.customer_id = o.customer_id AND NOT c.named AND o.source = 'feed'`);

  // what changed, customer by customer, for the audit trail
  const entries = await s.query<{ action: 'assign' | 'reassign' | 'recall'; customer_ids: string[]; owners: Record<string, string | null>; co_owners: Record<string, string[]> | null; previous: Record<string, string> | null }>(
    `WITH agg AS (
       SELECT c.customer_id,
              (SELECT b.staff_id FROM owners_before b WHERE b.customer_id = c.customer_id AND b.kind = 'primary') AS before_primary,
              (SELECT array_agg(b.staff_id || ':' || b.kind ORDER BY b.staff_id) FROM owners_before b WHERE b.customer_id = c.customer_id) AS before_all,
              (SELECT o.staff_id FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.kind = 'primary') AS after_primary,
              (SELECT array_agg(o.staff_id ORDER BY o.staff_id) FROM customer_owners o WHERE o.customer_id = c.customer_id AND o.kind = 'co') AS after_co,
              (SELECT array_agg(o.staff_id || ':' || o.kind ORDER BY o.staff_id) FROM customer_owners o WHERE o.customer_id = c.customer_id) AS after_all
         FROM owners_changed c),
     moved AS (
       SELECT *, CASE WHEN after_primary IS NULL AND before_primary IS NOT NULL THEN 'recall'
                      WHEN before_primary IS NULL THEN 'assign' ELSE 'reassign' END AS action
         FROM agg WHERE before_all IS DISTINCT FROM after_all),
     numbered AS (SELECT *, (row_number() OVER (PARTITION BY action ORDER BY customer_id) - 1) / ${AUDIT_CHUNK} AS chunk FROM moved)
     SELECT action, array_agg(customer_id ORDER BY customer_id) AS customer_ids,
            jsonb_object_agg(customer_id, after_primary) AS owners,
            jsonb_object_agg(customer_id, to_jsonb(after_co)) FILTER (WHERE after_co IS NOT NULL) AS co_owners,
            jsonb_object_agg(customer_id, before_primary) FILTER (WHERE before_primary IS NOT NULL) AS previous
       FROM numbered GROUP BY action, chunk ORDER BY action, chunk`,
  );
  let assigned = 0;
  let ended = 0;
  for (const e of entries.rows) {
    if (e.action === 'recall') ended += e.customer_ids.length;
    else assigned += e.customer_ids.length;
    await recordAudit(s, {
      actor: 'system',
      action: e.action,
      customerIds: e.customer_ids,
      outcome: 'allowed',
      reason: FEED_REASON,
      detail: {
        file: fileName,
        businessDate,
        owners: e.owners,
        ...(e.co_owners ? { coOwners: e.co_owners } : {}),
        ...(e.previous ? { previous: e.previous } : {}),
      },
    });
  }
  // the branch head's open proposals for these customers give way to the bank's decision
  await s.exec(`UPDATE ownership_proposals p SET status = 'superseded', decided_by = 'system', decided_at = now()
     FROM owners_changed c WHERE p.customer_id = c.customer_id AND p.status = 'open' AND c.named`);

  // this file becomes the last one; a row keeps the date of the first file that said it
  await s.exec(`DELETE FROM feed_owners f
     WHERE NOT EXISTS (SELECT 1 FROM stg_owners n WHERE n.customer_id = f.customer_id AND n.staff_id = f.staff_id AND n.kind = f.kind)`);
  await s.query(
    `INSERT INTO feed_owners (customer_id, staff_id, kind, business_date)
     SELECT n.customer_id, n.staff_id, n.kind, $1::date FROM stg_owners n
      WHERE NOT EXISTS (SELECT 1 FROM feed_owners f WHERE f.customer_id = n.customer_id AND f.staff_id = n.staff_id)
      ORDER BY n.customer_id, n.staff_id`,
    [businessDate],
  );
  return { assigned, ended };
}
