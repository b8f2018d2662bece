import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFullDay, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { buildApp } from '../../platform/http.js';
import { listMigrations } from '../../platform/migrate.js';
import { loadFeed } from '../feed/feed.load.js';
import { healthRoutes } from './health.routes.js';

// What the operations team checks (docs/operations.md, "Health and metrics"): readiness for the
// load balancer, and /metrics for Prometheus: route patterns, never a URL nor a customer's data;
// the last loads and batches read from the database; who may scrape.

type App = Awaited<ReturnType<typeof buildApp>>;
let db: Db;
/** the whole server, no metrics token configured */
let app: App;
beforeAll(async () => {
  db = await openTestDb();
  delete process.env.STRATUM_METRICS_TOKEN;
  app = await buildStratumApp({ db, webDir: null });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const scrape = async (a: App = app, o: { remoteAddress?: string; headers?: Record<string, string> } = {}) => a.inject({ method: 'GET', url: '/metrics', ...o });
/** the value of one series in Prometheus text ("name{labels} value"), undefined when absent */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
const midnightUtc = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

describe('readiness: GET /api/health/ready', () => {
  it('is 200 when the database answers and every migration is applied', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ data: { status: 'ready', engine: db.engine, migrations: listMigrations().length } });
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('is 503 naming the migration the database lacks (a new version not yet migrated), in both languages', async () => {
    const ahead = await buildApp({ db }, [healthRoutes({ migrations: [...listMigrations(), { name: '9999_next_release.sql', sql: 'SELECT 1', checksum: 'x' }] })]);
    try {
      const en = await ahead.inject({ method: 'GET', url: '/api/health/ready', headers: { 'accept-language': 'en' } });
      expect(en.statusCode).toBe(503);
      expect(en.json()).toEqual({ error: { code: 'unavailable', message: '1 migration(s) not applied to the database (9999_next_release.sql): run stratum db migrate.' } });
      const zh = await ahead.inject({ method: 'GET', url: '/api/health/ready' });
      expect(zh.json().error.message).toBe('数据库还有 1 个迁移未应用（9999_next_release.sql），请运行 stratum db migrate。');
    } finally {
      await ahead.close();
    }
  });

  it('is 503 when an applied migration differs from the file of this version', async () => {
    const [first, ...rest] = listMigrations();
    const edited = await buildApp({ db }, [healthRoutes({ migrations: [{ ...first!, checksum: 'edited' }, ...rest] })]);
    try {
      const r = await edited.inject({ method: 'GET', url: '/api/health/ready', headers: { 'accept-language': 'en' } });
      expect(r.statusCode).toBe(503);
      expect(r.json().error.message).toContain(`differ from this version's files (${first!.name})`);
    } finally {
      await edited.close();
    }
  });

  it('is 503 when the database cannot be reached, or does not answer in time; /metrics still answers, database down', async () => {
    const gone = await openTestDb();
    await gone.close();
    const unreachable = await buildApp({ db: gone }, [healthRoutes({ metricsToken: null })]);
    const stuck: Db = { ...db, session: () => new Promise(() => {}) };
    const slow = await buildApp({ db: stuck }, [healthRoutes({ metricsToken: null, databaseWaitMs: 50 })]);
    try {
      const r = await unreachable.inject({ method: 'GET', url: '/api/health/ready', headers: { 'accept-language': 'en' } });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toEqual({ error: { code: 'unavailable', message: 'The database cannot be reached; the server cannot serve for now (the server log says why).' } });
      const late = await slow.inject({ method: 'GET', url: '/api/health/ready' });
      expect(late.statusCode).toBe(503);
      expect(late.json().error.message).toBe('数据库在 0.05 秒内没有响应，暂不能提供服务。');
      for (const down of [unreachable, slow]) {
        const m = await scrape(down);
        expect(m.statusCode).toBe(200);
        expect(sample(m.body, 'stratum_database_up')).toBe(0);
        expect(m.body).not.toContain('stratum_last_loaded_business_date_seconds ');
      }
    } finally {
      await unreachable.close();
      await slow.close();
    }
  });

  it('is in the OpenAPI document, public, with its 503', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, { get?: { security?: unknown[]; responses?: Record<string, unknown> } }> };
    const op = doc.paths['/api/health/ready']?.get;
    expect(op?.security).toEqual([]);
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', '503']));
    expect(doc.paths['/metrics']).toBeUndefined();
  });
});

