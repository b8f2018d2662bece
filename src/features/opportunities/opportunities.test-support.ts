import type { Db } from '../../platform/db.js';

// What the opportunity tests share: opportunities written straight into the tables (as if made
// some days ago) for the rules that depend on dates (stale, the weekly review). The signed-in API
// client is test/bank-fixture.ts's, re-exported for the tests that take it from here.

export { client } from '../../../test/bank-fixture.js';

export interface SeedOpportunity {
  id: string;
  customer?: string;
  prospect?: string;
  owner: string;
  branch: string;
  stage?: string;
  stageSince?: string;
  nextStepOn?: string | null;
  createdOn?: string;
  closedOn?: string | null;
  amount?: string | null;
  target?: [type: string, code: string | null];
  lostReason?: string | null;
}

/** Opportunities straight into the tables, with their first stage row (and the closing one when closed). */
export async function seedOpportunities(db: Db, list: SeedOpportunity[]): Promise<void> {
  await db.session(async (s) => {
    for (const o of list) {
      const stage = o.stage ?? 'identified';
      const closed = stage === 'won' || stage === 'lost';
      const created = o.createdOn ?? '2026-11-01';
      const closedOn = closed ? (o.closedOn ?? o.stageSince ?? '2026-11-20') : null;
      const [type, code] = o.target ?? ['product_kind', 'wealth'];
      await s.query(
        `INSERT INTO opportunities (customer_id, opportunity_id, prospect_id, target_type, target_code, source, stage, stage_since, expected_amount, next_step, next_step_on,
                                    lost_reason, owner_id, branch_id, scope_branch_id, created_by, created_on, created_at, closed_on, closed_at)
         VALUES ($1, $2, $3, $4, $5, 'walk_in', $6, $7::date, $8::numeric, $9, $10::date, $11, $12, $13, $13, $12, $14::date, $14::date + time '10:00', $15::date, $15::date + time '16:00')`,
        [
          o.customer ?? '', o.id, o.prospect ?? null, type, code, stage, o.stageSince ?? created, o.amount ?? null, closed ? null : '电话沟通',
          closed ? null : o.nextStepOn === undefined ? '2026-11-25' : o.nextStepOn, closed ? (o.lostReason ?? (stage === 'lost' ? '客户暂无需求' : null)) : null,
          o.owner, o.branch, created, closedOn,
        ],
      );
      // a customer's opportunity belongs to the customer's branch (a prospect's to the owner's outlet, as above)
      await s.query('UPDATE opportunities o SET scope_branch_id = c.branch_id FROM customers c WHERE c.customer_id = o.customer_id AND o.customer_id = $1 AND o.opportunity_id = $2', [
        o.customer ?? '',
        o.id,
      ]);
      await s.query(
        `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id)
         VALUES ($1, $2, 1, NULL, 'identified', $3, $4::date + time '10:00', $4::date, $5)`,
        [o.customer ?? '', o.id, o.owner, created, o.branch],
      );
      if (stage !== 'identified') {
        const on = closedOn ?? o.stageSince ?? created;
        await s.query(
          `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id)
           VALUES ($1, $2, 2, 'identified', $3, $4, $5::date + time '11:00', $5::date, $6)`,
          [o.customer ?? '', o.id, stage, o.owner, on, o.branch],
        );
      }
    }
  });
}
