import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccount, buildBranches, buildCustomer, buildProducts, buildStaff, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from './tiering.batch.js';
import { computeFacts } from './tiering.facts.js';

// The next business date brings the previous date's rolling windows forward instead of reading
// every transaction again. It must give exactly the facts a computation from scratch gives, in
// every case where the two could part: a transaction leaving the 90-day window, one loaded late
// for an earlier day, the window's first and last minutes in China time written with a Z offset,
// a customer new today, a new month, a skipped date.

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
});
afterAll(async () => {
  await db.close();
});

const A = '2026-08-20'; // far back: the transactions of this day leave C's window
const B = '2026-11-17';
const C = '2026-11-18';
const E = '2026-11-20'; // C's base, with 11-19 skipped
const F = '2026-12-02'; // a new month

let n = 0;
function person(id: string, balance: string, over: Row = {}): { customer: Row; account: Row } {
  n++;
  return {
    customer: buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19800101', String(100 + n)), phone: `1370000${String(n).padStart(4, '0')}`, ...over }),
    account: buildAccount({ account_id: `${id}-A`, customer_id: id, balance }),
  };
}
const tx = (id: string, customer: string, bookedAt: string, amount: string, over: Row = {}) =>
  buildTransaction({ txn_id: id, customer_id: customer, account_id: `${customer}-A`, booked_at: bookedAt, amount, ...over });

const people = [person('OLD', '30000.00'), person('EDU', '80000.00'), person('LATE', '10000.00'), person('NIGHT', '20000.00')];

function day(date: string, mode: 'full' | 'delta', files: Partial<FeedFiles>): Promise<unknown> {
  const all: FeedFiles =
    mode === 'full'
      ? { branches: buildBranches(), staff: buildStaff(), products: buildProducts(), customers: people.map((p) => p.customer), accounts: people.map((p) => p.account), cards: [], loans: [], transactions: [], ...files }
      : (files as FeedFiles);
  return loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode }, all)).then((r) => {
    expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
  });
}

/** The facts of a date as computed by the batch, and as a computation from scratch gives them. */
async function bothWays(date: string): Promise<{ kept: Record<string, unknown>[]; scratch: Record<string, unknown>[] }> {
  const order = 'ORDER BY customer_id';
  const kept = (await db.session((s) => s.query(`SELECT * FROM customer_facts WHERE business_date = $1 ${order}`, [date]))).rows;
  const scratch = await db.session(async (s) => {
    await s.exec('BEGIN');
    try {
      await computeFacts(s, date, { fromScratch: true });
      return (await s.query(`SELECT * FROM customer_facts WHERE business_date = $1 ${order}`, [date])).rows;
    } finally {
      await s.exec('ROLLBACK');
    }
  });
  return { kept, scratch };
}
const of = (rows: Record<string, unknown>[], id: string) => rows.find((r) => r.customer_id === id) ?? {};

describe('facts brought forward from the previous date', () => {
  it('equal the facts computed from scratch, date after date', async () => {
    await day(A, 'full', {
      transactions: [tx('T-A1', 'OLD', '2026-08-20T10:00:00+08:00', '-500.00'), tx('T-A2', 'EDU', '2026-08-20T11:00:00+08:00', '-20000.00', { counterparty: '某大学学费', channel: 'online' })],
    });
    expect((await runTiering(db, A)).factsBaseDate).toBeNull();

    await day(B, 'delta', {
      transactions: [
        tx('T-B1', 'OLD', '2026-11-17T09:00:00+08:00', '-100.00', { channel: 'counter' }),
        // 00:10 on 08-20 in China, written with Z: the first day of B's window (08-20 … 11-17), not in C's
        tx('T-B2', 'NIGHT', '2026-08-19T16:10:00Z', '-300.00', { channel: 'mobile' }),
      ],
    });
    const b = await runTiering(db, B);
    expect(b.factsBaseDate).toBeNull(); // A is more than a month back: from scratch
    const atB = await bothWays(B);
    expect(atB.kept).toEqual(atB.scratch);
    expect(of(atB.kept, 'NIGHT').txns_90d).toBe(1);
    expect(of(atB.kept, 'EDU').education_payee_90d).toBe(true);

    const newcomer = person('NEW', '60000.00', { opened_on: C });
    await day(C, 'delta', {
      customers: [newcomer.customer],
      accounts: [newcomer.account],
      transactions: [
        tx('T-C1', 'LATE', '2026-10-01T10:00:00+08:00', '-700.00'), // a late delivery for an October day
        tx('T-C2', 'NEW', '2026-11-18T10:00:00+08:00', '5000.00', { channel: 'counter' }),
        tx('T-C3', 'OLD', '2026-11-18T10:00:00+08:00', '-50.00', { channel: 'atm' }),
        // 00:10 on 08-21 in China, the first day of C's window, written with Z and delivered late
        tx('T-C4', 'NIGHT', '2026-08-20T16:10:00Z', '-40.00', { channel: 'mobile' }),
      ],
    });
    const c = await runTiering(db, C);
    expect(c.factsBaseDate).toBe(B);
    const atC = await bothWays(C);
    expect(atC.kept).toEqual(atC.scratch);
    expect(of(atC.kept, 'EDU')).toMatchObject({ education_payee_90d: false, txns_90d: 0 }); // 08-20 left the window
    expect(of(atC.kept, 'OLD')).toMatchObject({ txns_90d: 2, counter_txns_90d: 1, atm_txns_90d: 1 });
    expect(of(atC.kept, 'NIGHT')).toMatchObject({ txns_90d: 1, spending_90d: '40.00' });
    expect(of(atC.kept, 'LATE')).toMatchObject({ txns_90d: 1, spending_90d: '700.00' });
    expect(of(atC.kept, 'NEW')).toMatchObject({ txns_90d: 1, aum: '60000.00', tenure_years: 0 });

    // 11-19 is never delivered; the balance changes on E
    await day(E, 'delta', { accounts: [{ ...people[0]?.account, balance: '90000.00' }], transactions: [tx('T-E1', 'OLD', '2026-11-20T10:00:00+08:00', '-20.00')] });
    const e = await runTiering(db, E);
    expect(e.factsBaseDate).toBe(C);
    const atE = await bothWays(E);
    expect(atE.kept).toEqual(atE.scratch);
    // month to date: 30,000 on 11-17 and 11-18, 90,000 on 11-20
    expect(of(atE.kept, 'OLD')).toMatchObject({ aum_avg_mtd: '50000.00', aum_days_mtd: 3 });

    await day(F, 'delta', { transactions: [tx('T-F1', 'OLD', '2026-12-02T10:00:00+08:00', '-1.00')] });
    const f = await runTiering(db, F);
    expect(f.factsBaseDate).toBe(E);
    const atF = await bothWays(F);
    expect(atF.kept).toEqual(atF.scratch);
    expect(of(atF.kept, 'OLD')).toMatchObject({ aum_avg_mtd: '90000.00', aum_days_mtd: 1 }); // a new month starts again

    // a rerun of the last date brings the same base forward again: same facts
    const again = await runTiering(db, F);
    expect(again.factsBaseDate).toBe(E);
    expect((await bothWays(F)).kept).toEqual(atF.kept);
  });
});
