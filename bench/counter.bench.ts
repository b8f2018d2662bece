// npm run bench:counter — the counter's search (issue 22 §3: p95 ≤ 50 ms at 1,000,000 customers) as
// the route computes it (serving/counter.service.ts counterSearch: the index probe of the reading,
// the scope, then band, entitlements, owner, open reminders and opportunities of the hits), against
// its floor in the same run: the bare index probe of the same reading as plain SQL, within the same
// branches (no scope of owners, no details).
//
//   npm run bench:counter -- [--customers 1000000] [--n 100] [--warmup 5]
//
// It reads the database `npm run bench:api -- --keep --customers N` leaves on the PostgreSQL server
// (N customers of one business date): run that first. It migrates it (migration 0034 adds the ID
// number and card number indexes) and brings the customer overview up to date, then only reads.
// The texts searched are taken from random customers of the bank: their phone's last four, their ID
// number's last four, their card number and the first character of their name, searched as the lobby
// manager of the largest outlet (the outlet's customers), as the department (every customer) and as
// the manager owning the most customers (their own).
import './quiet-logs.js';
import { fmt, num, openKept, stats, timed } from './bench-lib.js';
import { ROLE_PERMISSIONS, type Role } from '../src/features/access/access.permissions.js';
import type { SignedInUser } from '../src/features/access/access.service.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';
import { counterSearch } from '../src/features/serving/counter.service.js';
import { migrate } from '../src/platform/migrate.js';

const CUSTOMERS = num('customers', 1_000_000);
const N = num('n', 100);
const WARMUP = num('warmup', 5);
const AIM_MS = 50;

const db = await openKept(CUSTOMERS);
const rows = async <R>(text: string, params: unknown[] = []) => (await db.session((s) => s.query<R>(text, params))).rows;

