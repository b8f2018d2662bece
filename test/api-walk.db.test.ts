import type { FastifyInstance } from 'fastify';
import { createHmac } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { parse as parseYaml, stringify as yamlText } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildStratumApp } from '../src/app.js';
import { runDailyBatch } from '../src/batch/batch.pipeline.js';
import { ROLE_PERMISSIONS, type Role } from '../src/features/access/access.permissions.js';
import { seedReminders, type SeedReminder } from '../src/features/worklist/worklist.test-support.js';
import { seedOpportunities } from '../src/features/opportunities/opportunities.test-support.js';
import type { Db } from '../src/platform/db.js';
import {
  customersOf,
  EXTRA_KEYS,
  FUZZ_PREFERENCE,
  FUZZ_VALUES,
  LOGINS,
  MISSING_CUSTOMER,
  OPERATIONS,
  RAW_BIG_NUMBER,
  ROLE_OF,
  UNOWNED_CUSTOMER,
  WALK_OPPORTUNITY,
  WALK_PROSPECT,
  WALK_REMINDER,
  type BaseRequest,
  type FuzzValue,
  type Login,
  type Operation,
  type WalkContext,
} from './api-walk.requests.js';
import { ADMIN, buildScopedBank, loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from './bank-fixture.js';
import { buildAccount, buildCustomer, validIdNumber } from './feed-builder.js';
import { openTestDb } from './test-db.js';

// Issue 15: a walk of the OpenAPI document. Every operation under /api/ has a valid base request
// in api-walk.requests.ts (a new route without one fails here, and so does a row whose route is
// gone), and is asked
//   1. as every role and anonymously: never a 5xx; without the route's permission 403, without a
//      session 401 (the permission is the route's own config.access, read as the routes are added);
//   2. about a customer inside the scope, outside it and one that does not exist (routes about one
//      customer): outside answers exactly as missing does (404, same code and message);
//   3. with every parameter and body field replaced, one at a time, by an impossible date, a NUL
//      byte, huge and negative numbers, wrong types, Object member names and a 10k string (inside
//      a policy's YAML too), and with __proto__ / constructor keys added to the body: never a 5xx,
//      an error in the one error shape, and a 400 that names the field;
//   4. last (a hole there may change the bank), a customer named in the body outside the scope
//      answers as a missing one does.
// Each route collects its failures and reports them all at once, with the server's error for a 5xx.
// WALK_TRACE=/tmp/walk.log writes every request and its answer there.

// The routes' access and the server's errors, seen from inside the app: buildApp gets one more
// plugin (first, before the access guard) that records each route's config.access as it is added
// and, per request, the error the error handler logs.
const spy = vi.hoisted(() => ({ access: new Map<string, unknown>(), errors: new Map<string, string>() }));
vi.mock('../src/platform/http.js', async (importOriginal) => {
  const http = await importOriginal<typeof import('../src/platform/http.js')>();
  const describeError = (err: unknown): string => {
    if (!(err instanceof Error)) return String(err);
    const e = err as Error & { code?: unknown };
    // where in our code, for a thrown error (not a database's)
    const at = e.stack?.split('\n').find((l) => l.includes('/src/') && !l.includes('node_modules'))?.trim().replace(/^at /, '').replace(/\(?\S*\/src\//, '(src/');
    return `${e.name}${typeof e.code === 'string' ? ` ${e.code}` : ''}: ${e.message}`.slice(0, 300) + (at ? ` at ${at}` : '');
  };
  const watch = async (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) spy.access.set(`${method} ${route.url}`, route.config?.access ?? null);
    });
    app.addHook('onRequest', async (req) => {
      const id = req.headers['x-walk-id'];
      if (typeof id !== 'string') return;
      const log = req.log;
      const watched = Object.create(log) as typeof log;
      watched.error = ((obj: unknown, ...rest: unknown[]) => {
        const err = (obj as { err?: unknown } | null)?.err;
        if (err !== undefined) spy.errors.set(id, describeError(err));
        return (log.error as (...a: unknown[]) => void)(obj, ...rest);
      }) as typeof log.error;
      req.log = watched;
    });
  };
  const buildApp: typeof http.buildApp = (deps, routes, opts = {}) => http.buildApp(deps, routes, { ...opts, plugins: [watch, ...(opts.plugins ?? [])] });
  return { ...http, buildApp };
});

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}
interface DocOperation {
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface OpenApi {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

let db: Db;
let app: FastifyInstance;
let doc: OpenApi;
/** the documented operations, 'GET /api/customers/:customerId' → its OpenAPI operation */
const documented = new Map<string, DocOperation>();
const sessions = new Map<Login, TestSession>();
const ctx: WalkContext = { yaml: '', rulesYaml: '', claimId: '', referralId: '' };
/** what the access guard answers a role without the permission */
let guardRefusal = '';

const SUPERVISOR = OUTLET_STAFF.cm_supervisor;
const TELLER = OUTLET_STAFF.vip_teller;
const MANAGER = OUTLET_STAFF.customer_manager;

const WALK_SMS_SECRET = 'walk-webhook-secret';
beforeAll(async () => {
  process.env.STRATUM_SMS_WEBHOOK_SECRET = WALK_SMS_SECRET;
  db = await openTestDb();
  const files = buildScopedBank();
  files.customers?.push(buildCustomer({ customer_id: UNOWNED_CUSTOMER, name: '王小五', branch_id: 'B111', id_number: validIdNumber('19750101', '127'), phone: '13500002222' }));
  files.accounts?.push(buildAccount({ account_id: 'A7', customer_id: UNOWNED_CUSTOMER, balance: '500.00' }));
  await loadScopedBank(db, files);
  await runDailyBatch(db, '2026-11-20');

  // a reminder for everyone with worklist.own on a customer in reach, and a stale one (a former
  // owner's) on every customer out of reach: acting on it must answer as for a missing customer
  const reminders: SeedReminder[] = [];
  for (const login of LOGINS) {
    if (!login || !holds(login, 'worklist.own')) continue;
    const { inside, outside } = customersOf(login, 'read');
    const mine = inside.includes('C1') ? 'C1' : inside[0];
    for (const customer of [...(mine ? [mine] : []), ...outside]) {
      reminders.push({ customer, staff: login, ...WALK_REMINDER, kind: 'information', facts: { date: '2026-11-25', turns: 41, days_ahead: 5 } });
    }
  }
  await seedReminders(db, reminders);
  // the manager's opportunity on C1 and their prospect (issue 19)
  await seedOpportunities(db, [{ id: WALK_OPPORTUNITY, customer: 'C1', owner: MANAGER, branch: 'B111', createdOn: '2026-11-18', nextStepOn: '2026-11-24' }]);
  await db.session((s) =>
    s.query(`INSERT INTO prospects (prospect_id, name, phone, source, owner_id, branch_id, created_by) VALUES ($1, '王小六', '13800007777', 'walk_in', $2, 'B111', $2)`, [WALK_PROSPECT, MANAGER]),
  );
  // the manager's plan of the bank's date holds C1 and C2
  await db.session(async (s) => {
    await s.query(`INSERT INTO contact_plans (staff_id, plan_date, work_date, branch_id, size) VALUES ($1, '2026-11-20', '2026-11-23', 'B111', 20) ON CONFLICT DO NOTHING`, [MANAGER]);
    await s.query(
      `INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts) VALUES ('C1', $1, '2026-11-20', 1, 'manual', '{}'), ('C2', $1, '2026-11-20', 2, 'manual', '{}') ON CONFLICT DO NOTHING`,
      [MANAGER],
    );
  });

  // no lock-out: the fuzz of the sign-in types many wrong passwords
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000, access: { lockAfter: 1_000_000 } });
  doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApi;
  for (const [p, methods] of Object.entries(doc.paths)) {
    if (!p.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(methods)) documented.set(`${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`, op);
  }
  for (const login of LOGINS) if (login) sessions.set(login, await signInAs(app, login));
  const admin = sessions.get(ADMIN);
  guardRefusal = (await app.inject({ method: 'GET', url: '/api/customers', headers: { cookie: admin?.cookie ?? '', 'accept-language': 'en' } })).body;
  const policies = await app.inject({ method: 'GET', url: '/api/policies', headers: { cookie: sessions.get(PB_DEPT)?.cookie ?? '' } });
  const latest = (model: string) => {
    const found = (policies.json() as { data: { items: { model: string; version: number; yaml: string }[] } }).data.items
      .filter((p) => p.model === model)
      .sort((a, b) => b.version - a.version)[0];
    if (!found) throw new Error(`no ${model} policy: ${policies.statusCode} ${policies.body.slice(0, 300)}`);
    return found.yaml;
  };
  ctx.yaml = latest('aum_band');
  ctx.rulesYaml = latest('relationship_tier');
});

