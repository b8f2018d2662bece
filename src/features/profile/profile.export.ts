import { recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { PROFILE_FIELDS } from './profile.rules.js';

// `stratum profile export [--date D]` (issue 23 §2): every active customer's completeness as the
// daily batch computed it for D (the last date it ran for; completeness is kept for that date
// only), as CSV: customer_id, completeness (filled ÷ 9, two decimals), missing (the fields'
// names, separated by ';'). Audited like every export.

export const PROFILE_CSV_HEADER = 'customer_id,completeness,missing';

export async function exportProfileCsv(db: Db, o: { date?: string | undefined; by: string | null }): Promise<{ date: string; rows: number; csv: string }> {
  const last = (await db.session((s) => s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM profile_runs'))).rows[0]?.d ?? null;
  if (!last) throw new Error('profile completeness has not been computed yet: run `stratum batch run` first');
  const date = o.date ?? last;
  if (date !== last) throw new Error(`completeness is kept for the last business date the batch ran for, ${last}; --date ${date} cannot be exported (leave --date out, or give ${last})`);
  const r = await db.session((s) =>
    s.query<{ customer_id: string; filled: number; missing: string[] }>('SELECT customer_id, filled, missing FROM customer_completeness ORDER BY customer_id'),
  );
  const lines = r.rows.map((x) => `${x.customer_id},${(x.filled / PROFILE_FIELDS.length).toFixed(2)},${x.missing.join(';')}`);
  await recordAuditDb(db, {
    actor: null,
    action: 'export',
    customerIds: r.rows.map((x) => x.customer_id),
    outcome: 'allowed',
    detail: { what: 'profile_completeness', date, rows: r.rows.length, via: 'cli', by: o.by },
  });
  return { date, rows: r.rows.length, csv: [PROFILE_CSV_HEADER, ...lines].join('\n') + '\n' };
}
