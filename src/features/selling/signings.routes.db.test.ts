import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B112, MANAGER_B211, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { buildCard, feedDir, writeFeed } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import { loadFeed } from '../feed/feed.load.js';
import type { Db } from '../../platform/db.js';
import { apiClient } from '../worklist/worklist.test-support.js';
import { BRANCH_HEAD_B200, buildSellingBank, PB_DEPT_2, setAumAvgMtd } from './selling.test-support.js';

// VIP signing (issue 19 §2; POLICIES.md "VIP signing") through the API: qualifying at the exact
// standards, automatic signing or approval by the right approver within scope, rejection with a
// reason, the voucher (six fields, never edited, numbers unique), cancelling, the card recorded as
// issued only with a complete voucher, and the card the feed brings afterwards.

let db: Db;
let app: FastifyInstance;
const api = apiClient(() => app);
const MANAGER = OUTLET_STAFF.customer_manager; // owns C1, C2 (B111)
const HEAD_B111 = OUTLET_STAFF.branch_head;
const LOBBY = OUTLET_STAFF.lobby_manager;

const sign = (login: string, customer: string, grade: string, lang = 'zh') => api.post(login, `/api/customers/${customer}/signings`, { grade }, lang);
const decide = (login: string, customer: string, id: string, body: Record<string, unknown>, lang = 'zh') => api.post(login, `/api/customers/${customer}/signings/${id}/decision`, body, lang);
const standing = async (login: string, customer: string) => {
  const r = await api.get(login, `/api/customers/${customer}/signings`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { asOf: string; aumAvgMtd: string; qualifies: string[]; grades: { grade: string; standard: string; qualifies: boolean; approverRole: string | null }[]; items: Signing[] };
};
interface Signing {
  signingId: string;
  status: string;
  grade: string;
  approverRole: string | null;
  decidedBy: { staffId: string } | null;
  decisionReason: string | null;
  card: { cardId: string; issuedOn: string } | null;
  cardIssuedAt: string | null;
  voucher: { agreementNo: string; customerId: string; customerName: string; qualifiedGrades: string[]; appliedGrade: string; signedAt: string; cancelled: boolean } | null;
}

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db, buildSellingBank());
  await runDailyBatch(db, '2026-11-20');
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('the grades a customer qualifies for', () => {
  it('compares aum_avg_mtd with each standard, to the fen, on the latest facts', async () => {
    const at = async (yuan: string) => {
      await setAumAvgMtd(db, 'C3', yuan);
      return (await standing(MANAGER_B112, 'C3')).qualifies;
    };
    expect(await at('99999.99')).toEqual([]);
    expect(await at('100000.00')).toEqual(['gold']);
    expect(await at('499999.99')).toEqual(['gold']);
    expect(await at('500000.00')).toEqual(['gold', 'platinum']);
    expect(await at('2999999.99')).toEqual(['gold', 'platinum']);
    expect(await at('3000000.00')).toEqual(['gold', 'platinum', 'diamond']);
    const s = await standing(MANAGER_B112, 'C3');
    expect(s).toMatchObject({ asOf: '2026-11-20', aumAvgMtd: '3000000.00' });
    expect(s.grades).toEqual([
      { grade: 'gold', standard: '100000.00', qualifies: true, approverRole: null },
      { grade: 'platinum', standard: '500000.00', qualifies: true, approverRole: null },
      { grade: 'diamond', standard: '3000000.00', qualifies: true, approverRole: null },
    ]);
    await at('50000.00');
    expect((await standing(MANAGER_B112, 'C3')).grades.map((g) => g.approverRole)).toEqual(['branch_head', 'branch_head', 'pb_dept']);
  });
});

