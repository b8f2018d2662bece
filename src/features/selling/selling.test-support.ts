import { buildScopedBank } from '../../../test/bank-fixture.js';
import { buildProducts, type FeedFiles } from '../../../test/feed-builder.js';
import type { Db } from '../../platform/db.js';

// The scoped bank of test/bank-fixture.ts with what signing and suitability tests need beside it:
// a branch head of the other branch (B200), a second department member, and products of every risk.

export const BRANCH_HEAD_B200 = 'S40';
export const PB_DEPT_2 = 'S02';

export function buildSellingBank(): FeedFiles {
  const files = buildScopedBank();
  files.staff?.push(
    { staff_id: BRANCH_HEAD_B200, name: '冯分行', branch_id: 'B200', role: 'branch_head', active: 'true' },
    { staff_id: PB_DEPT_2, name: '陈个金', branch_id: 'B000', role: 'pb_dept', active: 'true' },
  );
  files.products = [
    ...buildProducts(),
    { product_code: 'FD3', name: '平衡基金3号', kind: 'fund', risk_level: 'R3', min_amount: '1000' },
    { product_code: 'FD4', name: '成长基金4号', kind: 'fund', risk_level: 'R4', min_amount: '1000' },
    { product_code: 'WM5', name: '进取理财5号', kind: 'wealth', risk_level: 'R5', min_amount: '1000000' },
  ];
  return files;
}

/** Sets a customer's month-to-date average AUM in their latest facts (as if the batch had computed it). */
export async function setAumAvgMtd(db: Db, customerId: string, yuan: string): Promise<void> {
  await db.session((s) =>
    s.query(
      `UPDATE customer_facts SET aum_avg_mtd = $2::numeric
        WHERE customer_id = $1 AND business_date = (SELECT max(business_date) FROM customer_facts WHERE customer_id = $1)`,
      [customerId, yuan],
    ),
  );
}

/** Sets a customer's risk assessment and birth date as the feed would deliver them. */
export async function setCustomer(db: Db, customerId: string, v: { riskLevel?: string | null; assessedOn?: string | null; birthDate?: string | null }): Promise<void> {
  await db.session(async (s) => {
    if (v.riskLevel !== undefined) await s.query('UPDATE customers SET risk_level = $2 WHERE customer_id = $1', [customerId, v.riskLevel]);
    if (v.assessedOn !== undefined) await s.query('UPDATE customers SET risk_assessed_on = $2::date WHERE customer_id = $1', [customerId, v.assessedOn]);
    if (v.birthDate !== undefined) await s.query('UPDATE customers SET birth_date = $2::date WHERE customer_id = $1', [customerId, v.birthDate]);
  });
}
