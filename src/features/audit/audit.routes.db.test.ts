import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, loadScopedBank, MANAGER_B211, OUTLET_STAFF, PB_DEPT, signInAs, type TestSession } from '../../../test/bank-fixture.js';
import { recordAuditDb } from '../../platform/audit.js';
import { verifyAuditChain } from './audit.chain.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';

// The audit page: the department reads everything, a branch head what concerns their subtree.

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const sessions = new Map<string, TestSession>();
const as = async (login: string) => {
  let s = sessions.get(login);
  if (!s) sessions.set(login, (s = await signInAs(app, login)));
  return s;
};
const reveal = async (login: string, customerId: string, reason: string) => {
  const s = await as(login);
  return app.inject({ method: 'POST', url: `/api/customers/${customerId}/reveal`, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload: { fields: ['phone'], reason } });
};
interface Item { entryId: number; actor: string | null; action: string; customerIds: string[]; customersOutsideScope: number; customerCount: number; customersRef: string | null; outcome: string; reason: string | null; actorName: string | null }
const entries = async (login: string, query = '') => {
  const r = await (await as(login)).get(`/api/audit${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { items: Item[]; total: number; page: number };
};

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
  expect((await reveal(OUTLET_STAFF.customer_manager, 'C1', '客户来电要求回拨')).statusCode).toBe(200);
  expect((await reveal(MANAGER_B211, 'C4', '核对客户预留电话')).statusCode).toBe(200);
  expect((await reveal(MANAGER_B211, 'C1', '想看看别人的客户')).statusCode).toBe(404);
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('the audit page', () => {
  it('shows the department every entry, newest first, with who did it', async () => {
    const { items } = await entries(PB_DEPT, '?action=reveal');
    expect(items.map((i) => [i.actor, i.customerIds, i.outcome, i.reason])).toEqual([
      [MANAGER_B211, ['C1'], 'refused', '想看看别人的客户'],
      [MANAGER_B211, ['C4'], 'allowed', '核对客户预留电话'],
      [OUTLET_STAFF.customer_manager, ['C1'], 'allowed', '客户来电要求回拨'],
    ]);
    expect(items[0]?.actorName).toBe('吴经理');
  });

  it("shows a branch head only entries about their subtree's customers or by its staff", async () => {
    const { items } = await entries(BRANCH_HEAD_B100, '?action=reveal');
    // the B211 manager's attempt on C1 concerns a customer of the subtree; their reveal of C4 does not
    expect(items.map((i) => [i.actor, i.customerIds])).toEqual([
      [MANAGER_B211, ['C1']],
      [OUTLET_STAFF.customer_manager, ['C1']],
    ]);
    const signIns = await entries(BRANCH_HEAD_B100, '?action=sign_in');
    expect(signIns.items.map((i) => i.actor)).not.toContain(MANAGER_B211);
    expect(signIns.items.map((i) => i.actor)).toContain(OUTLET_STAFF.customer_manager);
  });

  it('is not for other roles', async () => {
    for (const login of [OUTLET_STAFF.customer_manager, OUTLET_STAFF.cm_supervisor, OUTLET_STAFF.lobby_manager]) {
      expect((await (await as(login)).get('/api/audit')).statusCode).toBe(403);
      expect((await (await as(login)).get('/api/audit/export')).statusCode).toBe(403);
    }
  });

  it('filters by actor, customer, outcome and dates, and pages on the server', async () => {
    expect((await entries(PB_DEPT, `?actor=${MANAGER_B211}&outcome=refused`)).items.map((i) => i.customerIds)).toEqual([['C1']]);
    expect((await entries(PB_DEPT, '?customerId=C4')).items.map((i) => i.actor)).toEqual([MANAGER_B211]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect((await entries(PB_DEPT, `?from=${today}&to=${today}&action=reveal`)).total).toBe(3);
    expect((await entries(PB_DEPT, '?to=2020-01-01')).total).toBe(0);
    const all = await entries(PB_DEPT, '?pageSize=2');
    const second = await entries(PB_DEPT, '?pageSize=2&page=2');
    expect(all.items).toHaveLength(2);
    expect(second.items[0]?.entryId).toBeLessThan(all.items[1]?.entryId ?? 0);
    expect(second.total).toBe(all.total);
    const bad = await (await as(PB_DEPT)).get('/api/audit?from=yesterday&outcome=maybe', { 'accept-language': 'en' });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields).sort()).toEqual(['from', 'outcome']);
  });

  it('exports the filtered entries as CSV and Excel, and the export is itself audited', async () => {
    const csv = await (await as(BRANCH_HEAD_B100)).get('/api/audit/export?action=reveal');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    // named in the user's language (Chinese by default) with the China date, an ASCII name beside it
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="audit-trail_\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97_\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('entry_id,time (China),actor,actor_name,role,ip,action,customers,customer_ids,customer_list,customers_outside_scope,fields,outcome,reason,detail');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('想看看别人的客户');
    const logged = (await entries(PB_DEPT, '?action=export')).items[0];
    expect(logged).toMatchObject({ actor: BRANCH_HEAD_B100, outcome: 'allowed' });
    expect((logged as unknown as { detail: unknown }).detail).toEqual({ what: 'audit_log', format: 'csv', filters: { action: 'reveal' }, rows: 2 });

    const xlsx = await (await as(PB_DEPT)).get('/api/audit/export?format=xlsx&action=reveal');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('审计日志');
    expect(ws?.rowCount).toBe(4);
    expect(ws?.getRow(2).getCell(3).value).toBe(MANAGER_B211);
    // the entry number a number, the time a date-time in China time
    expect(typeof ws?.getRow(2).getCell(1).value).toBe('number');
    expect(ws?.getRow(2).getCell(2).value).toBeInstanceOf(Date);
    expect(ws?.getRow(2).getCell(2).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
  });
});

describe("an entry's customers, as a branch head sees them", () => {
  const HEAD_B111 = OUTLET_STAFF.branch_head; // S11: outlet B111 (C1, C2)
  const csvRows = (body: string) => body.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => l.split(','));

  beforeAll(async () => {
    // the nightly batch's entry about customers of three outlets
    await recordAuditDb(db, { actor: 'system', action: 'proposal_accept', customerIds: ['C1', 'C2', 'C3', 'C4'], outcome: 'allowed', reason: 'nightly' });
    // a B111 manager tries another branch's customer: refused
    expect((await reveal(OUTLET_STAFF.customer_manager, 'C4', '看看这位客户的电话')).statusCode).toBe(404);
    // C4 was at B111 when the B211 manager was assigned it; it is back at B211 now
    await db.session((s) => s.query(`UPDATE customers SET branch_id = 'B111' WHERE customer_id = 'C4'`));
    await recordAuditDb(db, { actor: MANAGER_B211, action: 'assign', customerIds: ['C4'], outcome: 'allowed', reason: 'moved in' });
    await db.session((s) => s.query(`UPDATE customers SET branch_id = 'B211' WHERE customer_id = 'C4'`));
  });

  it("shows a head only its subtree's customer ids and counts the others; the department sees all", async () => {
    const ids = async (login: string) => (await entries(login, '?action=proposal_accept')).items.map((i) => [i.customerIds, i.customersOutsideScope]);
    expect(await ids(HEAD_B111)).toEqual([[['C1', 'C2'], 2]]);
    expect(await ids(BRANCH_HEAD_B100)).toEqual([[['C1', 'C2', 'C3'], 1]]);
    expect(await ids(PB_DEPT)).toEqual([[['C1', 'C2', 'C3', 'C4'], 0]]);
  });

  it('keeps an entry about thousands of customers as their count and a reference, counts a head\'s own, and finds it by any of them', async () => {
    const many = [...Array.from({ length: 1500 }, (_, i) => `X${String(i).padStart(5, '0')}`), 'C4', 'C3', 'C2', 'C1'];
    const entryId = await recordAuditDb(db, { actor: 'system', action: 'batch_reassign', customerIds: many, outcome: 'allowed' });
    // the entry itself: no array of 1,504 ids, but their count and digest (hashed with the entry)
    const row = (await db.session((s) => s.query<{ customer_ids: string[]; detail: { customers: number; customersDigest: string } }>('SELECT customer_ids, detail FROM audit_log WHERE entry_id = $1', [entryId]))).rows[0];
    expect(row?.customer_ids).toEqual([]);
    expect(row?.detail.customers).toBe(1504);
    expect(row?.detail.customersDigest).toMatch(/^[0-9a-f]{64}$/);
    expect((await db.session((s) => s.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_customers WHERE entry_id = $1', [entryId]))).rows[0]?.n).toBe(1504);
    const seen = async (login: string) => (await entries(login, '?action=batch_reassign')).items.map((i) => [i.customerIds, i.customerCount, i.customersOutsideScope, i.customersRef]);
    const ref = `audit_customers:${entryId}`;
    expect(await seen(HEAD_B111)).toEqual([[[], 2, 1502, ref]]);
    expect(await seen(BRANCH_HEAD_B100)).toEqual([[[], 3, 1501, ref]]);
    expect(await seen(PB_DEPT)).toEqual([[[], 1504, 0, ref]]);
    // "who touched customer X" finds it, by any of its customers, within the reader's scope only
    expect((await entries(PB_DEPT, '?customerId=X00777&action=batch_reassign')).items.map((i) => i.entryId)).toEqual([entryId]);
    expect((await entries(HEAD_B111, '?customerId=C2&action=batch_reassign')).items.map((i) => i.entryId)).toEqual([entryId]);
    expect((await entries(HEAD_B111, '?customerId=C4&action=batch_reassign')).total).toBe(0);
    // no cell of the export over Excel's 32,767 characters
    const csv = await (await as(PB_DEPT)).get('/api/audit/export?action=batch_reassign');
    const cells = csvRows(csv.body).flat();
    expect(Math.max(...cells.map((c) => c.length))).toBeLessThan(32_767);
    expect(csvRows(csv.body)[0]?.slice(7, 10)).toEqual(['1504', '', ref]);
    // and the chain still verifies, the list included
    expect((await verifyAuditChain(db)).intact).toBe(true);
  });

  it("shows a head its own staff's attempt on another branch's customer, without the customer", async () => {
    const refused = (await entries(HEAD_B111, `?action=reveal&actor=${OUTLET_STAFF.customer_manager}&outcome=refused`)).items;
    expect(refused.map((i) => [i.actor, i.customerIds, i.customersOutsideScope, i.reason])).toEqual([[OUTLET_STAFF.customer_manager, [], 1, '看看这位客户的电话']]);
    expect((await entries(PB_DEPT, `?action=reveal&actor=${OUTLET_STAFF.customer_manager}&outcome=refused`)).items[0]?.customerIds).toEqual(['C4']);
  });

  it('shows an entry about a customer of the subtree then who has moved away since, without the id; a search by a customer outside the scope finds nothing', async () => {
    expect((await entries(HEAD_B111, '?action=assign')).items.map((i) => [i.actor, i.customerIds, i.customersOutsideScope])).toEqual([[MANAGER_B211, [], 1]]);
    expect((await entries(PB_DEPT, '?action=assign')).items.map((i) => [i.actor, i.customerIds])).toEqual([[MANAGER_B211, ['C4']]]);
    // of the B211 manager's reveals, the attempt on C1 only: the reveal of C4 was about no branch of the subtree
    expect((await entries(HEAD_B111, `?action=reveal&actor=${MANAGER_B211}`)).items.map((i) => [i.customerIds, i.outcome])).toEqual([[['C1'], 'refused']]);
    expect((await entries(HEAD_B111, '?customerId=C4')).total).toBe(0);
    expect((await entries(HEAD_B111, '?customerId=C3')).total).toBe(0);
    expect((await entries(BRANCH_HEAD_B100, '?customerId=C3')).items.map((i) => i.action)).toEqual(['batch_reassign', 'proposal_accept']);
    expect((await entries(PB_DEPT, '?customerId=C4')).total).toBeGreaterThanOrEqual(4);
  });

  it("exports the same: no id outside the head's subtree in the CSV or the workbook", async () => {
    const csv = await (await as(HEAD_B111)).get('/api/audit/export');
    expect(csv.statusCode).toBe(200);
    const rows = csvRows(csv.body);
    expect(rows.length).toBeGreaterThan(3);
    const seen = new Set(rows.flatMap((r) => (r[8] ?? '').split(' ').filter(Boolean)));
    expect([...seen].sort()).toEqual(['C1', 'C2']);
    const batch = rows.find((r) => r[6] === 'proposal_accept');
    // columns: customers (in scope), customer_ids, customer_list, customers_outside_scope
    expect([batch?.[7], batch?.[8], batch?.[9], batch?.[10]]).toEqual(['2', 'C1 C2', '', '2']);

    const xlsx = await (await as(HEAD_B111)).get('/api/audit/export?format=xlsx&action=proposal_accept');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('审计日志');
    expect(ws?.rowCount).toBe(2);
    expect([ws?.getRow(2).getCell(8).value, ws?.getRow(2).getCell(9).value, ws?.getRow(2).getCell(11).value]).toEqual([2, 'C1 C2', 2]);
    expect(ws?.getRow(1).font?.bold).toBe(true);
  });
});
