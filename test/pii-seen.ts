import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../src/platform/db.js';

// The ID numbers and phones a test run produced, for the check that none reached a log
// (scripts/log-leaks.mjs). Noted only when `npm test` sets STRATUM_PII_SEEN_DIR.

export function notePii(values: Iterable<string | null | undefined>): void {
  const dir = process.env.STRATUM_PII_SEEN_DIR;
  if (!dir) return;
  const list = [...values].filter((v): v is string => typeof v === 'string' && v.length >= 11);
  if (!list.length) return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(path.join(dir, `${process.pid}.txt`), `${list.join('\n')}\n`);
}

/** Notes every ID number and phone of a test database's customers and prospects (factories and demo banks alike) before it closes. */
export async function notePiiOf(db: Db): Promise<void> {
  if (!process.env.STRATUM_PII_SEEN_DIR) return;
  try {
    const r = await db.session((s) => s.query<{ v: string }>('SELECT id_number AS v FROM customers WHERE id_number IS NOT NULL UNION SELECT phone FROM customers WHERE phone IS NOT NULL'));
    notePii(r.rows.map((x) => x.v));
  } catch {
    // no customers table (a migration test, a reset database): nothing to note
  }
  try {
    // prospects (issue 19) are personal data too: their phones and ID numbers typed in by staff
    const r = await db.session((s) => s.query<{ v: string }>('SELECT id_number AS v FROM prospects WHERE id_number IS NOT NULL UNION SELECT phone FROM prospects WHERE phone IS NOT NULL'));
    notePii(r.rows.map((x) => x.v));
  } catch {
    // a database of a release before prospects
  }
}
