import fastifyCompress from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { constants as zlibConstants } from 'node:zlib';
import path from 'node:path';
import type { Readable } from 'node:stream';
import fastifySwagger, { type SwaggerTransformObject } from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from './db.js';
import { AppError, ERROR_STATUS, type ErrorBody, type ErrorCode, type Message } from './errors.js';
import { langOf, text, type Lang, type LocalText } from './i18n.js';
import { recordAuditDb } from './audit.js';
import { requestArrived } from './activity.js';
import { nulPath } from './contract.js';
import { logger } from './logger.js';
import { HttpMetrics } from './metrics.js';
import { webShell } from './web-shell.js';

export type Api = ReturnType<typeof typed>;
export type RegisterRoutes = (api: Api, deps: AppDeps) => Promise<void>;

export interface AppDeps {
  db: Db;
}

/** What a route needs: signing in, one permission, or nothing (health, sign-in itself). */
export type RouteAccess = 'public' | { permission: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** an audit action recorded when a request to this route is refused as malformed (sign-in: sign_in_failed) */
    auditMalformedAs?: string;
  }
  interface FastifyRequest {
    /** the error code the request was answered with, for the request's log line */
    errorCode?: ErrorCode;
  }
}

export interface AppOptions {
  /** sign-in attempts per client address per minute (the rate limit on top of the account lock) */
  signInRateLimit?: number;
  /** the built web app (dist/web): served at /, every unknown page answered with its index.html */
  webDir?: string;
  /** hooks run before the routes are added (the access guard) */
  plugins?: ((app: FastifyInstance, deps: AppDeps) => Promise<void>)[];
}

const zodLocales = { zh: z.locales.zhCN().localeError, en: z.locales.en().localeError };

// Messages of our own refinements (customers.contract.ts etc.) in both languages, by the key the
// schema gives as its message.
/** The one error shape, for the OpenAPI document. */
export const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
});

export const VALIDATION_MESSAGES: Record<string, LocalText> = {
  aum_range: text('AUM 下限须小于上限', 'the lowest AUM must be below the highest'),
  reveal_reason: text('请写明查看原因（4–200 个字）', 'give the reason for seeing the full value (4 to 200 characters)'),
  date_format: text('日期应写作 YYYY-MM-DD，如 2026-11-20', 'a date is written YYYY-MM-DD, e.g. 2026-11-20'),
  calendar_date: text('不是日历上存在的日期（如 2 月 30 日）', 'is not a real calendar day (like 30 February)'),
  month_format: text('月份应写作 YYYY-MM，如 2026-11', 'a month is written YYYY-MM, e.g. 2026-11'),
  date_time_format: text('日期时间应写作 YYYY-MM-DDTHH:mm（北京时间），如 2026-12-12T14:30', 'a date and time is written YYYY-MM-DDTHH:mm (China time), e.g. 2026-12-12T14:30'),
};

/** Keys that would change every object were the body ever merged into one (prototype poisoning). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function forbiddenKey(value: unknown, depth = 0): string | null {
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const found = forbiddenKey(v, depth + 1);
    if (found) return found;
  }
  return null;
}

/** A request body as JSON, or a 400 that says what is wrong with it in words a clerk understands. */
export function parseJsonBody(body: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    const where = at ? text(`（第 ${Number(at) + 1} 个字符处）`, ` (at character ${Number(at) + 1})`) : text('', '');
    throw new AppError('bad_request', text(`提交的内容不是有效的 JSON${where.zh}。`, `The request body is not valid JSON${where.en}.`));
  }
  const key = forbiddenKey(value);
  if (key) {
    throw new AppError('bad_request', text(`提交的内容含有不允许的字段名“${key}”。`, `The request body has a field named "${key}", which is not allowed.`), {
      [key]: text('不允许的字段名', 'not an allowed field name'),
    });
  }
  return value;
}

/** each request's "answered" call (activity.ts) */
const answeredOf = new WeakMap<FastifyRequest, () => void>();

const pick = (m: Message, lang: Lang) => (typeof m === 'string' ? m : m[lang]);

