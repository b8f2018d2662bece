#!/usr/bin/env node
// `npm run test:citus`: the database suites on a Citus cluster (a coordinator and two workers).
// Each suite makes its own database on every node (test/test-db.ts). The cluster is the one at
// STRATUM_CITUS_URL (default postgres://postgres@127.0.0.1:5440/postgres); when it does not answer,
// the cluster script STRATUM_CITUS_SCRIPT (default ../shared/tools/citus/citus-cluster.sh, beside the
// project) is asked to start it — building Citus into PostgreSQL 15 first when it is not installed
// (about 15 minutes, once per machine). A cluster that cannot start fails the run loudly.
// Ends with the line "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { runVitest, summarize } from './test-lib.mjs';

const URL_ = process.env.STRATUM_CITUS_URL ?? 'postgres://postgres@127.0.0.1:5440/postgres';
const SCRIPT = path.resolve(process.env.STRATUM_CITUS_SCRIPT ?? '../shared/tools/citus/citus-cluster.sh');
const extra = process.argv.slice(2);
mkdirSync('test-results', { recursive: true });
process.env.STRATUM_LOG_DIR ??= path.resolve('test-results/logs-citus');

/** The number of active workers of the cluster, or null when the coordinator does not answer. */
async function workers() {
  const c = new pg.Client({ connectionString: URL_, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    const r = await c.query(`SELECT count(*)::int AS n FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 AND isactive`);
    return r.rows[0].n;
  } catch {
    return null;
  } finally {
    await c.end().catch(() => {});
  }
}

function fail(why) {
  console.log(`FAILED: ${why}; the database suites cannot run on Citus.`);
  console.log('citus: 0 passed, 1 failed, 0 skipped');
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

let n = await workers();
if (!n) {
  if (!existsSync(SCRIPT)) fail(`no Citus coordinator answers at ${URL_} and the cluster script ${SCRIPT} is not there (set STRATUM_CITUS_SCRIPT)`);
  console.log(`No Citus cluster answers at ${URL_}: starting it with ${SCRIPT} start (the first time builds Citus, ~15 min)…`);
  const r = spawnSync('bash', [SCRIPT, 'start'], { stdio: 'inherit' });
  if (r.status !== 0) fail(`${SCRIPT} start exited with ${r.status}`);
  n = await workers();
  if (!n) fail(`the cluster started but its coordinator at ${URL_} ${n === 0 ? 'has no workers' : 'does not answer'}`);
}
console.log(`Citus coordinator at ${URL_} with ${n} workers`);

// every database suite: the loader, each batch step, exports, ownership, the worklist, the routes' scope
const run = runVitest('citus', { STRATUM_TEST_ENGINE: 'citus', STRATUM_CITUS_URL: URL_ }, ['.db.test'], extra);
process.exit(summarize([['citus', run]]));
