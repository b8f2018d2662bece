// npm run bench:batch — the daily tiering step at bank scale, against two baselines measured in
// the same run on the same database:
//   the floor:        one hand-written SQL statement computing only the AUM bands of every customer
//                     from the balance snapshot, written into a table (what no engine can beat);
//   per customer:     the same policies evaluated customer by customer in TypeScript (read the
//                     customer's facts, evaluate every model, write its tiers) on a sample, scaled.
// Then the next business date (a delta day), which reuses the previous date's rolling windows, and
// the whole daily batch of that date step by step (tiering again, ownership, events, worklist =
// reminders + plans), with the ratio of events + worklist to tiering. For the worklist to have
// work, the bench gives every customer the owners the ownership step proposes (assigned 120 days
// earlier) and a third of them a contact in the last 60 days (a ninth with a next contact date).
//
//   npm run bench:batch -- [--engine pg|pglite|citus] [--customers N] [--days D] [--sample N] [--keep] [--reuse]
//
// --engine citus: the same feed loaded and batched on the single PostgreSQL server, then on a Citus
// cluster (bench/citus-db.ts), and the cluster's load, first date, next date and whole batch set
// beside the server's with their ratio (the per-customer TypeScript baseline runs on the server only).
//
// Defaults: PostgreSQL 1,000,000 customers × 30 days (≈ 30,000,000 transactions); PGlite 200,000
// × 25 days (≈ 5,000,000). The feed (layout 'history': a full day carrying the history, then a
// delta for the next day) is generated once into .bench/ and reused. --keep keeps the loaded
// database, --reuse starts from it (skips generating and loading).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { runTiering } from '../src/features/tiering/tiering.batch.js';
import { proposeOwners } from '../src/features/ownership/ownership.batch.js';
import { runWorklist } from '../src/features/worklist/worklist.batch.js';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { evaluateInTypeScript } from '../src/features/tiering/tiering.explain.js';
import { computeFacts } from '../src/features/tiering/tiering.facts.js';
import { builtInPolicies } from '../src/features/tiering/tiering.policies.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { citusDatabase } from './citus-db.js';
import './quiet-logs.js';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
type Engine = 'pg' | 'pglite' | 'citus';
const asked = opt('engine') ?? 'pg';
if (!['pg', 'pglite', 'citus'].includes(asked)) throw new Error('--engine is pg, pglite or citus');
const engines: Engine[] = asked === 'citus' ? ['pg', 'citus'] : [asked as Engine];
const onPglite = asked === 'pglite';
const customers = Number(opt('customers') ?? (onPglite ? 200_000 : 1_000_000));
const days = Number(opt('days') ?? (onPglite ? 25 : 30));
const sampleSize = Math.min(Number(opt('sample') ?? 100_000), customers);
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = path.resolve('.bench');
const fmt = (n: number, digits = 0) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
const sec = (t0: number) => (performance.now() - t0) / 1000;

async function feedFor(): Promise<string[]> {
  const dir = path.join(ROOT, `batch-feed-${customers}-${days}`);
  const marker = path.join(dir, 'done.json');
  if (existsSync(marker)) return (JSON.parse(readFileSync(marker, 'utf8')) as string[]).map((f) => path.join(dir, f));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`generating ${fmt(customers)} customers × ${days} days into ${dir} …`);
  const t0 = performance.now();
  let last = 0;
  const summary = await generateDemoBank({ customers, days, seed: 42, out: dir, layout: 'history' }, (done, total, phase) => {
    if (performance.now() - last > 10_000) {
      last = performance.now();
      console.log(`  ${phase}: ${fmt(done)} / ${fmt(total)}`);
    }
  });
  console.log(`  generated in ${fmt(sec(t0), 1)} s: ${fmt(summary.rows['transactions.csv'] ?? 0)} transactions`);
  writeFileSync(marker, JSON.stringify(summary.folders.map((f) => path.basename(f))));
  return summary.folders;
}

