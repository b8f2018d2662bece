import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from './tiering.batch.js';
import { builtInPolicies } from './tiering.policies.js';

// A simulation counts the customers of the caller's scope only (issue 15), and runs only on dates
// the daily batch computed facts for. Bank: C1 (AUM 202,300.00) and C2 (999.99) at outlet B111,
// C3 (50,000.00) at B112, both under branch B100; C4 (3,000,000.00) at B211 under B200.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => sessions.get(login) ?? sessions.set(login, await signInAs(app, login)).get(login) as TestSession;
const simulate = async (login: string, payload: { yaml: string; date?: string }) => {
  const s = await as(login);
  return app.inject({ method: 'POST', url: '/api/policies/simulate', payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': 'en' } });
};
interface Sim {
  businessDate: string;
  customers: number;
  scope: { all: boolean; branches: { branchId: string; name: string }[] };
  models: { model: string; tiers: { tier: string; customers: number; aum: string }[]; migration: { from: string | null; to: string; customers: number }[]; moved: number }[];
}
const ok = async (login: string, payload: { yaml: string; date?: string }) => {
  const r = await simulate(login, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as Sim;
};
const counted = (sim: Sim) => Object.fromEntries((sim.models[0]?.tiers ?? []).filter((t) => t.customers > 0).map((t) => [t.tier, [t.customers, t.aum]]));

const band = builtInPolicies().find((p) => p.model === 'aum_band');
if (!band || band.kind !== 'bands') throw new Error('no aum_band');
const published = stringify(band);
// band 5 from 3,000,000.01: C4 (exactly 3,000,000.00) would move down to band 4
const draft = stringify({ ...band, tiers: band.tiers.map((t) => (t.id === 'band_5' ? { ...t, min: 3000000.01 } : t)) });

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await runTiering(db, '2026-11-20');
  // the next day is loaded, but its batch has not run: no facts yet
  const next = await loadFeed(db, writeFeed(path.join(feedDir(), '2026-11-21'), { business_date: '2026-11-21', mode: 'delta' }, {}));
  expect(next.outcome, JSON.stringify(next.problems)).toBe('loaded');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('a simulation covers the scope of who asks', () => {
  it('the head of outlet B111 counts its two customers only, and is told so', async () => {
    const sim = await ok(OUTLET_STAFF.branch_head, { yaml: published });
    expect(sim.businessDate).toBe('2026-11-20');
    expect(sim.customers).toBe(2);
    expect(sim.scope).toEqual({ all: false, branches: [{ branchId: 'B111', name: '电力路网点' }] });
    expect(counted(sim)).toEqual({ below: [1, '999.99'], band_3: [1, '202300.00'] });
    expect(sim.models[0]?.migration).toEqual([
      { from: 'band_3', to: 'band_3', customers: 1 },
      { from: 'below', to: 'below', customers: 1 },
    ]);
  });

  it('the head of branch B100 counts its subtree (B111 and B112), named by its top branch', async () => {
    const sim = await ok(BRANCH_HEAD_B100, { yaml: draft });
    expect(sim.customers).toBe(3);
    expect(sim.scope).toEqual({ all: false, branches: [{ branchId: 'B100', name: '城南分行' }] });
    expect(counted(sim)).toEqual({ below: [1, '999.99'], band_2: [1, '50000.00'], band_3: [1, '202300.00'] });
    // C4, outside the subtree, would move: not this head's business
    expect(sim.models[0]?.moved).toBe(0);
    expect(sim.models[0]?.migration.reduce((n, m) => n + m.customers, 0)).toBe(3);
  });

  it('the department counts the whole bank, C4 moving included', async () => {
    const sim = await ok(PB_DEPT, { yaml: draft });
    expect(sim.customers).toBe(4);
    expect(sim.scope).toEqual({ all: true, branches: [] });
    expect(counted(sim)).toEqual({ below: [1, '999.99'], band_2: [1, '50000.00'], band_3: [1, '202300.00'], band_4: [1, '3000000.00'] });
    expect(sim.models[0]?.moved).toBe(1);
    expect(sim.models[0]?.migration.filter((m) => m.from !== m.to)).toEqual([{ from: 'band_5', to: 'band_4', customers: 1 }]);
  });
});

describe('the dates a simulation runs on', () => {
  it('defaults to the latest date the batch ran for, not a newer one loaded since', async () => {
    expect((await ok(PB_DEPT, { yaml: published })).businessDate).toBe('2026-11-20');
  });

  it('refuses a date without facts, naming it and the latest that has them, and computes nothing', async () => {
    const r = await simulate(PB_DEPT, { yaml: published, date: '2026-11-21' });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toBe(
      '2026-11-21 has no customer facts (the daily batch has not run for it), so it cannot be simulated on. Choose a date the batch has run for (the latest is 2026-11-20), or run the batch for 2026-11-21 first.',
    );
    const facts = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM customer_facts WHERE business_date = '2026-11-21'`));
    expect(facts.rows[0]?.n).toBe(0);
    const unloaded = await simulate(PB_DEPT, { yaml: published, date: '2026-11-22' });
    expect(unloaded.statusCode).toBe(400);
    expect(unloaded.json().error.message).toMatch(/^2026-11-22 has not been loaded/);
  });
});
