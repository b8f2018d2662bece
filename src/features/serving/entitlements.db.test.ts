import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { client } from '../opportunities/opportunities.test-support.js';
import { ensureTierPartition } from '../tiering/tiering.sql.js';
import { checkEntitlementsYaml, entitlementsOf, type CustomerStanding } from './entitlements.policy.js';
import { builtInEntitlementsPolicy } from './entitlements.service.js';

// Service entitlements (issue 22 §2, POLICIES "Service entitlements") at each boundary of the
// shipped policy, a customer's entitlements with why through the API (outside the scope 404), and
// the policy's check (field and line), simulation and publishing.

const SHIPPED_YAML = readFileSync(new URL('./policies/entitlements.yaml', import.meta.url), 'utf8');
const none: CustomerStanding = { aumBand: null, valueTier: null, cardGrade: null, aum: null };
const ids = (s: Partial<CustomerStanding>) => entitlementsOf(builtInEntitlementsPolicy(), { ...none, ...s }).map((e) => e.id);

describe('the shipped entitlements policy at each boundary', () => {
  it('gives by band: band_1 nothing, band_2 the priority queue, band_3 and band_4 also the fast lane, a dedicated manager and fees waived, band_5 also the health check and lounge', () => {
    expect(ids({ aumBand: 'below' })).toEqual([]);
    expect(ids({ aumBand: 'band_1' })).toEqual([]);
    expect(ids({ aumBand: 'band_2' })).toEqual(['priority_queue']);
    expect(ids({ aumBand: 'band_3' })).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived']);
    expect(ids({ aumBand: 'band_4' })).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived']);
    expect(ids({ aumBand: 'band_5' })).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived', 'health_check_lounge']);
  });

  it('gives the priority queue for an active gold card or better whatever the band, and fees waived for value_tier high_value', () => {
    expect(ids({ aumBand: 'band_1', cardGrade: 'gold' })).toEqual(['priority_queue']);
    expect(ids({ cardGrade: 'diamond' })).toEqual(['priority_queue']);
    expect(ids({ aumBand: 'band_1', valueTier: 'high_value' })).toEqual(['fees_waived']);
    expect(ids({ aumBand: 'band_1', valueTier: 'valuable' })).toEqual([]);
  });

  it('gives the birthday visit from AUM 1,000,000 exactly to just under 3,000,000', () => {
    expect(ids({ aum: '999999.99' })).toEqual([]);
    expect(ids({ aum: '1000000.00' })).toEqual(['birthday_visit']);
    expect(ids({ aum: '2999999.99' })).toEqual(['birthday_visit']);
    expect(ids({ aum: '3000000.00' })).toEqual([]);
  });

  it('says why with the rule and the customer value', () => {
    const got = entitlementsOf(builtInEntitlementsPolicy(), { ...none, aumBand: 'band_3', aum: '1234567.00', valueTier: 'high_value' });
    expect(got.find((e) => e.id === 'fast_lane')?.why).toEqual(['aum_band band_3 ≥ band_3']);
    expect(got.find((e) => e.id === 'fees_waived')?.why).toEqual(['aum_band band_3 ≥ band_3', 'value_tier high_value = high_value']);
    expect(got.find((e) => e.id === 'birthday_visit')?.why).toEqual(['AUM 1,234,567.00 in [1,000,000, 3,000,000)']);
  });

  it('checks a draft: every problem with its field and its line', () => {
    expect(checkEntitlementsYaml(SHIPPED_YAML).problems).toEqual([]);
    const bad = SHIPPED_YAML.replace('band_at_least: band_3', 'band_at_least: band_9').replace('{ min: 1000000, below: 3000000 }', '{ min: 3000000, below: 1000000 }');
    const { problems } = checkEntitlementsYaml(bad);
    const line = (needle: string) => bad.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(problems).toEqual([
      expect.objectContaining({ path: 'entitlements[1].any[0]', line: line('band_at_least: band_9') }),
    ]);
    const badRange = checkEntitlementsYaml(SHIPPED_YAML.replace('{ min: 1000000, below: 3000000 }', '{ min: 3000000, below: 1000000 }')).problems;
    expect(badRange).toEqual([{ path: 'entitlements[5].any[0].aum', line: line('min: 3000000, below: 1000000'), message: 'below (1000000) is not above min (3000000)' }]);
    expect(checkEntitlementsYaml('kind: entitlements\n  label: [').problems[0]).toMatchObject({ path: '(yaml)', line: expect.any(Number), message: expect.stringMatching(/^not valid YAML/) });
  });
});

