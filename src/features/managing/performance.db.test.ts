import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANCH_HEAD_B100, OUTLET_STAFF, PB_DEPT } from '../../../test/bank-fixture.js';
import { openTestDb } from '../../../test/test-db.js';
import { buildStratumApp } from '../../app.js';
import { runDailyBatch } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { apiClient } from '../worklist/worklist.test-support.js';
import type { PerformanceReport } from './performance.contract.js';
import { recordOwnerHistory } from './owner-history.batch.js';
import { bandOrder } from './performance.service.js';
import { figuresSummed, performanceRows } from './performance.sql.js';
import { A, B, M1, M2, M3, MID, REFERRER, seedPerformanceBank } from './performance.test-support.js';

// Manager performance (issue 20 §1, §6) against the hand-computed bank of performance.test-support.ts:
// the owners by date, every figure of the manager M1 and the others, the period's edges, who reads
// whose lines, the customers behind a number, the sheet.

let db: Db;
let app: FastifyInstance;
const api = apiClient(() => app);

beforeAll(async () => {
  db = await openTestDb();
  await seedPerformanceBank(db);
  app = await buildStratumApp({ db, webDir: null, signInRateLimit: 1000 });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const report = async (login: string, query: string) => {
  const r = await api.get(login, `/api/performance/managers?${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json().data as PerformanceReport;
};
const line = (rep: PerformanceReport, staffId: string) => rep.staff.find((s) => s.staffId === staffId);
const history = async () =>
  (await db.session((s) => s.query<{ customer_id: string; staff_id: string; kind: string; from_date: string; to_date: string | null }>(
    `SELECT customer_id, staff_id, kind, from_date::text, to_date::text FROM owner_history ORDER BY customer_id, staff_id, from_date`,
  ))).rows;

describe('owners by business date (the batch’s owner_history step)', () => {
  it('records a hand-over on the date whose batch first saw it; a rerun changes nothing; an older date is left alone', async () => {
    const before = await history();
    expect(before.filter((h) => h.customer_id === 'C7')).toEqual([
      { customer_id: 'C7', staff_id: M1, kind: 'primary', from_date: MID, to_date: null },
      { customer_id: 'C7', staff_id: M2, kind: 'primary', from_date: A, to_date: MID },
    ]);
    expect(before.filter((h) => h.customer_id === 'C1')).toEqual([
      { customer_id: 'C1', staff_id: OUTLET_STAFF.cm_supervisor, kind: 'co', from_date: A, to_date: null },
      { customer_id: 'C1', staff_id: M1, kind: 'primary', from_date: A, to_date: null },
    ]);
    await runDailyBatch(db, B, undefined, { from: 'owner_history' });
    expect(await history()).toEqual(before);
    const old = await recordOwnerHistory(db, MID);
    expect(old.newerDate).toBe(B);
    expect(await history()).toEqual(before);
  });

  it('a rerun of the newest date after a change records the owners as they stand then', async () => {
    const before = await history();
    await db.session((s) => s.query(`UPDATE customer_owners SET kind = 'co' WHERE customer_id = 'C1' AND staff_id = $1`, [M1]));
    const r = await recordOwnerHistory(db, B);
    expect(r).toMatchObject({ opened: 1, closed: 1 });
    expect((await history()).filter((h) => h.customer_id === 'C1' && h.staff_id === M1)).toEqual([
      { customer_id: 'C1', staff_id: M1, kind: 'primary', from_date: A, to_date: B },
      { customer_id: 'C1', staff_id: M1, kind: 'co', from_date: B, to_date: null },
    ]);
    await db.session((s) => s.query(`UPDATE customer_owners SET kind = 'primary' WHERE customer_id = 'C1' AND staff_id = $1`, [M1]));
    expect(await recordOwnerHistory(db, B)).toMatchObject({ opened: 0, closed: 0 });
    expect(await history()).toEqual(before);
  });
});

describe('the figures (POLICIES.md "Manager performance")', () => {
  it('counts each of M1’s figures from A to B by hand', async () => {
    const rep = await report(PB_DEPT, `period=range&from=${A}&to=${B}`);
    expect(rep.period).toEqual({ kind: 'range', label: `${A} → ${B}`, from: A, to: B });
    const m1 = line(rep, M1);
    // owned as primary on B and in the feed: C1, C2, C6, C7 (C5 left the feed)
    expect(m1?.figures).toEqual({
      customers: 4,
      aumEnd: '650000.00', // 250,000 + 0 + 0 + 400,000
      aumStart: '705999.99', // the same customers on A: 100,000 + 5,000 + 999.99 + 600,000
      aumChange: '-55999.99',
      financialAssetsEnd: '650000.00',
      financialAssetsStart: '705999.99',
      financialAssetsChange: '-55999.99',
      depositsEnd: '350000.00', // 250,000 + 100,000
      depositsStart: '205999.99',
      depositsChange: '144000.01',
      signed: 1, // C1; C7's signing was cancelled before B
      coverage: { timeDeposit: 1, wealth: 1, fund: 0, insurance: 0, mobile: 1 },
      contacts: 2, // 11-05 and 11-30 23:59 (China time); not on A, not 12-01
      planDone: 1,
      planItems: 2,
      planRate: 0.5,
      upMoves: 1, // C1 band_2 → band_3
      downMoves: 2, // C7 band_4 → band_3, C2 band_1 → below
      churned: 2, // C2 (AUM 0 after 5,000) and C5 (left the feed); not C6 (999.99 on A)
      churnedAum: '8000.00',
      opportunitiesWon: 1,
      opportunitiesLost: 1,
      conversion: 0.5,
      referralsSent: 0,
      referralsConverted: 0,
    });
    // owners from the bank's file and from Stratum: C3, C4 from owners.csv; C7 given by the file, then handed over in Stratum
    const sources = (await db.session((s) => s.query<{ customer_id: string; staff_id: string; source: string }>(
      `SELECT customer_id, staff_id, source FROM customer_owners WHERE kind = 'primary' AND customer_id IN ('C3', 'C4', 'C7') ORDER BY 1`,
    ))).rows;
    expect(sources).toEqual([
      { customer_id: 'C3', staff_id: M2, source: 'feed' },
      { customer_id: 'C4', staff_id: M3, source: 'feed' },
      { customer_id: 'C7', staff_id: M1, source: 'manual' },
    ]);
    // M2 owned C7 on A, not on B: C7 counts for neither its churn nor its customers
    expect(line(rep, M2)?.figures).toMatchObject({ customers: 1, aumEnd: '50000.00', aumStart: '50000.00', churned: 0, downMoves: 0 });
    expect(line(rep, M3)?.figures).toMatchObject({ customers: 1, aumEnd: '80000.00' });
    // a teller who referred: on the report for the referrals
    expect(line(rep, REFERRER)?.figures).toMatchObject({ customers: 0, referralsSent: 2, referralsConverted: 1 });
    // the bank's total is the staff's sum
    expect(rep.total.figures.customers).toBe(rep.staff.reduce((n, s) => n + s.figures.customers, 0));
    expect(rep.total.figures.aumEnd).toBe('780000.00');
    const b111 = rep.branches.find((b) => b.branchId === 'B111');
    expect(b111?.figures).toMatchObject({ customers: 4, churned: 2, referralsSent: 2 });
  });

  it('reads the batch’s sums of A and B and gets the figures the balances give, for every period and scope', async () => {
    const order = await bandOrder(db);
    const dated = (await db.session((s) => s.query<{ d: string; staff: number }>('SELECT business_date::text AS d, staff FROM staff_figure_dates ORDER BY 1'))).rows;
    expect(dated.map((x) => x.d)).toEqual([A, MID, B]);
    for (const [from, to] of [[A, B], [A, MID], [MID, B], [B, B]] as const) {
      expect(await db.session((s) => figuresSummed(s, from, to)), `${from} → ${to}`).toBe(true);
      for (const who of [{ branches: null, staffId: null }, { branches: ['B111', 'B112'], staffId: null }, { branches: null, staffId: M1 }, { branches: null, staffId: M2 }]) {
        const q = { from, to, bandOrder: order, ...who };
        const summed = await db.session((s) => performanceRows(s, q));
        const counted = await db.session((s) => performanceRows(s, { ...q, fromBalances: true }));
        expect(summed, `${from} → ${to} ${JSON.stringify(who)}`).toEqual(counted);
      }
    }
    // M1 on A → B from the sums: C7 came from M2 (its A balance moves with it), C5 left the feed
    const m1 = (await db.session((s) => performanceRows(s, { from: A, to: B, bandOrder: order, branches: null, staffId: M1 })))[0];
    expect(m1).toMatchObject({ customers: 4, customers_start: 4, aum_start: '705999.99', churned: 2, churned_aum: '8000.00', up_moves: 1, down_moves: 2 });
    // a date the batch did not sum: the report reads the balances instead
    await db.session((s) => s.query('DELETE FROM staff_figure_dates WHERE business_date = $1', [MID]));
    try {
      expect(await db.session((s) => figuresSummed(s, A, MID))).toBe(false);
      expect(await db.session((s) => figuresSummed(s, A, B))).toBe(true);
      expect((await report(PB_DEPT, `period=range&from=${A}&to=${MID}`)).staff.find((x) => x.staffId === M1)?.figures.customers).toBe(5);
    } finally {
      await runDailyBatch(db, MID, undefined, { from: 'owner_history' });
    }
  });

  it('a month is the previous month’s last business date to the month’s last, with the month before beside it', async () => {
    const rep = await report(PB_DEPT, 'month=2026-11');
    expect(rep.period).toMatchObject({ kind: 'month', label: '2026-11', from: A, to: B });
    expect(line(rep, M1)?.figures.customers).toBe(4);
    expect(rep.previous).toMatchObject({ kind: 'month', label: '2026-10', from: A, to: A });
    // on A M1 owned C1, C2, C5, C6
    expect(line(rep, M1)?.previous).toMatchObject({ customers: 4, aumEnd: '108999.99' });
    // the default is the month of the latest business date
    expect((await report(PB_DEPT, '')).period).toMatchObject({ from: A, to: B });
    expect((await report(PB_DEPT, 'period=quarter&quarter=2026-Q4')).period).toMatchObject({ label: '2026-Q4', from: A, to: B });
  });

  it('refuses a date that is not loaded, naming the nearest loaded ones, and a period with none', async () => {
    const r = await api.get(PB_DEPT, `/api/performance/managers?period=range&from=2026-11-01&to=${B}`, 'en');
    expect(r.statusCode).toBe(400);
    expect(r.json().error.fields.from).toBe(`2026-11-01 is not a loaded business date (the nearest: ${A}, ${MID})`);
    const later = await api.get(PB_DEPT, `/api/performance/managers?period=range&from=${B}&to=${A}`, 'en');
    expect(later.statusCode).toBe(400);
    const none = await api.get(PB_DEPT, '/api/performance/managers?month=2025-01', 'en');
    expect(none.statusCode).toBe(404);
    expect(none.json().error.message).toContain('No business date of 2025-01 is loaded');
  });
});

describe('who reads whose lines', () => {
  it('a branch head reads the staff of their branches only; another branch is 404', async () => {
    const rep = await report(BRANCH_HEAD_B100, `period=range&from=${A}&to=${B}`);
    const ids = rep.staff.map((s) => s.staffId);
    expect(ids).toEqual(expect.arrayContaining([M1, M2, OUTLET_STAFF.cm_supervisor, REFERRER]));
    expect(ids).not.toContain(M3);
    expect(line(rep, OUTLET_STAFF.cm_supervisor)?.figures.customers).toBe(0);
    expect((await api.get(BRANCH_HEAD_B100, '/api/performance/managers?branchId=B200')).statusCode).toBe(404);
    const b112 = await report(BRANCH_HEAD_B100, 'branchId=B112');
    expect(b112.staff.map((s) => s.staffId)).toEqual([M2]);
  });

  it('a manager reads their own line only, and not another’s customers', async () => {
    const rep = await report(M1, `period=range&from=${A}&to=${B}`);
    expect(rep.staff.map((s) => s.staffId)).toEqual([M1]);
    expect((await api.get(M1, `/api/performance/customers?measure=customers&staffId=${M2}`)).statusCode).toBe(404);
    expect((await api.get(OUTLET_STAFF.lobby_assistant, '/api/performance/managers')).statusCode).toBe(403);
  });
});

describe('the customers behind a number', () => {
  it('lists the churned, the movers and the signed of a manager, largest first', async () => {
    const ids = async (login: string, measure: string) => {
      const r = await api.get(login, `/api/performance/customers?period=range&from=${A}&to=${B}&staffId=${M1}&measure=${measure}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().data.items as { customerId: string }[]).map((x) => x.customerId);
    };
    expect(await ids(PB_DEPT, 'churned')).toEqual(['C2', 'C5']);
    expect(await ids(PB_DEPT, 'down_moves')).toEqual(['C7', 'C2']);
    expect(await ids(PB_DEPT, 'up_moves')).toEqual(['C1']);
    expect(await ids(M1, 'signed')).toEqual(['C1']);
    expect(await ids(BRANCH_HEAD_B100, 'customers')).toEqual(['C7', 'C1', 'C2', 'C6']);
  });
});

describe('the sheet', () => {
  it('downloads the report as .xlsx with the bank’s columns and audits it', async () => {
    const r = await api.get(BRANCH_HEAD_B100, `/api/performance/sheet?period=range&from=${A}&to=${B}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1, 11)).toEqual(['员工号', '姓名', '网点', '管户客户数', '期末金融资产余额', '比上期', '期末AUM余额', '比上期', '期末存款余额', '比上期']);
    const m1 = ws.getRows(2, ws.rowCount - 1)?.find((row) => row.getCell(1).value === M1);
    expect(m1?.getCell(4).value).toBe(4);
    expect(m1?.getCell(7).value).toBe(650000);
    const audit = await db.session((s) => s.query<{ detail: { what: string } }>(`SELECT detail FROM audit_log WHERE action = 'export' AND actor = $1`, [BRANCH_HEAD_B100]));
    expect(audit.rows.map((x) => x.detail.what)).toContain('manager_performance');
  });
});
