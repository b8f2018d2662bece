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

/** The SMS gateway (issue 21 §3; docs/configuration.md "Short messages"). */
export interface SmsSettings {
  /** STRATUM_SMS_URL: where messages are posted; unset: nothing can be sent */
  url?: string;
  /** STRATUM_SMS_TOKEN: sent as Authorization: Bearer … */
  token?: string;
  /** STRATUM_SMS_WEBHOOK_SECRET: the key of the webhooks' X-Stratum-Signature; unset: every webhook is refused */
  webhookSecret?: string;
  /** STRATUM_SMS_TIMEOUT_MS: how long one request to the gateway may take (default 10,000) */
  timeoutMs: number;
  /** STRATUM_SMS_RETRIES: how many times a request answered 5xx or timed out is tried again (default 4) */
  retries: number;
  /** STRATUM_SMS_BACKOFF_MS: the first wait before trying again, doubled each time (default 500) */
  backoffMs: number;
}

function whole(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} '${value}' is not a whole number from 0 to ${max}`);
  return n;
}

export function smsSettings(env: NodeJS.ProcessEnv = process.env): SmsSettings {
  const url = env.STRATUM_SMS_URL?.trim() || undefined;
  if (url && !/^https?:\/\//.test(url)) throw new Error(`STRATUM_SMS_URL '${url}' is not an http:// or https:// address`);
  const token = env.STRATUM_SMS_TOKEN?.trim() || undefined;
  const webhookSecret = env.STRATUM_SMS_WEBHOOK_SECRET?.trim() || undefined;
  return {
    ...(url ? { url } : {}),
    ...(token ? { token } : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
    timeoutMs: whole('STRATUM_SMS_TIMEOUT_MS', env.STRATUM_SMS_TIMEOUT_MS, 10_000, 600_000),
    retries: whole('STRATUM_SMS_RETRIES', env.STRATUM_SMS_RETRIES, 4, 20),
    backoffMs: whole('STRATUM_SMS_BACKOFF_MS', env.STRATUM_SMS_BACKOFF_MS, 500, 60_000),
  };
}

/**
 * STRATUM_CAMPAIGN_HOLDOUT_PERCENT: the share of a group a new campaign holds out by default, to
 * measure what the campaign did (issue 21 §6; 0 to 50, default 10). A campaign may set its own.
 */
export function campaignHoldoutPercent(env: NodeJS.ProcessEnv = process.env): number {
  return whole('STRATUM_CAMPAIGN_HOLDOUT_PERCENT', env.STRATUM_CAMPAIGN_HOLDOUT_PERCENT, 10, 50);
}