describe('the entitlements API', () => {
  let db: Db;
  let app: Awaited<ReturnType<typeof buildStratumApp>>;
  const api = client(() => app);
  const MANAGER = OUTLET_STAFF.customer_manager; // owner of C1 and C2
  const standing = async (customerId: string, s: { band?: string | null; value?: string | null; card?: string | null; aum: string }) => {
    await db.session(async (q) => {
      await q.query(`DELETE FROM customer_tiers WHERE customer_id = $1 AND model IN ('aum_band', 'value_tier')`, [customerId]);
      if (s.band) await q.query(`INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) VALUES ($1, 'aum_band', $2, '2026-11-20', 1)`, [customerId, s.band]);
      if (s.value) await q.query(`INSERT INTO customer_tiers (customer_id, model, tier, since, policy_version) VALUES ($1, 'value_tier', $2, '2026-11-20', 1)`, [customerId, s.value]);
      await q.query(`UPDATE customer_overview SET aum = $2::numeric, vip_grade = $3 WHERE customer_id = $1`, [customerId, s.aum, s.card ?? null]);
    });
  };

  beforeAll(async () => {
    db = await openTestDb();
    await loadScopedBank(db);
    await db.session(async (s) => {
      await ensureTierPartition(s, 'aum_band');
      await ensureTierPartition(s, 'value_tier');
    });
    app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });

  it("lists the customer's entitlements with why, at AUM 1,000,000 and 3,000,000 exactly", async () => {
    await standing('C1', { band: 'band_4', value: 'high_value', aum: '1000000.00' });
    const r = await api.get(MANAGER, '/api/customers/C1/entitlements');
    expect(r.statusCode).toBe(200);
    const data = r.json().data;
    expect(data.standing).toMatchObject({ aumBand: 'band_4', valueTier: 'high_value', cardGrade: null, aum: '1000000.00' });
    expect(data.entitlements.map((e: { id: string }) => e.id)).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived', 'birthday_visit']);
    expect(data.entitlements.at(-1)).toMatchObject({ label: { zh: '支行长与客户经理生日拜访' }, why: ['AUM 1,000,000.00 in [1,000,000, 3,000,000)'] });

    await standing('C1', { band: 'band_5', aum: '3000000.00' });
    const top = (await api.get(MANAGER, '/api/customers/C1/entitlements')).json().data;
    expect(top.entitlements.map((e: { id: string }) => e.id)).toEqual(['priority_queue', 'fast_lane', 'dedicated_manager', 'fees_waived', 'health_check_lounge']);

    await standing('C2', { band: 'band_1', card: 'gold', aum: '999999.99' });
    const gold = (await api.get(MANAGER, '/api/customers/C2/entitlements')).json().data;
    expect(gold.entitlements).toEqual([{ id: 'priority_queue', label: { zh: '优先叫号', en: 'Priority queue number' }, why: ['card gold ≥ gold'] }]);
  });

  it('answers 404 for a customer outside the scope, as for one that does not exist', async () => {
    const outside = await api.get(MANAGER, '/api/customers/C4/entitlements');
    const missing = await api.get(MANAGER, '/api/customers/C404/entitlements');
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual(missing.json());
    expect((await api.get(MANAGER_B211, '/api/customers/C4/entitlements')).statusCode).toBe(200);
  });

  it('simulates a draft against the version in effect within the scope, and publishes it (the department only, audited)', async () => {
    await standing('C1', { band: 'band_5', aum: '3000000.00' });
    await standing('C2', { band: 'band_2', aum: '500000.00' });
    const draft = SHIPPED_YAML.replace(/(id: fast_lane\n.*\n.*\n {6}- band_at_least: )band_3/, '$1band_2');
    expect(draft).not.toBe(SHIPPED_YAML);
    const sim = await api.post(BRANCH_HEAD_B100, '/api/entitlements/policies/simulate', { yaml: draft });
    expect(sim.statusCode).toBe(200);
    const fast = sim.json().data.entitlements.find((e: { id: string }) => e.id === 'fast_lane');
    expect(fast).toMatchObject({ draft: 2, published: 1 });

    const check = await api.post(BRANCH_HEAD_B100, '/api/entitlements/policies/check', { yaml: draft.replace('value_tier: high_value', 'value_tier: rich') }, 'en');
    expect(check.json().data).toMatchObject({ valid: false, problems: [{ path: 'entitlements[3].any[1]' }] });
    const badSim = await api.post(BRANCH_HEAD_B100, '/api/entitlements/policies/simulate', { yaml: draft.replace('value_tier: high_value', 'value_tier: rich') }, 'en');
    expect(badSim.statusCode).toBe(400);
    expect(badSim.json().error.fields['entitlements[3].any[1]']).toMatch(/^line \d+: /);

    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await api.post(BRANCH_HEAD_B100, '/api/entitlements/policies', { yaml: draft, reason: 'x', effectiveFrom: today })).statusCode).toBe(403);
    const past = await api.post(PB_DEPT, '/api/entitlements/policies', { yaml: draft, reason: 'band 2 fast lane', effectiveFrom: '2020-01-01' });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.fields).toHaveProperty('effectiveFrom');
    const pub = await api.post(PB_DEPT, '/api/entitlements/policies', { yaml: draft, reason: 'band 2 fast lane', effectiveFrom: today });
    expect(pub.statusCode).toBe(200);
    expect(pub.json().data).toMatchObject({ version: 2, effectiveFrom: today, reason: 'band 2 fast lane' });
    const versions = (await api.get(PB_DEPT, '/api/entitlements/policies')).json().data;
    expect(versions).toMatchObject({ inEffect: 2, items: [{ version: 1 }, { version: 2 }] });
    const c2 = (await api.get(MANAGER, '/api/customers/C2/entitlements')).json().data;
    expect(c2.policyVersion).toBe(2);
    expect(c2.entitlements.map((e: { id: string }) => e.id)).toEqual(['priority_queue', 'fast_lane']);
    const audit = await db.session((s) => s.query<{ actor: string }>(`SELECT actor FROM audit_log WHERE action = 'entitlements_policy_publish'`));
    expect(audit.rows).toEqual([{ actor: PB_DEPT }]);
  });
});