describe('signing', () => {
  it('signs at once a customer who qualifies, with its six-field voucher in China time', async () => {
    await setAumAvgMtd(db, 'C1', '100000.00');
    const r = await sign(MANAGER, 'C1', 'gold');
    expect(r.statusCode, r.body).toBe(201);
    const d = r.json().data;
    expect(d.status).toBe('signed');
    expect(d.voucher).toMatchObject({ customerId: 'C1', customerName: '张三明', qualifiedGrades: ['gold'], appliedGrade: 'gold', cancelled: false });
    expect(d.voucher.agreementNo).toMatch(/^QY\d{8}\d{5,}$/);
    expect(d.voucher.signedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    // the day in the number is the China-time day of signing
    expect(d.voucher.agreementNo.slice(2, 10)).toBe(d.voucher.signedAt.slice(0, 10).replace(/-/g, ''));
    expect(d.signing).toMatchObject({ status: 'signed', approverRole: null, grade: 'gold', requestedBy: { staffId: MANAGER } });
    // the same grade again: refused while the signing stands
    const again = await sign(MANAGER, 'C1', 'gold', 'en');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('has a gold signing or a request waiting for approval already');
  });

  it('one fen below the standard waits for the branch head of the customer\'s outlet', async () => {
    await setAumAvgMtd(db, 'C2', '99999.99');
    const r = await sign(MANAGER, 'C2', 'gold');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().data).toMatchObject({ status: 'pending_approval', approverRole: 'branch_head', signing: { status: 'pending_approval', voucher: null, qualifiedAtRequest: [] } });
  });

  it('is refused outside the scope (404, as for no customer) and to roles without the permission (403)', async () => {
    for (const [login, customer] of [[MANAGER_B112, 'C1'], [MANAGER_B211, 'C2'], [MANAGER, 'C404']] as const) {
      const r = await sign(login, customer, 'gold');
      expect(r.statusCode, `${login} ${customer}`).toBe(404);
      expect(r.json().error.code).toBe('not_found');
    }
    expect((await sign(LOBBY, 'C1', 'gold')).statusCode).toBe(403);
    expect((await sign(MANAGER, 'C1', 'black')).statusCode).toBe(400);
  });
});

