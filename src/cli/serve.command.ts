import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../platform/config.js';
import type { Db } from '../platform/db.js';
import { configFrom, describeDb, openMigratedDb, type GlobalOptions } from './context.js';

/** Serves the API and the web app until Ctrl-C; closes the database on the way out. */
export async function serveUntilStopped(
  db: Db,
  config: Config,
  where: { port?: number; host?: string } = {},
  daily?: { at: string; inbox: string; retries: number; backoffSeconds: number },
): Promise<void> {
  const { buildStratumApp, WEB_DIR } = await import('../app.js');
  const app = await buildStratumApp({ db, exportsDir: path.join(config.dataDir, 'exports') });
  const port = where.port ?? config.port;
  const host = where.host ?? config.host;
  try {
    await app.listen({ port, host });
  } catch (e) {
    await db.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${port} is already in use: stop the other server, or choose another port with PORT=3001 (or --port)`);
    throw e;
  }
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) {
    console.log(`The web app is not built yet (${WEB_DIR}): run \`npm run build:web\`. The API works without it.`);
  }
  console.log(`Stratum is serving the ${describeDb(db)} at http://${shown}:${port}/ (API documentation: http://${shown}:${port}/docs). Ctrl-C stops it.`);
  let schedule: import('../features/operations/daily.schedule.js').DailySchedule | null = null;
  if (daily) {
    const { scheduleDaily } = await import('../features/operations/daily.schedule.js');
    schedule = scheduleDaily(db, daily);
    console.log(`The daily run loads and batches ${daily.inbox} every day at ${daily.at} China time; next: ${schedule.next().toISOString()}.`);
  }
  const stop = async () => {
    schedule?.stop();
    // a daily run going on is interrupted with the process: its date is not half-loaded (a load is
    // one transaction) and the next run finishes it
    await app.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web server (port from PORT, default 3000): the web app at /, the API under /api, its documentation at /docs')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .option('--daily-at <HH:MM>', 'also run `stratum daily` every day at this time, China time (default: STRATUM_DAILY_AT; unset: no daily run)')
    .option('--inbox <dir>', 'the folder the bank drops its date folders into, for --daily-at (default: STRATUM_INBOX)')
    .option('--retries <n>', 'for --daily-at: times a failed date is tried again (default: STRATUM_DAILY_RETRIES or 2)')
    .option('--backoff <seconds>', 'for --daily-at: seconds before the first retry, doubling (default: STRATUM_DAILY_BACKOFF_SECONDS or 60)')
    .action(async (opts: { port?: string; host?: string; dailyAt?: string; inbox?: string; retries?: string; backoff?: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const dailyAt = opts.dailyAt ?? process.env.STRATUM_DAILY_AT;
      let daily;
      if (dailyAt) {
        const { parseTimeOfDay } = await import('../features/operations/daily.schedule.js');
        parseTimeOfDay(dailyAt);
        const { dailySettings } = await import('./daily.command.js');
        daily = { at: dailyAt, ...dailySettings(opts) };
        if (!existsSync(daily.inbox) || !statSync(daily.inbox).isDirectory()) throw new Error(`the inbox ${daily.inbox} is not a folder`);
      } else if (opts.inbox) throw new Error('--inbox is for the daily run: give --daily-at too (e.g. --daily-at 06:00)');
      const port = opts.port !== undefined ? Number(opts.port) : undefined;
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a port number, not '${opts.port}'`);
      const db = await openMigratedDb(config);
      await serveUntilStopped(db, config, { ...(port !== undefined ? { port } : {}), ...(opts.host ? { host: opts.host } : {}) }, daily);
    });
}
