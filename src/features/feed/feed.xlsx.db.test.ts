import ExcelJS from 'exceljs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db.js';
import { buildFullDay, feedDir, writeFeed, type FeedFiles } from '../../../test/feed-builder.js';
import { useDb } from '../../../test/test-db.js';
import { formatProblem, specFor, type EntityName } from './feed.contract.js';
import { loadFeed, type LoadResult } from './feed.load.js';
import { streamed, whole } from './feed.xlsx.js';

// An Excel feed goes through the checks of a CSV one: cells typed as dates and numbers become
// the text the contract expects, and a problem is reported at the sheet's own row number.

const FULL_DAY = { business_date: '2026-11-20', mode: 'full' } as const;

type Cell = string | number | Date | null;
/** A sheet row: cells by column name; a column left out is an empty cell. */
type SheetRow = Record<string, Cell>;

/** Writes `<entity>.xlsx` with the contract's columns; `null` in `rows` leaves a sheet row empty. */
async function writeSheet(dir: string, entity: EntityName, rows: (SheetRow | null)[]): Promise<void> {
  const columns = specFor(entity).columns.map((c) => c.name);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(entity);
  ws.addRow(columns);
  rows.forEach((row, i) => {
    if (row) ws.getRow(i + 2).values = columns.map((c) => row[c] ?? null);
  });
  await wb.xlsx.writeFile(path.join(dir, `${entity}.xlsx`));
}

/** A full day with the given files as Excel sheets and the others as CSV. */
async function loadExcelDay(db: Db, sheets: Partial<Record<EntityName, (SheetRow | null)[]>>): Promise<LoadResult> {
  const csv: FeedFiles = buildFullDay();
  for (const entity of Object.keys(sheets) as EntityName[]) delete csv[entity];
  const dir = writeFeed(feedDir(), FULL_DAY, csv);
  for (const [entity, rows] of Object.entries(sheets) as [EntityName, (SheetRow | null)[]][]) await writeSheet(dir, entity, rows);
  return loadFeed(db, dir);
}

const day = (y: number, m: number, d: number, hh = 0, mm = 0) => new Date(Date.UTC(y, m - 1, d, hh, mm));

/** The customers of buildFullDay as typed cells: dates as dates, money and phone numbers as numbers. */
function customerCells(): SheetRow[] {
  return (buildFullDay().customers ?? []).map((c, i) => ({
    ...c,
    birth_date: i === 0 ? day(1985, 3, 15) : day(1990, 1, 1),
    opened_on: day(2015, 6, 1),
    annual_income: i === 0 ? 240000.5 : 96000,
    phone: Number(c.phone),
  }));
}

function accountCells(): SheetRow[] {
  return (buildFullDay().accounts ?? []).map((a) => ({
    ...a,
    balance: Number(a.balance) + 0.25,
    opened_on: day(2015, 6, 1),
    matures_on: a.matures_on ? day(2027, 3, 15) : null,
  }));
}

function transactionCells(bookedAt: Date): SheetRow[] {
  return (buildFullDay().transactions ?? []).map((t) => ({ ...t, booked_at: bookedAt, amount: Number(t.amount) }));
}

const messages = (r: LoadResult) => r.problems.map(formatProblem);

