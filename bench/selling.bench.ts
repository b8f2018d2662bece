// npm run bench:selling — the selling pages and the batch's selling steps at bank scale (issue 19:
// with 1,000,000 customers and 200,000 open opportunities, the board, the table and the weekly
// review p95 ≤ 100 ms; the batch's additions — stale detection, prospect matching, reminders —
// ≤ 10 s).
//
//   npm run bench:selling -- [--engine pg|citus] [--customers 1000000] [--opportunities 200000]
//                            [--prospects 20000] [--n 100] [--warmup 10] [--only TEXT[,TEXT…]]
//
// It reads the database `npm run bench:api -- --keep` leaves (1,000,000 customers loaded, owners
// spread over each outlet's managers), on the same engine: run that first. It migrates it, then
// writes the opportunities (open ones at every stage, with next steps due, past and ahead, some
// stale; and a week of won and lost ones, with their stage changes) and prospects (a few of whom
// appear among the customers), set-based, replacing what an earlier run of this bench wrote.
//
// The pages go through the whole HTTP stack in process (app.inject: session, permission, scope,
// schema, SQL, serialisation), against their floor measured in the same run: the very statements
// each request ran, captured from its Db and replayed as plain SQL. The batch's steps are timed
// against a plain SQL floor too: one scan of the open opportunities and one of the prospects.
import './quiet-logs.js';
import { fmt, num, opt, stats, timed } from './bench-lib.js';
import type { CompiledQuery, KyselyPlugin } from 'kysely';
import pg from 'pg';
import { buildStratumApp } from '../src/app.js';
import { DAILY_STEPS } from '../src/batch/batch.pipeline.js';
import { hashPassword } from '../src/features/access/access.password.js';
import { upsertAccount } from '../src/features/access/access.sql.js';
import { runOpportunities } from '../src/features/opportunities/opportunities.batch.js';
import { runReassessReminders } from '../src/features/selling/suitability.batch.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { citusDatabase } from './citus-db.js';

const engine = opt('engine') ?? 'pg';
if (engine !== 'pg' && engine !== 'citus') throw new Error('--engine is pg or citus');
const CUSTOMERS = num('customers', 1_000_000);
const OPEN = num('opportunities', 200_000);
const PROSPECTS = num('prospects', 20_000);
const N = num('n', 100);
const ONLY = opt('only');
const WARMUP = num('warmup', 10);
const PAGE_AIM_MS = 100;
const BATCH_AIM_S = 10;
const PASSWORD = 'Bench-secret-123';
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

// ── the data ────────────────────────────────────────────────────────────────────────────────

/**
 * Opportunities of the owned customers, spread by a hash of the customer number: OPEN open ones
 * (stages, targets, amounts, next steps from 20 days past to 20 ahead, stage_since up to 60 days
 * back: about a third are stale), and a tenth as many closed in the week to the date (won and
 * lost), each with its stage changes (the creation, and the week's move). Replaces an earlier run's.
 */
