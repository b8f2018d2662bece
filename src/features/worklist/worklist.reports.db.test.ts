import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_ID_C1, FULL_PHONE_C1, loadScopedBank, MANAGER_B112, OUTLET_STAFF } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import type { Db } from '../../platform/db.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { apiClient } from './worklist.test-support.js';

// The products maturing list (window boundaries, reinvested) and the bank's Excel sheets
// (Chinese headers and labels, phones and ID numbers masked, names for the lobby, audited).

let db: Db;
let app: Awaited<ReturnType<typeof buildStratumApp>>;
const api = apiClient(() => app);
const manager = OUTLET_STAFF.customer_manager; // S13: owns C1, C2; today is 2026-11-20
const lobby = OUTLET_STAFF.lobby_manager;

beforeAll(async () => {
  db = await openTestDb();
  await loadScopedBank(db);
  await db.session(async (s) => {
    // C1 already holds A5 (wealth, 2026-12-10) and A2 (time deposit, 2027-03-15: 115 days out)
    const accounts: [string, string, string, string, string, string, string][] = [
      ['C1', 'M90', 'wealth', '30000.00', '2026-08-18', '2027-02-18', 'active'], // exactly 90 days ahead: in
      ['C1', 'M91', 'wealth', '40000.00', '2026-08-18', '2027-02-19', 'active'], // 91: out
      ['C2', 'P90', 'time_deposit', '0.00', '2025-08-22', '2026-08-22', 'closed'], // exactly 90 days ago: in
      ['C2', 'P91', 'time_deposit', '0.00', '2025-08-21', '2026-08-21', 'closed'], // 91: out
      ['C2', 'R1', 'wealth', '20000.50', '2026-04-01', '2026-10-01', 'closed'],
      ['C2', 'R2', 'wealth', '20000.50', '2026-10-05', '2027-10-05', 'active'], // opened after R1 matured: reinvested
    ];
    for (const [c, id, kind, balance, opened, matures, status] of accounts) {
      await s.query(
        `INSERT INTO accounts (customer_id, account_id, kind, product_code, balance, opened_on, matures_on, status, closed_on, updated_on)
         VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, CASE WHEN $8 = 'closed' THEN $7::date END, '2026-11-20')`,
        [c, id, kind, kind === 'wealth' ? 'WM1' : 'TD12', balance, opened, matures, status],
      );
    }
    // the lobby manager co-owns C1 (seed 000: 20–50万 with the manager)
    await s.query(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by) VALUES ('C1', $1, 'co', 'manual', 'test')`, [lobby]);
  });
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

type Maturing = { accountId: string; daysFromToday: number; reinvested: boolean; amount: string; owner: { staffId: string } | null; productName: string | null };
const maturing = async (login: string, q = '') => {
  const r = await api.get(login, `/api/worklist/maturing${q}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as { items: Maturing[]; total: number; totalAmount: string; asOf: string };
};

describe('products maturing', () => {
  it('lists the past and next 90 days inclusive, with the reinvested flag and the owner', async () => {
    const d = await maturing(manager);
    expect(d.items.map((i) => [i.accountId, i.daysFromToday])).toEqual([['P90', -90], ['R1', -50], ['A5', 20], ['M90', 90]]);
    expect(d.total).toBe(4);
    expect(d.totalAmount).toBe('100000.50');
    expect(d.items.find((i) => i.accountId === 'R1')).toMatchObject({ reinvested: true, amount: '20000.50', productName: '稳健理财1号', owner: { staffId: manager } });
    expect(d.items.find((i) => i.accountId === 'M90')?.reinvested).toBe(false);
  });

  it('shows a product paid out at maturity with the amount the batch saw the week before, not its zero balance', async () => {
    await db.transaction(async (s) => {
      await ensureMonthPartition(s, 'customer_events', '2026-08-18');
      await s.query(
        `INSERT INTO customer_events (customer_id, business_date, event, subject, kind, facts, due_on, policy_version)
         VALUES ('C2', '2026-08-18', 'maturing', 'P90', 'opportunity', $1::jsonb, '2026-08-21', 1)`,
        [JSON.stringify({ account_id: 'P90', account_kind: 'time_deposit', balance: 80000.0, matures_on: '2026-08-22', status: 'active' })],
      );
    });
    const d = await maturing(manager);
    expect(d.items.find((i) => i.accountId === 'P90')?.amount).toBe('80000.00');
    expect(d.totalAmount).toBe('180000.50');
    // P91 matured the day before the window opens: still out, whatever was seen of it
    expect(d.items.map((i) => i.accountId)).not.toContain('P91');
    await db.session((s) => s.query(`DELETE FROM customer_events WHERE customer_id = 'C2' AND subject = 'P90'`));
  });

  it('narrows to one window and fewer days, and pages', async () => {
    expect((await maturing(manager, '?window=next')).items.map((i) => i.accountId)).toEqual(['A5', 'M90']);
    expect((await maturing(manager, '?window=past&days=60')).items.map((i) => i.accountId)).toEqual(['R1']);
    const page = await maturing(manager, '?pageSize=1&page=2');
    expect([page.items.map((i) => i.accountId), page.total]).toEqual([['R1'], 4]);
  });

  it("shows a manager only their own customers' products; a branch head the scope, not an owner elsewhere", async () => {
    expect((await maturing(MANAGER_B112)).total).toBe(0);
    expect((await maturing(OUTLET_STAFF.branch_head)).total).toBe(4);
    expect((await api.get(OUTLET_STAFF.branch_head, `/api/worklist/maturing?staffId=${MANAGER_B112}`)).statusCode).toBe(404);
    expect((await api.get(manager, `/api/worklist/maturing?staffId=${MANAGER_B112}`)).statusCode).toBe(403);
  });
});

const sheet = async (login: string, q: string) => {
  const r = await api.get(login, `/api/worklist/sheets?${q}`);
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toContain('spreadsheetml');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const rows: string[][] = [];
  // dates read back as YYYY-MM-DD (written as Excel dates), numbers as their digits, empty cells as ''
  const show = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v));
  ws?.eachRow((row) => rows.push(Array.from((row.values as unknown[]).slice(1), show)));
  return { name: ws?.name, rows, raw: r.rawPayload, ws };
};

describe('the bank sheets', () => {
  it('exports 个人客户信息梳理表 with Chinese headers and labels, phone and ID number masked, and audits it', async () => {
    const { name, rows } = await sheet(manager, 'sheet=customer_info');
    expect(name).toBe('个人客户信息梳理表');
    expect(rows[0]).toEqual(['序号', '客户号', '客户姓名', '性别', '出生日期', '证件号码', '手机号码', '职业', '所属网点', '管户人员', '金融资产（万元）', 'AUM分层', '客户层级', '持卡类别', '风险等级', '免打扰', '上次联络日期', '下次计划联络时间', '待录入核心系统']);
    const c1 = rows.find((r) => r[1] === 'C1') ?? [];
    expect(c1.slice(2, 4)).toEqual(['张三明', '男']);
    expect(c1[4]).toBe('1985-03-15');
    expect(c1[5]).not.toBe(FULL_ID_C1);
    expect(c1[5]).toContain('*');
    expect(c1[6]).not.toBe(FULL_PHONE_C1);
    expect(c1[6]).toContain('*');
    expect(c1.slice(8, 10)).toEqual(['电力路网点', '员工3']);
    expect([c1[13], c1[14], c1[15]]).toEqual(['金卡', 'C3 平衡型', '否']);
    expect(c1[10]).toBe('20.23');
    expect(rows.flat().join('|')).not.toContain(FULL_PHONE_C1);
    expect(rows).toHaveLength(3);
    const audit = await db.session((s) => s.query<{ actor: string; detail: { sheet: string; rows: number } }>(`SELECT actor, detail FROM audit_log WHERE action = 'export' ORDER BY entry_id DESC LIMIT 1`));
    expect(audit.rows[0]).toMatchObject({ actor: manager, detail: { what: 'worklist_sheet', sheet: 'customer_info', rows: 2 } });
  });

  it('writes amounts as numbers and dates as dates, blanks as empty cells, under a frozen, filtered header, as Excel users expect', async () => {
    const { ws } = await sheet(manager, 'sheet=customer_info');
    const row = [2, 3].map((n) => ws?.getRow(n)).find((r) => r?.getCell(2).value === 'C1');
    const aum = row?.getCell(11);
    expect(aum?.value).toBe(20.23);
    expect(aum?.numFmt).toBe('#,##0.00');
    const birth = row?.getCell(5);
    expect(birth?.value).toEqual(new Date(Date.UTC(1985, 2, 15)));
    expect(birth?.numFmt).toBe('yyyy-mm-dd');
    expect(row?.getCell(1).value).toBe(1);
    // never contacted: no date, an empty cell rather than an empty string
    expect(row?.getCell(17).value).toBeNull();
    expect(ws?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws?.autoFilter).toBeTruthy();
  });

  it('masks names and hides birth dates for the lobby manager', async () => {
    const { rows } = await sheet(lobby, 'sheet=customer_info');
    expect(rows.slice(1).map((r) => [r[1], r[2], r[4]])).toEqual([['C1', '张*明', '']]);
  });

  it('exports 递进沟通表 of the contacts in the range, with Chinese labels', async () => {
    const c = await api.post(manager, '/api/worklist/contacts', { customerId: 'C1', channel: 'phone', outcome: 'appointment', notes: '=约周五面谈', contactedAt: '2026-11-19T16:00:00Z', nextContactOn: '2026-11-27' });
    expect(c.statusCode, c.body).toBe(200);
    const { name, rows } = await sheet(manager, 'sheet=contact_log&from=2026-11-01&to=2026-11-30');
    expect(name).toBe('递进沟通表');
    expect(rows).toEqual([
      ['序号', '联络日期', '客户号', '客户姓名', '联络方式', '联络人', '沟通内容', '联络结果', '下次联络时间'],
      ['1', '2026-11-20', 'C1', '张三明', '电话', '员工3', "'=约周五面谈", '已预约', '2026-11-27'],
    ]);
    const last = await sheet(manager, 'sheet=customer_info');
    expect(last.rows.find((r) => r[1] === 'C1')?.slice(16)).toEqual(['2026-11-20', '2026-11-27']);
    expect((await api.get(manager, '/api/worklist/sheets?sheet=contact_log&from=2025-01-01&to=2026-11-30')).statusCode).toBe(400);
  });
});
