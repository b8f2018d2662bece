import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../test/bank-fixture.js';
import { openTestDb } from '../../test/test-db.js';
import { buildStratumApp } from '../app.js';
import type { Db } from './db.js';

// The edge of the API, the same for every route: an impossible date or a NUL character is a 400
// naming the field (never a 500 from the database), and no answer is kept by a browser or proxy.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
let dept: TestSession;
let head: TestSession;

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  dept = await signInAs(app, PB_DEPT);
  head = await signInAs(app, OUTLET_STAFF.branch_head);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('dates', () => {
  it('refuses a day that is not on the calendar with a 400 naming the field, in both languages', async () => {
    for (const [url, field] of [
      ['/api/customers?openedAfter=2026-02-30', 'openedAfter'],
      ['/api/audit?from=2026-11-31', 'from'],
      ['/api/branch/tier-mix?model=aum_band&date=2025-02-29', 'date'],
      ['/api/branch/migration?model=aum_band&from=2026-01-01&to=2026-13-01', 'to'],
      ['/api/worklist/log?from=2026-04-31&to=2026-05-01', 'from'],
    ] as const) {
      const r = await head.get(url, { 'accept-language': 'en' });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code, url).toBe('bad_request');
      expect(r.json().error.fields, url).toEqual({ [field]: 'is not a real calendar day (like 30 February)' });
    }
    const zh = await dept.get('/api/customers?openedAfter=20261120');
    expect(zh.json().error.fields).toEqual({ openedAfter: '日期应写作 YYYY-MM-DD，如 2026-11-20' });
  });

  it('takes the 29th of February of a leap year', async () => {
    expect((await dept.get('/api/customers?openedAfter=2024-02-29')).statusCode).toBe(200);
  });
});

describe('NUL characters', () => {
  it('are refused in a query, an address and a body, naming the field', async () => {
    const q = await dept.get('/api/customers?q=%E5%BC%A0%00', { 'accept-language': 'en' });
    expect(q.statusCode).toBe(400);
    expect(q.json().error).toMatchObject({ code: 'bad_request', fields: { q: 'contains a NUL control character' } });
    const path = await dept.get('/api/customers/C1%00');
    expect(path.statusCode).toBe(400);
    expect(Object.keys(path.json().error.fields)).toEqual(['customerId']);
    const body = await app.inject({
      method: 'POST',
      url: '/api/customers/C1/reveal',
      headers: { cookie: dept.cookie, 'x-csrf-token': dept.csrf },
      payload: { fields: ['phone'], reason: '客户来电\u0000回拨' },
    });
    expect(body.statusCode).toBe(400);
    expect(Object.keys(body.json().error.fields)).toEqual(['reason']);
  });
});

describe('compression', () => {
  it('sends JSON brotli- or gzip-compressed to a client that accepts it, and plain to one that does not', async () => {
    const br = await dept.get('/api/customers?pageSize=50', { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8')).data.items.length).toBeGreaterThan(0);
    const gz = await dept.get('/api/customers?pageSize=50', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString('utf8'))).toEqual(JSON.parse(brotliDecompressSync(br.rawPayload).toString('utf8')));
    const plain = await dept.get('/api/customers?pageSize=50');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.json().data.items.length).toBeGreaterThan(0);
    // still never kept by a cache
    expect(br.headers['cache-control']).toBe('no-store');
  });
});

