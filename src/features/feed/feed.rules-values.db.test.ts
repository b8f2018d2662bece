import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db.js';
import {
  buildCustomer,
  buildFullDay,
  buildTransaction,
  feedDir,
  fullDayWith,
  toCsv,
  validIdNumber,
  writeFeed,
  type FeedFiles,
  type Row,
} from '../../../test/feed-builder.js';
import { useDb } from '../../../test/test-db.js';
import { formatProblem, type EntityName } from './feed.contract.js';
import { loadFeed, type LoadResult } from './feed.load.js';

// The rules of the feed contract (docs/feed-format.md) about feed.json, the files of a day, the shape of a file and each value:
// every rule gets a broken file, and the test reads what the bank's data clerk would read.
// References, duplicates and reading formats are in feed.rules-refs.db.test.ts.

const BUSINESS_DATE = '2026-11-20';
const FULL_DAY = { business_date: BUSINESS_DATE, mode: 'full' } as const;

function loadFolder(db: Db, files: FeedFiles, raw: Partial<Record<string, string | Buffer>> = {}): Promise<LoadResult> {
  return loadFeed(db, writeFeed(feedDir(), FULL_DAY, files, raw));
}

const messages = (r: LoadResult) => r.problems.map(formatProblem);

const LOADED_COUNTS = `SELECT (SELECT count(*) FROM business_dates) AS business_dates, (SELECT count(*) FROM branches) AS branches,
  (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM accounts) AS accounts,
  (SELECT count(*) FROM transactions) AS transactions`;
const NOTHING = { business_dates: 0, branches: 0, customers: 0, accounts: 0, transactions: 0 };

async function expectNothingLoaded(db: Db): Promise<void> {
  const counts = await db.session((s) => s.query<Record<string, number>>(LOADED_COUNTS));
  expect(counts.rows[0]).toEqual(NOTHING);
}

/** After each test, empties a database a wrongly accepted feed has filled, so only that test fails. */
function emptyAfterEach(db: () => Db): void {
  afterEach(async () => {
    await db().session(async (s) => {
      const counts = (await s.query<Record<string, number>>(LOADED_COUNTS)).rows[0] ?? {};
      if (Object.values(counts).some((n) => n > 0)) {
        await s.exec('TRUNCATE business_dates, balance_snapshots, transactions, loans, cards, accounts, customers, staff, products, branches CASCADE');
      }
    });
  });
}

/** Refused with exactly these problems (file, line, column and words, as formatProblem writes them), nothing loaded. */
async function expectRefused(db: Db, r: LoadResult, ...expected: string[]): Promise<void> {
  expect(messages(r)).toEqual(expected);
  expect(r.outcome).toBe('refused');
  await expectNothingLoaded(db);
}

/** The CSV line of one customer row, as toCsv writes it. */
const customerLine = (over: Row) => toCsv('customers', [buildCustomer(over)]).split('\n')[1] ?? '';
const customersCsvPlus = (...lines: string[]) => toCsv('customers', buildFullDay().customers ?? []) + lines.join('\n') + '\n';

