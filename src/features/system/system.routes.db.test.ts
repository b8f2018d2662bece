import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFullDay, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { buildApp } from '../../platform/http.js';
import { loadFeed } from '../feed/feed.load.js';
import { systemRoutes } from './system.routes.js';

let db: Db;
let app: Awaited<ReturnType<typeof buildApp>>;
beforeAll(async () => {
  db = await openTestDb();
  app = await buildApp({ db }, [systemRoutes]);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('the server', () => {
  it('answers /api/health with the engine and the latest business date', async () => {
    const empty = await app.inject({ method: 'GET', url: '/api/health' });
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toEqual({ data: { status: 'ok', engine: db.engine, latestBusinessDate: null } });
    await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-20', mode: 'full' }, buildFullDay()));
    const loaded = await app.inject({ method: 'GET', url: '/api/health' });
    expect(loaded.json()).toMatchObject({ data: { latestBusinessDate: '2026-11-20' } });
  });

  it('serves the OpenAPI document generated from the route schemas, and its page at /docs', async () => {
    const doc = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    const json = doc.json() as { openapi: string; paths: Record<string, { get?: { responses?: Record<string, unknown> } }> };
    expect(json.openapi).toMatch(/^3\./);
    expect(json.paths['/api/health']?.get?.responses?.['200']).toBeDefined();
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });

  it('answers an unknown address in the one error shape', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/nothing-here?q=x', headers: { 'accept-language': 'en' } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: { code: 'not_found', message: 'There is nothing at GET /api/nothing-here.' } });
    const zh = await app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(zh.json().error.message).toBe('没有这个地址：GET /api/nothing-here');
  });
});
