import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { apiClient } from '../worklist/worklist.test-support.js';
import { buildSellingBank, PB_DEPT_2, setCustomer } from './selling.test-support.js';
import { checkSuitability } from './suitability.service.js';

// Suitable products (issue 19 §3; POLICIES.md "Suitability") through the API, at every boundary:
// R3 against C2 and C3, an assessment 365 and 366 days old, a customer of 64 and of 65 on the day,
// no level at all; a recommendation of an unsuitable product refused with 422 and its reason in
// zh and en; the 65+ confirmation by another staff member who serves the customer, recorded and
// audited. The bank's date is 2026-11-20.

let db: Db;
let app: FastifyInstance;
const api = apiClient(() => app);
const MANAGER = OUTLET_STAFF.customer_manager; // owns C1
const SUPERVISOR = OUTLET_STAFF.cm_supervisor; // co-owns C1
interface Check {
  productCode: string;
  suitable: boolean;
  needsConfirmation: boolean;
  rule: string;
  reason: string;
}
const suitabilityOf = async (customer = 'C1', lang = 'zh', login: string = MANAGER) => {
  const r = await api.get(login, `/api/customers/${customer}/suitability`, lang);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { asOf: string; assessment: string; expiredSince: string | null; age: number | null; notice: string | null; suitable: Check[]; unsuitable: Check[]; confirmers: { staffId: string }[]; recent: { productCode: string; confirmedBy: { staffId: string } | null }[] };
};
const codes = (list: Check[]) => list.map((c) => c.productCode);
const recommend = (body: Record<string, unknown>, lang = 'zh', login: string = MANAGER, customer = 'C1') => api.post(login, `/api/customers/${customer}/recommendations`, body, lang);
const audits = async (outcome: string) =>
  (await db.session((s) => s.query<{ actor: string; detail: Record<string, unknown> }>(`SELECT actor, detail FROM audit_log WHERE action = 'product_recommend' AND outcome = $1 ORDER BY entry_id`, [outcome]))).rows;

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, buildSellingBank());
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});
// C1: risk C3, no assessment date (taken as valid), born 1985
beforeEach(() => setCustomer(db, 'C1', { riskLevel: 'C3', assessedOn: null, birthDate: '1985-03-15' }));

