// npm run bench:load — the feed loader against a bare COPY of the same CSV files into the same
// tables, in the same process, on the PostgreSQL server and on the embedded PGlite.
//
//   npm run bench:load -- [--pg-customers 1000000 --pg-days 30] [--pglite-customers 200000 --pglite-days 25]
//                         [--only pg|pglite] [--engine citus] [--keep]
//
// --engine citus: the PostgreSQL feed loaded into the single server and then into a Citus cluster
// (bench/citus-db.ts: STRATUM_CITUS_URL, else the development cluster's script), the second's
// figures beside the first's with their ratio; PGlite is left out.
//
// Feeds are generated once (layout 'single': one full day carrying every day of transactions)
// into .bench/ and reused while their parameters stay the same.
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { generateDemoBank } from '../src/features/demo/demo.generate.js';
import { FILE_SPECS } from '../src/features/feed/feed.contract.js';
import { loadFeed } from '../src/features/feed/feed.load.js';
import { openDb, type Db } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import { citusDatabase } from './citus-db.js';

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const citus = args.includes('--engine') && args[args.indexOf('--engine') + 1] === 'citus';
const only = citus ? 'pg' : args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const SERVER = process.env.STRATUM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = path.resolve('.bench');

const fmt = (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);

async function feedFor(customers: number, days: number): Promise<string> {
  const dir = path.join(ROOT, `feed-${customers}-${days}`);
  const marker = path.join(dir, 'done.json');
  if (existsSync(marker)) return path.join(dir, readFileSync(marker, 'utf8').trim());
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`generating ${fmt(customers)} customers × ${days} days into ${dir} …`);
  const t = performance.now();
  let last = 0;
  const summary = await generateDemoBank({ customers, days, seed: 42, out: dir, layout: 'single' }, (done, total, phase) => {
    const now = performance.now();
    if (now - last > 5000) {
      last = now;
      console.log(`  ${phase}: ${fmt(done)} / ${fmt(total)}`);
    }
  });
  console.log(`  generated in ${((performance.now() - t) / 1000).toFixed(1)} s: ${JSON.stringify(summary.rows)}`);
  const folder = summary.folders[0];
  if (!folder) throw new Error('the generator wrote no folder');
  writeFileSync(marker, path.basename(folder));
  return folder;
}

/** Chunks of a CSV file without its header, cut at line ends. */
async function* csvBody(file: string): AsyncGenerator<string> {
  let headerDone = false;
  let carry = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    let text = carry + (chunk as string);
    if (!headerDone) {
      const nl = text.indexOf('\n');
      if (nl < 0) {
        carry = text;
        continue;
      }
      text = text.slice(nl + 1);
      headerDone = true;
    }
    const cut = text.lastIndexOf('\n');
    carry = text.slice(cut + 1);
    if (cut >= 0) yield text.slice(0, cut + 1);
  }
  if (carry) yield carry;
}

// The columns the tables need beyond the file's, given constant defaults for the bare COPY.
const FILLERS: Record<string, string[]> = {
  branches: ['updated_on'],
  staff: ['updated_on'],
  products: ['updated_on'],
  customers: ['first_seen_on', 'updated_on'],
  accounts: ['updated_on'],
  cards: ['updated_on'],
  loans: ['updated_on'],
  transactions: ['booked_on', 'business_date'],
};

async function bareCopy(db: Db, folder: string, date: string): Promise<{ rows: number; seconds: number }> {
  const t = performance.now();
  let rows = 0;
  await db.transaction(async (s) => {
    for (const [table, cols] of Object.entries(FILLERS)) {
      for (const c of cols) await s.exec(`ALTER TABLE ${table} ALTER COLUMN ${c} SET DEFAULT '${date}'`);
    }
    for (const spec of FILE_SPECS) {
      const file = path.join(folder, `${spec.entity}.csv`);
      if (!existsSync(file)) continue;
      // the optional files (owners, relations) are stored in tables of their own shape: not a bare COPY
      if (!(await s.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [spec.entity])).rows[0]?.t) continue;
      rows += await s.copyCsv(spec.entity, spec.columns.map((c) => c.name), csvBody(file));
    }
  });
  const seconds = (performance.now() - t) / 1000;
  await db.session(async (s) => {
    const tables = (await s.query<{ t: string }>('SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL', [FILE_SPECS.map((f) => f.entity)])).rows.map((r) => r.t);
    await s.exec(`TRUNCATE ${tables.join(', ')}, balance_snapshots, business_dates CASCADE`);
    for (const [table, cols] of Object.entries(FILLERS)) for (const c of cols) await s.exec(`ALTER TABLE ${table} ALTER COLUMN ${c} DROP DEFAULT`);
  });
  return { rows, seconds };
}

