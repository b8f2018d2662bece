#!/usr/bin/env node
// The whole test suite, as CI runs it: every test on the embedded PGlite, then the database
// tests (*.db.test.ts) again on the PostgreSQL server. Ends with the line "N passed, N failed".
import { spawnSync, execSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { checkLogFolder } from './log-leaks.mjs';
import { runVitest as runWith, summarize } from './test-lib.mjs';

const runVitest = (name, env, filters) => runWith(name, env, filters, extra);

const SERVER = process.env.STRATUM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const extra = process.argv.slice(2);
mkdirSync('test-results', { recursive: true });
// every log line of the run goes to test-results/logs (as well as standard error), and the ID
// numbers and phones the tests produced to test-results/pii-seen: the last check searches one
// for the other (issue 5: nothing sensitive in logs)
const LOG_DIR = path.resolve('test-results/logs');
const PII_SEEN_DIR = path.resolve('test-results/pii-seen');
rmSync(LOG_DIR, { recursive: true, force: true });
rmSync(PII_SEEN_DIR, { recursive: true, force: true });
process.env.STRATUM_LOG_DIR = LOG_DIR;
process.env.STRATUM_PII_SEEN_DIR = PII_SEEN_DIR;

async function serverAnswers() {
  const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/** Starts the machine's PostgreSQL cluster when it is installed but not running. */
async function ensureServer() {
  if (await serverAnswers()) return true;
  console.log(`PostgreSQL does not answer at ${SERVER}; trying to start it…`);
  try {
    const versions = execSync('ls /etc/postgresql', { encoding: 'utf8' }).trim().split(/\s+/);
    for (const v of versions) execSync(`pg_ctlcluster --skip-systemctl-redirect ${v} main start`, { stdio: 'inherit' });
  } catch (e) {
    console.log(`could not start PostgreSQL: ${e instanceof Error ? e.message : e}`);
  }
  for (let i = 0; i < 20; i++) {
    if (await serverAnswers()) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** Debian's Chromium (and a CJK font, so screenshots show Chinese), installed when missing. */
function ensureChromium() {
  const chromium = process.env.STRATUM_CHROMIUM ?? '/usr/bin/chromium';
  const fontMissing = !existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
  if (existsSync(chromium) && !fontMissing) return true;
  console.log('Installing Debian packages for the browser tests: chromium fonts-wqy-microhei …');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args) => spawnSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'fonts-wqy-microhei']);
  if (r.status !== 0) {
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'fonts-wqy-microhei']);
  }
  if (!existsSync(chromium)) {
    console.log(`FAILED: Chromium could not be installed at ${chromium} (apt-get install chromium); the browser tests cannot run.`);
    return false;
  }
  return true;
}

const runs = [];
runs.push(['pglite', runVitest('pglite', { STRATUM_TEST_ENGINE: 'pglite' }, [])]);
if (await ensureServer()) {
  runs.push(['postgres', runVitest('postgres', { STRATUM_TEST_ENGINE: 'postgres', STRATUM_TEST_DATABASE_URL: SERVER }, ['.db.test'])]);
} else {
  console.log(`FAILED: the PostgreSQL server at ${SERVER} is not running and could not be started; the database tests cannot run on it.`);
  runs.push(['postgres', { passed: 0, failed: 1, skipped: 0, crashed: true, status: 1 }]);
}

// the browser tests: the built web app on the real server, driven by Chromium
const built = spawnSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
if (built.status !== 0) {
  console.log('FAILED: the web app does not build; the browser tests cannot run.');
  runs.push(['browser', { passed: 0, failed: 1, skipped: 0, crashed: true, status: 1 }]);
} else if (!ensureChromium()) {
  runs.push(['browser', { passed: 0, failed: 1, skipped: 0, crashed: true, status: 1 }]);
} else {
  rmSync('test-results/screenshots', { recursive: true, force: true });
  runs.push(['browser', runVitest('browser', { STRATUM_TEST_ENGINE: 'pglite' }, [])]);
  const shots = existsSync('test-results/screenshots') ? readdirSync('test-results/screenshots').sort() : [];
  console.log(`\nScreenshots of the browser tests (test-results/screenshots/): ${shots.join(', ') || 'none'}`);
}

// one more test: no log line of the whole run carries an ID number or a phone it produced
{
  const r = checkLogFolder(LOG_DIR, PII_SEEN_DIR);
  const ok = r.hits.length === 0 && r.values > 0 && r.lines > 0;
  console.log(`\n=== logs ===\n${r.lines} log lines searched for ${r.values} ID numbers and phones the tests produced: ${r.hits.length} found`);
  for (const h of r.hits.slice(0, 20)) console.log(`  FAILED: test-results/logs/${h.file} line ${h.line} carries a ${h.kind}`);
  if (r.values === 0 || r.lines === 0) console.log('  FAILED: nothing to search (no values noted or no log written): the check would prove nothing');
  runs.push(['logs', { passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, crashed: false, status: 0 }]);
}

process.exit(summarize(runs));