describe('/metrics', () => {
  it('answers Prometheus text on an empty database: the process, the database up, no dates yet, runs at zero', async () => {
    const r = await scrape();
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toContain('# TYPE stratum_process_cpu_user_seconds_total counter');
    expect(r.body).toContain('# TYPE stratum_nodejs_eventloop_lag_seconds gauge');
    expect(sample(r.body, 'stratum_database_up')).toBe(1);
    expect(sample(r.body, 'stratum_schema_migrations_pending')).toBe(0);
    expect(sample(r.body, 'stratum_last_loaded_business_date_seconds')).toBeUndefined();
    expect(sample(r.body, 'stratum_last_batched_business_date_seconds')).toBeUndefined();
    expect(sample(r.body, 'stratum_operation_runs{kind="batch",outcome="failed"}')).toBe(0);
    expect(r.body).not.toMatch(/^stratum_batch_step_seconds\{/m);
    expect(r.body).not.toMatch(/^stratum_last_run_outcome\{/m);
  });

  it('labels requests by route pattern, never by the address asked, and an unknown address as unmatched', async () => {
    await app.inject({ method: 'GET', url: '/api/customers/C7310042' });
    await app.inject({ method: 'GET', url: '/api/customers/C7310043/aum-history' });
    await app.inject({ method: 'GET', url: '/api/no-such-page/C7310044?phone=13812345678' });
    const r = await scrape();
    expect(sample(r.body, 'stratum_http_requests_total{method="GET",route="/api/customers/:customerId",status_code="401"}')).toBe(1);
    expect(sample(r.body, 'stratum_http_request_duration_seconds_count{method="GET",route="/api/customers/:customerId",status_code="401"}')).toBe(1);
    expect(sample(r.body, 'stratum_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/customers/:customerId",status_code="401"}')).toBe(1);
    expect(sample(r.body, 'stratum_http_requests_total{method="GET",route="/api/customers/:customerId/aum-history",status_code="401"}')).toBe(1);
    expect(sample(r.body, 'stratum_http_requests_total{method="GET",route="unmatched",status_code="404"}')).toBe(1);
    expect(r.body).not.toMatch(/C731004\d|13812345678|no-such-page/);
    // the readiness checks of the tests above, and the scrapes themselves
    expect(sample(r.body, 'stratum_http_requests_total{method="GET",route="/api/health/ready",status_code="200"}')).toBe(1);
    expect(sample(r.body, 'stratum_http_requests_total{method="GET",route="/metrics",status_code="200"}')).toBeGreaterThanOrEqual(1);
  });

  it('reads the last business date loaded, and what the recorded runs say, from the database; never a customer', async () => {
    const files = buildFullDay();
    await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, files));
    await db.session(async (s) => {
      const run = `INSERT INTO operation_runs (run_id, kind, business_date, started_by, outcome, started_at, finished_at, rows, detail) VALUES `;
      await s.query(`${run} ('t-load', 'load', '2026-11-20', 'cli', 'done', now() - interval '3 hours', now() - interval '179 minutes', 12, $1::jsonb)`, [
        JSON.stringify([{ file: 'customers.csv', rows: 2, written: 2, gone: 0 }, { file: 'transactions.csv', rows: 10, written: 10, gone: 0 }]),
      ]);
      await s.query(`${run} ('t-batch', 'batch', '2026-11-20', 'cli', 'done', now() - interval '2 hours 10 minutes', now() - interval '2 hours', 2, $1::jsonb)`, [
        JSON.stringify([
          { step: 'tiering', seconds: 4.25, summary: '2 customers, 7 models and tag groups' },
          { step: 'events', seconds: 0.5, summary: '3 events' },
        ]),
      ]);
      // the next night's batch failed
      await s.query(`${run} ('t-failed', 'batch', '2026-11-21', 'daily', 'failed', now() - interval '1 hour', now() - interval '59 minutes', NULL, '[]'::jsonb)`);
    });
    const r = await scrape();
    expect(sample(r.body, 'stratum_last_loaded_business_date_seconds')).toBe(midnightUtc('2026-11-20'));
    expect(sample(r.body, 'stratum_last_batched_business_date_seconds')).toBe(midnightUtc('2026-11-20'));
    expect(sample(r.body, 'stratum_load_rows')).toBe(12);
    expect(sample(r.body, 'stratum_load_file_rows{file="transactions.csv"}')).toBe(10);
    expect(sample(r.body, 'stratum_batch_step_seconds{step="tiering"}')).toBe(4.25);
    expect(sample(r.body, 'stratum_batch_step_seconds{step="events"}')).toBe(0.5);
    expect(sample(r.body, 'stratum_batch_customers')).toBe(2);
    expect(sample(r.body, 'stratum_operation_runs{kind="batch",outcome="done"}')).toBe(1);
    expect(sample(r.body, 'stratum_operation_runs{kind="batch",outcome="failed"}')).toBe(1);
    expect(sample(r.body, 'stratum_operation_runs{kind="load",outcome="done"}')).toBe(1);
    // what the alerts read: the last batch failed; the last good one finished two hours ago
    expect(sample(r.body, 'stratum_last_run_outcome{kind="batch",outcome="failed"}')).toBe(1);
    expect(sample(r.body, 'stratum_last_run_outcome{kind="batch",outcome="done"}')).toBe(0);
    expect(sample(r.body, 'stratum_last_run_outcome{kind="load",outcome="done"}')).toBe(1);
    const age = sample(r.body, 'stratum_last_successful_run_age_seconds{kind="batch"}')!;
    expect(age).toBeGreaterThan(2 * 3600 - 5);
    expect(age).toBeLessThan(2 * 3600 + 120);
    const at = sample(r.body, 'stratum_last_successful_run_timestamp_seconds{kind="batch"}')!;
    expect(Math.abs(at - (Date.now() / 1000 - 2 * 3600))).toBeLessThan(120);
    // nothing of a customer: not an id, a name, a phone, an ID number, an account
    for (const c of files.customers ?? []) for (const v of [c.customer_id, c.name, c.phone, c.id_number]) expect(r.body).not.toContain(v!);
    for (const a of files.accounts ?? []) expect(r.body).not.toContain(`"${a.account_id}"`);
  });
});