describe('the web app’s files', () => {
  it('serves hashed assets compressed and cached for a year, the page shell never cached', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stratum-web-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Stratum</title><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets', 'app-3f2a1b.js'), `console.log(${JSON.stringify('客户分层 '.repeat(2000))});`);
    const web = await buildStratumApp({ db, webDir: dir, signInRateLimit: 1000 });
    try {
      const asset = await web.inject({ method: 'GET', url: '/assets/app-3f2a1b.js', headers: { 'accept-encoding': 'br, gzip' } });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-encoding']).toBe('br');
      expect(asset.rawPayload.length).toBeLessThan(2000);
      for (const url of ['/', '/customers/C1']) {
        const page = await web.inject({ method: 'GET', url });
        expect(page.statusCode, url).toBe(200);
        expect(page.headers['cache-control'], url).toBe('no-store');
      }
    } finally {
      await web.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('names every operation once, says it needs the session (and the CSRF header to change something), and where the server is', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      servers: unknown[];
      components: { securitySchemes: Record<string, { type: string; in: string; name: string }> };
      paths: Record<string, Record<string, { operationId?: string; security?: Record<string, string[]>[] }>>;
    };
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.components.securitySchemes).toMatchObject({
      session: { type: 'apiKey', in: 'cookie', name: 'stratum_session' },
      csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      signature: { type: 'apiKey', in: 'header', name: 'X-Stratum-Signature' },
    });
    const ids: string[] = [];
    for (const [url, ops] of Object.entries(doc.paths)) {
      if (!url.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        expect(op.operationId, `${method} ${url}`).toMatch(/^[a-z]+[A-Za-z]+$/);
        ids.push(op.operationId ?? '');
        const schemes = (op.security ?? []).flatMap((x) => Object.keys(x));
        if (url === '/api/health' || url === '/api/health/ready' || (url === '/api/session' && method !== 'delete')) expect(schemes, `${method} ${url}`).toEqual([]);
        // the SMS gateway's webhooks: no session, signed with the shared secret (401 otherwise)
        else if (url === '/api/sms/receipts' || url === '/api/sms/inbound') expect(schemes, `${method} ${url}`).toEqual(['signature']);
        else expect(schemes, `${method} ${url}`).toEqual(method === 'get' ? ['session'] : ['session', 'csrf']);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    // a nullable enum admits null (gender, VIP card, risk level, a referral's outcome…)
    const refusingNull: string[] = [];
    const walk = (v: unknown, at: string): void => {
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o.nullable === true && Array.isArray(o.enum) && !o.enum.includes(null)) refusingNull.push(at);
      for (const [k, x] of Object.entries(o)) walk(x, `${at}/${k}`);
    };
    walk(doc, '');
    expect(refusingNull).toEqual([]);
    expect(JSON.stringify(doc.paths['/api/referrals'])).toContain('"enum":["signed","product_sold","declined",null]');
    expect(doc.paths['/api/customers/{customerId}/reveal']?.post?.operationId).toBe('postCustomersCustomerIdReveal');
  });

  it('documents the 414 of an overlong number in the address on every operation with one, and answers it so', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const missing: string[] = [];
    for (const [url, ops] of Object.entries(doc.paths)) {
      if (!url.startsWith('/api/') || !url.includes('{')) continue;
      for (const [method, op] of Object.entries(ops)) if (!op.responses?.['414']) missing.push(`${method} ${url}`);
    }
    expect(missing).toEqual([]);
    expect(doc.paths['/api/customers']?.get?.responses?.['414']).toBeUndefined();
    const r = await dept.get(`/api/customers/${'C'.repeat(101)}`, { 'accept-language': 'en' });
    expect(r.statusCode).toBe(414);
    expect(r.json()).toEqual({ error: { code: 'uri_too_long', message: 'A number in the address is too long (at most 100 characters).' } });
  });
});

describe('caching', () => {
  it('marks every API answer no-store: data, errors and the session', async () => {
    for (const r of [
      await dept.get('/api/customers/C1'),
      await dept.get('/api/customers/C404'),
      await (await signInAs(app, BRANCH_HEAD_B100)).get('/api/customers/C4'),
      await app.inject({ method: 'GET', url: '/api/session' }),
      await app.inject({ method: 'POST', url: '/api/session', payload: { login: 'S404', password: 'x' } }),
      await dept.get('/api/audit'),
    ]) {
      expect(r.headers['cache-control'], r.body.slice(0, 80)).toBe('no-store');
    }
  });

  it('refuses body keys that would change every object, naming them', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json', 'accept-language': 'en' }, payload: '{"login":"S13","password":"x","__proto__":{"admin":true}}' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.code).toBe('bad_request');
    expect(r.json().error.message).toBe('The request body has a field named "__proto__", which is not allowed.');
    // (an object literal cannot hold an own "__proto__" key: compare the parsed keys)
    expect(Object.keys(r.json().error.fields)).toEqual(['__proto__']);
    const nested = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"login":"S13","password":{"constructor":{"prototype":{}}}}' });
    expect(Object.keys(nested.json().error.fields)).toEqual(['constructor']);
    const broken = await app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"login":"S13",' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/^提交的内容不是有效的 JSON/);
  });
});