async function writeOpportunities(db: Db, date: string): Promise<{ open: number; closed: number }> {
  return db.transaction(async (s) => {
    await s.exec(`DELETE FROM opportunity_comments WHERE review_id IN (SELECT review_id FROM opportunity_reviews WHERE figures ? 'bench')`);
    await s.exec(`DELETE FROM opportunity_reviews WHERE figures ? 'bench'`);
    await s.exec(`DELETE FROM opportunity_stages WHERE changed_by = 'bench'`);
    await s.exec(`DELETE FROM opportunities WHERE created_by = 'bench'`);
    // one opportunity per chosen customer: the owned customers whose hash falls in the share asked for
    const owned = Number((await s.query<{ n: string }>(`SELECT count(*) AS n FROM customer_owners WHERE kind = 'primary'`)).rows[0]?.n ?? 0);
    const total = Math.round(OPEN * 1.1);
    if (owned < total) throw new Error(`only ${fmt(owned)} customers have an owner; ${fmt(total)} opportunities asked for`);
    await s.query(
      `INSERT INTO opportunities (customer_id, opportunity_id, target_type, target_code, source, stage, stage_since, expected_amount,
                                  next_step, next_step_on, notes, owner_id, branch_id, scope_branch_id, created_by, created_on, created_at, closed_on, closed_at, lost_reason)
       SELECT x.customer_id, 'bench-' || x.customer_id, t.type, t.code, t.source,
              CASE WHEN x.h % 11 = 0 THEN (CASE WHEN x.h % 2 = 0 THEN 'won' ELSE 'lost' END)
                   ELSE (ARRAY['identified', 'contacted', 'needs_confirmed', 'proposed'])[1 + x.h % 4] END,
              $1::date - (x.h % 61)::int,
              (1 + x.h % 200) * 10000,
              CASE WHEN x.h % 11 = 0 THEN NULL ELSE '电话跟进，约见面谈' END,
              CASE WHEN x.h % 11 = 0 THEN NULL ELSE $1::date + ((x.h / 7) % 41 - 20)::int END,
              NULL, x.owner_id, x.branch_id, x.customer_branch, 'bench', $1::date - (x.h % 61)::int - 3, now(),
              CASE WHEN x.h % 11 = 0 THEN $1::date - (x.h % 7)::int END,
              CASE WHEN x.h % 11 = 0 THEN now() END,
              CASE WHEN x.h % 11 = 0 AND x.h % 2 = 1 THEN '客户暂无需求' END
         FROM (SELECT o.customer_id, o.staff_id AS owner_id, st.branch_id, c.branch_id AS customer_branch, abs(hashtext(o.customer_id)) AS h
                 FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id JOIN customers c ON c.customer_id = o.customer_id
                WHERE o.kind = 'primary' AND abs(hashtext(o.customer_id)) % 1000 < $2) x
         CROSS JOIN LATERAL (SELECT
              (ARRAY['product_kind', 'product_kind', 'vip_signing'])[1 + x.h % 3] AS type,
              CASE WHEN x.h % 3 = 2 THEN NULL ELSE (ARRAY['wealth', 'time_deposit', 'fund', 'insurance'])[1 + (x.h / 3) % 4] END AS code,
              (ARRAY['event', 'contact', 'referral', 'walk_in', 'campaign'])[1 + (x.h / 5) % 5] AS source) t`,
      [date, Math.min(1000, Math.ceil((total / owned) * 1000))],
    );
    // their stage changes: the creation, and (the week's moves and closings) the last change
    await s.query(
      `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id, reason)
       SELECT customer_id, opportunity_id, 1, NULL, 'identified', 'bench', now(), created_on, branch_id, NULL
         FROM opportunities WHERE created_by = 'bench'`,
    );
    await s.query(
      `INSERT INTO opportunity_stages (customer_id, opportunity_id, seq, from_stage, to_stage, changed_by, changed_at, changed_on, branch_id, reason)
       SELECT customer_id, opportunity_id, 2, 'identified', stage, 'bench', now(), coalesce(closed_on, stage_since), branch_id, lost_reason
         FROM opportunities WHERE created_by = 'bench' AND stage <> 'identified'`,
    );
    const counts = (
      await s.query<{ open: string; closed: string }>(
        `SELECT count(*) FILTER (WHERE closed_at IS NULL) AS open, count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed FROM opportunities WHERE created_by = 'bench'`,
      )
    ).rows[0];

    return { open: Number(counts?.open ?? 0), closed: Number(counts?.closed ?? 0) };
  });
}

/** PROSPECTS open prospects of the managers; one in 20 is a customer already (the same phone and name), whom the batch converts. */
async function writeProspects(db: Db): Promise<number> {
  return db.transaction(async (s) => {
    await s.exec(`DELETE FROM prospect_contacts WHERE prospect_id IN (SELECT prospect_id FROM prospects WHERE created_by = 'bench')`);
    await s.exec(`DELETE FROM prospects WHERE created_by = 'bench'`);
    const r = await s.query(
      `WITH known AS (SELECT row_number() OVER (ORDER BY customer_id) AS k, name, phone
                        FROM (SELECT customer_id, name, phone FROM customers
                               WHERE status = 'active' AND phone IS NOT NULL AND abs(hashtext(customer_id)) % 100 = 1
                               ORDER BY customer_id LIMIT $1::int / 20) c),
            managers AS (SELECT row_number() OVER (ORDER BY staff_id) - 1 AS k, staff_id, branch_id FROM staff WHERE role = 'customer_manager' AND active)
       INSERT INTO prospects (prospect_id, name, phone, source, owner_id, branch_id, created_by)
       SELECT 'bench-p' || g, coalesce(known.name, '潜在客户' || g), coalesce(known.phone, '199' || lpad(g::text, 8, '0')),
              'walk_in', m.staff_id, m.branch_id, 'bench'
         FROM generate_series(1, $1::int) g
         JOIN managers m ON m.k = g % (SELECT count(*) FROM managers)
         LEFT JOIN known ON g % 20 = 0 AND known.k = g / 20`,
      [PROSPECTS],
    );
    return r.rowCount;
  });
}