/** The HTTP server: JSON API under /api, OpenAPI at /docs, one error shape, security defaults. */
export async function buildApp(deps: AppDeps, routes: RegisterRoutes[], opts: AppOptions = {}) {
  const app: FastifyInstance = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: 256 * 1024,
    // Fastify's own request lines carry the URL with its query string, and a search can be a
    // phone tail or a name: we log method, route pattern, status and time ourselves instead
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: process.env.STRATUM_TRUST_PROXY === '1',
    // errors the router meets before any route (a malformed or overlong address) answer in the one
    // error shape too, without echoing the address back
    frameworkErrors: (err, req, reply) => {
      const lang = langOf(req.headers['accept-language']);
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const body: ErrorBody = tooLong
        ? { error: { code: 'uri_too_long', message: pick(text('地址中的编号太长（最多 100 个字符）。', 'A number in the address is too long (at most 100 characters).'), lang) } }
        : { error: { code: 'bad_request', message: pick(text('地址无效。', 'The address is not valid.'), lang) } };
      req.errorCode = body.error.code;
      void (reply as FastifyReply).status(ERROR_STATUS[body.error.code]).header('cache-control', 'no-store').send(body);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('errorCode', undefined);
  // requests in progress, for heavy work on the embedded engine to let them go first (activity.ts)
  app.addHook('onRequest', async (req) => void answeredOf.set(req, requestArrived()));
  app.addHook('onRequestAbort', async (req) => answeredOf.get(req)?.()); // the client went away first
  // one line per request: method, route pattern, status, error code and time; never the URL (its
  // query may be a name or a phone tail), a body, or an error's values (logger.ts, safeError)
  app.addHook('onResponse', async (req, reply) => {
    answeredOf.get(req)?.();
    req.log.info({ method: req.method, route: req.routeOptions.url ?? 'unknown', status: reply.statusCode, ...(req.errorCode ? { code: req.errorCode } : {}), ms: Math.round(reply.elapsedTime) }, 'request');
  });
  // requests and their time by route pattern (never the URL), for GET /metrics (metrics.ts)
  app.decorate('httpMetrics', new HttpMetrics());
  app.addHook('onResponse', async (req, reply) => app.httpMetrics.observe(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime));
  // JSON bodies read here rather than by Fastify's reader, whose errors say neither where nor in Chinese
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, text.trim() === '' ? undefined : parseJsonBody(text));
  });
  // A NUL character is refused at the edge, for every route, naming the field (query, address or body)
  app.addHook('preValidation', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const where = nulPath(req.params, 'params') ?? nulPath(req.query, 'query') ?? nulPath(req.body, 'body');
    if (!where) return;
    const field = where.replace(/^(params|query|body)\.?/, '') || '_';
    throw new AppError('bad_request', text(`“${field}”含有不可见的控制字符（NUL），请删除后重试。`, `${field} contains an invisible control character (NUL); remove it and try again.`), {
      [field]: text('含有控制字符 NUL', 'contains a NUL control character'),
    });
  });
  // Answers of the API are never kept by a browser or a proxy: they carry customers' data
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/api/')) {
      void reply.header('cache-control', 'no-store');
      void reply.header('pragma', 'no-cache');
    }
    return payload;
  });
  // STRATUM_CHECK_RESPONSES=1 (every test run): each answer checked against the OpenAPI document
  // the server publishes (openapi-check.ts), before compression; loaded only then
  if (process.env.STRATUM_CHECK_RESPONSES === '1') {
    const { responseCheckHook } = await import('./openapi-check.js');
    app.addHook('onSend', responseCheckHook(app));
  }
  app.setErrorHandler(async (err, req, reply) => {
    const lang = langOf(req.headers['accept-language']);
    const body = errorBody(err, lang, req);
    req.errorCode = body.error.code;
    const auditAs = req.routeOptions.config?.auditMalformedAs;
    if (auditAs && body.error.code === 'bad_request') {
      // a malformed sign-in is still a sign-in attempt: audited, without what was typed
      await recordAuditDb(deps.db, { actor: null, ip: req.ip, action: auditAs, outcome: 'refused', detail: { why: 'malformed', fields: Object.keys(body.error.fields ?? {}) } }).catch((e: unknown) => req.log.error({ err: e }, 'audit of a malformed request failed'));
    }
    // sent as built, not through the route's zod schema of the status: zod would rebuild error.fields
    // and drop a field named __proto__ (the refused key the answer names); the tests check every
    // error against the document all the same (openapi-check.ts)
    return reply.status(ERROR_STATUS[body.error.code]).type('application/json; charset=utf-8').serializer((b: unknown) => JSON.stringify(b)).send(body);
  });
  const webIndex = opts.webDir && existsSync(path.join(opts.webDir, 'index.html'));
  const pageShell = opts.webDir && webIndex ? webShell(opts.webDir) : null;
  app.setNotFoundHandler((req, reply) => {
    const isPage = req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/docs');
    const page = isPage && pageShell ? pageShell(req.url) : null;
    if (page !== null) {
      // a page of the single-page app (/customers/C1): the app's router takes it from there; the
      // page names the scripts of its first screen to preload (web-shell.ts)
      // the page shell holds no data, but a customer's page is never kept either
      void reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
      return;
    }
    if (isPage && req.url === '/') {
      void reply.type('text/plain; charset=utf-8').send('The web app is not built. Run `npm run build:web`, then reload. The API is at /api and its documentation at /docs.');
      return;
    }
    const lang = langOf(req.headers['accept-language']);
    const path = req.url.split('?')[0] ?? req.url;
    const message = pick(text(`没有这个地址：${req.method} ${path}`, `There is nothing at ${req.method} ${path}.`), lang);
    void reply.status(404).send({ error: { code: 'not_found', message } } satisfies ErrorBody);
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Ant Design and ECharts write inline styles; no inline scripts are allowed
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // the app is served over plain HTTP on a branch network as often as over HTTPS
    strictTransportSecurity: false,
  });
  // brotli or gzip for the web app's files and the API's JSON (a list page is ~10× smaller);
  // brotli at a middle quality: the highest costs more time per answer than it saves on a branch's network
  await app.register(fastifyCompress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    global: false,
    max: opts.signInRateLimit ?? 20,
    timeWindow: '1 minute',
    errorResponseBuilder: (req, ctx) =>
      new AppError(
        'rate_limited',
        text(`尝试次数过多，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试。`, `Too many attempts; try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`),
      ),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Stratum API',
        version: '0.1.0',
        description: 'Customer tiering and relationship management for retail bank branches. Sign in with POST /api/session; send the csrfToken it returns as the X-CSRF-Token header on every request that changes something. Every error is `{ "error": { "code", "message", "fields"? } }`.',
        // package.json: UNLICENSED — no licence text at an address to link to (test/openapi-lint.test.ts)
        license: { name: 'Proprietary (UNLICENSED): for use by the bank that runs it' },
      },
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      servers: [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'stratum_session', description: 'the session cookie POST /api/session sets (httpOnly)' },
          csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'the csrfToken of the session, on every request that changes something' },
          signature: { type: 'apiKey', in: 'header', name: 'X-Stratum-Signature', description: "the SMS gateway's webhooks: hex HMAC-SHA256 of the raw request body with STRATUM_SMS_WEBHOOK_SECRET (docs/sms-gateway.md)" },
        },
      },
    },
    transform: (arg) => documentFileAnswers(jsonSchemaTransform(arg)),
    transformObject: (doc) => publishedDocument('openapiObject' in doc ? doc.openapiObject : doc.swaggerObject) as ReturnType<SwaggerTransformObject>,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });
  if (opts.webDir && webIndex) {
    await app.register(fastifyStatic, {
      root: path.resolve(opts.webDir),
      prefix: '/',
      wildcard: true,
      // our own Cache-Control below (the plugin's default, max-age=0, would replace it)
      cacheControl: false,
      // the build writes each file also brotli- and gzip-compressed (vite.config.ts): sent as they are,
      // not compressed again on every request; a file without them is compressed as before
      preCompressed: true,
      // / is a page like any other (the not-found handler above), not index.html as it is
      index: false,
      allowedPath: (pathname) => !pathname.endsWith('/'),
      // file names under assets/ carry a content hash: cache them for good; the page shell never
      setHeaders: (res, file) => {
        res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-store');
        res.setHeader('vary', 'accept-encoding'); // a cache keeps the brotli and the gzip answer apart
      },
    });
  }

  // Every API route must say what it needs; a route that forgets fails at start, not in production.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    if (!route.config?.access) throw new Error(`route ${String(route.method)} ${route.url} does not declare its access (config.access)`);
    // the OpenAPI document names each operation and says what it needs: the session, and the CSRF header to change something
    const method = [route.method].flat()[0] ?? 'GET';
    const changes = !['GET', 'HEAD', 'OPTIONS'].includes(method);
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    schema.operationId ??= operationId(method, route.url);
    schema.security ??= route.config.access === 'public' ? [] : [changes ? { session: [], csrf: [] } : { session: [] }];
    // what the server answers any request with a body it will not read: too large, not JSON
    if (changes && schema.response) {
      const response = schema.response as Record<string, unknown>;
      response['413'] ??= ErrorResponse;
      response['415'] ??= ErrorResponse;
    }
    // a number in the address longer than the router takes is answered 414 before the route runs
    if (route.url.includes(':') && schema.response) (schema.response as Record<string, unknown>)['414'] ??= ErrorResponse;
  });
  for (const plugin of opts.plugins ?? []) await plugin(app, deps);
  const api = typed(app);
  for (const register of routes) await register(api, deps);
  await app.ready();
  return app;
}

