import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { runTiering } from './tiering.batch.js';

// Tiers on the customer pages, the policies page and the branch report, through the API.
// Bank: C1 (AUM 202,300.00) and C2 (999.99) at B111, C3 (50,000.00) at B112, C4 (3,000,000.00) at B211.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => sessions.get(login) ?? sessions.set(login, await signInAs(app, login)).get(login) as TestSession;
const post = async (login: string, url: string, payload: unknown, lang = 'en') => {
  const s = await as(login);
  return app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': lang } });
};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await runTiering(db, '2026-11-20');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('tiers of a customer', () => {
  it('shows each model with its tier, since when, and why in both languages', async () => {
    const r = await (await as(OUTLET_STAFF.customer_manager)).get('/api/customers/C1/tiers');
    expect(r.statusCode).toBe(200);
    const d = r.json().data;
    expect(d.asOf).toBe('2026-11-20');
    const band = d.models.find((m: { model: string }) => m.model === 'aum_band');
    expect(band).toMatchObject({ tier: 'band_3', since: '2026-11-20', policyVersion: 1, tierLabel: { zh: '20–50万' } });
    expect(band.because).toEqual({ zh: 'AUM 20.23万 ≥ 20万，< 50万', en: 'AUM 202,300.00 ≥ 200,000, < 500,000' });
    expect(d.models.map((m: { model: string }) => m.model)).toEqual(['aum_band', 'relationship_tier', 'savings_grade', 'value_tier']);
    expect(d.history).toContainEqual(expect.objectContaining({ model: 'aum_band', date: '2026-11-20', from: null, to: 'band_3', direction: 'first' }));
  });

  it('answers 404 outside the scope', async () => {
    expect((await (await as(MANAGER_B112)).get('/api/customers/C1/tiers')).statusCode).toBe(404);
  });

  it('the customer list shows and filters the AUM band and relationship tier', async () => {
    const s = await as(PB_DEPT);
    const r = await s.get('/api/customers?aumBand=band_3');
    expect(r.json().data.items.map((c: { customerId: string; aumBand: string }) => [c.customerId, c.aumBand])).toEqual([['C1', 'band_3']]);
    const vip = await s.get('/api/customers?relationshipTier=vip');
    expect(vip.json().data.items.map((c: { customerId: string }) => c.customerId)).toEqual(['C4']);
  });
});

describe('policies', () => {
  it('the department reads, simulates and publishes; a customer manager may not; a branch head reads but may not publish', async () => {
    expect((await (await as(OUTLET_STAFF.customer_manager)).get('/api/policies')).statusCode).toBe(403);
    const list = await (await as(BRANCH_HEAD_B100)).get('/api/policies');
    expect(list.statusCode).toBe(200);
    const band = list.json().data.items.find((p: { model: string }) => p.model === 'aum_band');
    expect(band).toMatchObject({ version: 1, publishedBy: 'stratum', effectiveFrom: '1900-01-01' });
    const draft = (band.yaml as string).replace('min: 200000', 'min: 150000');
    const sim = await post(BRANCH_HEAD_B100, '/api/policies/simulate', { yaml: draft });
    expect(sim.statusCode).toBe(200);
    expect(sim.json().data.models[0].moved).toBe(0);
    expect((await post(BRANCH_HEAD_B100, '/api/policies', { yaml: draft, reason: 'x', effectiveFrom: '2026-11-20' })).statusCode).toBe(403);
    const pub = await post(PB_DEPT, '/api/policies', { yaml: draft, reason: 'band 3 from 15万', effectiveFrom: '2026-11-21' });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().data).toMatchObject({ model: 'aum_band', version: 2, effectiveFrom: '2026-11-21', reason: 'band 3 from 15万' });
  });

  it('a bad draft comes back with each problem at its field, and bad YAML at the yaml field', async () => {
    const list = await (await as(PB_DEPT)).get('/api/policies');
    const band = list.json().data.items.find((p: { model: string; version: number }) => p.model === 'aum_band' && p.version === 1);
    const bad = (band.yaml as string).replace('min: 500000', 'min: 200000').replace('fact: aum\n', 'fact: aum_avg_mtd2\n');
    const r = await post(PB_DEPT, '/api/policies/simulate', { yaml: bad });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields).toEqual({ fact: "unknown fact 'aum_avg_mtd2'", 'tiers[4].min': '(200000) is not above tiers[3].min (200000)' });
    const yaml = await post(PB_DEPT, '/api/policies', { yaml: 'model: [', reason: 'x', effectiveFrom: '2026-11-21' }, 'zh-CN');
    expect(yaml.statusCode).toBe(400);
    expect(Object.keys(yaml.json().error.fields)).toEqual(['yaml']);
    expect(yaml.json().error.message).toMatch(/^策略不是有效的 YAML/);
    const csrf = await app.inject({ method: 'POST', url: '/api/policies', payload: { yaml: 'x', reason: 'x', effectiveFrom: '2026-11-21' }, headers: { cookie: (await as(PB_DEPT)).cookie } });
    expect(csrf.statusCode).toBe(403);
  });
});