// ── measuring ───────────────────────────────────────────────────────────────────────────────

/**
 * Records every statement run through the Db it wraps: Kysely's queries (compiled by a plugin)
 * and the SQL its sessions run by hand (the selling features write much of theirs as plain SQL).
 */
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
  console.log(`migrating …`);
  await migrate(db);
  const date = (await db.session((s) => s.query<{ d: string }>(`SELECT max(business_date)::text AS d FROM business_dates`))).rows[0]?.d;
  if (!date) throw new Error('the kept database has no business date loaded');

  // the steps of the night before selling's (tiers, owners, events, reminders), once: the kept
  // database of the list bench has none
  const made = (await db.session((s) => s.query(`SELECT 1 FROM worklist_runs WHERE business_date = $1::date`, [date]))).rows.length;
  if (!made) {
    for (const step of DAILY_STEPS) {
      if (step.name === 'suitability' || step.name === 'opportunities') continue;
      const t0 = performance.now();
      console.log(`the batch's ${step.name} step for ${date} (once) …`);
      const summary = await step.run(db, date, () => {});
      console.log(`  ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }

  let t = performance.now();
  const opps = await writeOpportunities(db, date);
  // what autovacuum does to a table soon after a bulk write on a live database (statistics, and the
  // visibility map that lets an index answer alone): the pages are measured on the tables as they run
  await db.session((s) => s.exec('VACUUM (ANALYZE) opportunities'));
  await db.session((s) => s.exec('VACUUM (ANALYZE) opportunity_stages'));
  console.log(`${fmt(opps.open)} open and ${fmt(opps.closed)} closed opportunities written in ${((performance.now() - t) / 1000).toFixed(1)} s (business date ${date})`);
  t = performance.now();
  const prospects = await writeProspects(db);
  console.log(`${fmt(prospects)} prospects written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // who asks: the manager with the most open opportunities, the branch head above their outlet, the department
  const who = await db.session(async (s) => {
    const mgr = (await s.query<{ staff_id: string; branch_id: string; n: number }>(
      `SELECT owner_id AS staff_id, branch_id, count(*)::int AS n FROM opportunities WHERE closed_at IS NULL GROUP BY owner_id, branch_id ORDER BY n DESC, owner_id LIMIT 1`,
    )).rows[0];
    if (!mgr) throw new Error('no open opportunity');
    const head = (await s.query<{ staff_id: string; branch_id: string }>(
      `WITH RECURSIVE up AS (SELECT branch_id, parent_id, 0 AS d FROM branches WHERE branch_id = $1
                              UNION ALL SELECT b.branch_id, b.parent_id, up.d + 1 FROM branches b JOIN up ON b.branch_id = up.parent_id)
       SELECT st.staff_id, st.branch_id FROM up JOIN staff st ON st.branch_id = up.branch_id AND st.role = 'branch_head' AND st.active
        ORDER BY up.d, st.staff_id LIMIT 1`,
      [mgr.branch_id],
    )).rows[0];
    const dept = (await s.query<{ staff_id: string }>(`SELECT staff_id FROM staff WHERE role = 'pb_dept' AND active ORDER BY staff_id LIMIT 1`)).rows[0];
    if (!head || !dept) throw new Error('the bench bank has no branch head above the manager, or no department staff');
    return { manager: mgr, head, dept: dept.staff_id };
  });
  console.log(`manager ${who.manager.staff_id} of ${who.manager.branch_id} (${fmt(who.manager.n)} open opportunities); head ${who.head.staff_id} of ${who.head.branch_id}; department ${who.dept}`);

  const hash = await hashPassword(PASSWORD);
  const logins = { manager: who.manager.staff_id, head: who.head.staff_id, dept: who.dept };
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

  const pages: { name: string; who: keyof typeof logins; url: string }[] = [
    { name: 'manager · my opportunities · board', who: 'manager', url: '/api/opportunities/board' },
    { name: 'manager · my opportunities · table', who: 'manager', url: '/api/opportunities' },
    { name: 'manager · table · stale only', who: 'manager', url: '/api/opportunities?stale=true' },
    { name: 'head · the branch · table', who: 'head', url: '/api/opportunities?view=scope' },
    { name: 'head · weekly review', who: 'head', url: `/api/opportunities/review?date=${date}` },
    { name: 'dept · weekly review (the bank, per outlet)', who: 'dept', url: `/api/opportunities/review?date=${date}` },
    { name: 'dept · weekly review of one outlet', who: 'dept', url: `/api/opportunities/review?date=${date}&branchId=${who.head.branch_id}` },
  ];
  const rows: string[] = [];
  let missed = 0;
  console.log(`\n${pages.length} pages, ${WARMUP} warm-up + ${N} requests each`);
  for (const p of pages.filter((x) => !ONLY || ONLY.split(',').some((o) => x.name.includes(o)))) {
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
    const ok = a.p95 <= PAGE_AIM_MS;
    if (!ok) missed++;
    rows.push(`| ${p.name} | ${a.p50.toFixed(1)} | ${a.p95.toFixed(1)} | ${f.p95.toFixed(1)} | ${(a.p95 / f.p95).toFixed(2)}× | ${floors.at(-1)?.length ?? 0} | ${size} | ${ok ? 'met' : 'missed'} |`);
    console.log(`  ${p.name}: api p95 ${a.p95.toFixed(1)} ms, sql p95 ${f.p95.toFixed(1)} ms (${size})`);
  }
  await app.close();

  // the batch's additions, against one plain scan of what they read
  const [floorMs] = await timed(() =>
    db.session((s) =>
      s.query(`SELECT count(*) FILTER (WHERE next_step_on <= $1::date + 1) AS due, count(*) FILTER (WHERE next_step_on < $1::date - 7 OR stage_since < $1::date - 30) AS stale
                 FROM opportunities WHERE closed_at IS NULL`, [date]),
    ),
  );
  const [prospectFloorMs] = await timed(() =>
    db.session((s) => s.query(`SELECT count(*) FROM prospects p JOIN customers c ON c.phone = p.phone AND c.name = p.name WHERE p.status = 'open'`)),
  );
  const [oppMs, opp] = await timed(() => runOpportunities(db, date));
  const [againMs] = await timed(() => runOpportunities(db, date));
  const [reassessMs, reassess] = await timed(() => runReassessReminders(db, date));
  const batchS = (oppMs + reassessMs) / 1000;

  console.log(`\nSelling at ${fmt(CUSTOMERS)} customers, ${fmt(opps.open)} open opportunities (${engine === 'pg' ? 'PostgreSQL server' : 'Citus cluster'}); ms; api = the request via app.inject, sql = its statements replayed as plain SQL`);
  console.log('\n| page | api p50 | api p95 | sql p95 | api ÷ sql | statements | answer | p95 ≤ 100 ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log('\n| batch step | seconds | floor (plain SQL scan) | ÷ floor |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| opportunities: prospects converted (${fmt(opp.converted)}), ${fmt(opp.due)} due and ${fmt(opp.stale)} stale reminders | ${(oppMs / 1000).toFixed(2)} | ${((floorMs + prospectFloorMs) / 1000).toFixed(2)} | ${(oppMs / (floorMs + prospectFloorMs)).toFixed(1)}× |`);
  console.log(`| the same date again (nothing new) | ${(againMs / 1000).toFixed(2)} | | |`);
  console.log(`| reassessment reminders (${JSON.stringify(reassess).slice(0, 80)}) | ${(reassessMs / 1000).toFixed(2)} | | |`);
  console.log(`\nbatch additions ${batchS.toFixed(2)} s (aim ≤ ${BATCH_AIM_S} s): ${batchS <= BATCH_AIM_S ? 'met' : 'missed'}; ${missed ? `${missed} of ${pages.length} pages miss` : `all ${pages.length} pages meet`} p95 ≤ ${PAGE_AIM_MS} ms`);
} finally {
  await db.close();
}