function errorBody(err: unknown, lang: Lang, req: FastifyRequest): ErrorBody {
  if (err instanceof AppError) {
    const fields = err.fields ? Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, pick(v, lang)])) : undefined;
    return { error: { code: err.code, message: pick(err.text, lang), ...(fields ? { fields } : {}) } };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const fields: Record<string, string> = {};
    for (const v of err.validation) {
      const name = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '_';
      const custom = VALIDATION_MESSAGES[v.message];
      const issue = { ...v.params, code: v.keyword, message: v.message, path: name.split('.') } as Parameters<typeof zodLocales.en>[0];
      const localized = zodLocales[lang](issue);
      const message = custom ? custom[lang] : typeof localized === 'string' ? localized : (localized?.message ?? v.message);
      fields[name] ??= message;
    }
    const where = { querystring: text('查询参数', 'query'), body: text('提交的内容', 'body'), params: text('地址', 'address'), headers: text('请求头', 'headers') }[err.validationContext ?? 'body'];
    const list = Object.entries(fields).map(([k, m]) => `${k}: ${m}`).join(lang === 'zh' ? '；' : '; ');
    const message = pick(text(`${where?.zh ?? ''}有误 —— ${list}`, `Some ${where?.en ?? 'fields'} values are not valid — ${list}`), lang);
    return { error: { code: 'bad_request', message, fields } };
  }
  const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
  if (status < 500) {
    const byStatus: Record<number, [ErrorCode, LocalText]> = {
      413: ['payload_too_large', text('提交的内容太大。', 'The request is too large.')],
      415: ['unsupported_media_type', text('请以 JSON 格式提交（Content-Type: application/json）。', 'Send the request body as JSON (Content-Type: application/json).')],
      429: ['rate_limited', text('请求过于频繁，请稍后再试。', 'Too many requests; try again shortly.')],
      404: ['not_found', text('找不到请求的内容。', 'Not found.')],
    };
    const known = byStatus[status];
    if (known) return { error: { code: known[0], message: known[1][lang] } };
    const detail = err instanceof Error ? err.message : '';
    return { error: { code: 'bad_request', message: pick(text(`请求有误：${detail}`, `The request is not valid: ${detail}`), lang) } };
  }
  req.log.error({ err, method: req.method, route: req.routeOptions.url ?? 'unknown', code: 'internal' }, 'request failed');
  return { error: { code: 'internal', message: pick(text('系统内部出错，已记录，请稍后再试或联系管理员。', 'Something went wrong on our side; it has been logged. Try again, or tell your administrator.'), lang) } };
}

