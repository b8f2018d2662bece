// npm run bench:performance — the month's manager report (管户业绩统计, issue 20 §5: 1,000,000
// customers and 500 managers, ≤ 3 s) through the whole HTTP stack in process (app.inject: session,
// permission, scope, schema, SQL, serialisation), against its floor in the same run: the report's
// own statement for the month replayed as plain SQL (the request runs it twice: the month and the
// month before).
//
//   npm run bench:performance -- [--customers 1000000] [--n 10] [--warmup 2]
//
// It reads the database `npm run bench:api -- --keep` leaves on the PostgreSQL server (1,000,000
// customers of one business date D, owners spread over each outlet's managers): run that first.
// It migrates it, then writes (set-based, replacing an earlier run's) what a month needs:
//   - the previous month's end P = D − 30 days and the one before, P0 = D − 60: every customer's
//     balances on each (D's scaled by a factor from 0.85 to 1.14, 0.80 to 1.09 on P0, by customer),
//     and 1% more customers on both who left by D (churn); so the request's month (P → D) and the
//     month before it (P0 → P) are both whole months;
//   - owners by date: today's owners from P0, the leavers' until D − 10;
//   - AUM band moves on D − 5 and on P − 5 for 5% of the customers each (up and down), contacts and
//     contact-plan items of the month (about 20 a manager a working day), and a VIP signing for 1
//     customer in 50.
// Then it runs what the daily batch precomputes for the report, timed: the owners' figures of P0, P
// and D (staff_figures: each staff member's customers on the date, their AUM, deposits and
// holdings) and the dashboards step of P and D (its standing changes against the date before name
// who left the feed or fell to AUM 0). The report reads B's and A's sums, corrects A's by the customers whose owner or
// presence changed in the period, and reads the month's work through its tables' indexes. Beside
// each request: the same report counted from every owned customer's balances (what it costs
// without the sums: `fromBalances`, timed twice).
import './quiet-logs.js';
import { fmt, num, opt, stats, timed, openKept } from './bench-lib.js';
import { buildStratumApp } from '../src/app.js';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { bandOrder } from '../src/features/managing/performance.service.js';
import { performanceRows, reportSession, type PerformanceQuery } from '../src/features/managing/performance.sql.js';
import { writeStaffFigures } from '../src/features/managing/staff-figures.batch.js';
import { runDashboards } from '../src/features/dashboards/dashboards.batch.js';
import type { Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { ensureMonthPartition } from '../src/platform/partitions.js';

const CUSTOMERS = num('customers', 1_000_000);
const N = num('n', 10);
const WARMUP = num('warmup', 2);
const AIM_MS = 3000;
const PASSWORD = 'Bench-secret-123';


const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The month's data (see the header), replacing an earlier run's. */
async function writeMonth(db: Db, d: string, p: string, p0: string): Promise<Record<string, number>> {
  return db.transaction(async (s) => {
    const n: Record<string, number> = { snapshots: 0, leavers: 0 };
    // P0 and P: D's balances scaled by customer (0.80–1.09 on P0, 0.85–1.14 on P), and the leavers
    for (const [date, base] of [[p0, '0.80'], [p, '0.85']] as const) {
      await ensureMonthPartition(s, 'balance_snapshots', date);
      await s.query('DELETE FROM balance_snapshots WHERE business_date = $1', [date]);
      const factor = `(${base} + (abs(hashtext(customer_id)) % 30) / 100.0)`;
      n.snapshots! += (await s.query(
        `INSERT INTO balance_snapshots (customer_id, business_date, current_balance, time_deposit, wealth, fund, insurance, loan_balance, loans_outstanding, deposits, aum,
                                        deposit_term_months, product_kinds, loan_count, worst_overdue_days)
         SELECT customer_id, $1::date, round(current_balance * ${factor}, 2), round(time_deposit * ${factor}, 2), round(wealth * ${factor}, 2), round(fund * ${factor}, 2),
                round(insurance * ${factor}, 2), loan_balance, loans_outstanding, round(current_balance * ${factor}, 2) + round(time_deposit * ${factor}, 2),
                round(current_balance * ${factor}, 2) + round(time_deposit * ${factor}, 2) + round(wealth * ${factor}, 2) + round(fund * ${factor}, 2) + round(insurance * ${factor}, 2),
                deposit_term_months, product_kinds, loan_count, worst_overdue_days
           FROM balance_snapshots WHERE business_date = $2::date`,
        [date, d],
      )).rowCount;
      // the leavers: 1% more customers on P0 and P, gone by D
      n.leavers = (await s.query(
        `INSERT INTO balance_snapshots (customer_id, business_date, current_balance, time_deposit, wealth, fund, insurance, loan_balance, loans_outstanding, deposits, aum,
                                        deposit_term_months, product_kinds, loan_count, worst_overdue_days)
         SELECT 'GONE' || customer_id, $1::date, aum, 0, 0, 0, 0, 0, 0, aum, aum, 0, 1, 0, 0
           FROM balance_snapshots WHERE business_date = $1::date AND abs(hashtext(customer_id)) % 100 = 7 AND customer_id NOT LIKE 'GONE%'`,
        [date],
      )).rowCount;
    }
    await s.query(
      `INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source) VALUES ($1, 'full', 'bench', '{}'::jsonb, 0, 'bench')
       ON CONFLICT (business_date) DO NOTHING`,
      [p0],
    );
    await s.query(
      `INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source) VALUES ($1, 'full', 'bench', '{}'::jsonb, 0, 'bench')
       ON CONFLICT (business_date) DO NOTHING`,
      [p],
    );
    await s.exec('DELETE FROM owner_history');
    await s.exec('DELETE FROM owner_history_dates');
    n.owners = (await s.query(`INSERT INTO owner_history (customer_id, staff_id, kind, from_date) SELECT customer_id, staff_id, kind, $1::date FROM customer_owners`, [p0])).rowCount;
    await s.query(
      `INSERT INTO owner_history (customer_id, staff_id, kind, from_date, to_date)
       SELECT 'GONE' || o.customer_id, o.staff_id, 'primary', $1::date, $2::date
         FROM customer_owners o WHERE o.kind = 'primary' AND abs(hashtext(o.customer_id)) % 100 = 7`,
      [p0, addDays(d, -10)],
    );
    await s.query(`INSERT INTO owner_history_dates (business_date, opened, closed) VALUES ($1, 0, 0), ($2, 0, 0), ($3, 0, 0)`, [p0, p, d]);
    // band moves on D − 5 for 5% of the customers, and on P − 5 for another 5%
    n.moves = 0;
    for (const [moved, since, k] of [[addDays(d, -5), p, 3], [addDays(p, -5), p0, 4]] as const) {
      await s.query(`DELETE FROM tier_history WHERE model = 'aum_band' AND business_date = $1`, [moved]);
      n.moves += (await s.query(
        `INSERT INTO tier_history (customer_id, model, business_date, from_tier, from_since, from_version, to_tier, policy_version)
         SELECT customer_id, 'aum_band', $1::date,
                CASE WHEN abs(hashtext(customer_id)) % 2 = 0 THEN 'band_1' ELSE 'band_3' END, $2::date, 1, 'band_2', 1
           FROM customer_owners WHERE kind = 'primary' AND abs(hashtext(customer_id)) % 20 = $3`,
        [moved, since, k],
      )).rowCount;
    }
    // each month's work of each owner: contacts and plan items on its days (P0 → P and P → D)
    await s.exec(`DELETE FROM contact_log WHERE contact_id LIKE 'bench-%'`);
    await s.query(`DELETE FROM contact_plan_items WHERE plan_date > $1::date AND plan_date <= $2::date`, [p0, d]);
    n.contacts = 0;
    n.planItems = 0;
    for (const [start, tag] of [[p0, 'bench-0-'], [p, 'bench-1-']] as const) {
      n.contacts += (await s.query(
        `INSERT INTO contact_log (customer_id, contact_id, staff_id, contacted_at, channel, outcome)
         SELECT customer_id, $2 || customer_id, staff_id, ($1::date + 1 + abs(hashtext(customer_id)) % 30) + time '10:00', 'phone', 'reached'
           FROM customer_owners WHERE kind = 'primary' AND abs(hashtext(customer_id)) % 10 = 1`,
        [start, tag],
      )).rowCount;
      n.planItems += (await s.query(
        `INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, status)
         SELECT customer_id, staff_id, $1::date + 1 + abs(hashtext(customer_id)) % 30, 1, 'due_contact', '{}'::jsonb,
                CASE WHEN abs(hashtext(customer_id)) % 3 = 0 THEN 'contacted' ELSE 'planned' END
           FROM customer_owners WHERE kind = 'primary' AND abs(hashtext(customer_id)) % 10 = 2
         ON CONFLICT DO NOTHING`,
        [start],
      )).rowCount;
    }
    await s.exec(`DELETE FROM vip_signings WHERE requested_by = 'bench'`);
    n.signings = (await s.query(
      `INSERT INTO vip_signings (customer_id, grade, branch_id, requested_by, requested_at, business_date, qualified, status, agreement_no)
       SELECT o.customer_id, 'gold', c.branch_id, 'bench', ($1::date + 3) + time '10:00', $1::date + 3, ARRAY['gold'], 'signed', 'BENCH' || o.customer_id
         FROM customer_owners o JOIN customers c ON c.customer_id = o.customer_id WHERE o.kind = 'primary' AND abs(hashtext(o.customer_id)) % 50 = 4`,
      [p],
    )).rowCount;
    return n;
  });
}


const db = await openKept(CUSTOMERS);
try {
  console.log('migrating …');
  await migrate(db);
  const d = (await db.session((s) => s.query<{ d: string }>(`SELECT max(business_date)::text AS d FROM business_dates WHERE source <> 'bench'`))).rows[0]?.d;
  if (!d) throw new Error('the kept database has no business date loaded');
  const p = addDays(d, -30);
  const p0 = addDays(d, -60);
  let t = performance.now();
  const written = await writeMonth(db, d, p, p0);
  for (const table of ['balance_snapshots', 'owner_history', 'tier_history', 'contact_log', 'contact_plan_items', 'vip_signings']) await db.session((s) => s.exec(`VACUUM (ANALYZE) ${table}`));
  console.log(`months ${p0} → ${p} → ${d} written in ${((performance.now() - t) / 1000).toFixed(1)} s: ${Object.entries(written).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);

  t = performance.now();
  const sumsP0 = await writeStaffFigures(db, p0);
  const sumsP = await writeStaffFigures(db, p);
  await runDashboards(db, p);
  const dash = await runDashboards(db, d);
  const sumsD = await writeStaffFigures(db, d);
  console.log(
    `the batch's sums for the report in ${((performance.now() - t) / 1000).toFixed(1)} s: staff figures of ${p0} ${sumsP0.seconds.toFixed(1)} s, of ${p} ${sumsP.seconds.toFixed(1)} s (${fmt(sumsP.staff)} staff), ` +
      `of ${d} ${sumsD.seconds.toFixed(1)} s; dashboards of ${d} ${dash.seconds.toFixed(1)} s (${fmt(dash.standingChanges)} standings changed since ${dash.previousDate})`,
  );

  const who = await db.session(async (s) => {
    const staff = (await s.query<{ n: number; managers: number }>(
      `SELECT count(DISTINCT staff_id)::int AS n, count(DISTINCT staff_id) FILTER (WHERE kind = 'primary')::int AS managers FROM customer_owners`,
    )).rows[0];
    const head = (await s.query<{ staff_id: string; branch_id: string }>(
      `SELECT st.staff_id, st.branch_id FROM staff st JOIN branches b ON b.branch_id = st.branch_id
        WHERE st.role = 'branch_head' AND st.active ORDER BY (b.level = 'outlet'), st.staff_id LIMIT 1`,
    )).rows[0];
    const dept = (await s.query<{ staff_id: string }>(`SELECT staff_id FROM staff WHERE role = 'pb_dept' AND active ORDER BY staff_id LIMIT 1`)).rows[0];
    const mgr = (await s.query<{ staff_id: string }>(`SELECT staff_id FROM customer_owners WHERE kind = 'primary' GROUP BY staff_id ORDER BY count(*) DESC, staff_id LIMIT 1`)).rows[0];
    if (!head || !dept || !mgr || !staff) throw new Error('the bench bank lacks a branch head, a department member or a manager');
    return { staff, head, dept: dept.staff_id, manager: mgr.staff_id };
  });
  console.log(`${fmt(who.staff.n)} staff own customers, ${fmt(who.staff.managers)} as primary owners; head ${who.head.staff_id} of ${who.head.branch_id}; department ${who.dept}`);

  const hash = await hashPassword(PASSWORD);
  const logins = { dept: who.dept, head: who.head.staff_id, manager: who.manager };
  for (const login of Object.values(logins)) await upsertAccount(db, { login, staffId: login, isAdmin: false, displayName: null, passwordHash: hash });
  const app = await buildStratumApp({ db, webDir: null, signInRateLimit: 100_000 });
  await app.ready();
  const cookies: Record<string, string> = {};
  for (const [k, login] of Object.entries(logins)) {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login, password: PASSWORD } });
    const c = r.cookies.find((x) => x.name === 'stratum_session');
    if (r.statusCode !== 200 || !c) throw new Error(`sign-in of ${login} failed: ${r.statusCode} ${r.body}`);
    cookies[k] = `stratum_session=${c.value}`;
  }
  const month = d.slice(0, 7);
  const order = await bandOrder(db);
  const cases: { name: string; who: keyof typeof logins; url: string; q: PerformanceQuery }[] = [
    {
      name: 'dept · the bank’s month (with the month before)',
      who: 'dept',
      url: `/api/performance/managers?month=${month}`,
      q: { from: p, to: d, branches: null, staffId: null, bandOrder: order },
    },
    {
      name: 'dept · the bank, two dates',
      who: 'dept',
      url: `/api/performance/managers?period=range&from=${p}&to=${d}`,
      q: { from: p, to: d, branches: null, staffId: null, bandOrder: order },
    },
    {
      name: `head · ${who.head.branch_id}’s month`,
      who: 'head',
      url: `/api/performance/managers?month=${month}`,
      q: { from: p, to: d, branches: [who.head.branch_id], staffId: null, bandOrder: order },
    },
    {
      name: 'manager · own line',
      who: 'manager',
      url: `/api/performance/managers?month=${month}`,
      q: { from: p, to: d, branches: null, staffId: who.manager, bandOrder: order },
    },
  ];
  console.log(`\n| request | api p50 ms | api p95 ms | floor p95 ms | api ÷ floor | from balances ms | lines | aim |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
  for (const c of cases) {
    const api: number[] = [];
    const floor: number[] = [];
    let lines = 0;
    for (let k = 0; k < WARMUP + N; k++) {
      let body = '';
      const [ms] = await timed(async () => {
        const r = await app.inject({ method: 'GET', url: c.url, headers: { cookie: cookies[c.who] ?? '' } });
        if (r.statusCode !== 200) throw new Error(`${c.name}: ${r.statusCode} ${r.body.slice(0, 300)}`);
        body = r.body;
      });
      const [f] = await timed(() => reportSession(db, (s) => performanceRows(s, c.q)));
      if (k >= WARMUP) {
        api.push(ms);
        floor.push(f);
      }
      lines = (JSON.parse(body) as { data: { staff: unknown[] } }).data.staff.length;
    }
    const a = stats(api);
    const f = stats(floor);
    // the same statement for one period counted from every owned customer's balances (no sums), twice
    const balances: number[] = [];
    for (let k = 0; k < 2; k++) balances.push((await timed(() => reportSession(db, (s) => performanceRows(s, { ...c.q, fromBalances: true }))))[0]);
    console.log(`| ${c.name} | ${a.p50.toFixed(0)} | ${a.p95.toFixed(0)} | ${f.p95.toFixed(0)} | ${(a.p95 / f.p95).toFixed(2)}× | ${Math.min(...balances).toFixed(0)} | ${fmt(lines)} | ${a.p95 <= AIM_MS ? 'met' : 'missed'} (≤ ${AIM_MS} ms) |`);
  }
  await app.close();
} finally {
  await db.close();
}
