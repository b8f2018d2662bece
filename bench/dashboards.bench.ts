// npm run bench:dashboards — the branch and department dashboards at bank scale (issue 20 §2, §5:
// with 1,000,000 customers every dashboard request p95 ≤ 200 ms), and the batch's dashboards step.
//
//   npm run bench:dashboards -- [--engine pg|citus] [--customers 1000000] [--n 100] [--warmup 10]
//                               [--only TEXT[,TEXT…]] [--keep-history]
//
// It reads the database `npm run bench:api -- --keep` leaves (the customers loaded for one business
// date D, owners spread over each outlet's managers), on the same engine: run that first. It migrates
// it, runs the night's steps before the dashboards' once (tiers, owners, events, reminders and plans),
// then writes a month of history before D, set-based, replacing what an earlier run wrote:
//   - P, the last day of the month before D, as a loaded business date: every customer's snapshot of D
//     (3% of them moved across 1,000 AUM one way or the other), and half a percent more customers who
//     were there on P and have left since (status left, no snapshot on D);
//   - the dashboards step for D, timed (and again: a rerun); its figures of D copied, as the step would
//     have counted them, to P and the ten month-ends before (the AUM by band), to every working day
//     after P (plan execution: each plan of D's owners; events: D's risk and opportunity reminders);
//   - opportunities of 5% of the owned customers created after P (a third won, a sixth lost, the rest
//     open at every stage) and referrals of 1% of the customers made after P.
// The requests go through the whole HTTP stack in process (app.inject: session, permission, scope,
// schema, SQL, serialisation), against their floor measured in the same run: the statements each
// request ran, captured from its Db and replayed as plain SQL. Everything written is removed at the
// end (unless --keep-history), so the kept database is left as bench:api made it.
import './quiet-logs.js';
import { flag, fmt, num, opt, stats, timed } from './bench-lib.js';
import type { CompiledQuery, KyselyPlugin } from 'kysely';
import pg from 'pg';
import { buildStratumApp } from '../src/app.js';
import { DAILY_STEPS } from '../src/batch/batch.pipeline.js';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { runDashboards } from '../src/features/dashboards/dashboards.batch.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { ensureMonthPartition } from '../src/platform/partitions.js';
import { citusDatabase } from './citus-db.js';