/**
 * A file answer (an export), sent as its bytes or streamed from a file; never cached, as every API
 * answer. Named for the download in the user's language (`filename`, e.g. 个人客户信息梳理表_2026-11-20.xlsx,
 * as RFC 5987's filename*), with `asciiName` for the clients that read only the plain filename.
 */
export function sendDownload(reply: FastifyReply, file: { body: Buffer | Readable; contentType: string; filename: string; asciiName?: string }) {
  return reply.header('content-type', file.contentType).header('content-disposition', contentDisposition(file.filename, file.asciiName)).send(file.body);
}

/** `attachment; filename="ascii"; filename*=UTF-8''…` (RFC 6266 and RFC 5987). */
export function contentDisposition(filename: string, asciiName?: string): string {
  const plain = (asciiName ?? filename).replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  // RFC 5987's attr-char: letters, digits and !#$&+-.^_`|~; everything else percent-encoded
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${plain}"; filename*=UTF-8''${encoded}`;
}

/** The tags of the OpenAPI document, each with what it covers (a route's tag not listed here is added without one, and the lint test says so). */
export const TAGS: Record<string, string> = {
  system: 'Whether the server answers',
  session: 'Signing in and out: the session cookie and its CSRF token',
  customers: 'Customers within your scope: lists, a customer, balances, transactions, seeing a masked value in full (audited), branches',
  audit: 'The audit trail: who did what, when, from where',
  tiering: "Tiers under each model, the tiering policies (versions, simulation, publishing), a branch's tier mix and migration",
  ownership: 'Who looks after which customer: the pool, assignment proposals, claims, referrals',
  worklist: "Every morning's work: reminders, contact plans, the contact log, maturing products, the sheets to download",
  exports: 'Large exports made in the background: start one, follow its progress, download its file (kept 24 hours)',
  opportunities: "Opportunities (商机): made from reminders, contacts, referrals, walk-ins and campaigns, worked through their stages; the board, the customer's, the branch head's weekly review",
  prospects: 'Prospects (递进沟通表): people who are not customers yet, their contacts and opportunities; the phone and ID number masked, revealed with a reason',
  selling: 'VIP signing with its voucher (automatic or approved), and the products that suit a customer (recommendations checked for suitability)',
  performance: 'Manager performance (管户业绩统计): each staff member’s customers, assets and work for a period, per branch and in total; the customers behind a figure; the sheet',
  dashboards: "The branch and department dashboards for a period: churn, contact-plan execution, the opportunity funnel, referrals, events handled, AUM by band month by month, the branches side by side, and the lists behind each number",
  sms: "Short messages through the bank's SMS gateway: the gateway's signed webhooks (delivery receipts, customers' replies: R, TD, T or 退订 opts out) and a campaign's messages counted by status",
  review: "The branch head's monthly review: the spot check of familiar customers, customers' feedback counted per manager, the coaching log and its follow-ups",
  groups: 'Customer groups (客户分组): saved filters over tiers, tags, AUM, open reminders, products held, branch and owner; counted and previewed within your scope',
  campaigns: 'Campaigns (群发活动): made from a customer group and an approved template, approved by the branch head (the department for bank-wide ones), sent through the SMS gateway with a share of the group held out; their messages counted and, 30 days on, their recipients compared with the holdout',
  templates: 'Message templates (短信模板): placeholders rendered per recipient, characters and SMS segments counted, approval by the branch head (the department for bank-wide ones)',
  greetings: "Birthday and festival greetings the daily batch prepares as marketing messages (festival ones to band_5 customers in the branch's name), listed for the branch head to approve",
  gatherings: 'Relationship events (客户活动): salons, investment report meetings and VIP gatherings; invitees from a customer group up to capacity, the invitation by SMS campaign or call list, answers, attendance at the door, follow-ups for the owners and the AUM change of attendees 30 days on',
  complaints: "Complaints (投诉): recorded from any channel, due times by the customer's band, escalation to the branch head and the department (the red list), notes, hand-overs, resolution and closing, the report",
  entitlements: "Service entitlements (服务权益) by tier: what a customer is entitled to and why; the policy's versions, checking, simulation and publishing",
  counter: "The counter's view: find a walk-in customer fast within your scope, today's available customer managers, the lobby manager's hand-over (现场分配), one's own availability",
  profile: "A customer's profile (客户信息梳理): what staff collect, proposals for the core system, completeness of 9 fields, an outlet's customers to complete",
};

