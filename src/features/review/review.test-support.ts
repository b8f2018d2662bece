import { createHash } from 'node:crypto';
import { buildScopedBank, loadScopedBank, MANAGER_B112, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { buildCustomer, validIdNumber } from '../../../test/feed-builder.js';
import type { Db } from '../../platform/db.js';

// The monthly review's tests share the scoped bank (test/bank-fixture.ts, business date 2026-11-20)
// with more customers for the manager of B111, so that a sample of 5 is a choice:
//   S13 (customer manager, B111) primary owner of C1, C2 and C11–C18 at B111 (10), of C19 at B111
//       who has left the bank, and of C20 at B112 (outside the B111 head's subtree);
//   S12 (supervisor, B111) co-owner of C1 and C2, with a pending claim on C11 (3 in all);
//   S20 (customer manager, B112) primary owner of C3; S30 (B211) of C4.
// The tellers co-own C1 and C2 too, and the lobby manager is an owning role: neither is a
// reviewed manager.

export const MANAGER = OUTLET_STAFF.customer_manager; // S13
export const SUPERVISOR = OUTLET_STAFF.cm_supervisor; // S12
export const HEAD = OUTLET_STAFF.branch_head; // S11
export const MORE = ['C11', 'C12', 'C13', 'C14', 'C15', 'C16', 'C17', 'C18'];

export async function loadReviewBank(db: Db): Promise<void> {
  const files = buildScopedBank();
  const extra = [...MORE, 'C19', 'C20'];
  extra.forEach((id, i) =>
    files.customers?.push(
      buildCustomer({ customer_id: id, name: `客户${id}`, branch_id: id === 'C20' ? 'B112' : 'B111', id_number: validIdNumber('19800101', String(200 + i)), phone: `1390000${String(1000 + i)}` }),
    ),
  );
  await loadScopedBank(db, files);
  await db.session(async (s) => {
    await s.query(
      `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) SELECT id, $2, 'primary', 'manual', 'test' FROM unnest($1::text[]) AS id`,
      [extra, MANAGER],
    );
    await s.query(`UPDATE customers SET status = 'left', left_on = '2026-11-20' WHERE customer_id = 'C19'`);
    await s.query(
      `INSERT INTO ownership_claims (customer_id, staff_id, branch_id, manager_facts, customer_facts, note)
       VALUES ('C11', $1, 'B111', ARRAY['knows_occupation'], '{"product_kinds_3":"met"}'::jsonb, 'test')`,
      [SUPERVISOR],
    );
  });
}

export { MANAGER_B112 };

/** The sample the rule gives, computed here by hand: the pool in md5(review id:customer) order, the first n. */
export function expectedSample(reviewId: string, pool: readonly string[], n: number): string[] {
  const key = (c: string) => createHash('md5').update(`${reviewId}:${c}`).digest('hex');
  return [...pool].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a < b ? -1 : 1)).slice(0, n);
}