try {
  await migrate(db);
  const [refreshMs, refreshed] = await timed(() => refreshCustomerOverview(db));
  console.log(`customer overview refreshed in ${fmt(refreshMs / 1000)} s: ${fmt(refreshed)} rows written`);
  const outlet = (await rows<{ branch_id: string }>(`SELECT branch_id FROM customer_overview GROUP BY branch_id ORDER BY count(*) DESC, branch_id LIMIT 1`))[0];
  const mgr = (await rows<{ staff_id: string; branch_id: string }>(
    `SELECT o.staff_id, st.branch_id FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id WHERE o.kind = 'primary' GROUP BY o.staff_id, st.branch_id ORDER BY count(*) DESC, o.staff_id LIMIT 1`,
  ))[0];
  if (!outlet) throw new Error('the bench bank has no customers');
  const user = (role: Role, staffId: string, branchId: string, scope: string[] | null, owner: boolean): SignedInUser => ({
    login: staffId,
    name: staffId,
    role,
    staffId,
    branchId,
    branchName: branchId,
    permissions: ROLE_PERMISSIONS[role],
    scope,
    ownerId: owner ? staffId : null,
    masked: role === 'lobby_manager',
    csrfToken: '',
    tokenHash: '',
  });
  const who: { label: string; user: SignedInUser; branches: string[] | null }[] = [
    { label: `lobby manager of ${outlet.branch_id}`, user: user('lobby_manager', 'bench-lobby', outlet.branch_id, [outlet.branch_id], false), branches: [outlet.branch_id] },
    { label: 'the department', user: user('pb_dept', 'bench-dept', 'B000', null, false), branches: null },
    ...(mgr ? [{ label: `manager ${mgr.staff_id} (own customers)`, user: user('customer_manager', mgr.staff_id, mgr.branch_id, [mgr.branch_id], true), branches: null }] : []),
  ];

  // the texts: from random customers (of the outlet for the lobby manager: a walk-in is usually one of them)
  const sample = async (branches: string[] | null) =>
    rows<{ phone_tail: string | null; id_tail: string | null; card_id: string | null; first: string }>(
      `SELECT o.phone_tail, right(c.id_number, 4) AS id_tail, (SELECT k.card_id FROM cards k WHERE k.customer_id = o.customer_id LIMIT 1) AS card_id, left(o.name, 1) AS first
         FROM customer_overview o JOIN customers c ON c.customer_id = o.customer_id
        WHERE o.status = 'active' AND ($1::text[] IS NULL OR o.branch_id = ANY($1::text[]))
        ORDER BY md5(o.customer_id || $2) LIMIT $3`,
      [branches, String(CUSTOMERS), N + WARMUP],
    );
  // the floor of each reading: its bare index probe, within the same branches
  const FLOOR: Record<string, string> = {
    phone: `SELECT customer_id FROM customer_overview WHERE phone_tail = $1 AND status = 'active' AND ($2::text[] IS NULL OR branch_id = ANY($2::text[])) LIMIT 20`,
    id: `SELECT c.customer_id FROM customers c WHERE right(c.id_number, 4) = $1 AND c.id_number IS NOT NULL AND ($2::text[] IS NULL OR c.branch_id = ANY($2::text[])) LIMIT 20`,
    card: `SELECT k.customer_id FROM cards k JOIN customers c ON c.customer_id = k.customer_id WHERE k.card_id = $1 AND ($2::text[] IS NULL OR c.branch_id = ANY($2::text[])) LIMIT 20`,
    name: `SELECT customer_id FROM customer_overview WHERE (name COLLATE "C") LIKE $1 || '%' AND status = 'active' AND ($2::text[] IS NULL OR branch_id = ANY($2::text[])) ORDER BY (name COLLATE "C"), customer_id LIMIT 20`,
  };

  console.log(`counter search over ${fmt(CUSTOMERS)} customers (aim p95 ≤ ${AIM_MS} ms), n=${N} per reading after ${WARMUP} warm-up`);
  let worst = 0;
  for (const w of who) {
    const texts = await sample(w.branches);
    const readings: [string, string[]][] = [
      ['phone', texts.map((t) => t.phone_tail).filter((v): v is string => !!v)],
      ['id', texts.map((t) => t.id_tail).filter((v): v is string => !!v && /^\d{3}[\dX]$/.test(v))],
      ['card', texts.map((t) => t.card_id).filter((v): v is string => !!v && /^[A-Za-z0-9-]{5,40}$/.test(v))],
      ['name', texts.map((t) => t.first).filter((v) => !/^[A-Za-z0-9-]+$/.test(v))],
    ];
    for (const [reading, qs] of readings) {
      if (!qs.length) {
        console.log(`  ${w.label.padEnd(40)} ${reading.padEnd(6)} (no such values in this bank: not timed)`);
        continue;
      }
      const api: number[] = [];
      const floor: number[] = [];
      let hits = 0;
      for (const [i, q] of qs.entries()) {
        const [ms, r] = await timed(() => counterSearch(db, w.user, q));
        const [fms] = await timed(() => db.session((s) => s.query(FLOOR[reading] ?? '', [q, w.branches])));
        if (i < WARMUP) continue;
        api.push(ms);
        floor.push(fms);
        hits += r.items.length;
      }
      if (!api.length) continue;
      const a = stats(api);
      const f = stats(floor);
      worst = Math.max(worst, a.p95);
      console.log(
        `  ${w.label.padEnd(40)} ${reading.padEnd(6)} n=${a.n} hits/search ${(hits / a.n).toFixed(1).padStart(5)}   search p50 ${a.p50.toFixed(1)} ms p95 ${a.p95.toFixed(1)} ms   plain SQL p95 ${f.p95.toFixed(1)} ms   ${a.p95 <= AIM_MS ? 'PASS' : 'FAIL'}`,
      );
    }
  }
  console.log(`worst p95 ${worst.toFixed(1)} ms: ${worst <= AIM_MS ? 'within' : 'OVER'} the aim of ${AIM_MS} ms`);
} finally {
  await db.close();
}
