import type { Command } from 'commander';
import { configFrom, describeDb, openMigratedDb, type GlobalOptions } from './context.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web server (port from PORT, default 3000): the API under /api, its documentation at /docs')
    .option('-p, --port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on (default: HOST or 127.0.0.1)')
    .action(async (opts: { port?: string; host?: string }, cmd: Command) => {
      const config = configFrom(cmd.optsWithGlobals<GlobalOptions>());
      const { buildApp } = await import('../platform/http.js');
      const { systemRoutes } = await import('../features/system/system.routes.js');
      const db = await openMigratedDb(config);
      const app = await buildApp({ db }, [systemRoutes]);
      const port = opts.port ? Number(opts.port) : config.port;
      const host = opts.host ?? config.host;
      await app.listen({ port, host });
      const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      console.log(`Stratum is serving the ${describeDb(db)} at http://${shown}:${port}/ (API docs: http://${shown}:${port}/docs). Ctrl-C stops it.`);
      const stop = async () => {
        await app.close();
        await db.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
