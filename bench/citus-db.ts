// A database on a Citus cluster for the benches' `--engine citus`: made on the coordinator and on
// every worker (the extension in each, the workers added), as `citus-cluster.sh createdb` makes it.
//
// The cluster is the one at STRATUM_CITUS_URL (default postgres://postgres@127.0.0.1:5440/postgres,
// the development cluster on loopback); when it does not answer, the cluster script
// STRATUM_CITUS_SCRIPT (default ../shared/tools/citus/citus-cluster.sh) is asked to start it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const COORDINATOR = process.env.STRATUM_CITUS_URL ?? 'postgres://postgres@127.0.0.1:5440/postgres';
const SCRIPT = path.resolve(process.env.STRATUM_CITUS_SCRIPT ?? '../shared/tools/citus/citus-cluster.sh');

async function answers(): Promise<boolean> {
  const c = new pg.Client({ connectionString: COORDINATOR, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function script(...args: string[]): void {
  if (!existsSync(SCRIPT)) throw new Error(`no Citus coordinator answers at ${COORDINATOR} and the cluster script ${SCRIPT} is not there (set STRATUM_CITUS_URL or STRATUM_CITUS_SCRIPT)`);
  const r = spawnSync('bash', [SCRIPT, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${SCRIPT} ${args.join(' ')} exited with ${r.status}`);
}

/** The database `name` on the cluster, made on every node if missing (`fresh`: an older one is dropped first); `drop` removes it from every node. */
export async function citusDatabase(name: string, fresh = true): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!(await answers())) {
    console.log(`starting the Citus cluster with ${SCRIPT} start …`);
    script('start');
  }
  if (fresh) script('dropdb', name);
  script('createdb', name); // an existing one is kept as it is
  const url = new URL(COORDINATOR);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: async () => script('dropdb', name) };
}
