import type { Db } from '../../platform/db.js';
import { addDays, daysBetween, presentBrief, staffByIds, staffRefOr, today, workScope, type WorkActor } from './worklist.common.js';
import * as l from './worklist.log.sql.js';

// Products maturing (seed 003): wealth products and time deposits matured in the last N days or
// maturing in the next N (90 by default), of the customers one owns, or for a reviewer of their
// scope (optionally one owner), with the amount, the customer's tiers and whether it was reinvested.

export async function maturingList(
  db: Db,
  a: WorkActor,
  f: { window: 'past' | 'next' | 'both'; days: number; staffId?: string | undefined; page: number; pageSize: number },
) {
  const asOf = await today(db);
  const from = f.window === 'next' ? asOf : addDays(asOf, -f.days);
  const to = f.window === 'past' ? asOf : addDays(asOf, f.days);
  return db.session(async (s) => {
    const scope = await workScope(s, a.user, f.staffId);
    const { rows, total, totalAmount } = await l.maturing(s, scope, from, to, f.page, f.pageSize);
    const staff = await staffByIds(s, rows.flatMap((r) => (r.owner_id ? [r.owner_id] : [])));
    return {
      asOf,
      items: rows.map((r) => {
        const days = daysBetween(asOf, r.matures_on);
        return {
          customer: presentBrief(r, a.user, a.lang),
          accountId: r.account_id,
          kind: r.kind,
          productCode: r.product_code,
          productName: r.product_name,
          amount: r.amount,
          maturesOn: r.matures_on,
          daysFromToday: days,
          // only a product that has matured can have been reinvested
          reinvested: days <= 0 && r.reinvested,
          owner: r.owner_id ? staffRefOr(staff, r.owner_id) : null,
        };
      }),
      total,
      totalAmount,
    };
  });
}