describe('an Excel feed that loads', () => {
  const db = useDb();
  const query = <R>(sql: string) => db().session(async (s) => (await s.query<R>(sql)).rows);

  function expectLoaded(r: LoadResult): void {
    expect(messages(r)).toEqual([]);
    expect(r.outcome).toBe('loaded');
  }

  it('stores date cells as dates and number cells as exact amounts', async () => {
    const r = await loadExcelDay(db(), {
      customers: customerCells(),
      accounts: accountCells(),
      transactions: transactionCells(day(2026, 11, 20, 9, 30)),
    });
    expectLoaded(r);
    expect(r.files.map((f) => f.file)).toEqual(expect.arrayContaining(['customers.xlsx', 'accounts.xlsx', 'transactions.xlsx']));
    expect(await query('SELECT customer_id, birth_date, opened_on, annual_income, phone FROM customers ORDER BY customer_id')).toEqual([
      { customer_id: 'C1', birth_date: '1985-03-15', opened_on: '2015-06-01', annual_income: '240000.50', phone: '13812345678' },
      { customer_id: 'C2', birth_date: '1990-01-01', opened_on: '2015-06-01', annual_income: '96000.00', phone: '13987654321' },
    ]);
    expect(await query('SELECT account_id, balance, matures_on FROM accounts ORDER BY account_id')).toEqual([
      { account_id: 'A1', balance: '52300.25', matures_on: null },
      { account_id: 'A2', balance: '100000.25', matures_on: '2027-03-15' },
      { account_id: 'A3', balance: '1000.24', matures_on: null },
    ]);
    // an Excel time has no zone: it is China time
    expect(
      await query(`SELECT txn_id, to_char(booked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS at, booked_on, amount
                   FROM transactions ORDER BY txn_id`),
    ).toEqual([
      { txn_id: 'T1', at: '2026-11-20T01:30Z', booked_on: '2026-11-20', amount: '-120.50' },
      { txn_id: 'T2', at: '2026-11-20T01:30Z', booked_on: '2026-11-20', amount: '500.00' },
    ]);
  });

  // A transaction booked at exactly midnight (interest, batch postings) is a date cell with no
  // time part; the reader turns it into '2026-11-20', which booked_at then refuses as not a time.
  it('a transaction booked at midnight', async () => {
    const rows = transactionCells(day(2026, 11, 20, 0, 0)).map((t, i) => ({ ...t, txn_id: `TM${i}` }));
    expectLoaded(await loadExcelDay(db(), { transactions: rows }));
    expect(
      await query(`SELECT to_char(booked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') AS at, booked_on
                   FROM transactions WHERE txn_id = 'TM0'`),
    ).toEqual([{ at: '2026-11-19T16:00Z', booked_on: '2026-11-20' }]);
  });

  // The same amount in a CSV file is refused ("at most 2 decimals"); the Excel reader rounds
  // every number cell to 2 decimals first, so 1234.567 is silently stored as 1234.57.
  it('an amount with three decimals, as in a CSV file', async () => {
    const [c1, c2] = customerCells();
    const r = await loadExcelDay(db(), { customers: [{ ...c1, annual_income: 1234.567 }, c2 ?? null] });
    expect(messages(r)).toEqual([
      "customers.xlsx line 2, column annual_income: '1234.567' is not an amount in yuan (at most 2 decimals)",
    ]);
    expect(r.outcome).toBe('refused');
    expect(await query('SELECT count(*) AS n FROM customers WHERE annual_income = 1234.57')).toEqual([{ n: 0 }]);
  });
});

describe('an Excel feed that is refused', () => {
  const db = useDb();
  // a feed wrongly accepted fails its own test only
  afterEach(async () => {
    await db().session((s) =>
      s.exec('TRUNCATE business_dates, balance_snapshots, transactions, loans, cards, accounts, customers, staff, products, branches CASCADE'),
    );
  });

  async function expectNothingLoaded(): Promise<void> {
    const rows = await db().session(async (s) =>
      (await s.query('SELECT (SELECT count(*) FROM business_dates) AS dates, (SELECT count(*) FROM customers) AS customers')).rows,
    );
    expect(rows).toEqual([{ dates: 0, customers: 0 }]);
  }

  it('reports a bad cell at the row number the sheet shows, past an empty row', async () => {
    const [c1, c2] = customerCells();
    const r = await loadExcelDay(db(), { customers: [c1 ?? null, null, { ...c2, risk_level: 'C9', opened_on: day(2026, 11, 21) }] });
    expect(messages(r)).toEqual([
      'customers.xlsx line 4, column opened_on: 2026-11-21 is after the business date 2026-11-20',
      "customers.xlsx line 4, column risk_level: 'C9' is not one of C1–C5",
    ]);
    expect(r.outcome).toBe('refused');
    await expectNothingLoaded();
  });

  it('read whole (when the streaming reader fails on a file), a sheet gives the same records as streamed', async () => {
    const dir = feedDir();
    await writeSheet(dir, 'customers', [
      { customer_id: 'C1', name: '张三', birth_date: day(1980, 2, 29), annual_income: 120000.5 },
      null,
      { customer_id: 'C2', name: '李四', opened_on: day(2026, 11, 20) },
    ]);
    const file = path.join(dir, 'customers.xlsx');
    const all = async (g: AsyncGenerator<{ line: number; fields: string[] }[]>) => {
      const out: { line: number; fields: string[] }[] = [];
      for await (const batch of g) out.push(...batch);
      return out;
    };
    // (the streaming reader itself may meet the worksheet before the workbook on a busy machine,
    // exceljs issue #962, which readXlsxFile answers by reading whole: here it is tried again)
    let streamedRecords: { line: number; fields: string[] }[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        streamedRecords = await all(streamed(file));
        break;
      } catch (e) {
        if (attempt >= 5 || !(e instanceof TypeError)) throw e;
      }
    }
    expect(streamedRecords.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(streamedRecords[2]?.fields).toEqual([]);
    expect(await all(whole(file))).toEqual(streamedRecords);
  });

  it('a file that is not an Excel workbook', async () => {
    const { customers: _csv, ...rest } = buildFullDay();
    const dir = writeFeed(feedDir(), FULL_DAY, rest, { 'customers.xlsx': 'customer_id,name\nC1,张三\n' });
    const r = await loadFeed(db(), dir);
    expect(messages(r)[0]).toBe('customers.xlsx: is not a readable Excel (.xlsx) file');
    expect(r.outcome).toBe('refused');
    await expectNothingLoaded();
  });
});
