import type { Db } from '../../platform/db.js';

// `stratum households export [--date D]` (issue 23 §1): every household member of a business date
// as CSV rows, by household then the head first, then by customer.

export const HOUSEHOLDS_CSV_COLUMNS = ['household_id', 'customer_id', 'relation_to_head', 'household_aum', 'household_band'] as const;
export type HouseholdCsvRow = Record<(typeof HOUSEHOLDS_CSV_COLUMNS)[number], string>;

/** The last business date households were computed for (null: never). */
export async function lastHouseholdDate(db: Db): Promise<string | null> {
  const r = await db.session((s) => s.query<{ d: string | null }>('SELECT max(business_date)::text AS d FROM customer_households'));
  return r.rows[0]?.d ?? null;
}

/** The households of a business date (the last computed when null), with the date used. */
export async function exportHouseholds(db: Db, date: string | null): Promise<{ date: string | null; rows: HouseholdCsvRow[] }> {
  const d = date ?? (await lastHouseholdDate(db));
  if (!d) return { date: null, rows: [] };
  const r = await db.session((s) =>
    s.query<HouseholdCsvRow>(
      `SELECT household_id, customer_id, relation_to_head, household_aum::text AS household_aum, household_band
         FROM customer_households
        WHERE business_date = $1::date
        ORDER BY household_id COLLATE "C", (customer_id = head_customer_id) DESC, customer_id COLLATE "C"`,
      [d],
    ),
  );
  return { date: d, rows: r.rows };
}
