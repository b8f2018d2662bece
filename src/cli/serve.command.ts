import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../platform/config.js';
import type { Db } from '../platform/db.js';
import { configFrom, describeDb, openMigratedDb, type GlobalOptions } from './context.js';

/** Serves the API and the web app until Ctrl-C; closes the database on the way out. */
export async function serveUntilStopped(db: Db, config: Config, where: { port?: number; host?: string } = {}): Promise<void> {
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
  const stop = async () => {
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
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const port = opts.port !== undefined ? Number(opts.port) : undefined;
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`--port must be a port number, not '${opts.port}'`);
      const db = await openMigratedDb(config);
      await serveUntilStopped(db, config, { ...(port !== undefined ? { port } : {}), ...(opts.host ? { host: opts.host } : {}) });
    });
}