/** What an error status means, for every operation that documents it. */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request is not valid: error.fields names each field that is wrong',
  '401': 'Not signed in, or the session has ended',
  '403': 'Not allowed: the role lacks the permission, the CSRF token is missing or wrong, or the account is locked',
  '404': 'Not found, or outside your scope (the two answer alike)',
  '409': 'In conflict with the current state (already decided, changed meanwhile)',
  '413': 'The request body is too large',
  '414': 'A number in the address is too long',
  '415': 'The request body is not JSON',
  '422': 'Refused by a business rule: error.code says which (product_unsuitable, confirmation_required) and error.message why',
  '429': 'Too many attempts; try again later',
  '503': 'Not available right now',
};

/** A response as the document gives it: a description, and its media types (see documentFileAnswers). */
type DocResponse = Record<string, unknown> & { description?: string };

/**
 * A route that answers a file (`produces`: xlsx, csv) answers its errors as JSON: the document
 * says so per status, and documents the 200 as the file in each of its types.
 */
export function documentFileAnswers<T extends { schema: unknown; url: string }>(out: T): T {
  const schema = out.schema as { produces?: string[]; response?: Record<string, DocResponse> } | undefined;
  if (!schema?.produces?.length) return out;
  const { produces, response = {}, ...rest } = schema;
  const file = Object.fromEntries(produces.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]));
  const answers: Record<string, DocResponse> = {};
  if (!Object.keys(response).some((s) => s.startsWith('2'))) answers['200'] = { description: `The file (${produces.join(' or ')})`, content: file };
  for (const [status, s] of Object.entries(response)) {
    const { description, ...body } = s;
    answers[status] = status.startsWith('2')
      ? { description: description ?? 'The file', content: file }
      : { description: description ?? ERROR_DESCRIPTIONS[status] ?? 'An error', content: { 'application/json': { schema: body } } };
  }
  return { ...out, schema: { ...rest, response: answers } };
}

