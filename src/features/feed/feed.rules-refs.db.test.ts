import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db.js';
import {
  buildAccount,
  buildCard,
  buildCustomer,
  buildFullDay,
  buildLoan,
  buildTransaction,
  feedDir,
  fullDayWith,
  toCsv,
  validIdNumber,
  writeFeed,
  type FeedFiles,
} from '../../../test/feed-builder.js';
import { useDb } from '../../../test/test-db.js';
import { formatProblem, type EntityName } from './feed.contract.js';
import { loadFeed, type LoadOptions, type LoadResult } from './feed.load.js';

// The rules of the feed contract (docs/feed-format.md) about references between files, ids that repeat, how many problems are
// listed, personal values in messages, and the ways a valid file may be written.
// feed.json, file shapes and single values are in feed.rules-values.db.test.ts.

const BUSINESS_DATE = '2026-11-20';
type Manifest = { business_date: string; mode: 'full' | 'delta' };
const FULL_DAY: Manifest = { business_date: BUSINESS_DATE, mode: 'full' };

function loadFolder(
  db: Db,
  files: FeedFiles,
  raw: Partial<Record<string, string | Buffer>> = {},
  opts: LoadOptions = {},
  manifest: Manifest = FULL_DAY,
): Promise<LoadResult> {
  return loadFeed(db, writeFeed(feedDir(), manifest, files, raw), opts);
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

describe('a refused feed', () => {
  const db = useDb();
  emptyAfterEach(db);

  describe('references', () => {
    it.each([
      ['an account', 'accounts', 0, "accounts.csv line 2, column customer_id: customer 'C9' is not in today's customers file"],
      ['a card', 'cards', 0, "cards.csv line 2, column customer_id: customer 'C9' is not in today's customers file"],
      ['a loan', 'loans', 0, "loans.csv line 2, column customer_id: customer 'C9' is not in today's customers file"],
      ['a transaction', 'transactions', 1, "transactions.csv line 3, column customer_id: customer 'C9' is not in the customers file nor loaded before"],
    ] as const)('%s of a customer the day does not deliver', async (_what, entity, index, expected) => {
      await expectRefused(db(), await loadFolder(db(), fullDayWith(entity, index, { customer_id: 'C9' })), expected);
    });

    it('a transaction on an account of the accounts file, both of a customer the day does not deliver: both lines', async () => {
      const day = buildFullDay();
      day.accounts = [...(day.accounts ?? []), buildAccount({ account_id: 'A9', customer_id: 'C9' })];
      day.transactions = [...(day.transactions ?? []), buildTransaction({ txn_id: 'T9', account_id: 'A9', customer_id: 'C9' })];
      const lines = { accounts: day.accounts.length + 1, transactions: day.transactions.length + 1 };
      await expectRefused(
        db(),
        await loadFolder(db(), day),
        `accounts.csv line ${lines.accounts}, column customer_id: customer 'C9' is not in today's customers file`,
        `transactions.csv line ${lines.transactions}, column customer_id: customer 'C9' is not in the customers file nor loaded before`,
      );
    });

    it('a customer of an unknown branch', async () => {
      const r = await loadFolder(db(), fullDayWith('customers', 1, { branch_id: 'B999' }));
      await expectRefused(db(), r, "customers.csv line 3, column branch_id: branch 'B999' is not in the branches file nor loaded before");
    });

    it('staff of an unknown branch', async () => {
      const r = await loadFolder(db(), fullDayWith('staff', 0, { branch_id: 'B999' }));
      await expectRefused(db(), r, "staff.csv line 2, column branch_id: branch 'B999' is not in the branches file nor loaded before");
    });

    it('a branch whose parent is unknown', async () => {
      const r = await loadFolder(db(), fullDayWith('branches', 3, { parent_id: 'B999' }));
      await expectRefused(db(), r, "branches.csv line 5, column parent_id: parent branch 'B999' is not in the branches file");
    });

    it('an account with an unknown product', async () => {
      const r = await loadFolder(db(), fullDayWith('accounts', 0, { product_code: 'GOLD9' }));
      await expectRefused(db(), r, "accounts.csv line 2, column product_code: product 'GOLD9' is not in the products file nor loaded before");
    });

    it('an account that matures before it opened', async () => {
      const r = await loadFolder(db(), fullDayWith('accounts', 1, { matures_on: '2026-01-31' }));
      await expectRefused(db(), r, "accounts.csv line 3, column matures_on: 2026-01-31 is before the account's opened_on");
    });
  });

  describe('ids that repeat within a file', () => {
    it('a customer_id; the later line is reported with the first', async () => {
      const day = buildFullDay();
      day.customers = [...(day.customers ?? []), buildCustomer({ name: '张三明二' })];
      await expectRefused(db(), await loadFolder(db(), day),
        "customers.csv line 4, column customer_id: customer_id 'C1' appears again (first on line 2)");
    });

    it('an account_id', async () => {
      const day = buildFullDay();
      day.accounts = [...(day.accounts ?? []), buildAccount({ customer_id: 'C2', balance: '1.00' })];
      await expectRefused(db(), await loadFolder(db(), day),
        "accounts.csv line 5, column account_id: account_id 'A1' appears again (first on line 2)");
    });
  });

  describe('how many problems are listed', () => {
    it('150 bad values with maxProblems 100: 100 listed, 50 counted', async () => {
      const day = buildFullDay();
      const bad = Array.from({ length: 150 }, (_, i) => buildCustomer({ customer_id: `C${100 + i}`, risk_level: 'C9' }));
      day.customers = [...(day.customers ?? []), ...bad];
      const r = await loadFolder(db(), day, {}, { maxProblems: 100 });
      expect(r.problems).toHaveLength(100);
      expect(r.moreProblems).toBe(50);
      expect(messages(r)[0]).toBe("customers.csv line 4, column risk_level: 'C9' is not one of C1–C5");
      expect(messages(r)[99]).toBe("customers.csv line 103, column risk_level: 'C9' is not one of C1–C5");
      expect(r.outcome).toBe('refused');
      await expectNothingLoaded(db());
    });

    it('150 unknown customers with maxProblems 100: 100 listed, 50 counted', async () => {
      const day = buildFullDay();
      const bad = Array.from({ length: 150 }, (_, i) => buildCard({ card_id: `K${100 + i}`, customer_id: `C${100 + i}` }));
      day.cards = [...(day.cards ?? []), ...bad];
      const r = await loadFolder(db(), day, {}, { maxProblems: 100 });
      expect(r.problems).toHaveLength(100);
      expect(r.moreProblems).toBe(50);
      expect(messages(r)[99]).toBe("cards.csv line 102, column customer_id: customer 'C199' is not in today's customers file");
      expect(r.outcome).toBe('refused');
      await expectNothingLoaded(db());
    });
  });

  it('no ID number or phone of the feed appears in any problem or warning', async () => {
    const good = validIdNumber('19700101', '555');
    const wrongCheckDigit = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
    const badIds = ['11010519850315123', '1101051985031512345', '110105198513151234', '11010519850315123Y', wrongCheckDigit];
    const badPhones = ['12345678901', '010-12345678', '+1 415 555 0100', '1381234567', '138123456789'];
    const day = buildFullDay();
    const extra = badIds.map((id, i) =>
      buildCustomer({ customer_id: `C${10 + i}`, id_number: id, phone: badPhones[i] ?? '' }),
    );
    day.customers = [...(day.customers ?? []), ...extra];
    const r = await loadFolder(db(), day);
    expect(r.problems).toHaveLength(9);
    expect(r.warnings).toHaveLength(1);
    const reported = JSON.stringify([r.problems, r.warnings, messages(r), r.warnings.map(formatProblem)]);
    const digitsOnly = badPhones.map((p) => p.replace(/\D/g, ''));
    for (const value of [...badIds, ...badPhones, ...digitsOnly]) expect(reported).not.toContain(value);
    expect(r.outcome).toBe('refused');
    await expectNothingLoaded(db());
  });

  // A file that cannot be read at all (a header column missing here) is one problem. The loader
  // also reports every account, card, loan and transaction of its customers as "not in today's
  // customers file", which is untrue: the customers are in the file, it just could not be read.
  it('a customers file that cannot be read does not make the rows that refer to it wrong', async () => {
    const csv = toCsv('customers', buildFullDay().customers ?? []).replace(',phone,', ',mobile,');
    const r = await loadFolder(db(), buildFullDay(), { 'customers.csv': csv });
    await expectRefused(db(), r, "customers.csv line 1, column phone: required column 'phone' is missing from the header");
  });
});

describe('a feed that loads', () => {
  const db = useDb();

  async function expectLoaded(files: FeedFiles, raw: Partial<Record<string, string>> = {}): Promise<LoadResult> {
    const r = await loadFolder(db(), files, raw);
    expect(messages(r)).toEqual([]);
    expect(r.outcome).toBe('loaded');
    return r;
  }
  const query = <R>(sql: string) => db().session(async (s) => (await s.query<R>(sql)).rows);
  const csvOf = (entity: EntityName, files: FeedFiles) => toCsv(entity, files[entity] ?? []);

  it('a header that starts with a UTF-8 byte-order mark', async () => {
    const day = fullDayWith('customers', 0, { name: '张三明甲' });
    await expectLoaded(day, { 'customers.csv': `\uFEFF${csvOf('customers', day)}` });
    expect(await query("SELECT customer_id, name FROM customers WHERE customer_id = 'C1'")).toEqual([{ customer_id: 'C1', name: '张三明甲' }]);
  });

  it('CRLF line endings', async () => {
    const day = fullDayWith('customers', 0, { marketing_consent: 'false' });
    const crlf = (e: EntityName) => csvOf(e, day).replace(/\n/g, '\r\n');
    await expectLoaded(day, { 'customers.csv': crlf('customers'), 'accounts.csv': crlf('accounts'), 'transactions.csv': crlf('transactions') });
    expect(await query("SELECT marketing_consent FROM customers WHERE customer_id = 'C1'")).toEqual([{ marketing_consent: false }]);
    expect(await query("SELECT status FROM accounts WHERE account_id = 'A3'")).toEqual([{ status: 'active' }]);
    expect(await query("SELECT counterparty FROM transactions WHERE txn_id = 'T1'")).toEqual([{ counterparty: '超市' }]);
  });

  it('quoted values with commas, doubled quotes and line breaks', async () => {
    const address = '北京市东城区电力路1号, 3单元 "东门"\n(近地铁站)';
    const day = fullDayWith('customers', 1, { name: '李, 四', address });
    await expectLoaded(day);
    expect(await query("SELECT name, address FROM customers WHERE customer_id = 'C2'")).toEqual([{ name: '李, 四', address }]);
  });

  it('extra columns the contract does not name', async () => {
    const day = fullDayWith('customers', 0, { wechat_id: 'zsm_1985', occupation: '教师' });
    const account = day.accounts?.[0];
    if (account) account.branch_note = '柜台开户';
    await expectLoaded(day);
    expect(await query("SELECT occupation FROM customers WHERE customer_id = 'C1'")).toEqual([{ occupation: '教师' }]);
  });

  it('blank lines at the end of a file', async () => {
    const day = fullDayWith('customers', 0, { occupation: '医生' });
    await expectLoaded(day, { 'customers.csv': `${csvOf('customers', day)}\n\r\n   \n\n` });
    expect(await query('SELECT count(*) AS n FROM customers')).toEqual([{ n: 2 }]);
  });

  it('a full day stands on its own: a customer loaded the day before does not carry today’s accounts', async () => {
    expect(await query("SELECT count(*) AS n FROM customers WHERE customer_id = 'C2'")).toEqual([{ n: 1 }]);
    const day = buildFullDay();
    day.customers = (day.customers ?? []).filter((c) => c.customer_id !== 'C2');
    day.transactions = [buildTransaction({ txn_id: 'T9', booked_at: '2026-11-21T10:00:00+08:00' })];
    day.loans = [buildLoan({ outstanding: '79000' })];
    const r = await loadFolder(db(), day, {}, {}, { business_date: '2026-11-21', mode: 'full' });
    expect(messages(r)).toEqual(["accounts.csv line 4, column customer_id: customer 'C2' is not in today's customers file"]);
    expect(r.outcome).toBe('refused');
    expect(await query('SELECT business_date::text AS d FROM business_dates')).toEqual([{ d: BUSINESS_DATE }]);
  });
});