describe('who may scrape /metrics', () => {
  it('without a token configured: this machine only (127.0.0.1, ::1, ::ffff:127.0.0.1); any other address 403, saying how to open it', async () => {
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await scrape(app, { remoteAddress })).statusCode, remoteAddress).toBe(200);
    const r = await scrape(app, { remoteAddress: '10.20.30.40', headers: { authorization: 'Bearer anything', 'accept-language': 'en' } });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({
      error: { code: 'forbidden', message: 'Metrics are open to this machine only: to scrape them from another, set STRATUM_METRICS_TOKEN on the server and send Authorization: Bearer <token>.' },
    });
    expect(r.body).not.toContain('stratum_');
  });

  it('with STRATUM_METRICS_TOKEN: another machine with Authorization: Bearer <token>; a missing or wrong token 401', async () => {
    process.env.STRATUM_METRICS_TOKEN = 'b7f3c1d2e5a4968071f2e3d4c5b6a798';
    const withToken = await buildStratumApp({ db, webDir: null }).finally(() => delete process.env.STRATUM_METRICS_TOKEN);
    try {
      const remote = { remoteAddress: '192.168.7.9' };
      const ok = await scrape(withToken, { ...remote, headers: { authorization: 'Bearer b7f3c1d2e5a4968071f2e3d4c5b6a798' } });
      expect(ok.statusCode).toBe(200);
      expect(sample(ok.body, 'stratum_database_up')).toBe(1);
      for (const authorization of [undefined, 'Bearer wrong', 'Bearer b7f3c1d2e5a4968071f2e3d4c5b6a79', 'Basic b7f3c1d2e5a4968071f2e3d4c5b6a798', 'b7f3c1d2e5a4968071f2e3d4c5b6a798']) {
        const r = await scrape(withToken, { ...remote, headers: { 'accept-language': 'en', ...(authorization ? { authorization } : {}) } });
        expect(r.statusCode, authorization).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer realm="stratum-metrics"');
        expect(r.json().error).toEqual({ code: 'unauthenticated', message: 'Send the metrics token (STRATUM_METRICS_TOKEN) as Authorization: Bearer <token>.' });
      }
      // this machine needs no token
      expect((await scrape(withToken)).statusCode).toBe(200);
    } finally {
      await withToken.close();
    }
  });

  it('behind a reverse proxy (STRATUM_TRUST_PROXY=1): local only when every address of the chain is, so a forwarded 127.0.0.1 does not pass', async () => {
    process.env.STRATUM_TRUST_PROXY = '1';
    const proxied = await buildApp({ db }, [healthRoutes({ metricsToken: null })]).finally(() => delete process.env.STRATUM_TRUST_PROXY);
    try {
      // a scraper on the proxy's machine, through the proxy
      expect((await scrape(proxied, { headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode).toBe(200);
      // a remote client through the proxy on this machine
      expect((await scrape(proxied, { headers: { 'x-forwarded-for': '10.1.1.1' } })).statusCode).toBe(403);
      // the same, having written its own X-Forwarded-For: 127.0.0.1 (the proxy appends its peer)
      expect((await scrape(proxied, { headers: { 'x-forwarded-for': '127.0.0.1, 10.1.1.1' } })).statusCode).toBe(403);
      expect((await scrape(proxied, { remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': '127.0.0.1' } })).statusCode).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});