async function benchEngine(name: string, open: () => Promise<Db>, folder: string): Promise<void> {
  const date = (JSON.parse(readFileSync(path.join(folder, 'feed.json'), 'utf8')) as { business_date: string }).business_date;
  const db = await open();
  try {
    await migrate(db);
    // other work on the machine (a test run, another benchmark) shows up in both figures
    const busy = () => `load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`;
    console.log(`\n${name}: bare COPY of the CSV files into the tables … (${busy()})`);
    const floor = await bareCopy(db, folder, date);
    console.log(`  ${fmt(floor.rows)} rows in ${floor.seconds.toFixed(1)} s = ${fmt(floor.rows / floor.seconds)} rows/s`);
    console.log(`${name}: stratum load (every row checked, staged, referenced, merged, balance snapshot) … (${busy()})`);
    const r = await loadFeed(db, folder);
    if (r.outcome !== 'loaded') throw new Error(`the load was ${r.outcome}: ${JSON.stringify(r.problems.slice(0, 5))}`);
    console.log(`  ${fmt(r.rows)} rows in ${r.seconds.toFixed(1)} s = ${fmt(r.rows / r.seconds)} rows/s`);
    console.log(`  ratio to bare COPY: ${(r.seconds / floor.seconds).toFixed(2)}× the time`);
    const steps = Object.entries(r.steps).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`  where the time went: ${steps.map(([k, v]) => `${k} ${v.toFixed(1)} s (${Math.round((100 * v) / r.seconds)}%)`).join(', ')}`);
    console.log(`  (${busy()} at the end)`);
    results.push({ engine: name, rows: r.rows, loadRowsPerSec: r.rows / r.seconds, copyRowsPerSec: floor.rows / floor.seconds, ratio: r.seconds / floor.seconds });
  } finally {
    await db.close();
  }
}

const results: { engine: string; rows: number; loadRowsPerSec: number; copyRowsPerSec: number; ratio: number }[] = [];

if (only !== 'pglite') {
  const folder = await feedFor(flag('pg-customers', 1_000_000), flag('pg-days', 30));
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS stratum_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE stratum_bench');
  const url = new URL(SERVER);
  url.pathname = '/stratum_bench';
  await benchEngine('PostgreSQL', () => openDb({ databaseUrl: url.toString() }), folder);
  if (!args.includes('--keep')) await admin.query('DROP DATABASE IF EXISTS stratum_bench WITH (FORCE)');
  await admin.end();
  if (citus) {
    const cluster = await citusDatabase('stratum_bench');
    await benchEngine('Citus', () => openDb({ databaseUrl: cluster.url }), folder);
    if (!args.includes('--keep')) await cluster.drop();
  }
}
if (only !== 'pg') {
  const folder = await feedFor(flag('pglite-customers', 200_000), flag('pglite-days', 25));
  const dir = path.join(ROOT, 'pglite-db');
  rmSync(dir, { recursive: true, force: true });
  await benchEngine('PGlite', () => openDb({ dataDir: dir }), folder);
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}

console.log('\nengine       rows          load rows/s   bare COPY rows/s   load time ÷ COPY time');
for (const r of results) {
  console.log(
    `${r.engine.padEnd(12)} ${fmt(r.rows).padStart(12)} ${fmt(r.loadRowsPerSec).padStart(14)} ${fmt(r.copyRowsPerSec).padStart(18)} ${r.ratio.toFixed(2).padStart(22)}×`,
  );
}
const onServer = results.find((r) => r.engine === 'PostgreSQL');
const onCluster = results.find((r) => r.engine === 'Citus');
if (onServer && onCluster) {
  const ratio = onServer.loadRowsPerSec / onCluster.loadRowsPerSec;
  console.log(`\nCitus ÷ PostgreSQL, load time: ${ratio.toFixed(2)}× (aim within 2×: ${ratio <= 2 ? 'met' : 'missed'}); bare COPY: ${(onServer.copyRowsPerSec / onCluster.copyRowsPerSec).toFixed(2)}×`);
}