describe('approval', () => {
  let pending: string;
  beforeAll(async () => {
    const list = await api.get(HEAD_B111, '/api/signings/approvals');
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().data.items as (Signing & { customerId: string })[];
    expect(items.map((i) => [i.customerId, i.grade, i.status])).toEqual([['C2', 'gold', 'pending_approval']]);
    pending = items[0]?.signingId ?? '';
  });

  it('a branch head of another branch neither sees nor decides it (404); the department does not approve gold (403)', async () => {
    expect((await api.get(BRANCH_HEAD_B200, '/api/signings/approvals')).json().data.items).toEqual([]);
    const other = await decide(BRANCH_HEAD_B200, 'C2', pending, { decision: 'approve' });
    expect(other.statusCode).toBe(404);
    expect((await api.get(PB_DEPT, '/api/signings/approvals')).json().data.items).toEqual([]);
    const dept = await decide(PB_DEPT, 'C2', pending, { decision: 'approve' }, 'en');
    expect(dept.statusCode).toBe(403);
    expect(dept.json().error.message).toBe("A gold or platinum signing is approved by the head of the customer's branch.");
    // a manager holds no approval
    expect((await decide(MANAGER, 'C2', pending, { decision: 'approve' })).statusCode).toBe(403);
    expect((await api.get(MANAGER, '/api/signings/approvals')).statusCode).toBe(403);
  });

  it('a rejection needs its reason, named at the field, in the user\'s language', async () => {
    const zh = await decide(HEAD_B111, 'C2', pending, { decision: 'reject' });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.fields).toEqual({ reason: '请填写拒绝原因（2–500 个字）' });
    const en = await decide(HEAD_B111, 'C2', pending, { decision: 'reject', reason: ' ' }, 'en');
    expect(en.json().error.fields).toEqual({ reason: 'a reason for rejecting of 2 to 500 characters is required' });
  });

  it('rejected with a reason: no voucher, and the requester sees the outcome', async () => {
    const r = await decide(HEAD_B111, 'C2', pending, { decision: 'reject', reason: '月日均未达标，且无其他贡献' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toMatchObject({ status: 'rejected', voucher: null, decidedBy: { staffId: HEAD_B111 }, decisionReason: '月日均未达标，且无其他贡献' });
    const mine = (await api.get(MANAGER, '/api/signings')).json().data.items as (Signing & { customerId: string })[];
    expect(mine.find((m) => m.signingId === pending)).toMatchObject({ status: 'rejected', decisionReason: '月日均未达标，且无其他贡献' });
    // decided: not again
    expect((await decide(HEAD_B111, 'C2', pending, { decision: 'approve' })).statusCode).toBe(409);
    expect((await api.get(HEAD_B111, '/api/signings/approvals?status=decided')).json().data.items.map((i: Signing) => i.signingId)).toContain(pending);
  });

  it('approved by a branch head above the outlet: the voucher records the grades qualified on the day (none), and the requester sees it', async () => {
    const again = await sign(MANAGER, 'C2', 'gold');
    expect(again.json().data.status).toBe('pending_approval');
    const id = again.json().data.signing.signingId as string;
    const r = await decide(BRANCH_HEAD_B100, 'C2', id, { decision: 'approve', reason: '代发工资客户，综合贡献高' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toMatchObject({ status: 'signed', decidedBy: { staffId: BRANCH_HEAD_B100 }, voucher: { customerId: 'C2', customerName: '李四', qualifiedGrades: [], appliedGrade: 'gold', cancelled: false } });
    const mine = (await api.get(MANAGER, '/api/signings?status=signed')).json().data.items as Signing[];
    expect(mine.find((m) => m.signingId === id)?.voucher?.agreementNo).toBe(r.json().data.voucher.agreementNo);
  });

  it('nobody approves their own request; diamond goes to the department, which decides it within its scope', async () => {
    // the outlet's head asks platinum for C1 (qualifies for gold only): another branch head decides
    const own = await sign(HEAD_B111, 'C1', 'platinum');
    expect(own.json().data).toMatchObject({ status: 'pending_approval', approverRole: 'branch_head' });
    const id = own.json().data.signing.signingId as string;
    const self = await decide(HEAD_B111, 'C1', id, { decision: 'approve' }, 'en');
    expect(self.statusCode).toBe(403);
    expect(self.json().error.message).toBe('You cannot approve a signing you requested.');
    expect((await decide(BRANCH_HEAD_B100, 'C1', id, { decision: 'approve' })).json().data.status).toBe('signed');

    await setAumAvgMtd(db, 'C4', '2999999.99');
    const diamond = await sign(MANAGER_B211, 'C4', 'diamond');
    expect(diamond.json().data).toMatchObject({ status: 'pending_approval', approverRole: 'pb_dept' });
    const did = diamond.json().data.signing.signingId as string;
    expect((await decide(BRANCH_HEAD_B200, 'C4', did, { decision: 'approve' })).statusCode).toBe(403);
    expect((await decide(BRANCH_HEAD_B100, 'C4', did, { decision: 'approve' })).statusCode).toBe(404);
    expect((await api.get(PB_DEPT, '/api/signings/approvals')).json().data.items.map((i: Signing) => i.signingId)).toEqual([did]);
    const ok = await decide(PB_DEPT_2, 'C4', did, { decision: 'approve' });
    expect(ok.json().data).toMatchObject({ status: 'signed', voucher: { qualifiedGrades: ['gold', 'platinum'], appliedGrade: 'diamond' } });
  });
});

describe('the voucher', () => {
  it('is never edited nor deleted: the database refuses it', async () => {
    for (const sql of [`UPDATE signing_vouchers SET customer_name = 'x'`, `UPDATE signing_vouchers SET applied_grade = 'diamond'`, 'DELETE FROM signing_vouchers', 'TRUNCATE signing_vouchers']) {
      await expect(db.session((s) => s.exec(sql)), sql).rejects.toThrow(/never edited or deleted/);
    }
  });

  it('agreement numbers are unique and never reused', async () => {
    const r = await db.session((s) => s.query<{ agreement_no: string }>('SELECT agreement_no FROM signing_vouchers ORDER BY agreement_no'));
    const numbers = r.rows.map((x) => x.agreement_no);
    expect(numbers.length).toBeGreaterThanOrEqual(4);
    expect(new Set(numbers).size).toBe(numbers.length);
    // a number taken by a transaction that wrote nothing with it is not given again
    const taken = await db.transaction(async (s) => (await s.query<{ n: string }>(`SELECT nextval('signing_agreement_seq')::text AS n`)).rows[0]?.n).catch(() => undefined);
    await setAumAvgMtd(db, 'C3', '100000.00');
    const next = (await sign(MANAGER_B112, 'C3', 'gold')).json().data.voucher.agreementNo as string;
    expect(Number(next.slice(10))).toBeGreaterThan(Number(taken));
  });

  it('is kept, marked cancelled, when the signing is cancelled (a reason is required); the grade may then be signed again with a new number', async () => {
    const before = (await standing(MANAGER_B112, 'C3')).items.find((i) => i.status === 'signed');
    if (!before?.voucher) throw new Error('no signing of C3');
    const path = `/api/customers/C3/signings/${before.signingId}/cancel`;
    expect((await api.post(MANAGER_B112, path, { reason: '' })).json().error.fields).toHaveProperty('reason');
    const r = await api.post(MANAGER_B112, path, { reason: '客户要求撤销' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data).toMatchObject({ status: 'cancelled', cancelReason: '客户要求撤销', voucher: { ...before.voucher, cancelled: true } });
    expect((await api.post(MANAGER_B112, path, { reason: '再次撤销' })).statusCode).toBe(409);
    const again = await sign(MANAGER_B112, 'C3', 'gold');
    expect(again.json().data.voucher.agreementNo).not.toBe(before.voucher.agreementNo);
    const history = (await standing(MANAGER_B112, 'C3')).items;
    expect(history.map((h) => [h.status, h.voucher?.cancelled])).toEqual([
      ['signed', false],
      ['cancelled', true],
    ]);
  });

  it('the lobby sees the history with the name masked', async () => {
    const item = (await standing(MANAGER, 'C1')).items.find((i) => i.grade === 'gold');
    const lobby = (await standing(LOBBY, 'C1')).items.find((i) => i.signingId === item?.signingId);
    expect(lobby?.voucher).toEqual({ ...item?.voucher, customerName: '张*明' });
    expect((await api.get(MANAGER_B112, '/api/customers/C1/signings')).statusCode).toBe(404);
  });
});

describe('the card', () => {
  it('is recorded as issued only with a complete voucher', async () => {
    await setAumAvgMtd(db, 'C2', '10000.00');
    const platinum = (await sign(MANAGER, 'C2', 'platinum')).json().data.signing.signingId as string;
    const issued = (id: string, customer = 'C2', lang = 'zh') => api.post(MANAGER, `/api/customers/${customer}/signings/${id}/card-issued`, {}, lang);
    const waiting = await issued(platinum, 'C2', 'en');
    expect(waiting.statusCode).toBe(409);
    expect(waiting.json().error.message).toContain('waiting for approval');
    await decide(HEAD_B111, 'C2', platinum, { decision: 'reject', reason: '资产不足' });
    expect((await issued(platinum)).json().error.message).toContain('已被拒绝');
    const cancelled = (await standing(MANAGER_B112, 'C3')).items.find((i) => i.status === 'cancelled');
    expect((await api.post(MANAGER_B112, `/api/customers/C3/signings/${cancelled?.signingId}/card-issued`, {})).statusCode).toBe(409);

    const gold = (await standing(MANAGER, 'C1')).items.find((i) => i.grade === 'gold' && i.status === 'signed');
    const ok = await issued(gold?.signingId ?? '', 'C1');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.cardIssuedAt).toMatch(/\+08:00$/);
    expect((await issued(gold?.signingId ?? '', 'C1')).statusCode).toBe(409);
  });

  it('the card of the grade arriving in cards.csv afterwards shows with the signing', async () => {
    const files = buildSellingBank();
    // C1's old gold card K1 (issued 2020) is no match; K9, issued on the next business date, is
    files.cards?.push(buildCard({ card_id: 'K9', customer_id: 'C1', grade: 'gold', issued_on: '2026-11-21' }));
    const r = await loadFeed(db, writeFeed(feedDir(), { business_date: '2026-11-21', mode: 'full' }, files));
    expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
    const items = (await standing(MANAGER, 'C1')).items;
    expect(items.find((i) => i.grade === 'gold')?.card).toEqual({ cardId: 'K9', issuedOn: '2026-11-21', status: 'active' });
    // no card of platinum yet
    expect(items.find((i) => i.grade === 'platinum')?.card).toBeNull();
  });
});