afterAll(async () => {
  delete process.env.STRATUM_SMS_WEBHOOK_SECRET;
  await app?.close();
  await db?.close();
});

// ---- helpers -----------------------------------------------------------------------------------

function holds(login: Login, permission: string): boolean {
  return (ROLE_PERMISSIONS[ROLE_OF[login] as Role] as readonly string[] | undefined)?.includes(permission) ?? false;
}
/** the permission of a route (null: public), from its config.access */
function permissionOf(op: Operation): string | null {
  const access = spy.access.get(op.key);
  if (access === 'public') return null;
  const permission = (access as { permission?: unknown } | null | undefined)?.permission;
  if (typeof permission !== 'string') throw new Error(`${op.key} declares no access the walk understands: ${JSON.stringify(access)}`);
  return permission;
}
const who = (login: Login | null) => (login ? `${login} (${ROLE_OF[login]})` : 'anonymous');

interface Answer {
  status: number;
  body: string;
  json: { error?: { code?: string; message?: string; fields?: Record<string, string> } } | undefined;
  /** the error the server logged for a 5xx */
  serverError: string | undefined;
}

let seq = 0;
type Query = Record<string, string | string[]>;
interface WalkRequest {
  params?: Record<string, string>;
  query?: Query;
  body?: unknown;
  /** the body as JSON text (extra keys, a number too long for a double) */
  raw?: string;
}