async function openBenchDb(engine: Engine, fresh: boolean): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (engine === 'citus') {
    const cluster = await citusDatabase(`stratum_bench_batch_${customers}_${days}`, fresh);
    return { db: await openDb({ databaseUrl: cluster.url }), drop: cluster.drop };
  }
  if (engine === 'pglite') {
    const dir = path.join(ROOT, `batch-pglite-${customers}-${days}`);
    if (fresh) rmSync(dir, { recursive: true, force: true });
    const db = await openDb({ dataDir: dir });
    return { db, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  const name = `stratum_bench_batch_${customers}_${days}`;
  if (fresh) {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  }
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString() });
  return {
    db,
    drop: async () => {
      const a = new pg.Client({ connectionString: SERVER });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The floor: AUM bands only, hand-written, from the snapshot into a table. */
async function floor(db: Db, date: string): Promise<number> {
  return db.session(async (s) => {
    await s.exec('DROP TABLE IF EXISTS bench_floor_bands; CREATE TABLE bench_floor_bands (customer_id text COLLATE "C" PRIMARY KEY, tier text NOT NULL)');
    const t0 = performance.now();
    await s.query(
      `INSERT INTO bench_floor_bands (customer_id, tier)
       SELECT customer_id, CASE WHEN aum >= 3000000 THEN 'band_5' WHEN aum >= 500000 THEN 'band_4' WHEN aum >= 200000 THEN 'band_3'
                                WHEN aum >= 50000 THEN 'band_2' WHEN aum >= 1000 THEN 'band_1' ELSE 'below' END
         FROM balance_snapshots WHERE business_date = $1::date`,
      [date],
    );
    const seconds = sec(t0);
    await s.exec('DROP TABLE bench_floor_bands');
    return seconds;
  });
}

/** Per customer in TypeScript: read its facts, evaluate every model, write its tiers; on a sample. */
async function perCustomer(db: Db, date: string): Promise<{ seconds: number; mismatches: number }> {
  const policies = builtInPolicies();
  return db.session(async (s) => {
    await s.exec('DROP TABLE IF EXISTS bench_ts_tiers; CREATE TABLE bench_ts_tiers (customer_id text COLLATE "C", model text, tier text NOT NULL, PRIMARY KEY (customer_id, model))');
    const ids = (await s.query<{ customer_id: string }>('SELECT customer_id FROM customer_facts WHERE business_date = $1::date ORDER BY md5(customer_id) LIMIT $2', [date, sampleSize])).rows.map((r) => r.customer_id);
    const t0 = performance.now();
    for (const id of ids) {
      const f = (await s.query('SELECT * FROM customer_facts WHERE customer_id = $1 AND business_date = $2::date', [id, date])).rows[0];
      if (!f) continue;
      const tiers = policies.flatMap((p) => evaluateInTypeScript(p, f));
      const values = tiers.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ');
      await s.query(`INSERT INTO bench_ts_tiers (customer_id, model, tier) VALUES ${values} ON CONFLICT (customer_id, model) DO UPDATE SET tier = EXCLUDED.tier`, [id, ...tiers.flatMap((t) => [t.model, t.tier])]);
    }
    const seconds = sec(t0);
    // the two ways must agree, or the comparison means nothing
    const mismatches = Number(
      (await s.query<{ n: number }>('SELECT count(*) AS n FROM bench_ts_tiers b JOIN customer_tiers t USING (customer_id, model) WHERE b.tier <> t.tier')).rows[0]?.n ?? 0,
    );
    await s.exec('DROP TABLE bench_ts_tiers');
    return { seconds, mismatches };
  });
}

/** Owners and a work log for the worklist to read (not timed), then the whole daily batch of the date, step by step. */
async function dailyBatch(db: Db, date: string) {
  await proposeOwners(db, date);
  const setup = await db.session(async (s) => {
    await s.query(
      `INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, since)
       SELECT customer_id, staff_id, 'primary', 'proposal', 'bench', ($1::date - 120)::timestamptz FROM ownership_proposals WHERE status = 'open' AND business_date = $1::date
       UNION ALL
       SELECT p.customer_id, co, 'co', 'proposal', 'bench', ($1::date - 120)::timestamptz
         FROM ownership_proposals p CROSS JOIN LATERAL unnest(p.co_staff_ids) AS co WHERE p.status = 'open' AND p.business_date = $1::date AND co <> p.staff_id
       ON CONFLICT DO NOTHING`,
      [date],
    );
    await s.query(
      `INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, next_contact_on, source)
       SELECT customer_id, staff_id, ($1::date - abs(hashtext(customer_id)) % 60)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours', 'phone', 'reached',
              CASE WHEN abs(hashtext(customer_id)) % 9 = 0 THEN $1::date + abs(hashtext(customer_id)) % 5 END, 'customer'
         FROM customer_owners WHERE kind = 'primary' AND abs(hashtext(customer_id)) % 3 = 0`,
      [date],
    );
    await s.exec('ANALYZE customer_owners; ANALYZE contact_log');
    return (await s.query<{ owned: number; contacts: number }>('SELECT (SELECT count(*) FROM customer_owners WHERE kind = \'primary\') AS owned, (SELECT count(*) FROM contact_log) AS contacts')).rows[0];
  });
  const steps = await runDailyBatch(db, date);
  const of = (step: string) => steps.find((r) => r.step === step)?.seconds ?? 0;
  const rerun = await runWorklist(db, date);
  return { steps, owned: setup?.owned ?? 0, contacts: setup?.contacts ?? 0, tiering: of('tiering'), events: of('events'), worklist: of('worklist'), rerun };
}

const reuse = args.includes('--reuse');
const folders = reuse ? [] : await feedFor();

/** What one engine's run gives, for the side-by-side table of --engine citus. */
interface Figures {
  load: number;
  first: number;
  next: number;
  batch: number;
  steps: Record<string, number>;
}
const NAMES: Record<Engine, string> = { pg: 'PostgreSQL', pglite: 'PGlite', citus: 'Citus' };

async function benchOn(engine: Engine): Promise<Figures> {
  const { db, drop } = await openBenchDb(engine, !reuse);
  const rows: string[][] = [];
  let loadSeconds = 0;
  try {
    await migrate(db);
    if (!reuse) {
      for (const f of folders) {
        const t0 = performance.now();
        const r = await loadFeed(db, f);
        if (r.outcome !== 'loaded') throw new Error(`loading ${f} was ${r.outcome}: ${JSON.stringify(r.problems.slice(0, 3))}`);
        loadSeconds += sec(t0);
        console.log(`${NAMES[engine]}: loaded ${path.basename(f)} (${r.mode}): ${fmt(r.rows)} rows in ${fmt(sec(t0), 1)} s`);
      }
    }
    const dates = await db.session(async (s) => (await s.query<{ d: string }>('SELECT business_date AS d FROM business_dates ORDER BY 1')).rows.map((r) => r.d));
    const [d1, d2] = dates.slice(-2);
    if (!d1 || !d2) throw new Error('the bench database needs two loaded business dates');
    await db.session((s) =>
      s.exec(`TRUNCATE customer_facts, fact_runs, transaction_loads, customer_tiers, tier_history, tier_runs, ownership_proposals, customer_owners, contact_log,
                customer_events, event_runs, reminders, worklist_runs, contact_plans, contact_plan_items; ANALYZE`),
    );
    const counts = await db.session(async (s) => (await s.query<{ c: number; t: number }>('SELECT (SELECT count(*) FROM customers) AS c, (SELECT count(*) FROM transactions) AS t')).rows[0]);
    console.log(`\n${NAMES[engine]}: ${fmt(counts?.c ?? 0)} customers, ${fmt(counts?.t ?? 0)} transactions; dates ${d1} (full) and ${d2} (next day)`);

    const floor1 = await floor(db, d1);
    console.log(`floor (AUM bands only, hand-written SQL) for ${d1}: ${fmt(floor1, 2)} s`);
    const first = await runTiering(db, d1);
    const perModel = (r: typeof first, fl: number) => `${fmt(r.evaluationSeconds / r.models.length / fl, 2)}×`;
    const pass = (r: typeof first) => `one pass over the facts ${fmt(r.pass?.seconds ?? 0, 1)} s (${fmt(r.pass?.rows ?? 0)} customers to match${r.pass?.base ? `, ${r.pass.steady.length} models compared with ${r.pass.base}` : ''})`;
    console.log(`tiering ${d1} (first run, no earlier date): ${fmt(first.seconds, 1)} s — facts ${fmt(first.factsSeconds, 1)} s, evaluation ${fmt(first.evaluationSeconds, 1)} s: ${pass(first)}`);
    rows.push(['first date', d1, 'facts (from scratch)', fmt(first.factsSeconds, 2), '', '']);
    rows.push(['first date', d1, `evaluation of ${first.models.length} models`, fmt(first.evaluationSeconds, 2), `${perModel(first, floor1)} a model`, fmt(first.models.reduce((a, m) => a + m.changed, 0))]);
    rows.push(['first date', d1, 'whole step', fmt(first.seconds, 2), '', '']);
    const evalSeconds = first.evaluationSeconds;

    // the per-customer baseline is the single server's (on a cluster every one of its statements is a round trip to a worker)
    const ts = engine === 'citus' ? { seconds: NaN, mismatches: 0 } : await perCustomer(db, d1);
    const tsScaled = (ts.seconds * (counts?.c ?? customers)) / sampleSize;
    if (engine !== 'citus') console.log(`per customer in TypeScript: ${fmt(sampleSize)} customers in ${fmt(ts.seconds, 1)} s → ${fmt(tsScaled, 0)} s for all (${ts.mismatches} disagreements with the SQL)`);
    if (ts.mismatches) throw new Error('the TypeScript evaluation disagrees with the SQL: the comparison would be meaningless');

    const floor2 = await floor(db, d2);
    const next = await runTiering(db, d2);
    console.log(`tiering ${d2} (next day): ${fmt(next.seconds, 1)} s — facts ${fmt(next.factsSeconds, 1)} s (from ${next.factsBaseDate ?? 'scratch'}), evaluation ${fmt(next.evaluationSeconds, 1)} s: ${pass(next)}`);
    rows.push(['next date', d2, `facts (from ${next.factsBaseDate ?? 'scratch'})`, fmt(next.factsSeconds, 2), '', '']);
    rows.push(['next date', d2, `evaluation of ${next.models.length} models`, fmt(next.evaluationSeconds, 2), `${perModel(next, floor2)} a model`, fmt(next.models.reduce((a, m) => a + m.changed, 0))]);
    rows.push(['next date', d2, 'whole step', fmt(next.seconds, 2), '', '']);
    const batch = await dailyBatch(db, d2);
    rows.push(['rerun of next date', d2, 'tiering, whole step', fmt(batch.tiering, 2), '', '']);
    const scratch = await db.session(async (s) => {
      const t0 = performance.now();
      await s.exec('BEGIN');
      try {
        await computeFacts(s, d2, { fromScratch: true, server: db.engine === 'postgres' });
      } finally {
        await s.exec('ROLLBACK');
      }
      return sec(t0);
    });
    rows.push(['next date, facts from scratch (for comparison, rolled back)', d2, 'facts', fmt(scratch, 2), '', '']);

    console.log('\n| run | date | step | seconds | ÷ floor | tiers changed |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\nfloor: ${fmt(floor1, 2)} s (${d1}), ${fmt(floor2, 2)} s (${d2})`);
    if (engine !== 'citus') {
      console.log(`evaluation of all ${first.models.length} models, set-based: ${fmt(evalSeconds, 1)} s; per customer in TypeScript (scaled from ${fmt(sampleSize)}): ${fmt(tsScaled, 0)} s → set-based is ${fmt(tsScaled / evalSeconds, 1)}× faster`);
      console.log(`whole tiering step incl. facts: ${fmt(first.seconds, 1)} s (aim ≤ 60 s at 1M); per customer would be ≥ ${fmt(tsScaled / first.seconds, 1)}× slower even without computing its facts`);
    } else {
      console.log(`whole tiering step incl. facts: ${fmt(first.seconds, 1)} s`);
    }
    console.log(`next business date: ${fmt(next.seconds, 1)} s (aim ≤ 15 s at 1M)`);
    console.log(`evaluation per model ÷ floor: ${perModel(first, floor1)} on the first date, ${perModel(next, floor2)} on the next (aim ≤ 1.5×)`);
    console.log(`next date facts: ${fmt(next.factsSeconds, 1)} s brought forward vs ${fmt(scratch, 1)} s from scratch`);
    console.log(`\nthe daily batch of ${d2} (${fmt(batch.owned)} customers owned, ${fmt(batch.contacts)} work-log entries):\n`);
    console.log('| step | seconds | summary |');
    console.log('| --- | --- | --- |');
    for (const r of batch.steps) console.log(`| ${r.step} | ${fmt(r.seconds, 2)} | ${r.summary} |`);
    console.log(`| worklist rerun: reminders | ${fmt(batch.rerun.timings.reminders, 2)} | ${fmt(batch.rerun.reminders)} reminders |`);
    console.log(`| worklist rerun: plans | ${fmt(batch.rerun.timings.plans, 2)} | ${fmt(batch.rerun.plans)} plans, ${fmt(batch.rerun.planItems)} items |`);
    const total = batch.steps.reduce((a, r) => a + r.seconds, 0);
    console.log(`\nwhole daily batch: ${fmt(total, 1)} s (aim ≤ 120 s on PostgreSQL at 1M); (events + worklist) / tiering = ${fmt((batch.events + batch.worklist) / batch.tiering, 2)}`);
    return { load: loadSeconds, first: first.seconds, next: next.seconds, batch: total, steps: Object.fromEntries(batch.steps.map((r) => [r.step, r.seconds])) };
  } finally {
    await db.close();
    if (!args.includes('--keep') && !reuse) await drop();
  }
}

const figures = new Map<Engine, Figures>();
for (const e of engines) figures.set(e, await benchOn(e));
const server = figures.get('pg');
const cluster = figures.get('citus');
if (server && cluster) {
  const line = (what: string, a: number, b: number) => `| ${what} | ${fmt(a, 1)} | ${fmt(b, 1)} | ${fmt(b / a, 2)}× | ${b / a <= 2 ? 'met' : 'missed'} |`;
  console.log(`\nCitus beside PostgreSQL, ${fmt(customers)} customers × ${days} days (seconds; aim: within 2×)\n`);
  console.log('| | PostgreSQL | Citus | Citus ÷ PostgreSQL | within 2× |');
  console.log('| --- | --- | --- | --- | --- |');
  if (!reuse) console.log(line('load (every file of every date)', server.load, cluster.load));
  console.log(line('first date: tiering', server.first, cluster.first));
  console.log(line('next date: tiering', server.next, cluster.next));
  for (const [step, a] of Object.entries(server.steps)) console.log(line(`next date's batch: ${step}`, a, cluster.steps[step] ?? NaN));
  console.log(line('next date: whole daily batch', server.batch, cluster.batch));
}
