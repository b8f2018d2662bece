// npm run bench:groups — a customer group's count (客户分组, issue 21 §1: 1,000,000 customers, count
// ≤ 1 s) as the route computes it (outreach/groups.service.ts countFilter: the count over the
// customer overview within the reader's scope, and the preview of the first 20 by AUM), against its
// floor in the same run: the same question as one plain SQL count written by hand.
//
//   npm run bench:groups -- [--customers 1000000] [--n 10] [--warmup 2]
//
// It reads the database `npm run bench:api -- --keep` leaves on the PostgreSQL server (1,000,000
// customers of one business date): run that first. It migrates it and brings the customer overview
// up to date (its refresh writes only the rows that changed: the first time, the product kinds held
// of every customer), then only reads. That bank has no tiers or reminders: those criteria are
// timed over empty tables and say so.
import './quiet-logs.js';
import { fmt, num, stats, timed, openKept } from './bench-lib.js';
import type { SignedInUser } from '../src/features/access/access.service.js';
import { ROLE_PERMISSIONS, type Role } from '../src/features/access/access.permissions.js';
import type { GroupFilter } from '../src/features/outreach/groups.contract.js';
import { countFilter } from '../src/features/outreach/groups.service.js';
import { refreshCustomerOverview } from '../src/features/customers/customers.overview.js';

import { migrate } from '../src/platform/migrate.js';

const CUSTOMERS = num('customers', 1_000_000);
const N = num('n', 10);
const WARMUP = num('warmup', 2);
const AIM_MS = 1000;


const db = await openKept(CUSTOMERS);
const one = async <R>(text: string, params: unknown[] = []) => (await db.session((s) => s.query<R>(text, params))).rows[0];

try {
  await migrate(db);
  const [refreshMs, refreshed] = await timed(() => refreshCustomerOverview(db));
  console.log(`customer overview refreshed in ${fmt(refreshMs / 1000)} s: ${fmt(refreshed)} rows written`);
  const head = await one<{ staff_id: string; branch_id: string }>(
    `SELECT st.staff_id, st.branch_id FROM staff st JOIN branches b ON b.branch_id = st.branch_id
      WHERE st.role = 'branch_head' AND st.active ORDER BY (b.level = 'outlet'), st.staff_id LIMIT 1`,
  );
  const mgr = await one<{ staff_id: string; branch_id: string }>(
    `SELECT o.staff_id, st.branch_id FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id WHERE o.kind = 'primary' GROUP BY o.staff_id, st.branch_id ORDER BY count(*) DESC, o.staff_id LIMIT 1`,
  );
  if (!head || !mgr) throw new Error('the bench bank lacks a branch head or a manager');
  const subtree = (
    await db.session((s) =>
      s.query<{ branch_id: string }>(
        `WITH RECURSIVE tree AS (SELECT branch_id FROM branches WHERE branch_id = $1 UNION SELECT b.branch_id FROM branches b JOIN tree t ON b.parent_id = t.branch_id) SELECT branch_id FROM tree`,
        [head.branch_id],
      ),
    )
  ).rows.map((r) => r.branch_id);
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
    masked: false,
    csrfToken: '',
    tokenHash: '',
  });
  const dept = user('pb_dept', 'bench-dept', 'B000', null, false);
  const headUser = user('branch_head', head.staff_id, head.branch_id, subtree, false);
  const manager = user('customer_manager', mgr.staff_id, mgr.branch_id, [mgr.branch_id], true);

  // the floor asks the balances themselves
  const TD = `EXISTS (SELECT 1 FROM balance_snapshots b WHERE b.customer_id = o.customer_id AND b.business_date = o.aum_date AND b.time_deposit > 0)`;
  const cases: { label: string; who: SignedInUser; filter: GroupFilter; floor: [string, unknown[]] }[] = [
    { label: 'the bank, no criterion', who: dept, filter: {}, floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active'`, []] },
    { label: 'the bank, AUM ≥ 500,000', who: dept, filter: { aumMin: 500000 }, floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active' AND o.aum >= 500000`, []] },
    {
      label: 'the bank, time deposit and AUM ≥ 100,000',
      who: dept,
      filter: { products: ['time_deposit'], aumMin: 100000 },
      floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active' AND o.aum >= 100000 AND ${TD}`, []],
    },
    {
      label: 'the bank, band_4/band_5 (no tiers in this bank)',
      who: dept,
      filter: { aumBands: ['band_4', 'band_5'] },
      floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active' AND EXISTS (SELECT 1 FROM customer_tiers t WHERE t.customer_id = o.customer_id AND t.model = 'aum_band' AND t.tier IN ('band_4', 'band_5'))`, []],
    },
    {
      label: `a branch head's subtree (${subtree.length} branches), time deposit`,
      who: headUser,
      filter: { products: ['time_deposit'] },
      floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active' AND o.branch_id = ANY($1::text[]) AND ${TD}`, [subtree]],
    },
    {
      label: "the busiest manager's customers, AUM ≥ 200,000",
      who: manager,
      filter: { aumMin: 200000 },
      floor: [`SELECT count(*) FROM customer_overview o WHERE o.status = 'active' AND o.aum >= 200000 AND o.customer_id IN (SELECT customer_id FROM customer_owners WHERE staff_id = $1)`, [mgr.staff_id]],
    },
  ];

  console.log(`groups: count and preview of a filter over ${fmt(CUSTOMERS)} customers (aim ≤ ${AIM_MS} ms), n=${N} after ${WARMUP} warm-up`);
  let worst = 0;
  for (const c of cases) {
    const route: number[] = [];
    const floor: number[] = [];
    let counted = 0;
    let plain = 0;
    for (let i = 0; i < WARMUP + N; i++) {
      const [ms, r] = await timed(() => countFilter(db, c.who, c.filter));
      const [fms, f] = await timed(() => one<{ count: string }>(c.floor[0], c.floor[1]));
      if (i >= WARMUP) {
        route.push(ms);
        floor.push(fms);
      }
      counted = r.count;
      plain = Number(f?.count ?? 0);
    }
    if (counted !== plain) throw new Error(`${c.label}: the route counted ${counted}, the plain SQL ${plain}`);
    const s = stats(route);
    const f = stats(floor);
    worst = Math.max(worst, s.p95);
    console.log(`  ${c.label.padEnd(52)} ${fmt(counted).padStart(9)} customers   count+preview p50 ${fmt(s.p50)} ms p95 ${fmt(s.p95)} ms   plain count p95 ${fmt(f.p95)} ms`);
  }
  console.log(`worst p95 ${fmt(worst)} ms: ${worst <= AIM_MS ? 'within' : 'OVER'} the aim of ${AIM_MS} ms`);
  if (worst > AIM_MS) process.exitCode = 1;
} finally {
  await db.close();
}