const engine = opt('engine') ?? 'pg';
if (engine !== 'pg' && engine !== 'citus') throw new Error('--engine is pg or citus');
const CUSTOMERS = num('customers', 1_000_000);
const N = num('n', 100);
const WARMUP = num('warmup', 10);
const ONLY = opt('only');
const KEEP = flag('keep-history');
const AIM_MS = 200;
const PASSWORD = 'Bench-secret-123';
const MARK = 'dbench';
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function openKept(): Promise<Db> {
  const name = `stratum_bench_api_${CUSTOMERS}`;
  const hint = `run \`npm run bench:api -- --keep --customers ${CUSTOMERS}${engine === 'citus' ? ' --engine citus' : ''}\` first`;
  if (engine === 'citus') {
    const cluster = await citusDatabase(name, false);
    const db = await openDb({ databaseUrl: cluster.url });
    const has = await db.session(async (s) => (await s.query(`SELECT 1 FROM pg_tables WHERE tablename = 'customer_overview'`)).rows.length);
    if (!has) {
      await db.close();
      throw new Error(`no kept database ${name} on the cluster: ${hint}`);
    }
    return db;
  }
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  await admin.end();
  if (!exists) throw new Error(`no kept database ${name} on ${SERVER}: ${hint}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return openDb({ databaseUrl: url.toString() });
}

const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
/** The last day of the month before the date's. */
const previousMonthEnd = (d: string) => addDays(`${d.slice(0, 7)}-01`, -1);
/** The last day of the month `k` months before the date's month. */
function monthEndBefore(d: string, k: number): string {
  const [y, m] = d.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - k, 0)).toISOString().slice(0, 10);
}
const weekdaysBetween = (after: string, upTo: string) => {
  const out: string[] = [];
  for (let d = addDays(after, 1); d <= upTo; d = addDays(d, 1)) if (![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay())) out.push(d);
  return out;
};

// ── the history ─────────────────────────────────────────────────────────────────────────────

/** Removes what an earlier run of this bench wrote (the dashboards' tables are emptied: only this bench and the batch fill them here). */
async function removeHistory(db: Db): Promise<void> {
  await db.transaction(async (s) => {
    const dates = (await s.query<{ d: string }>(`SELECT business_date::text AS d FROM business_dates WHERE source = $1`, [MARK])).rows.map((r) => r.d);
    for (const d of dates) await s.query('DELETE FROM balance_snapshots WHERE business_date = $1::date', [d]);
    await s.query(`DELETE FROM balance_snapshots WHERE customer_id LIKE 'DB-%'`);
    await s.query(`DELETE FROM customers WHERE customer_id LIKE 'DB-%'`);
    await s.query('DELETE FROM business_dates WHERE source = $1', [MARK]);
    for (const t of ['branch_band_days', 'customer_standing_changes', 'plan_figures', 'event_figures', 'dashboard_runs']) await s.exec(`DELETE FROM ${t}`);
    await s.query('DELETE FROM opportunity_stages WHERE changed_by = $1', [MARK]);
    await s.query('DELETE FROM opportunities WHERE created_by = $1', [MARK]);
    await s.query('DELETE FROM referrals WHERE note = $1', [MARK]);
  });
}

/** P as a loaded date: D's snapshots (3% moved across 1,000), and the customers who have left since. */
async function writePreviousDate(db: Db, D: string, P: string): Promise<{ left: number }> {
  return db.transaction(async (s) => {
    await s.query(
      `INSERT INTO business_dates (business_date, mode, content_hash, file_rows, seconds, source, loaded_at) VALUES ($1::date, 'full', $2, '{}'::jsonb, 0, $2, now())`,
      [P, MARK],
    );
    await ensureMonthPartition(s, 'balance_snapshots', P);
    await s.query(
      `INSERT INTO balance_snapshots (customer_id, business_date, current_balance, time_deposit, wealth, fund, insurance, loan_balance, loans_outstanding,
                                      deposits, aum, deposit_term_months, product_kinds, loan_count, worst_overdue_days)
       SELECT customer_id, $2::date, current_balance, time_deposit, wealth, fund, insurance, loan_balance, loans_outstanding, deposits,
              CASE WHEN abs(hashtext(customer_id)) % 100 < 3 THEN (CASE WHEN aum >= 1000 THEN 500 ELSE 5000 END) ELSE aum END,
              deposit_term_months, product_kinds, loan_count, worst_overdue_days
         FROM balance_snapshots WHERE business_date = $1::date`,
      [D, P],
    );
    // the customers who left after P: each at an outlet with customers, with 20,000 on P
    const left = Math.max(1, Math.round(CUSTOMERS * 0.005));
    await s.query(
      `INSERT INTO customers (customer_id, name, gender, branch_id, opened_on, do_not_disturb, marketing_consent, status, left_on, first_seen_on, updated_on)
       SELECT 'DB-' || lpad(g::text, 7, '0'), '离行客户' || g, 'M', o.branch_id, '2015-01-01', false, false, 'left', $1::date, $2::date, $1::date
         FROM generate_series(1, $3::int) g
         JOIN (SELECT row_number() OVER (ORDER BY branch_id) - 1 AS k, branch_id FROM (SELECT DISTINCT branch_id FROM customers WHERE status = 'active') b) o
           ON o.k = g % (SELECT count(DISTINCT branch_id) FROM customers WHERE status = 'active')`,
      [D, P, left],
    );
    await s.query(
      `INSERT INTO balance_snapshots (customer_id, business_date, current_balance, time_deposit, wealth, fund, insurance, loan_balance, loans_outstanding,
                                      deposits, aum, deposit_term_months, product_kinds, loan_count, worst_overdue_days)
       SELECT customer_id, $1::date, 20000, 0, 0, 0, 0, 0, 0, 20000, 20000, 0, 1, 0, 0 FROM customers WHERE customer_id LIKE 'DB-%'`,
      [P],
    );
    return { left };
  });
}

/** D's figures, as the step counted them, copied to the dates before: bands to the month-ends, plans and events to the working days after P. */
async function copyFigures(db: Db, D: string, P: string): Promise<{ monthEnds: number; planRows: number; eventRows: number }> {
  return db.transaction(async (s) => {
    const ends = Array.from({ length: 11 }, (_, k) => monthEndBefore(D, k + 1));
    for (const [k, e] of ends.entries()) {
      await s.query(
        `INSERT INTO branch_band_days (business_date, branch_id, band, customers, aum)
         SELECT $2::date, branch_id, band, customers, round(aum * (1 - 0.01 * $3::int), 2) FROM branch_band_days WHERE business_date = $1::date
         ON CONFLICT (business_date, branch_id, band) DO NOTHING`,
        [D, e, k],
      );
      await s.query(`INSERT INTO dashboard_runs (business_date, previous_date, seconds) VALUES ($1::date, NULL, 0) ON CONFLICT DO NOTHING`, [e]);
    }
    const days = weekdaysBetween(P, D).filter((d) => d < D);
    let planRows = 0;
    let eventRows = 0;
    for (const d of days) {
      const plans = await s.query(
        `INSERT INTO plan_figures (staff_id, plan_date, work_date, branch_id, planned, done)
         SELECT staff_id, $2::date - 1, $2::date, branch_id, planned, (planned * (40 + abs(hashtext(staff_id || $2)) % 60) / 100)
           FROM plan_figures WHERE plan_date = $1::date
         ON CONFLICT (staff_id, plan_date) DO NOTHING`,
        [D, d],
      );
      planRows += plans.rowCount;
      const events = await s.query(
        `INSERT INTO event_figures (staff_id, first_date, kind, branch_id, raised, handled, open, expired)
         SELECT staff_id, $2::date, kind, branch_id, raised, raised * 6 / 10, raised - raised * 6 / 10 - raised / 10, raised / 10
           FROM event_figures WHERE first_date = $1::date
         ON CONFLICT (staff_id, first_date, kind) DO NOTHING`,
        [D, d],
      );
      eventRows += events.rowCount;
    }
    return { monthEnds: ends.length, planRows, eventRows };
  });
}

/** Opportunities of 5% of the owned customers, created after P; referrals of 1% of the customers made after P. */
async function writeSelling(db: Db, D: string, P: string): Promise<{ opportunities: number; referrals: number }> {
  return db.transaction(async (s) => {
    const days = `GREATEST(1, $1::date - $2::date)`;
    const opp = await s.query(
      `INSERT INTO opportunities (customer_id, opportunity_id, target_type, target_code, source, stage, stage_since, expected_amount, next_step, next_step_on,
                                  owner_id, branch_id, scope_branch_id, created_by, created_on, created_at, closed_on, closed_at, lost_reason)
       SELECT x.customer_id, '${MARK}-' || x.customer_id, 'product_kind', 'wealth', 'contact', x.stage, x.created_on, (1 + x.h % 100) * 10000,
              CASE WHEN x.stage IN ('won', 'lost') THEN NULL ELSE '电话跟进' END, CASE WHEN x.stage IN ('won', 'lost') THEN NULL ELSE $1::date + 3 END,
              x.staff_id, x.branch_id, x.customer_branch, $3, x.created_on, x.created_on + time '10:00',
              CASE WHEN x.stage IN ('won', 'lost') THEN x.created_on END, CASE WHEN x.stage IN ('won', 'lost') THEN x.created_on + time '16:00' END,
              CASE WHEN x.stage = 'lost' THEN '客户暂无需求' END
         FROM (SELECT o.customer_id, o.staff_id, st.branch_id, c.branch_id AS customer_branch, abs(hashtext(o.customer_id)) AS h,
                      $2::date + 1 + abs(hashtext(o.customer_id)) % ${days} AS created_on,
                      (ARRAY['won', 'won', 'lost', 'identified', 'contacted', 'needs_confirmed'])[1 + abs(hashtext(o.customer_id)) % 6] AS stage
                 FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id JOIN customers c ON c.customer_id = o.customer_id
                WHERE o.kind = 'primary' AND abs(hashtext(o.customer_id || 'o')) % 100 < 5) x
       ON CONFLICT DO NOTHING`,
      [D, P, MARK],
    );
    const ref = await s.query(
      `INSERT INTO referrals (customer_id, referral_id, referrer_id, branch_id, reason, need, status, outcome, created_at, closed_at, note)
       SELECT c.customer_id, '${MARK}-' || c.customer_id, st.staff_id, c.branch_id, '客户咨询理财', 'wealth',
              (ARRAY['open', 'accepted', 'contacted', 'closed', 'closed', 'closed'])[1 + abs(hashtext(c.customer_id)) % 6],
              CASE WHEN abs(hashtext(c.customer_id)) % 6 >= 3 THEN (ARRAY['signed', 'product_sold', 'declined'])[1 + abs(hashtext(c.customer_id)) % 3] END,
              ($2::date + 1 + abs(hashtext(c.customer_id)) % ${days}) + time '10:00',
              CASE WHEN abs(hashtext(c.customer_id)) % 6 >= 3 THEN ($2::date + 1 + abs(hashtext(c.customer_id)) % ${days}) + time '16:00' END, $3
         FROM customers c
         JOIN LATERAL (SELECT staff_id FROM staff WHERE branch_id = c.branch_id AND role = 'lobby_manager' AND active ORDER BY staff_id LIMIT 1) st ON true
        WHERE c.status = 'active' AND abs(hashtext(c.customer_id || 'r')) % 100 < 1`,
      [D, P, MARK],
    );
    return { opportunities: opp.rowCount, referrals: ref.rowCount };
  });
}

// ── measuring ───────────────────────────────────────────────────────────────────────────────

/** Records every statement run through the Db it wraps (Kysely's, compiled by a plugin, and the plain SQL of its sessions). */
function capturing(db: Db): { db: Db; take: () => CompiledQuery[] } {
  let seen: CompiledQuery[] = [];
  const executor = db.kysely.getExecutor();
  const plugin: KyselyPlugin = {
    transformQuery: (a) => {
      seen.push(executor.compileQuery(a.node, a.queryId));
      return a.node;
    },
    transformResult: async (a) => a.result,
  };
  type Session = Parameters<Parameters<Db['session']>[0]>[0];
  const watch = (s: Session): Session =>
    new Proxy(s, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (key === 'query' && typeof v === 'function') {
          return (sql: string, params?: readonly unknown[]) => {
            if (!/^\s*(begin|commit|rollback|set )/i.test(sql)) seen.push({ sql, parameters: params ?? [] } as unknown as CompiledQuery);
            return (v as (a: string, b?: readonly unknown[]) => unknown).call(target, sql, params);
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return {
    db: { ...db, kysely: db.kysely.withPlugin(plugin), session: (fn) => db.session((s) => fn(watch(s))), transaction: (fn) => db.transaction((s) => fn(watch(s))) },
    take: () => {
      const out = seen;
      seen = [];
      return out;
    },
  };
}
/** the tables a request reads to know who is asking: not the page's own work */
const SESSION_TABLES = /"(sessions|user_accounts)"|FROM sessions s/;

const db = await openKept();
try {
  console.log('migrating …');
  await migrate(db);
  const D = (await db.session((s) => s.query<{ d: string }>(`SELECT max(business_date)::text AS d FROM business_dates WHERE source <> $1`, [MARK]))).rows[0]?.d;
  if (!D) throw new Error('the kept database has no business date loaded');
  const P = previousMonthEnd(D);
  await removeHistory(db);

  // the night's steps before the dashboards' (tiers, owners, events, reminders, plans), once
  const made = (await db.session((s) => s.query(`SELECT 1 FROM worklist_runs WHERE business_date = $1::date`, [D]))).rows.length;
  if (!made) {
    for (const step of DAILY_STEPS) {
      if (['suitability', 'opportunities', 'dashboards'].includes(step.name)) continue;
      const t0 = performance.now();
      console.log(`the batch's ${step.name} step for ${D} (once) …`);
      const summary = await step.run(db, D, () => {});
      console.log(`  ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }

  let t = performance.now();
  const prev = await writePreviousDate(db, D, P);
  console.log(`${P} written as the previous month's end: D's snapshots (3% across 1,000) and ${fmt(prev.left)} customers who left since (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  await db.session((s) => s.exec('ANALYZE balance_snapshots; ANALYZE customers'));
  const [stepMs, step] = await timed(() => runDashboards(db, D));
  const [againMs] = await timed(() => runDashboards(db, D));
  console.log(`dashboards step for ${D}: ${(stepMs / 1000).toFixed(2)} s (a rerun ${(againMs / 1000).toFixed(2)} s): ${step.bandRows} band rows, ${fmt(step.standingChanges)} standings changed, ${fmt(step.plans)} plans, ${fmt(step.eventRows)} event rows`);
  t = performance.now();
  const copied = await copyFigures(db, D, P);
  const selling = await writeSelling(db, D, P);
  for (const table of ['branch_band_days', 'customer_standing_changes', 'plan_figures', 'event_figures', 'opportunities', 'referrals']) await db.session((s) => s.exec(`VACUUM (ANALYZE) ${table}`));
  console.log(
    `history: ${copied.monthEnds} month-ends of bands, ${fmt(copied.planRows)} plans and ${fmt(copied.eventRows)} event rows on the working days after ${P}, ${fmt(selling.opportunities)} opportunities, ${fmt(selling.referrals)} referrals (${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );

  // who asks: the department, and the head of the outlet with the most customers
  const who = await db.session(async (s) => {
    const head = (await s.query<{ staff_id: string; branch_id: string; n: number }>(
      `SELECT st.staff_id, st.branch_id, count(*)::int AS n FROM staff st JOIN customers c ON c.branch_id = st.branch_id AND c.status = 'active'
        WHERE st.role = 'branch_head' AND st.active GROUP BY st.staff_id, st.branch_id ORDER BY n DESC, st.staff_id LIMIT 1`,
    )).rows[0];
    const dept = (await s.query<{ staff_id: string }>(`SELECT staff_id FROM staff WHERE role = 'pb_dept' AND active ORDER BY staff_id LIMIT 1`)).rows[0];
    const top = (await s.query<{ branch_id: string; outlets: number }>(
      `WITH RECURSIVE up AS (SELECT branch_id AS outlet, branch_id, parent_id FROM branches WHERE level = 'outlet'
                              UNION ALL SELECT up.outlet, b.branch_id, b.parent_id FROM branches b JOIN up ON b.branch_id = up.parent_id)
       SELECT up.branch_id, count(*)::int AS outlets FROM up JOIN branches b ON b.branch_id = up.branch_id AND b.level = 'branch'
        GROUP BY up.branch_id ORDER BY outlets DESC, up.branch_id LIMIT 1`,
    )).rows[0];
    if (!head || !dept || !top) throw new Error('the bench bank has no branch head, department staff or top-level branch');
    return { head, dept: dept.staff_id, top };
  });
  console.log(`head ${who.head.staff_id} of ${who.head.branch_id} (${fmt(who.head.n)} customers); department ${who.dept}; the largest first-level branch ${who.top.branch_id} (${who.top.outlets} outlets)`);

  const hash = await hashPassword(PASSWORD);
  const logins = { head: who.head.staff_id, dept: who.dept };
  for (const login of Object.values(logins)) await upsertAccount(db, { login, staffId: login, isAdmin: false, displayName: null, passwordHash: hash });
  const cap = capturing(db);
  const app = await buildStratumApp({ db: cap.db, webDir: null, signInRateLimit: 100_000 });
  await app.ready();
  const cookies: Record<string, string> = {};
  for (const [k, login] of Object.entries(logins)) {
    const r = await app.inject({ method: 'POST', url: '/api/session', payload: { login, password: PASSWORD } });
    const c = r.cookies.find((x) => x.name === 'stratum_session');
    if (r.statusCode !== 200 || !c) throw new Error(`sign-in of ${login} failed: ${r.statusCode} ${r.body}`);
    cookies[k] = `stratum_session=${c.value}`;
  }

  const period = `from=${P}&to=${D}`;
  const pages: { name: string; who: keyof typeof logins; url: string }[] = [
    { name: 'head · branch dashboard (the month)', who: 'head', url: '/api/dashboards/branch' },
    { name: 'head · AUM by band, 12 months', who: 'head', url: '/api/dashboards/bands' },
    { name: 'head · branches compared', who: 'head', url: '/api/dashboards/branches' },
    { name: 'head · churned customers (list)', who: 'head', url: `/api/dashboards/items?measure=churn&${period}` },
    { name: 'head · events handled (list)', who: 'head', url: `/api/dashboards/items?measure=events&status=handled&${period}` },
    { name: 'dept · branch dashboard (the bank)', who: 'dept', url: '/api/dashboards/branch' },
    { name: 'dept · branch dashboard (largest branch)', who: 'dept', url: `/api/dashboards/branch?branchId=${who.top.branch_id}` },
    { name: 'dept · AUM by band, 12 months (the bank)', who: 'dept', url: '/api/dashboards/bands' },
    { name: 'dept · branches compared (the bank)', who: 'dept', url: '/api/dashboards/branches' },
    { name: 'dept · branches compared (largest branch)', who: 'dept', url: `/api/dashboards/branches?branchId=${who.top.branch_id}` },
    { name: 'dept · churned customers (list, the bank)', who: 'dept', url: `/api/dashboards/items?measure=churn&${period}` },
    { name: 'dept · opportunities won (list, the bank)', who: 'dept', url: `/api/dashboards/items?measure=opportunities&status=won&${period}` },
    { name: 'dept · referrals (list, the bank)', who: 'dept', url: `/api/dashboards/items?measure=referrals&${period}` },
  ];
  const rows: string[] = [];
  let missed = 0;
  let ran = 0;
  console.log(`\n${pages.length} requests, ${WARMUP} warm-up + ${N} each`);
  for (const p of pages.filter((x) => !ONLY || ONLY.split(',').some((o) => x.name.includes(o)))) {
    ran++;
    const apiMs: number[] = [];
    const floors: CompiledQuery[][] = [];
    let size = '';
    for (let k = 0; k < WARMUP + N; k++) {
      cap.take();
      const [ms, res] = await timed(() => app.inject({ method: 'GET', url: p.url, headers: { cookie: cookies[p.who] ?? '' } }));
      if (res.statusCode !== 200) throw new Error(`${p.name}: GET ${p.url} answered ${res.statusCode} ${res.body.slice(0, 500)}`);
      if (k >= WARMUP) apiMs.push(ms);
      floors.push(cap.take().filter((q) => !SESSION_TABLES.test(q.sql)));
      size = `${fmt(res.body.length / 1024)} kB`;
    }
    const sqlMs: number[] = [];
    for (const [k, qs] of floors.entries()) {
      const [ms] = await timed(async () => {
        for (const q of qs) await db.session((x) => x.query(q.sql, q.parameters));
      });
      if (k >= WARMUP) sqlMs.push(ms);
    }
    const a = stats(apiMs);
    const f = stats(sqlMs);
    const ok = a.p95 <= AIM_MS;
    if (!ok) missed++;
    rows.push(`| ${p.name} | ${a.p50.toFixed(1)} | ${a.p95.toFixed(1)} | ${f.p95.toFixed(1)} | ${floors.at(-1)?.length ?? 0} | ${size} | ${ok ? 'met' : 'missed'} |`);
    console.log(`  ${p.name}: api p95 ${a.p95.toFixed(1)} ms, sql p95 ${f.p95.toFixed(1)} ms (${size})`);
  }
  await app.close();

  console.log(`\nDashboards at ${fmt(CUSTOMERS)} customers (${engine === 'pg' ? 'PostgreSQL server' : 'Citus cluster'}), the period ${P} → ${D}; ms; api = the request via app.inject, sql = its statements replayed one after the other as plain SQL`);
  console.log(`\n| request | api p50 | api p95 | sql p95 | statements | answer | p95 ≤ ${AIM_MS} ms |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log(`\nthe batch's dashboards step for ${D}: ${(stepMs / 1000).toFixed(2)} s (a rerun ${(againMs / 1000).toFixed(2)} s)`);
  console.log(`${missed ? `${missed} of ${ran} requests miss` : `all ${ran} requests meet`} p95 ≤ ${AIM_MS} ms`);
} finally {
  if (!KEEP) await removeHistory(db).catch((e: unknown) => console.error('could not remove the history written:', e));
  await db.close();
}
