import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { feedDir } from './feed-builder.js';
import { freshServerDatabase, onServer } from './test-db.js';

// The `stratum` command as an operator runs it, on the engine of this run: a data folder of the
// suite's own (the embedded database) or a new database on the server, dropped afterwards.

const run = promisify(execFile);
const BIN = path.resolve('bin/stratum.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** For a test file: `stratum(...args)` against the suite's database; `env` may be added to in the file's tests. */
export function useStratumCli(opts: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): ((...args: string[]) => Promise<CliResult>) & { env: () => NodeJS.ProcessEnv } {
  let env: NodeJS.ProcessEnv = {};
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    env = { ...process.env, STRATUM_DATA_DIR: feedDir(), DATABASE_URL: '', ...opts.env };
    if (onServer()) {
      const server = await freshServerDatabase();
      env.DATABASE_URL = server.url;
      drop = server.drop;
    }
  });
  afterAll(async () => {
    await drop?.();
  });
  const stratum = async (...args: string[]): Promise<CliResult> => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, timeout: opts.timeout ?? 120_000 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
    }
  };
  // the command's environment (its data folder or database), for a test that opens the database itself between two commands
  return Object.assign(stratum, { env: () => env });
}