type DocOperation = { tags?: string[]; responses?: Record<string, { description?: string }> };

/**
 * The document as published: nullable enums admit null (validators refuse the nulls otherwise),
 * error answers say what they mean, and the tags the operations use are listed, each once.
 */
export function publishedDocument(doc: unknown): unknown {
  const out = admitNullInEnums(doc) as { tags?: { name: string; description?: string }[]; paths?: Record<string, Record<string, DocOperation>> };
  const ops = Object.values(out.paths ?? {}).flatMap((methods) => Object.values(methods));
  for (const op of ops) {
    for (const [status, r] of Object.entries(op.responses ?? {})) {
      if (r.description === 'Default Response' && ERROR_DESCRIPTIONS[status]) r.description = ERROR_DESCRIPTIONS[status];
    }
  }
  const used = new Set(ops.flatMap((op) => op.tags ?? []));
  const declared = (out.tags ?? []).filter((t) => used.has(t.name));
  out.tags = [...declared, ...[...used].filter((name) => !declared.some((t) => t.name === name)).map((name) => ({ name }))];
  return out;
}

/** Every `nullable: true` schema with an `enum` gets null among its values (OpenAPI 3.0 reads them separately). */
export function admitNullInEnums(value: unknown, depth = 0): unknown {
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => admitNullInEnums(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = admitNullInEnums(v, depth + 1);
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
  return out;
}

/** GET /api/customers/:customerId/aum-history → getCustomersCustomerIdAumHistory */
export function operationId(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, '')
    .split(/[/:-]+/)
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();
