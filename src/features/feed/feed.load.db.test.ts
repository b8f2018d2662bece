import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db.js';
import {
  buildAccount,
  buildCard,
  buildCustomer,
  buildFullDay,
  buildLoan,
  buildTransaction,
  feedDir,
  writeFeed,
  type FeedFiles,
} from '../../../test/feed-builder.js';
import { openTestDb, plannerRows, testEngine } from '../../../test/test-db.js';
import { loadFeed } from './feed.load.js';

// What a bank's operator relies on: a date loads whole or not at all, loading again changes
// nothing, a delta day changes only what it names, and a full day closes what it no longer lists.

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await db.close();
});

const TABLES = ['branches', 'staff', 'products', 'customers', 'accounts', 'cards', 'loans', 'transactions', 'balance_snapshots', 'business_dates'] as const;

/** Row counts and money sums: what a person would compare before and after. */
async function fingerprint() {
  const counts: Record<string, number> = {};
  for (const t of TABLES) {
    const r = await db.session((s) => s.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`));
    counts[t] = r.rows[0]?.n ?? -1;
  }
  const sums = await db.session((s) =>
    s.query<Record<string, string>>(`SELECT
      (SELECT coalesce(sum(balance), 0) FROM accounts)::text AS balances,
      (SELECT coalesce(sum(amount), 0) FROM transactions)::text AS amounts,
      (SELECT coalesce(sum(aum), 0) FROM balance_snapshots)::text AS aum,
      (SELECT coalesce(sum(outstanding), 0) FROM loans)::text AS outstanding,
      (SELECT string_agg(customer_id || ':' || updated_on || ':' || status, ',' ORDER BY customer_id) FROM customers) AS customers,
      (SELECT string_agg(account_id || ':' || updated_on || ':' || status, ',' ORDER BY account_id) FROM accounts) AS accounts`),
  );
  return { counts, sums: sums.rows[0] };
}

const day = (date: string, mode: 'full' | 'delta', files: FeedFiles, raw: Record<string, string> = {}) =>
  writeFeed(path.join(feedDir(), date), { business_date: date, mode }, files, raw);

async function one<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
  const r = await db.session((s) => s.query<T>(sql, params));
  return r.rows[0];
}

describe('a business date loads whole or not at all', () => {
  it('loads a full day: every file, a balance snapshot and a record of the date', async () => {
    const r = await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    expect(r.outcome).toBe('loaded');
    expect(r.problems).toEqual([]);
    const f = await fingerprint();
    expect(f.counts).toMatchObject({ customers: 2, accounts: 3, cards: 1, loans: 1, transactions: 2, balance_snapshots: 2, business_dates: 1 });
    // AUM: current 52,300 + time deposit 100,000; the loan is not an asset
    expect(await one('SELECT aum, deposits, loans_outstanding FROM balance_snapshots WHERE customer_id = $1', ['C1'])).toEqual({
      aum: '152300.00',
      deposits: '152300.00',
      loans_outstanding: '80000.00',
    });
    expect(r.files.find((x) => x.entity === 'customers')).toMatchObject({ rows: 2, written: 2 });
  });

  it('leaves the planner knowing the sizes of what it loaded (an embedded database has no autovacuum to tell it)', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const tables = ['accounts', 'balance_snapshots_2026_11', 'customers', 'transactions'];
    const sizes = await Promise.all(tables.map(async (relname) => ({ relname, n: await plannerRows(db, relname) })));
    expect(sizes).toEqual([
      { relname: 'accounts', n: 3 },
      { relname: 'balance_snapshots_2026_11', n: 2 },
      { relname: 'customers', n: 2 },
      { relname: 'transactions', n: 2 },
    ]);
  });

  it('a feed broken in its last file leaves the database exactly as it was', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const before = await fingerprint();
    const next = buildFullDay();
    next.customers = [...(next.customers ?? []), buildCustomer({ customer_id: 'C3', name: '王五' })];
    next.accounts = [buildAccount({ balance: '1.00' })];
    // transactions load last; its final row refers to a customer nobody delivered
    next.transactions = [buildTransaction({ txn_id: 'T9', booked_at: '2026-11-21T10:00:00+08:00' }), buildTransaction({ txn_id: 'T10', customer_id: 'C404', booked_at: '2026-11-21T10:00:00+08:00' })];
    const r = await loadFeed(db, day('2026-11-21', 'full', next));
    expect(r.outcome).toBe('refused');
    expect(r.problems).toEqual([
      expect.objectContaining({ file: 'transactions.csv', line: 3, column: 'customer_id' }),
    ]);
    expect(await fingerprint()).toEqual(before);
  });

  it('a dry run reports what would change and writes nothing', async () => {
    const r = await loadFeed(db, day('2026-11-20', 'full', buildFullDay()), { dryRun: true });
    expect(r.outcome).toBe('checked');
    expect(r.files.find((x) => x.entity === 'accounts')).toMatchObject({ rows: 3, written: 3 });
    expect((await fingerprint()).counts.customers).toBe(0);
    expect((await fingerprint()).counts.business_dates).toBe(0);
  });

  it('refuses a date earlier than the latest loaded one, and says so', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const r = await loadFeed(db, day('2026-11-19', 'full', buildFullDay()));
    expect(r.outcome).toBe('refused');
    expect(r.problems[0]?.message).toContain('2026-11-19 is earlier than 2026-11-20');
  });
});

describe('loading the same folder again changes nothing', () => {
  it('same row counts, sums and change dates after a second load', async () => {
    const folder = day('2026-11-20', 'full', buildFullDay());
    await loadFeed(db, folder);
    const first = await fingerprint();
    const again = await loadFeed(db, folder);
    expect(again.outcome).toBe('unchanged');
    expect(await fingerprint()).toEqual(first);
  });

  it('a corrected file for the latest date is applied as a correction, without duplicates', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const fixed = buildFullDay();
    fixed.accounts = (fixed.accounts ?? []).map((a) => (a.account_id === 'A1' ? { ...a, balance: '60000.00' } : a));
    const r = await loadFeed(db, day('2026-11-20', 'full', fixed));
    expect(r.outcome).toBe('loaded');
    const f = await fingerprint();
    expect(f.counts).toMatchObject({ transactions: 2, balance_snapshots: 2, business_dates: 1 });
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1', ['C1'])).toEqual({ aum: '160000.00' });
  });

  it('an earlier date loaded again from the same files is unchanged, not refused', async () => {
    const first = day('2026-11-20', 'full', buildFullDay());
    await loadFeed(db, first);
    await loadFeed(db, day('2026-11-21', 'delta', { cards: [buildCard({ grade: 'platinum' })] }));
    const before = await fingerprint();
    expect((await loadFeed(db, first)).outcome).toBe('unchanged');
    expect(await fingerprint()).toEqual(before);
  });

  it('a transaction id already loaded is ignored on a later day', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const r = await loadFeed(db, day('2026-11-21', 'delta', {
      transactions: [buildTransaction({ amount: '-999.00' }), buildTransaction({ txn_id: 'T3', booked_at: '2026-11-21T08:00:00+08:00' })],
    }));
    expect(r.files.find((x) => x.entity === 'transactions')).toMatchObject({ rows: 2, written: 1, ignored: 1 });
    expect(await one('SELECT amount FROM transactions WHERE txn_id = $1', ['T1'])).toEqual({ amount: '-120.50' });
  });
});

describe('how transactions go in', () => {
  it('records which days of bookings a load delivered, in China time; a correction of the date widens them', async () => {
    const load = (txns: ReturnType<typeof buildTransaction>[]) => loadFeed(db, day('2026-11-20', 'full', { ...buildFullDay(), transactions: txns }));
    // 16:30 Z on 11-17 is 00:30 on 11-18 in China
    await load([buildTransaction({ txn_id: 'T1', booked_at: '2026-11-17T16:30:00Z' }), buildTransaction({ txn_id: 'T2', booked_at: '2026-11-20T09:00:00+08:00' })]);
    const loads = () => one('SELECT rows::int, first_booked_on, last_booked_on FROM transaction_loads WHERE business_date = $1', ['2026-11-20']);
    expect(await loads()).toEqual({ rows: 2, first_booked_on: '2026-11-18', last_booked_on: '2026-11-20' });
    await load([buildTransaction({ txn_id: 'T1', booked_at: '2026-11-17T16:30:00Z' }), buildTransaction({ txn_id: 'T0', booked_at: '2026-08-01T09:00:00+08:00' })]);
    expect(await loads()).toEqual({ rows: 3, first_booked_on: '2026-08-01', last_booked_on: '2026-11-20' });
  });

  it('a txn_id repeated within the file counts once, from its first line', async () => {
    const files = buildFullDay();
    files.transactions = [
      buildTransaction({ txn_id: 'T9', amount: '-1.00' }),
      buildTransaction({ txn_id: 'T2', customer_id: 'C2', account_id: 'A3', amount: '500' }),
      buildTransaction({ txn_id: 'T9', amount: '-2.00' }),
      buildTransaction({ txn_id: 'T9', amount: '-3.00' }),
    ];
    const r = await loadFeed(db, day('2026-11-20', 'full', files));
    expect(r.outcome).toBe('loaded');
    expect(r.files.find((x) => x.entity === 'transactions')).toMatchObject({ rows: 4, written: 2, ignored: 2 });
    expect(await one('SELECT amount FROM transactions WHERE txn_id = $1', ['T9'])).toEqual({ amount: '-1.00' });
  });

  it('on a later day, loaded and repeated txn_ids are ignored together and the new ones go in', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const r = await loadFeed(db, day('2026-11-21', 'delta', {
      transactions: [
        buildTransaction({ txn_id: 'T4', booked_at: '2026-11-21T08:00:00+08:00', amount: '4.00' }),
        buildTransaction({ amount: '-999.00' }), // T1, loaded the day before
        buildTransaction({ txn_id: 'T4', booked_at: '2026-11-21T09:00:00+08:00', amount: '44.00' }),
        buildTransaction({ txn_id: 'T3', booked_at: '2026-11-21T08:00:00+08:00', amount: '3.00' }),
      ],
    }));
    expect(r.files.find((x) => x.entity === 'transactions')).toMatchObject({ rows: 4, written: 2, ignored: 2 });
    const rows = await db.session((s) => s.query<{ txn_id: string; amount: string; business_date: string }>(
      'SELECT txn_id, amount, business_date FROM transactions ORDER BY txn_id'));
    expect(rows.rows).toEqual([
      { txn_id: 'T1', amount: '-120.50', business_date: '2026-11-20' },
      { txn_id: 'T2', amount: '500.00', business_date: '2026-11-20' },
      { txn_id: 'T3', amount: '3.00', business_date: '2026-11-21' },
      { txn_id: 'T4', amount: '4.00', business_date: '2026-11-21' },
    ]);
  });

  it('a day of a few transactions against a history twenty times larger: the loaded ones are still found and ignored', async () => {
    // the history is analysed by the load (it was new), so the next day's merge looks its rows up one by one
    const files = buildFullDay();
    files.transactions = Array.from({ length: 42 }, (_, i) => buildTransaction({ txn_id: `T${100 + i}`, amount: `-${i + 1}.00` }));
    await loadFeed(db, day('2026-11-20', 'full', files));
    expect(await plannerRows(db, 'transactions')).toBe(42);
    const r = await loadFeed(db, day('2026-11-21', 'delta', {
      transactions: [buildTransaction({ txn_id: 'T120', amount: '-999.00' }), buildTransaction({ txn_id: 'T200', booked_at: '2026-11-21T08:00:00+08:00', amount: '7.00' })],
    }));
    expect(r.files.find((x) => x.entity === 'transactions')).toMatchObject({ rows: 2, written: 1, ignored: 1 });
    expect(await one('SELECT count(*)::int AS n, sum(amount)::text AS total FROM transactions')).toEqual({ n: 43, total: String(-(42 * 43) / 2 + 7) + '.00' });
  });

  const constraints = (table: string) =>
    db.session((s) =>
      s.query<{ name: string; def: string }>(
        `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype IN ('p', 'f') ORDER BY 1`,
        [table],
      ),
    ).then((r) => r.rows);
  const indexes = (table: string) =>
    db.session((s) => s.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [table])).then((r) => r.rows.map((x) => x.def));

  it('a first load keeps the file order and builds the keys and indexes after, exactly as the schema defines them', async () => {
    const before = {
      transactions: await constraints('transactions'),
      accounts: await constraints('accounts'),
      indexes: [...(await indexes('transactions')), ...(await indexes('customers'))],
    };
    expect(before.indexes).toHaveLength(6); // key and two BRIN indexes of the transactions; key, (branch, key) and the ID number's last four (the counter's search) of the customers
    expect(before.transactions).toEqual([{ name: 'transactions_pkey', def: 'PRIMARY KEY (customer_id, txn_id)' }]);
    expect(before.accounts.map((c) => c.name)).toEqual(['accounts_customer_id_fkey', 'accounts_pkey', 'accounts_product_code_fkey']);
    const files = buildFullDay();
    files.transactions = ['T9', 'T8', 'T7'].map((txn_id, i) =>
      i % 2 === 0 ? buildTransaction({ txn_id }) : buildTransaction({ txn_id, customer_id: 'C2', account_id: 'A3' }));
    expect((await loadFeed(db, day('2026-11-20', 'full', files))).outcome).toBe('loaded');
    const stored = await db.session((s) => s.query<{ k: string }>(`SELECT customer_id || '/' || txn_id AS k FROM transactions ORDER BY ctid`));
    expect(stored.rows.map((r) => r.k)).toEqual(['C1/T9', 'C2/T8', 'C1/T7']);
    expect({
      transactions: await constraints('transactions'),
      accounts: await constraints('accounts'),
      indexes: [...(await indexes('transactions')), ...(await indexes('customers'))],
    }).toEqual(before);
    // and the key holds: the same id again on a later day is ignored, not stored twice
    const r = await loadFeed(db, day('2026-11-21', 'delta', { transactions: [buildTransaction({ txn_id: 'T9', amount: '-5.00' })] }));
    expect(r.files.find((x) => x.entity === 'transactions')).toMatchObject({ rows: 1, written: 0, ignored: 1 });
  });

  it("a later day's rows are written in primary-key order (customer, txn_id), not in file order", async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    // file order: by time, customers interleaved, txn_ids descending
    const transactions = ['T9', 'T8', 'T7', 'T6', 'T5', 'T4'].map((txn_id, i) =>
      i % 2 === 0
        ? buildTransaction({ txn_id, booked_at: `2026-11-21T0${i}:00:00+08:00` })
        : buildTransaction({ txn_id, customer_id: 'C2', account_id: 'A3', booked_at: `2026-11-21T0${i}:00:00+08:00` }));
    expect((await loadFeed(db, day('2026-11-21', 'delta', { transactions }))).outcome).toBe('loaded');
    // (on Citus each customer's rows are on its own shard: the order is the order within each)
    const stored = await db.session((s) =>
      s.query<{ k: string }>(`SELECT customer_id || '/' || txn_id AS k FROM transactions WHERE business_date = '2026-11-21' ORDER BY ${db.citus ? 'customer_id, ' : ''}ctid`));
    expect(stored.rows.map((r) => r.k)).toEqual(['C1/T5', 'C1/T7', 'C1/T9', 'C2/T4', 'C2/T6', 'C2/T8']);
  });

  // (made by a trigger on accounts, which Citus does not allow on a distributed table: not run there)
  it.skipIf(testEngine() === 'citus')('a first load that breaks a foreign key fails whole: nothing is loaded and the keys stay', async () => {
    // (the reference checks stop such a feed before the merge; here the products disappear while the accounts go in)
    const files = buildFullDay();
    await db.session((s) => s.exec(`CREATE FUNCTION drop_products() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM products; RETURN NULL; END $$;
      CREATE TRIGGER drop_products AFTER INSERT ON accounts FOR EACH STATEMENT EXECUTE FUNCTION drop_products()`));
    try {
      await expect(loadFeed(db, day('2026-11-20', 'full', files))).rejects.toThrow(/foreign key/);
    } finally {
      await db.session((s) => s.exec('DROP TRIGGER drop_products ON accounts; DROP FUNCTION drop_products()'));
    }
    expect(await one('SELECT count(*)::int AS n FROM accounts')).toEqual({ n: 0 });
    expect((await constraints('accounts')).map((c) => c.name)).toEqual(['accounts_customer_id_fkey', 'accounts_pkey', 'accounts_product_code_fkey']);
  });

  it('accounts are upserted in a non-empty table: only what changed is written', async () => {
    await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    const next = buildFullDay();
    next.accounts = (next.accounts ?? []).map((a) => (a.account_id === 'A3' ? { ...a, balance: '1.00' } : a));
    const r = await loadFeed(db, day('2026-11-21', 'full', next));
    expect(r.files.find((x) => x.entity === 'accounts')).toMatchObject({ rows: 3, written: 1, gone: 0 });
  });
});

describe('delta and full days', () => {
  beforeEach(async () => {
    const r = await loadFeed(db, day('2026-11-20', 'full', buildFullDay()));
    expect(r.outcome).toBe('loaded');
  });

  it('a delta upserts what it names and leaves everything else as it stood', async () => {
    const r = await loadFeed(db, day('2026-11-21', 'delta', {
      accounts: [buildAccount({ balance: '10000.00' }), buildAccount({ account_id: 'A4', customer_id: 'C2', kind: 'wealth', product_code: 'WM1', balance: '50000.00', opened_on: '2026-11-21', matures_on: '2027-02-21' })],
    }));
    expect(r.outcome).toBe('loaded');
    expect(await one('SELECT count(*)::int AS n FROM customers WHERE status = $1', ['active'])).toEqual({ n: 2 });
    expect(await one('SELECT balance, updated_on FROM accounts WHERE account_id = $1', ['A1'])).toEqual({ balance: '10000.00', updated_on: '2026-11-21' });
    // A2 was not in the delta: unchanged, still counted
    expect(await one('SELECT balance, updated_on FROM accounts WHERE account_id = $1', ['A2'])).toEqual({ balance: '100000.00', updated_on: '2026-11-20' });
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1 AND business_date = $2', ['C1', '2026-11-21'])).toEqual({ aum: '110000.00' });
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1 AND business_date = $2', ['C2', '2026-11-21'])).toEqual({ aum: '50999.99' });
    // the earlier date's snapshot is kept for comparing periods
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1 AND business_date = $2', ['C1', '2026-11-20'])).toEqual({ aum: '152300.00' });
  });

  it('a delta closes what it closes: an account closed, a card cancelled', async () => {
    await loadFeed(db, day('2026-11-21', 'delta', {
      accounts: [buildAccount({ account_id: 'A2', kind: 'time_deposit', product_code: 'TD12', balance: '0.00', opened_on: '2026-03-15', matures_on: '2027-03-15', status: 'closed' })],
      cards: [buildCard({ status: 'cancelled' })],
    }));
    expect(await one('SELECT status, closed_on FROM accounts WHERE account_id = $1', ['A2'])).toEqual({ status: 'closed', closed_on: '2026-11-21' });
    expect(await one('SELECT status, cancelled_on FROM cards WHERE card_id = $1', ['K1'])).toEqual({ status: 'cancelled', cancelled_on: '2026-11-21' });
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1 AND business_date = $2', ['C1', '2026-11-21'])).toEqual({ aum: '52300.00' });
  });

  it('a delta may name a customer loaded on an earlier day', async () => {
    const r = await loadFeed(db, day('2026-11-21', 'delta', { cards: [buildCard({ card_id: 'K2', customer_id: 'C2', grade: 'platinum' })] }));
    expect(r.outcome).toBe('loaded');
    expect(await one('SELECT grade FROM cards WHERE card_id = $1', ['K2'])).toEqual({ grade: 'platinum' });
  });

  it('a full day ends what it no longer lists: customer left, account closed, card cancelled, loan repaid', async () => {
    const next = buildFullDay();
    next.customers = (next.customers ?? []).filter((c) => c.customer_id === 'C1');
    next.accounts = (next.accounts ?? []).filter((a) => a.account_id === 'A1');
    next.cards = [];
    next.loans = [];
    next.transactions = [];
    const r = await loadFeed(db, day('2026-11-21', 'full', next));
    expect(r.outcome).toBe('loaded');
    expect(await one('SELECT status, left_on FROM customers WHERE customer_id = $1', ['C2'])).toEqual({ status: 'left', left_on: '2026-11-21' });
    expect(await one('SELECT status, closed_on FROM accounts WHERE account_id = $1', ['A2'])).toEqual({ status: 'closed', closed_on: '2026-11-21' });
    expect(await one('SELECT status FROM cards WHERE card_id = $1', ['K1'])).toEqual({ status: 'cancelled' });
    expect(await one('SELECT status, repaid_on FROM loans WHERE loan_id = $1', ['L1'])).toEqual({ status: 'repaid', repaid_on: '2026-11-21' });
    // a customer who left has no snapshot for the new date
    expect(await one('SELECT count(*)::int AS n FROM balance_snapshots WHERE business_date = $1', ['2026-11-21'])).toEqual({ n: 1 });
    expect(r.files.find((x) => x.entity === 'customers')).toMatchObject({ rows: 1, gone: 1 });
  });

  it('a customer who comes back in a later full day is active again', async () => {
    const without = buildFullDay();
    without.customers = (without.customers ?? []).filter((c) => c.customer_id === 'C1');
    without.accounts = (without.accounts ?? []).filter((a) => a.customer_id === 'C1');
    without.transactions = [];
    await loadFeed(db, day('2026-11-21', 'full', without));
    const back = buildFullDay();
    back.transactions = [];
    await loadFeed(db, day('2026-11-22', 'full', back));
    expect(await one('SELECT status, left_on FROM customers WHERE customer_id = $1', ['C2'])).toEqual({ status: 'active', left_on: null });
    expect(await one('SELECT status, closed_on FROM accounts WHERE account_id = $1', ['A3'])).toEqual({ status: 'active', closed_on: null });
  });

  it('branches, staff and products are complete whenever present: missing ones become inactive', async () => {
    const next: FeedFiles = { staff: (buildFullDay().staff ?? []).slice(0, 1) };
    await loadFeed(db, day('2026-11-21', 'delta', next));
    expect(await one('SELECT active FROM staff WHERE staff_id = $1', ['S2'])).toEqual({ active: false });
    expect(await one('SELECT active FROM staff WHERE staff_id = $1', ['S1'])).toEqual({ active: true });
  });

  it('a loan repaid to zero in a delta stays as a loan with nothing outstanding', async () => {
    await loadFeed(db, day('2026-11-21', 'delta', { loans: [buildLoan({ outstanding: '0', overdue_days: '0' })] }));
    expect(await one('SELECT outstanding, status FROM loans WHERE loan_id = $1', ['L1'])).toEqual({ outstanding: '0.00', status: 'active' });
    expect(await one('SELECT loans_outstanding FROM balance_snapshots WHERE customer_id = $1 AND business_date = $2', ['C1', '2026-11-21'])).toEqual({ loans_outstanding: '0.00' });
  });
});

describe('times and money', () => {
  it('a transaction counts for its date in China time, whatever offset the feed wrote', async () => {
    const files = buildFullDay();
    files.transactions = [
      buildTransaction({ txn_id: 'UTC-LATE', booked_at: '2026-11-19T17:30:00Z' }), // 01:30 on the 20th in China
      buildTransaction({ txn_id: 'NO-ZONE', booked_at: '2026-11-20T23:59:59' }), // no offset: China time
    ];
    const r = await loadFeed(db, day('2026-11-20', 'full', files));
    expect(r.problems).toEqual([]);
    const rows = await db.session((s) => s.query<{ txn_id: string; booked_on: string }>('SELECT txn_id, booked_on FROM transactions ORDER BY txn_id'));
    expect(rows.rows).toEqual([
      { txn_id: 'NO-ZONE', booked_on: '2026-11-20' },
      { txn_id: 'UTC-LATE', booked_on: '2026-11-20' },
    ]);
  });

  it('amounts are kept exactly: cents never drift', async () => {
    const files = buildFullDay();
    files.accounts = [buildAccount({ balance: '0.10' }), buildAccount({ account_id: 'A2', balance: '0.20' }), buildAccount({ account_id: 'A3', customer_id: 'C2', balance: '9999999999999.99' })];
    await loadFeed(db, day('2026-11-20', 'full', files));
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1', ['C1'])).toEqual({ aum: '0.30' });
    expect(await one('SELECT aum FROM balance_snapshots WHERE customer_id = $1', ['C2'])).toEqual({ aum: '9999999999999.99' });
  });
});