describe('the branch report', () => {
  it('counts customers and AUM per tier within the scope, and the migration between two dates', async () => {
    const head = await as(BRANCH_HEAD_B100);
    const mix = await head.get('/api/branch/tier-mix?model=aum_band');
    expect(mix.statusCode).toBe(200);
    const tiers = Object.fromEntries(mix.json().data.tiers.filter((t: { customers: number }) => t.customers).map((t: { tier: string; customers: number; aum: string }) => [t.tier, [t.customers, t.aum]]));
    expect(tiers).toEqual({ below: [1, '999.99'], band_2: [1, '50000.00'], band_3: [1, '202300.00'] });
    expect(mix.json().data.dates).toEqual(['2026-11-20']);
    const all = await (await as(PB_DEPT)).get('/api/branch/tier-mix?model=aum_band');
    expect(all.json().data.tiers.find((t: { tier: string }) => t.tier === 'band_5').customers).toBe(1);
    const mig = await head.get('/api/branch/migration?model=aum_band&from=2026-11-19&to=2026-11-20');
    expect(mig.json().data.cells).toEqual([
      { from: null, to: 'band_2', customers: 1 },
      { from: null, to: 'band_3', customers: 1 },
      { from: null, to: 'below', customers: 1 },
    ]);
    expect((await (await as(OUTLET_STAFF.customer_manager)).get('/api/branch/tier-mix')).statusCode).toBe(403);
    expect((await head.get('/api/branch/tier-mix?branchId=B211')).statusCode).toBe(404);
  });

  it("counts a supervisor's own customers only: the report is an aggregate of the scope, not of the outlet", async () => {
    // the supervisor of B111 co-owns C1 and C2 (not C3 at B112, nor anyone else of the outlet)
    await db.session((s) => s.exec(`DELETE FROM customer_owners WHERE customer_id = 'C2' AND staff_id = '${OUTLET_STAFF.cm_supervisor}'`));
    try {
      const sup = await as(OUTLET_STAFF.cm_supervisor);
      const mix = (await sup.get('/api/branch/tier-mix?model=aum_band')).json().data.tiers.filter((t: { customers: number }) => t.customers);
      expect(mix.map((t: { tier: string; customers: number; aum: string }) => [t.tier, t.customers, t.aum])).toEqual([['band_3', 1, '202300.00']]);
      const mig = (await sup.get('/api/branch/migration?model=aum_band&from=2026-11-19&to=2026-11-20')).json().data.cells;
      expect(mig).toEqual([{ from: null, to: 'band_3', customers: 1 }]);
    } finally {
      await db.session((s) => s.exec(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C2', '${OUTLET_STAFF.cm_supervisor}', 'co', 'manual', 'test')`));
    }
  });
});