const jsonText = (body: unknown) => JSON.stringify(body).split(`"${RAW_BIG_NUMBER}"`).join('99999999999999999999');

async function send(login: Login | null, op: Operation, req: WalkRequest): Promise<Answer> {
  const [method = 'GET', pattern = ''] = op.key.split(' ');
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(req.params?.[name] ?? ''));
  const qs = Object.entries(req.query ?? {})
    .flatMap(([k, v]) => [v].flat().map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
    .join('&');
  const id = `w${++seq}`;
  const headers: Record<string, string> = { 'accept-language': 'en', 'x-walk-id': id };
  const session = login ? (op.freshSession ? await signInAs(app, login) : sessions.get(login)) : undefined;
  if (login && !session) throw new Error(`${login} is not signed in`);
  if (session) {
    headers.cookie = session.cookie;
    if (method !== 'GET') headers['x-csrf-token'] = session.csrf;
  }
  const payload = req.raw ?? (req.body === undefined ? undefined : jsonText(req.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  // the SMS gateway's webhooks: signed as the gateway signs them (the body as sent), so the fields are what is walked
  if (op.signed && payload !== undefined) headers['x-stratum-signature'] = createHmac('sha256', WALK_SMS_SECRET).update(payload).digest('hex');
  const r = await app.inject({ method: method as 'GET', url: qs ? `${path}?${qs}` : path, headers, ...(payload !== undefined ? { payload } : {}) });
  let json: Answer['json'];
  try {
    json = JSON.parse(r.body) as Answer['json'];
  } catch {
    json = undefined;
  }
  const serverError = spy.errors.get(id);
  spy.errors.delete(id);
  const answer = { status: r.statusCode, body: r.body, json, serverError };
  // WALK_TRACE=file: every request and its answer, one line each (to see what the walk asked)
  if (process.env.WALK_TRACE) appendFileSync(process.env.WALK_TRACE, `${who(login)} ${method} ${(qs ? `${path}?${qs}` : path).slice(0, 200)} ${(payload ?? '').slice(0, 200)} → ${excerpt(answer)}\n`);
  return answer;
}

/** an answer of 400 or more is the one error shape of README: { "error": { "code", "message", "fields"? } } */
const errorShaped = (a: Answer) => a.status < 400 || (typeof a.json?.error?.code === 'string' && typeof a.json.error.message === 'string');

const excerpt = (a: Answer) =>
  `${a.status} ${a.body.replace(/x{40,}/g, (m) => `x×${m.length}`).replace(/\s+/g, ' ').slice(0, 300)}${a.serverError ? ` [server: ${a.serverError}]` : ''}`;

/** who acts for a customer when the walk makes a claim or a referral about it straight in the tables */
const OWNER_OF: Record<string, Login> = { C3: MANAGER_B112, C4: MANAGER_B211, [UNOWNED_CUSTOMER]: MANAGER };
const CUSTOMER_FACTS = { product_kinds_3: 'not_met', wealth_purchases_3: 'not_met', books_appointments: 'declared', purchase_over_1m: 'not_met', buys_monthly: 'not_met' };

/**
 * Puts in place what a route's base request needs (a pending claim, an open referral, an open
 * reminder or proposal): about C1 through the API, about another customer (the scope probes of
 * body customers) straight in the tables; a customer that does not exist gets C1's.
 */
async function prepare(op: Operation, customer?: string): Promise<void> {
  const other = customer && customer !== 'C1' && customer !== MISSING_CUSTOMER ? customer : undefined;
  switch (op.before) {
    case 'claim': {
      const staff = other ? (OWNER_OF[other] ?? MANAGER) : SUPERVISOR;
      const pending = async () =>
        (await db.session((s) => s.query<{ claim_id: string }>(`SELECT claim_id FROM ownership_claims WHERE customer_id = $1 AND staff_id = $2 AND status = 'pending'`, [other ?? 'C1', staff]))).rows[0]
          ?.claim_id;
      let found = await pending();
      if (!found && other) {
        await db.session((s) =>
          s.query(
            `INSERT INTO ownership_claims (customer_id, staff_id, branch_id, manager_facts, customer_facts, note)
             SELECT $1, $2, c.branch_id, ARRAY['knows_occupation'], $3::jsonb, 'walk' FROM customers c WHERE c.customer_id = $1`,
            [other, staff, JSON.stringify(CUSTOMER_FACTS)],
          ),
        );
        found = await pending();
      }
      if (!found && !other) {
        const claim = OPERATIONS.find((o) => o.key === 'POST /api/customers/:customerId/claims');
        if (!claim) throw new Error('no claims route in the table');
        const r = await send(SUPERVISOR, claim, claim.base(ctx, SUPERVISOR));
        if (r.status !== 200) throw new Error(`could not make a claim to decide: ${excerpt(r)}`);
        found = (r.json as { data: { claimId: string } }).data.claimId;
      }
      if (!found) throw new Error(`no pending claim about ${other ?? 'C1'}`);
      ctx.claimId = found;
      return;
    }
    case 'referral': {
      if (other) {
        const r = await db.session((s) =>
          s.query<{ referral_id: string }>(
            `INSERT INTO referrals (customer_id, referrer_id, branch_id, to_staff_id, reason, need)
             SELECT $1, $2, c.branch_id, NULL, 'walk', 'wealth' FROM customers c WHERE c.customer_id = $1 RETURNING referral_id`,
            [other, OWNER_OF[other] ?? TELLER],
          ),
        );
        ctx.referralId = r.rows[0]?.referral_id ?? '';
        return;
      }
      const open = await db.session((s) => s.query(`SELECT 1 FROM referrals WHERE customer_id = 'C1' AND referral_id = $1 AND status = 'open'`, [ctx.referralId]));
      if (open.rows.length) return;
      const refer = OPERATIONS.find((o) => o.key === 'POST /api/customers/:customerId/referrals');
      if (!refer) throw new Error('no referrals route in the table');
      const r = await send(TELLER, refer, refer.base(ctx, TELLER));
      if (r.status !== 200) throw new Error(`could not make a referral to accept: ${excerpt(r)}`);
      ctx.referralId = (r.json as { data: { referralId: string } }).data.referralId;
      return;
    }
    case 'reminder':
      await db.session((s) =>
        s.query(`UPDATE reminders SET status = 'open', snoozed_until = NULL, closed_reason = NULL, closed_by = NULL, closed_at = NULL WHERE event = $1 AND occurrence = $2`, [
          WALK_REMINDER.event,
          WALK_REMINDER.occurrence,
        ]),
      );
      return;
    case 'proposal':
      // proposed to a staff member of the customer's outlet; rejected, never accepted, by the walk
      await db.session((s) =>
        s.query(
          `INSERT INTO ownership_proposals (customer_id, business_date, branch_id, band, cause, priority, staff_id)
           SELECT c.customer_id, '2026-11-20', c.branch_id, 'below', 'unassigned', 1, $2 FROM customers c WHERE c.customer_id = $1
           ON CONFLICT (customer_id, business_date) DO UPDATE SET status = 'open', decided_by = NULL, decided_at = NULL, decided_staff_id = NULL, reason = NULL`,
          [other ?? UNOWNED_CUSTOMER, other ? (OWNER_OF[other] ?? OUTLET_STAFF.counter_teller) : OUTLET_STAFF.counter_teller],
        ),
      );
      return;
    case undefined:
      return;
  }
}

/** Prepares, builds the base request for the login, lets `change` alter it, and sends it. */
async function ask(login: Login | null, op: Operation, change: (base: BaseRequest) => WalkRequest = (b) => b, customer?: string): Promise<Answer> {
  await prepare(op, customer);
  return send(login, op, change(op.base(ctx, login)));
}

const inDoc = (op: Operation) => documented.has(op.key);
const fuzzerOf = (op: Operation, permission: string | null): Login | null => {
  if (op.fuzzAs !== undefined) return op.fuzzAs;
  if (permission === null) return FUZZ_PREFERENCE[0] ?? null;
  return FUZZ_PREFERENCE.find((l) => holds(l, permission)) ?? null;
};

// ---- 0. the table covers the document --------------------------------------------------------

describe('the walk covers the API', () => {
  it('has a base request for every operation of the OpenAPI document, and none for a route that is gone', () => {
    const listed = OPERATIONS.map((o) => o.key);
    const registered = [...spy.access.keys()].filter((k) => / \/api\//.test(k) && !k.startsWith('HEAD '));
    expect({
      'documented, without a base request in test/api-walk.requests.ts': [...documented.keys()].filter((k) => !listed.includes(k)),
      'in test/api-walk.requests.ts, no longer documented': listed.filter((k) => !documented.has(k)),
      'listed twice in test/api-walk.requests.ts': listed.filter((k, i) => listed.indexOf(k) !== i),
      'routes under /api/ missing from the OpenAPI document': registered.filter((k) => !documented.has(k)),
    }).toEqual({
      'documented, without a base request in test/api-walk.requests.ts': [],
      'in test/api-walk.requests.ts, no longer documented': [],
      'listed twice in test/api-walk.requests.ts': [],
      'routes under /api/ missing from the OpenAPI document': [],
    });
  });
});

// ---- 1. every role ---------------------------------------------------------------------------

const rows = OPERATIONS.map((op) => [op.key, op] as const);

describe('every role on every route: no 5xx, 403 without the permission, 401 without a session', () => {
  it.each(rows)('%s', async (_key, op) => {
    if (!inDoc(op)) return; // reported by the coverage test
    const permission = permissionOf(op);
    const failures: string[] = [];
    for (const login of LOGINS) {
      let a: Answer;
      try {
        a = await ask(login, op);
      } catch (e) {
        failures.push(`${op.key} as ${who(login)}: ${(e as Error).message}`);
        continue;
      }
      const fail = (why: string) => failures.push(`${op.key} as ${who(login)}: ${why} — got ${excerpt(a)}`);
      if (a.status >= 500) {
        fail('a 5xx');
        continue;
      }
      if (!errorShaped(a)) fail('an error outside the one error shape { error: { code, message } }');
      if (permission === null) {
        if (login === null && op.anonymous !== undefined && a.status !== op.anonymous) fail(`expected ${op.anonymous} (public route)`);
        continue;
      }
      if (login === null) {
        if (a.status !== 401 || a.json?.error?.code !== 'unauthenticated') fail('expected 401 unauthenticated');
      } else if (!holds(login, permission)) {
        if (a.status !== 403 || a.json?.error?.code !== 'forbidden') fail(`expected 403 forbidden (the role lacks ${permission})`);
      } else if (a.status === 401 || a.body === guardRefusal) {
        fail(`refused although the role holds ${permission}`);
      } else if (a.status === 400) {
        fail('the base request is refused (400): fix the table or the route');
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

// ---- 2. scope ----------------------------------------------------------------------------------

const customerRows = rows.filter(([, op]) => op.key.includes(':customerId'));

describe('a customer outside the scope answers exactly as one that does not exist', () => {
  it('every route about one customer says whose customers it reaches', () => {
    expect(customerRows.filter(([, op]) => !op.customer).map(([k]) => k)).toEqual([]);
  });

  it.each(customerRows)('%s', async (_key, op) => {
    if (!inDoc(op) || !op.customer) return;
    const permission = permissionOf(op);
    const failures: string[] = [];
    const about = (login: Login, customerId: string) =>
      ask(login, op, (b) => ({ ...b, params: { ...b.params, customerId } }), customerId).catch((e: unknown) => {
        failures.push(`${op.key} as ${who(login)} about ${customerId}: ${(e as Error).message}`);
        return undefined;
      });
    // the answer with the customer number taken out: a message may name the customer asked for
    const answerOf = (a: Answer, customerId: string) => `${a.status} ${JSON.stringify(a.json?.error ?? a.body).split(customerId).join('<customer>')}`;
    for (const login of LOGINS) {
      if (!login || (permission !== null && !holds(login, permission))) continue;
      const { inside, outside } = customersOf(login, op.customer.scope);
      const mine = inside.includes('C1') ? 'C1' : inside[0];
      if (mine) {
        const a = await about(login, mine);
        const ok = op.customer.inside?.(login) ?? [200];
        if (a && !ok.includes(a.status)) failures.push(`${op.key} as ${who(login)} about ${mine} (in scope): expected ${ok.join(' or ')} — got ${excerpt(a)}`);
      }
      const missing = await about(login, MISSING_CUSTOMER);
      if (!missing) continue;
      if (missing.status !== 404 || missing.json?.error?.code !== 'not_found') {
        failures.push(`${op.key} as ${who(login)} about ${MISSING_CUSTOMER} (missing): expected 404 not_found — got ${excerpt(missing)}`);
      }
      const expected = answerOf(missing, MISSING_CUSTOMER);
      for (const customer of outside) {
        const a = await about(login, customer);
        if (a && answerOf(a, customer) !== expected) {
          failures.push(`${op.key} as ${who(login)} about ${customer} (out of scope): got ${excerpt(a)}; a missing customer gets ${excerpt(missing)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

// ---- 3. fuzz ----------------------------------------------------------------------------------

interface Field {
  where: 'path' | 'query' | 'body';
  /** the field's path in the body (['decisions', 0, 'customerId']), or its name */
  at: (string | number)[];
  /** 'decisions.0.customerId' */
  name: string;
  /** the last named part: 'customerId' */
  leaf: string;
  /** the schema of an array item to build when the base array is empty */
  item?: JsonSchema;
  /** a value inside the YAML document a string field carries (a policy): its path there */
  doc?: (string | number)[];
  /** other names a 400 may give it (the path inside the document: 'tiers.1.min') */
  aliases?: string[];
}

function resolve(s: JsonSchema | undefined): JsonSchema {
  if (!s) return {};
  if (s.$ref) {
    const name = s.$ref.split('/').pop() ?? '';
    return resolve(doc.components?.schemas?.[name]);
  }
  if (s.allOf?.length === 1) return resolve(s.allOf[0]);
  return s;
}
const typesOf = (s: JsonSchema) => [s.type ?? []].flat();

/** The branch of a body that is one of several shapes which the base body is (by its one-valued fields). */
function branchOf(s: JsonSchema, body: Record<string, unknown>): JsonSchema {
  const options = (s.oneOf ?? s.anyOf ?? []).map(resolve);
  if (!options.length) return s;
  const fits = (o: JsonSchema) =>
    Object.entries(o.properties ?? {}).every(([k, p]) => {
      const r = resolve(p);
      const only = r.const !== undefined ? [r.const] : r.enum?.length === 1 ? r.enum : undefined;
      return !only || only[0] === body[k];
    });
  return options.find(fits) ?? options[0] ?? s;
}

function fieldsOf(op: DocOperation, base: BaseRequest): Field[] {
  const fields: Field[] = [];
  for (const p of op.parameters ?? []) {
    if (p.in === 'path' || p.in === 'query') fields.push({ where: p.in, at: [p.name], name: p.name, leaf: p.name });
  }
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (bodySchema) {
    const s = branchOf(resolve(bodySchema), base.body ?? {});
    for (const [name, raw] of Object.entries(s.properties ?? {})) {
      const p = resolve(raw);
      fields.push({ where: 'body', at: [name], name, leaf: name });
      if (typesOf(p).includes('array') || p.items) {
        const item = resolve(p.items);
        if (typesOf(item).includes('object') && item.properties) {
          for (const k of Object.keys(item.properties)) fields.push({ where: 'body', at: [name, 0, k], name: `${name}.0.${k}`, leaf: k, item });
        } else {
          fields.push({ where: 'body', at: [name, 0], name: `${name}.0`, leaf: name });
        }
      } else if (typesOf(p).includes('object') && p.properties) {
        for (const k of Object.keys(p.properties)) fields.push({ where: 'body', at: [name, k], name: `${name}.${k}`, leaf: k });
      }
      const value = (base.body as Record<string, unknown> | undefined)?.[name];
      const document = typeof value === 'string' && value.includes('\n') ? yamlDocument(value) : undefined;
      if (document) {
        for (const at of documentLeaves(document)) {
          const inside = at.join('.');
          fields.push({ where: 'body', at: [name], name: `${name} → ${inside}`, leaf: leafOf(at), doc: at, aliases: [inside] });
        }
      }
    }
  }
  return fields;
}

const leafOf = (at: (string | number)[]) => String([...at].reverse().find((x) => typeof x === 'string') ?? at[0]);

function yamlDocument(text: string): Record<string, unknown> | undefined {
  try {
    const d: unknown = parseYaml(text);
    return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The paths of a document's values, the first of each name (model, fact, min, owners, gte…). */
function documentLeaves(doc: unknown): (string | number)[][] {
  const seen = new Set<string>();
  const out: (string | number)[][] = [];
  const walk = (v: unknown, at: (string | number)[]) => {
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) walk(x, [...at, k]);
      return;
    }
    const leaf = leafOf(at);
    if (at.length && !seen.has(leaf)) {
      seen.add(leaf);
      out.push(at);
    }
  };
  walk(doc, []);
  return out;
}

/** The YAML text with one value of its document replaced. */
function documentWith(text: string, at: (string | number)[], value: unknown): string {
  const doc = parseYaml(text) as Record<string, unknown>;
  let node: Record<string | number, unknown> = doc;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[at[at.length - 1] as string | number] = value;
  return yamlText(doc).replace(new RegExp(`["']${RAW_BIG_NUMBER}["']|${RAW_BIG_NUMBER}`, 'g'), '99999999999999999999');
}

/** a valid-looking item of an array of objects (the base had none) */
function itemFrom(s: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of s.required ?? []) {
    const p = resolve(s.properties?.[k]);
    const t = typesOf(p);
    out[k] = p.enum?.length ? p.enum[0] : t.includes('integer') || t.includes('number') ? 1 : t.includes('boolean') ? false : t.includes('array') ? [] : 'x';
  }
  return out;
}

/** The base request with one field set to a fuzz value; undefined where the value cannot be sent there. */
function withValue(base: BaseRequest, field: Field, v: FuzzValue): WalkRequest | undefined {
  if (field.where === 'path') {
    if (typeof v.text !== 'string') return undefined;
    return { ...base, params: { ...base.params, [field.name]: v.text } };
  }
  if (field.where === 'query') {
    if (v.text === null) return undefined;
    return { ...base, query: { ...base.query, [field.name]: v.text } };
  }
  const body = JSON.parse(JSON.stringify(base.body ?? {})) as Record<string, unknown>;
  const [top, index, key] = field.at as [string, number?, string?];
  if (field.doc) body[top] = documentWith(String(body[top]), field.doc, v.json);
  else if (field.at.length === 1) body[top] = v.json;
  else if (typeof index === 'number' && key === undefined) body[top] = [v.json];
  else if (typeof index === 'number' && key !== undefined) {
    const list = Array.isArray(body[top]) && (body[top] as unknown[]).length ? (body[top] as Record<string, unknown>[]) : [itemFrom(field.item ?? {})];
    list[0] = { ...list[0], [key]: v.json };
    body[top] = list;
  } else {
    body[top] = { ...(body[top] as Record<string, unknown> | undefined), [String(index)]: v.json };
  }
  return { ...base, body };
}

const wordIn = (text: string, word: string) => new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(text);

/** A 400 names the field: a key of error.fields is it (or its item, or its parent), or the message says its name. */
function namesField(a: Answer, field: { name: string; leaf: string; aliases?: string[] }): boolean {
  const e = a.json?.error;
  if (!e) return false;
  const { leaf } = field;
  const names = [field.name, ...(field.aliases ?? [])];
  // 'tiers[1].min' is 'tiers.1.min'
  const keys = Object.keys(e.fields ?? {}).map((k) => k.replace(/\[(\d+)\]/g, '.$1'));
  const named = (k: string, name: string) => k === name || k === leaf || k.startsWith(`${name}.`) || name.startsWith(`${k}.`) || name.startsWith(`${k} `) || k.endsWith(`.${leaf}`);
  if (keys.some((k) => names.some((n) => named(k, n)))) return true;
  return [...names, leaf].some((n) => wordIn(e.message ?? '', n));
}

describe('every parameter and body field, fuzzed one at a time: no 5xx, and a 400 names the field', () => {
  it.each(rows)('%s', async (_key, op) => {
    const docOp = documented.get(op.key);
    if (!docOp) return;
    const permission = permissionOf(op);
    const login = fuzzerOf(op, permission);
    const failures: string[] = [];
    const check = (a: Answer, what: string, field: { name: string; leaf: string; aliases?: string[] }) => {
      const fail = (why: string) => failures.push(`${op.key} as ${who(login)}: ${what} → ${why}: ${excerpt(a)}`);
      if (a.status >= 500) fail('a 5xx');
      else if (!errorShaped(a)) fail('an error outside the one error shape { error: { code, message } }');
      else if (a.status === 400 && a.json?.error?.code !== 'bad_request') fail("a 400 whose error.code is not 'bad_request'");
      else if (a.status === 400 && !namesField(a, field)) fail(`a 400 that does not name '${field.name}'`);
    };

    const first = await ask(login, op);
    if (process.env.WALK_TRACE) appendFileSync(process.env.WALK_TRACE, `BASE ${op.key} as ${who(login)} → ${first.status}\n`);
    if (first.status >= 400 && ![403, 404, 409].includes(first.status)) {
      failures.push(`${op.key} as ${who(login)}: the base request itself answers ${excerpt(first)}`);
    }
    const bases = [op.base(ctx, login), ...(login && op.variants ? op.variants(ctx, login) : [])];
    const done = new Set<string>();
    for (const [i, base] of bases.entries()) {
      const variant = (b: BaseRequest) => (i === 0 ? b : (op.variants?.(ctx, login ?? '')[i - 1] ?? b));
      for (const field of fieldsOf(docOp, base)) {
        const id = `${field.where} ${field.name}${field.doc ? ` (${i ? 'variant' : 'base'} ${i})` : ''}`;
        if (done.has(id)) continue;
        done.add(id);
        for (const v of FUZZ_VALUES) {
          if (!withValue(base, field, v)) continue;
          let a: Answer;
          try {
            // built after prepare(): the base may carry what it made (a claim, a referral)
            a = await ask(login, op, (b) => withValue(variant(b), field, v) ?? b);
          } catch (e) {
            failures.push(`${op.key} as ${who(login)}: ${id} = ${v.label} → ${(e as Error).message}`);
            continue;
          }
          check(a, `${field.where} ${field.name} = ${v.label}`, field);
        }
      }
      if (base.body !== undefined) {
        for (const extra of EXTRA_KEYS) {
          const a = await ask(login, op, (b) => {
            const inner = jsonText(variant(b).body ?? {}).slice(1, -1);
            return { ...variant(b), raw: `{${extra.member}${inner ? `,${inner}` : ''}}` };
          });
          check(a, `body with an extra ${extra.member}`, { name: extra.key, leaf: extra.key });
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

// ---- 4. a customer named in the body --------------------------------------------------------------

// Last: should a route act on a customer outside the scope, the bank the checks above rely on changes.
// The referral's probe goes last of all (a manager accepting a referral sees its customer).
const bodyRows = rows.filter(([, op]) => op.bodyCustomer).sort(([, a], [, b]) => Number(a.before === 'referral') - Number(b.before === 'referral'));

describe('a customer named in the body: outside the scope answers exactly as one that does not exist', () => {
  it.each(bodyRows)('%s', async (_key, op) => {
    if (!inDoc(op) || !op.bodyCustomer) return;
    const { scope, at } = op.bodyCustomer;
    const permission = permissionOf(op);
    const failures: string[] = [];
    const about = (login: Login, customerId: string) => {
      const field: Field = { where: 'body', at, name: at.join('.'), leaf: String(at[at.length - 1]) };
      return ask(login, op, (b) => withValue(b, field, { label: customerId, json: customerId, text: customerId }) ?? b, customerId).catch((e: unknown) => {
        failures.push(`${op.key} as ${who(login)} about ${customerId}: ${(e as Error).message}`);
        return undefined;
      });
    };
    const answerOf = (a: Answer, customerId: string) => `${a.status} ${JSON.stringify(a.json?.error ?? a.body).split(customerId).join('<customer>')}`;
    for (const login of LOGINS) {
      if (!login || (permission !== null && !holds(login, permission))) continue;
      const missing = await about(login, MISSING_CUSTOMER);
      if (!missing) continue;
      if (missing.status >= 500 || missing.json?.error?.code === undefined || missing.status < 400) {
        failures.push(`${op.key} as ${who(login)} about ${MISSING_CUSTOMER} (missing): expected an error — got ${excerpt(missing)}`);
      }
      for (const customer of customersOf(login, scope).outside) {
        const a = await about(login, customer);
        if (a && answerOf(a, customer) !== answerOf(missing, MISSING_CUSTOMER)) {
          failures.push(`${op.key} as ${who(login)} about ${customer} (out of scope, in the body): got ${excerpt(a)}; a missing customer gets ${excerpt(missing)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
