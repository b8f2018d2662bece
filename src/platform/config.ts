import path from 'node:path';

// Configuration comes from the environment (and the CLI's --data-dir), read in one place.

export interface Config {
  /** PostgreSQL server URL; when unset, the embedded database is used */
  databaseUrl?: string;
  /** Stratum's own folder: the embedded database (pglite/) and the demo feed (demo-feed/) */
  dataDir: string;
  port: number;
  host: string;
  /** the token a scraper from another machine sends to GET /metrics (Authorization: Bearer …); unset: loopback only */
  metricsToken?: string;
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const env = process.env;
  const dataDir = path.resolve(overrides.dataDir ?? env.STRATUM_DATA_DIR ?? './data');
  const port = Number(overrides.port ?? env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT '${env.PORT}' is not a port number`);
  const databaseUrl = overrides.databaseUrl ?? (env.DATABASE_URL || undefined);
  const metricsToken = overrides.metricsToken ?? (env.STRATUM_METRICS_TOKEN?.trim() || undefined);
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(metricsToken ? { metricsToken } : {}),
    dataDir,
    port,
    host: overrides.host ?? env.HOST ?? '127.0.0.1',
  };
}

export const pgliteDir = (c: Config) => path.join(c.dataDir, 'pglite');
export const demoFeedDir = (c: Config) => path.join(c.dataDir, 'demo-feed');
