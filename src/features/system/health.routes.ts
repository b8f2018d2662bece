import { z } from 'zod';
import { loadConfig } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';
import { ErrorResponse, type Api, type AppDeps, type RegisterRoutes } from '../../platform/http.js';
import { text } from '../../platform/i18n.js';
import { bearerMatches, fromLoopback, metricsText, processMetrics } from '../../platform/metrics.js';
import { listMigrations, type Migration } from '../../platform/migrate.js';
import { DATABASE_WAIT_MS, operationsRegistry, operationsSnapshot, readiness, TimedOut, within } from './health.service.js';

// For the operations team's monitoring (issue 18, docs/operations.md "Health and metrics"):
//   GET /api/health/ready  whether this server can serve: the database answers and is migrated
//   GET /metrics           Prometheus text: requests by route pattern, the process, the last
//                          loads and batches; open on loopback, from elsewhere with the token

const Ready = z.object({
  data: z.object({
    status: z.literal('ready'),
    engine: z.enum(['pglite', 'postgres']),
    /** migrations the code knows, all applied */
    migrations: z.number().int(),
  }),
});

export interface HealthRouteOptions {
  /** the token of GET /metrics from another machine (default STRATUM_METRICS_TOKEN); null: loopback only */
  metricsToken?: string | null;
  /** the migrations this version expects applied (default: the files of src/platform/migrations) */
  migrations?: readonly Migration[];
  /** how long to wait for the database (default 5 s) */
  databaseWaitMs?: number;
}

export function healthRoutes(o: HealthRouteOptions = {}): RegisterRoutes {
  return async (api: Api, { db }: AppDeps) => {
    const migrations = o.migrations ?? listMigrations();
    const token = o.metricsToken === undefined ? loadConfig().metricsToken : o.metricsToken || undefined;
    const waitMs = o.databaseWaitMs ?? DATABASE_WAIT_MS;

    api.get(
      '/api/health/ready',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Whether this server can serve: its database answers and every migration is applied (200), or why not (503); for a load balancer or an orchestrator',
          tags: ['system'],
          response: { 200: Ready, 400: ErrorResponse, 503: ErrorResponse },
        },
      },
      async (req) => {
        const r = await readiness(db, migrations, waitMs);
        if (r.ready) return { data: { status: 'ready' as const, engine: db.engine, migrations: r.migrations } };
        if (r.why === 'database') {
          // the cause in the log only: the answer is public, and a driver's error names hosts and ports
          req.log.warn({ err: r.error }, 'not ready: the database does not answer');
          const late = r.error instanceof TimedOut;
          throw new AppError(
            'unavailable',
            late
              ? text(`数据库在 ${waitMs / 1000} 秒内没有响应，暂不能提供服务。`, `The database did not answer within ${waitMs / 1000} seconds; the server cannot serve for now.`)
              : text('无法连接数据库，暂不能提供服务（原因见服务器日志）。', 'The database cannot be reached; the server cannot serve for now (the server log says why).'),
          );
        }
        const names = (list: string[]) => list.slice(0, 5).join(', ') + (list.length > 5 ? ` …(+${list.length - 5})` : '');
        throw new AppError(
          'unavailable',
          r.pending.length
            ? text(
                `数据库还有 ${r.pending.length} 个迁移未应用（${names(r.pending)}），请运行 stratum db migrate。`,
                `${r.pending.length} migration(s) not applied to the database (${names(r.pending)}): run stratum db migrate.`,
              )
            : text(
                `数据库中已应用的迁移与本版本的文件不一致（${names(r.changed)}），请检查部署的版本。`,
                `Migrations applied to the database differ from this version's files (${names(r.changed)}): check the version deployed.`,
              ),
        );
      },
    );

    // Not under /api and not in the OpenAPI document: Prometheus's text, for the monitoring
    // system; the access guard does not see it (no session), its own rule below does.
    api.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (!fromLoopback(req)) {
        if (!token) {
          throw new AppError(
            'forbidden',
            text(
              '指标只对本机开放：如需从其他机器采集，请在服务器上设置 STRATUM_METRICS_TOKEN，并在请求中携带 Authorization: Bearer <令牌>。',
              'Metrics are open to this machine only: to scrape them from another, set STRATUM_METRICS_TOKEN on the server and send Authorization: Bearer <token>.',
            ),
          );
        }
        if (!bearerMatches(req.headers.authorization, token)) {
          void reply.header('www-authenticate', 'Bearer realm="stratum-metrics"');
          throw new AppError('unauthenticated', text('请在 Authorization: Bearer 中提供正确的指标令牌（STRATUM_METRICS_TOKEN）。', 'Send the metrics token (STRATUM_METRICS_TOKEN) as Authorization: Bearer <token>.'));
        }
      }
      let snap = null;
      try {
        snap = await within(waitMs, operationsSnapshot(db, migrations));
      } catch (e) {
        req.log.warn({ err: e }, 'metrics: the database did not answer the scrape');
      }
      const out = await metricsText([processMetrics(), api.httpMetrics.registry, operationsRegistry(snap)]);
      return reply.header('cache-control', 'no-store').type(out.contentType).send(out.body);
    });
  };
}