describe('the products that suit a customer', () => {
  it('splits the catalogue by the customer\'s level, each product with its reason', async () => {
    const s = await suitabilityOf();
    expect(s).toMatchObject({ asOf: '2026-11-20', assessment: 'valid', expiredSince: null, age: 41, notice: null });
    expect(codes(s.suitable)).toEqual(['CUR', 'TD12', 'WM1', 'FD3']);
    expect(codes(s.unsuitable)).toEqual(['FD4', 'WM5']);
    expect(s.unsuitable[0]).toMatchObject({ rule: 'above_level', reason: '产品风险等级 R4 高于客户风险承受能力 C3，仅可推荐 R3 及以下的产品' });
    expect((await suitabilityOf('C1', 'en')).suitable[3]?.reason).toBe("The product's risk R3 is within the customer's risk tolerance C3");
  });

  it('R3 does not suit C2, suits C3', async () => {
    await setCustomer(db, 'C1', { riskLevel: 'C2' });
    expect((await suitabilityOf()).unsuitable.find((c) => c.productCode === 'FD3')).toMatchObject({ suitable: false, rule: 'above_level' });
    await setCustomer(db, 'C1', { riskLevel: 'C3' });
    expect((await suitabilityOf()).suitable.find((c) => c.productCode === 'FD3')).toMatchObject({ suitable: true, rule: 'within_level' });
  });

  it('an assessment 365 days old holds; at 366 days only R1 suits, and the card says since when', async () => {
    await setCustomer(db, 'C1', { assessedOn: '2025-11-20' });
    expect(await suitabilityOf()).toMatchObject({ assessment: 'valid', notice: null });
    await setCustomer(db, 'C1', { assessedOn: '2025-11-19' });
    const s = await suitabilityOf('C1', 'en');
    expect(s).toMatchObject({ assessment: 'expired', expiredSince: '2026-11-20' });
    expect(s.notice).toBe("The customer's risk assessment (C3, made on 2025-11-19) has expired since 2026-11-20: only R1 products suit. Arrange a new assessment.");
    expect(codes(s.suitable)).toEqual(['CUR', 'TD12']);
    expect(s.unsuitable.find((c) => c.productCode === 'WM1')).toMatchObject({ rule: 'assessment_expired' });
  });

  it('no level: not assessed, only R1 suits', async () => {
    await setCustomer(db, 'C1', { riskLevel: null });
    const s = await suitabilityOf();
    expect(s).toMatchObject({ assessment: 'missing', notice: '客户尚未做风险承受能力评估：仅可推荐 R1 产品，请尽快安排评估。' });
    expect(codes(s.suitable)).toEqual(['CUR', 'TD12']);
    expect(s.unsuitable.every((c) => c.rule === 'not_assessed')).toBe(true);
  });

  it('64 on the day: R4 suits a C5 as any; 65 on the day: only with a second staff member', async () => {
    await setCustomer(db, 'C1', { riskLevel: 'C5', birthDate: '1961-11-21' });
    expect((await suitabilityOf()).suitable.find((c) => c.productCode === 'FD4')).toMatchObject({ needsConfirmation: false, rule: 'within_level' });
    await setCustomer(db, 'C1', { birthDate: '1961-11-20' });
    const s = await suitabilityOf();
    expect(s.age).toBe(65);
    expect(s.suitable.filter((c) => c.needsConfirmation).map((c) => c.productCode)).toEqual(['FD4', 'WM5']);
    // who may confirm: the colleagues who recommend products and serve C1, not the manager himself
    expect(s.confirmers.map((c) => c.staffId).sort()).toEqual([PB_DEPT, PB_DEPT_2, BRANCH_HEAD_B100, OUTLET_STAFF.branch_head, SUPERVISOR].sort());
  });

  it('the check other features call answers the same', async () => {
    const c = await checkSuitability(db, 'C1', 'FD4', '2026-11-20');
    expect(c).toMatchObject({ suitable: false, rule: 'above_level', productRisk: 'R4', customerLevel: 'C3', date: '2026-11-20' });
    await expect(checkSuitability(db, 'C1', 'NOPE')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('recording a recommendation', () => {
  it('records one that suits (201), audited', async () => {
    const r = await recommend({ productCode: 'WM1', kind: 'proposal', note: '到期资金续作' });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().data).toMatchObject({ customerId: 'C1', productCode: 'WM1', productName: '稳健理财1号', kind: 'proposal', staff: { staffId: MANAGER }, confirmedBy: null, productRisk: 'R2', customerLevel: 'C3', assessment: 'valid' });
    expect((await audits('allowed')).at(-1)).toMatchObject({ actor: MANAGER, detail: { productCode: 'WM1', kind: 'proposal', rule: 'within_level', confirmedBy: null } });
    expect((await suitabilityOf()).recent[0]?.productCode).toBe('WM1');
  });

  it('refuses an unsuitable one with 422 product_unsuitable and the reason in the user\'s language, audited as refused', async () => {
    const zh = await recommend({ productCode: 'FD4' });
    expect(zh.statusCode).toBe(422);
    expect(zh.json().error).toEqual({
      code: 'product_unsuitable',
      message: '成长基金4号（FD4）不适合该客户：产品风险等级 R4 高于客户风险承受能力 C3，仅可推荐 R3 及以下的产品。',
      fields: { productCode: '产品风险等级 R4 高于客户风险承受能力 C3，仅可推荐 R3 及以下的产品' },
    });
    await setCustomer(db, 'C1', { riskLevel: null });
    const en = await recommend({ productCode: 'WM1' }, 'en');
    expect(en.statusCode).toBe(422);
    expect(en.json().error.code).toBe('product_unsuitable');
    expect(en.json().error.message).toBe('稳健理财1号 (WM1) does not suit the customer: the customer has no risk assessment, so only R1 products suit; this product is R2.');
    expect((await audits('refused')).slice(-2).map((a) => a.detail.rule)).toEqual(['above_level', 'not_assessed']);
  });

  it('65 and over, R4: refused without a second staff member (422 confirmation_required), and with the same one or one who does not serve the customer (400)', async () => {
    await setCustomer(db, 'C1', { riskLevel: 'C5', birthDate: '1961-11-20' });
    const none = await recommend({ productCode: 'FD4' }, 'en');
    expect(none.statusCode).toBe(422);
    expect(none.json().error.code).toBe('confirmation_required');
    expect(none.json().error.fields).toEqual({ confirmedBy: 'another staff member who serves the customer must confirm' });
    const self = await recommend({ productCode: 'FD4', confirmedBy: MANAGER }, 'en');
    expect(self.statusCode).toBe(400);
    expect(self.json().error.fields).toEqual({ confirmedBy: 'it must be another staff member, not you' });
    const stranger = await recommend({ productCode: 'FD4', confirmedBy: MANAGER_B112 });
    expect(stranger.statusCode).toBe(400);
    expect(Object.keys(stranger.json().error.fields)).toEqual(['confirmedBy']);
    // a teller co-owns C1 but does not recommend products
    expect((await recommend({ productCode: 'FD4', confirmedBy: OUTLET_STAFF.vip_teller })).statusCode).toBe(400);
  });

  it('65 and over, R4, confirmed by a colleague who serves the customer: recorded with the confirmation, and audited', async () => {
    await setCustomer(db, 'C1', { riskLevel: 'C5', birthDate: '1961-11-20' });
    const r = await recommend({ productCode: 'FD4', confirmedBy: SUPERVISOR });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().data).toMatchObject({ productCode: 'FD4', confirmedBy: { staffId: SUPERVISOR }, staff: { staffId: MANAGER } });
    expect((await audits('allowed')).at(-1)).toMatchObject({ actor: MANAGER, detail: { productCode: 'FD4', rule: 'senior_confirmation', senior: true, confirmedBy: SUPERVISOR } });
    const stored = await db.session((s) => s.query(`SELECT confirmed_by, age FROM product_recommendations WHERE product_code = 'FD4'`));
    expect(stored.rows).toEqual([{ confirmed_by: SUPERVISOR, age: 65 }]);
    // R5 for a C5 of 65: also only with the confirmation; R5 above the level: unsuitable whatever the confirmation
    await setCustomer(db, 'C1', { riskLevel: 'C4' });
    expect((await recommend({ productCode: 'WM5', confirmedBy: SUPERVISOR })).json().error.code).toBe('product_unsuitable');
  });

  it('within scope only: another manager gets 404, a role without the permission 403; an unknown product 404', async () => {
    expect((await recommend({ productCode: 'WM1' }, 'zh', MANAGER_B112)).statusCode).toBe(404);
    expect((await recommend({ productCode: 'WM1' }, 'zh', OUTLET_STAFF.lobby_manager)).statusCode).toBe(403);
    expect((await recommend({ productCode: 'WM1' }, 'zh', MANAGER, 'C404')).statusCode).toBe(404);
    const unknown = await recommend({ productCode: 'NOPE' });
    expect(unknown.statusCode).toBe(404);
    expect(Object.keys(unknown.json().error.fields)).toEqual(['productCode']);
    expect((await api.get(MANAGER_B112, '/api/customers/C1/suitability')).statusCode).toBe(404);
  });
});