describe('a refused feed', () => {
  const db = useDb();
  emptyAfterEach(db);

  describe('feed.json', () => {
    it('is missing', async () => {
      const dir = writeFeed(feedDir(), FULL_DAY, buildFullDay());
      rmSync(path.join(dir, 'feed.json'));
      await expectRefused(db(), await loadFeed(db(), dir),
        'feed.json: is missing; it says the business date and whether the day is full or delta');
    });

    it('is not JSON', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'feed.json': "{business_date: '2026-11-20', mode: full" });
      await expectRefused(db(), r,
        'feed.json: is not valid JSON (expected {"business_date": "YYYY-MM-DD", "mode": "full" or "delta"})');
    });

    it('has a mode that is neither full nor delta', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'feed.json': '{"business_date": "2026-11-20", "mode": "weekly"}' });
      await expectRefused(db(), r, 'feed.json, column mode: mode must be "full" or "delta"');
    });

    it.each([
      ['2026-11-31', "feed.json, column business_date: '2026-11-31' is not a real calendar day"],
      ['20261120', "feed.json, column business_date: '20261120' is not a date in the form YYYY-MM-DD"],
    ])('has the business date %s', async (date, expected) => {
      const r = await loadFolder(db(), buildFullDay(), { 'feed.json': JSON.stringify({ business_date: date, mode: 'full' }) });
      await expectRefused(db(), r, expected);
    });

    it('has no business date', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'feed.json': '{"mode": "full"}' });
      await expectRefused(db(), r, 'feed.json, column business_date: business_date is missing');
    });

    it('has a business date written as a number', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'feed.json': '{"business_date": 20261120, "mode": "full"}' });
      await expectRefused(db(), r, 'feed.json, column business_date: business_date must be a date written as text, like "2026-11-20"');
    });
  });

  describe('the files of a day', () => {
    it('a full day without customers.csv', async () => {
      const { customers: _left, ...rest } = buildFullDay();
      await expectRefused(db(), await loadFolder(db(), rest),
        'customers.csv: is missing; a full day must carry the complete customers snapshot');
    });

    it('customers delivered both as CSV and as Excel', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'customers.xlsx': Buffer.from('PK') });
      await expectRefused(db(), r,
        'customers.csv and customers.xlsx: both are present; deliver customers once, as CSV or as Excel');
    });
  });

  describe('the shape of a file', () => {
    it('a required column missing from the header', async () => {
      const csv = toCsv('customers', buildFullDay().customers ?? []).replace('risk_level,', 'risk_grade,');
      const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': csv });
      // only the first problem: the rest is the reference noise reported in feed.rules-refs.db.test.ts
      expect(messages(r)[0]).toBe("customers.csv line 1, column risk_level: required column 'risk_level' is missing from the header");
      expect(r.outcome).toBe('refused');
      await expectNothingLoaded(db());
    });

    it('a row with too many values', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': customersCsvPlus(`${customerLine({ customer_id: 'C3' })},extra`) });
      await expectRefused(db(), r,
        'customers.csv line 4: has 15 values but the header has 14 columns (a comma inside a value needs quotes)');
    });

    it('a row with too few values', async () => {
      const short = customerLine({ customer_id: 'C3' }).replace(/,[^,]*$/, '');
      const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': customersCsvPlus(short) });
      await expectRefused(db(), r,
        'customers.csv line 4: has 13 values but the header has 14 columns (a comma inside a value needs quotes)');
    });

    it('a quote that is never closed', async () => {
      const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': customersCsvPlus(customerLine({ customer_id: 'C3' }).replace('北京市', '"北京市')) });
      await expectRefused(db(), r, 'customers.csv line 4: a quoted value is never closed (a " is missing)');
    });

    it('a row after a value spread over two lines is reported at its own line', async () => {
      const day = fullDayWith('customers', 0, { address: '北京市东城区\n电力路1号' });
      const c2 = day.customers?.[1];
      if (c2) c2.risk_level = 'C0';
      await expectRefused(db(), await loadFolder(db(), day), "customers.csv line 4, column risk_level: 'C0' is not one of C1–C5");
    });

    it('a file that is not UTF-8 (saved as GBK)', async () => {
      const gbk = Buffer.concat([Buffer.from(toCsv('customers', buildFullDay().customers ?? [])), Buffer.from([0xd5, 0xc5, 0x0a])]);
      const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': gbk });
      expect(messages(r)[0]).toBe('customers.csv: is not UTF-8 text (was it saved as GBK? save it as CSV UTF-8)');
      expect(r.outcome).toBe('refused');
      await expectNothingLoaded(db());
    });
  });

  interface ValueCase {
    rule: string;
    entity: EntityName;
    index: number;
    change: Row;
    expected: string;
  }
  const valueCases: ValueCase[] = [
    // enums
    { rule: 'gender', entity: 'customers', index: 0, change: { gender: 'X' }, expected: "customers.csv line 2, column gender: 'X' is not one of M, F" },
    { rule: 'customer risk_level', entity: 'customers', index: 0, change: { risk_level: 'C9' }, expected: "customers.csv line 2, column risk_level: 'C9' is not one of C1–C5" },
    { rule: 'branch level', entity: 'branches', index: 1, change: { level: 'region' }, expected: "branches.csv line 3, column level: 'region' is not one of bank, branch, sub_branch, outlet" },
    { rule: 'staff role', entity: 'staff', index: 1, change: { role: 'teller' }, expected: "staff.csv line 3, column role: 'teller' is not one of branch_head, cm_supervisor, customer_manager, lobby_manager, vip_teller, counter_teller, lobby_assistant, pb_dept" },
    { rule: 'product kind', entity: 'products', index: 0, change: { kind: 'savings' }, expected: "products.csv line 2, column kind: 'savings' is not one of current, time_deposit, wealth, fund, insurance, loan" },
    { rule: 'product risk_level', entity: 'products', index: 2, change: { risk_level: 'R6' }, expected: "products.csv line 4, column risk_level: 'R6' is not one of R1–R5" },
    { rule: 'account kind', entity: 'accounts', index: 0, change: { kind: 'savings' }, expected: "accounts.csv line 2, column kind: 'savings' is not one of current, time_deposit, wealth, fund, insurance, loan" },
    { rule: 'account status', entity: 'accounts', index: 1, change: { status: 'open' }, expected: "accounts.csv line 3, column status: 'open' is not one of active, closed" },
    { rule: 'empty account status', entity: 'accounts', index: 1, change: { status: '' }, expected: 'accounts.csv line 3, column status: is empty; it must be one of active, closed' },
    { rule: 'card grade', entity: 'cards', index: 0, change: { grade: 'silver' }, expected: "cards.csv line 2, column grade: 'silver' is not one of ordinary, gold, platinum, diamond" },
    { rule: 'card status', entity: 'cards', index: 0, change: { status: 'closed' }, expected: "cards.csv line 2, column status: 'closed' is not one of active, cancelled" },
    { rule: 'transaction channel', entity: 'transactions', index: 1, change: { channel: 'wechat' }, expected: "transactions.csv line 3, column channel: 'wechat' is not one of counter, atm, mobile, online, pos, other" },
    // booleans and required text
    { rule: 'do_not_disturb yes', entity: 'customers', index: 1, change: { do_not_disturb: 'yes' }, expected: "customers.csv line 3, column do_not_disturb: 'yes' is not true or false" },
    { rule: 'marketing_consent empty', entity: 'customers', index: 0, change: { marketing_consent: '' }, expected: 'customers.csv line 2, column marketing_consent: is empty; it must be true or false' },
    { rule: 'staff active yes', entity: 'staff', index: 0, change: { active: 'yes' }, expected: "staff.csv line 2, column active: 'yes' is not true or false" },
    { rule: 'customer name empty', entity: 'customers', index: 0, change: { name: '' }, expected: 'customers.csv line 2, column name: is empty, but every row needs it' },
    // dates
    { rule: 'a day that does not exist', entity: 'customers', index: 0, change: { opened_on: '2026-02-30' }, expected: "customers.csv line 2, column opened_on: '2026-02-30' is not a real calendar day" },
    { rule: 'a date without dashes', entity: 'accounts', index: 0, change: { opened_on: '20261120' }, expected: "accounts.csv line 2, column opened_on: '20261120' is not a date in the form YYYY-MM-DD" },
    { rule: 'an empty required date', entity: 'customers', index: 1, change: { opened_on: '' }, expected: 'customers.csv line 3, column opened_on: is empty, but every row needs a date (YYYY-MM-DD)' },
    { rule: 'birth_date after the business date', entity: 'customers', index: 0, change: { birth_date: '2026-11-21' }, expected: 'customers.csv line 2, column birth_date: 2026-11-21 is after the business date 2026-11-20' },
    { rule: 'opened_on after the business date', entity: 'accounts', index: 2, change: { opened_on: '2026-12-01' }, expected: 'accounts.csv line 4, column opened_on: 2026-12-01 is after the business date 2026-11-20' },
    { rule: 'issued_on after the business date', entity: 'cards', index: 0, change: { issued_on: '2027-01-01' }, expected: 'cards.csv line 2, column issued_on: 2027-01-01 is after the business date 2026-11-20' },
    // times
    { rule: 'booked_at malformed', entity: 'transactions', index: 0, change: { booked_at: '20/11/2026 09:30' }, expected: "transactions.csv line 2, column booked_at: '20/11/2026 09:30' is not a date and time in ISO 8601 form (e.g. 2026-11-20T09:30:00+08:00)" },
    { rule: 'booked_at the next day in China time', entity: 'transactions', index: 0, change: { booked_at: '2026-11-21T01:00:00+08:00' }, expected: "transactions.csv line 2, column booked_at: '2026-11-21T01:00:00+08:00' is after the business date 2026-11-20 (China time)" },
    { rule: 'booked_at on the business date in UTC but the next day in China', entity: 'transactions', index: 0, change: { booked_at: '2026-11-20T17:30:00Z' }, expected: "transactions.csv line 2, column booked_at: '2026-11-20T17:30:00Z' is after the business date 2026-11-20 (China time)" },
    // amounts and numbers
    { rule: 'thousands separators', entity: 'customers', index: 0, change: { annual_income: '1,000.00' }, expected: "customers.csv line 2, column annual_income: '1,000.00' is not an amount in yuan (write it without thousands separators)" },
    { rule: 'three decimals', entity: 'accounts', index: 0, change: { balance: '12.345' }, expected: "accounts.csv line 2, column balance: '12.345' is not an amount in yuan (at most 2 decimals)" },
    { rule: 'not a number', entity: 'transactions', index: 0, change: { amount: 'abc' }, expected: "transactions.csv line 2, column amount: 'abc' is not an amount in yuan" },
    { rule: 'a negative balance', entity: 'accounts', index: 0, change: { balance: '-5.00' }, expected: "accounts.csv line 2, column balance: '-5.00' is negative; it must be 0 or more" },
    { rule: 'a negative min_amount', entity: 'products', index: 1, change: { min_amount: '-1' }, expected: "products.csv line 3, column min_amount: '-1' is negative; it must be 0 or more" },
    { rule: 'overdue_days -1', entity: 'loans', index: 0, change: { overdue_days: '-1' }, expected: "loans.csv line 2, column overdue_days: '-1' is not a whole number, 0 or more" },
    { rule: 'overdue_days 1.5', entity: 'loans', index: 0, change: { overdue_days: '1.5' }, expected: "loans.csv line 2, column overdue_days: '1.5' is not a whole number, 0 or more" },
    // personal values: the message never repeats them
    { rule: 'a landline as phone', entity: 'customers', index: 0, change: { phone: '010-12345678' }, expected: 'customers.csv line 2, column phone: value in column phone is not a mobile number' },
    { rule: 'an ID number of 17 characters', entity: 'customers', index: 1, change: { id_number: '11010519900101124' }, expected: 'customers.csv line 3, column id_number: value in column id_number is not an 18-character resident ID number' },
    { rule: 'an ID number with month 13', entity: 'customers', index: 1, change: { id_number: '110105199013011241' }, expected: 'customers.csv line 3, column id_number: value in column id_number does not contain a valid birth date' },
  ];

  describe('values', () => {
    it.each(valueCases.map((c) => [`${c.entity}.csv: ${c.rule}`, c] as const))('%s', async (_name, { entity, index, change, expected }) => {
      const r = await loadFolder(db(), fullDayWith(entity, index, change));
      await expectRefused(db(), r, expected);
      for (const value of [change.phone, change.id_number]) if (value) expect(messages(r).join('\n')).not.toContain(value);
    });
  });
});

describe('values a feed may carry', () => {
  const db = useDb();

  async function expectLoaded(files: FeedFiles): Promise<LoadResult> {
    const r = await loadFolder(db(), files);
    expect(messages(r)).toEqual([]);
    expect(r.outcome).toBe('loaded');
    return r;
  }
  const query = <R>(sql: string, params: unknown[] = []) => db().session(async (s) => (await s.query<R>(sql, params)).rows);

  it('a phone written with +86, spaces or dashes is stored as its 11 digits', async () => {
    const day = buildFullDay();
    day.customers = [buildCustomer({ phone: '+86 139 0000 1111' }), buildCustomer({ customer_id: 'C2', id_number: validIdNumber('19900101', '124'), phone: '139-0000-2222' })];
    await expectLoaded(day);
    expect(await query('SELECT customer_id, phone FROM customers ORDER BY customer_id')).toEqual([
      { customer_id: 'C1', phone: '13900001111' },
      { customer_id: 'C2', phone: '13900002222' },
    ]);
  });

  it('an ID number with a wrong check digit is only a warning, and kept as given', async () => {
    const good = validIdNumber('19850315', '777');
    const wrong = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    const r = await expectLoaded(fullDayWith('customers', 0, { id_number: wrong }));
    expect(r.warnings.map(formatProblem)).toEqual([
      'customers.csv line 2, column id_number: value in column id_number has a wrong check digit (kept as given)',
    ]);
    expect(r.warnings.map(formatProblem).join('\n')).not.toContain(wrong);
    expect(await query("SELECT id_number FROM customers WHERE customer_id = 'C1'")).toEqual([{ id_number: wrong }]);
  });

  it('a time in UTC that is still the business date in China, and a negative amount', async () => {
    const day = buildFullDay();
    day.transactions = [buildTransaction({ txn_id: 'T-UTC', booked_at: '2026-11-20T15:00:00Z', amount: '-88.10' })];
    await expectLoaded(day);
    expect(
      await query(`SELECT to_char(booked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, booked_on, amount
                   FROM transactions WHERE txn_id = 'T-UTC'`),
    ).toEqual([{ at: '2026-11-20T15:00:00Z', booked_on: '2026-11-20', amount: '-88.10' }]);
  });
});
