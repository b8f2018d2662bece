import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccount, buildBranches, buildCustomer, buildLoan, buildProducts, buildStaff, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from './tiering.batch.js';

// relationship_tier and the tags of ../shared/POLICIES.md, each at its boundaries, computed by
// hand. D = 2026-11-20; D−90 = 2026-08-22 is loaded too, for the AUM growth.

const D = '2026-11-20';
const PAST = '2026-08-22';
let db: Db;
let n = 0;

interface Person {
  customer: Row;
  accounts: Row[];
  pastBalance?: string;
}
function person(id: string, balance: string | null, over: Row = {}, extra: Partial<Person> = {}): Person {
  n++;
  return {
    customer: buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19850315', String(100 + n).padStart(3, '0')), phone: `1390000${String(n).padStart(4, '0')}`, annual_income: '100000', occupation: '工程师', ...over }),
    accounts: balance === null ? [] : [buildAccount({ account_id: `${id}-A`, customer_id: id, balance })],
    ...extra,
  };
}
const born = (date: string) => ({ birth_date: date });

const people: Person[] = [
  // relationship_tier
  person('VIP_AVG', '500000.00'),
  person('VIP_OD90', '500000.00', {}, {}),
  person('VIP_CONTRIB', '200000.00'),
  person('NEAR_CONTRIB', '199999.99', born('1960-01-01')),
  person('POT_INCOME', null, { annual_income: '300000', ...born('1960-01-01') }),
  person('MASS_INCOME', null, { annual_income: '299999.99', ...born('1960-01-01') }),
  person('AGE45', '100000.00', born('1981-11-20')),
  person('AGE46', '100000.00', born('1980-11-20')),
  person('GROW30', '52000.00', born('1960-01-01'), { pastBalance: '40000.00' }),
  person('GROW29', '51999.99', born('1960-01-01'), { pastBalance: '40000.00' }),
  // tags: life stage
  person('RET60', '100.00', born('1966-11-20')),
  person('RET_OCC', '100.00', { occupation: '退休', ...born('1976-01-01') }),
  person('AGE59', '100.00', born('1966-11-21')),
  person('OWNER', '100.00', { occupation: '企业主', ...born('1976-01-01') }),
  person('RICH', '100.00', { annual_income: '1000000', ...born('1976-01-01') }),
  person('YOUNG22', '100.00', born('2004-11-20')),
  person('AGE21', '100.00', born('2004-11-21')),
  person('AGE36', '100.00', born('1990-11-20')),
  // needs
  person('RETPLAN', '200000.00', born('1970-01-01')),
  person('HOME', '200000.00', born('1990-01-01')),
  person('HOME_LOAN', '200000.00', born('1990-01-01')),
  person('EDU', '100.00', born('1980-01-01')),
  // behaviour and channel
  person('TRADER', '100.00', born('1976-01-01')),
  person('STEADY', '25000.00', born('1976-01-01')),
  person('TIE', '100.00', born('1976-01-01')),
];

function files(date: string): FeedFiles {
  const past = date === PAST;
  const accounts = people.flatMap((p) => {
    if (past) return p.accounts.map((a): Row => ({ ...a, balance: p.pastBalance ?? a.balance ?? "0" }));
    return p.accounts;
  });
  const tx = (id: string, customer: string, over: Row) => buildTransaction({ txn_id: id, customer_id: customer, account_id: `${customer}-A`, booked_at: '2026-11-20T10:00:00+08:00', amount: '-10.00', ...over });
  return {
    branches: buildBranches(),
    staff: buildStaff(),
    products: buildProducts(),
    customers: people.map((p) => p.customer),
    accounts: past
      ? accounts
      : [
          ...accounts,
          buildAccount({ account_id: 'STEADY-W', customer_id: 'STEADY', kind: 'wealth', product_code: 'WM1', balance: '25000.00', matures_on: '2027-06-01' }),
        ],
    cards: [],
    loans: past
      ? []
      : [
          buildLoan({ loan_id: 'L1', customer_id: 'VIP_OD90', overdue_days: '90', outstanding: '1000' }),
          buildLoan({ loan_id: 'L2', customer_id: 'VIP_CONTRIB', overdue_days: '0', outstanding: '52500.00' }),
          buildLoan({ loan_id: 'L3', customer_id: 'NEAR_CONTRIB', overdue_days: '0', outstanding: '52500.00' }),
          buildLoan({ loan_id: 'L4', customer_id: 'HOME_LOAN', overdue_days: '0', outstanding: '1000' }),
        ],
    transactions: past
      ? []
      : [
          ...Array.from({ length: 30 }, (_, i) => tx(`TR${i}`, 'TRADER', { channel: 'pos' })),
          tx('E1', 'EDU', { counterparty: '某大学学费' }),
          tx('T1', 'TIE', { channel: 'counter' }),
          tx('T2', 'TIE', { channel: 'mobile' }),
          tx('T3', 'TIE', { channel: 'atm' }),
        ],
  };
}

const tiers: Record<string, Record<string, string>> = {};
beforeAll(async () => {
  db = await openTestDb();
  for (const date of [PAST, D]) {
    const r = await loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode: 'full' }, files(date)));
    if (r.outcome !== 'loaded') throw new Error(JSON.stringify(r.problems.slice(0, 5)));
  }
  await runTiering(db, D);
  const r = await db.session((s) => s.query<{ customer_id: string; model: string; tier: string }>('SELECT customer_id, model, tier FROM customer_tiers'));
  for (const row of r.rows) (tiers[row.model] ??= {})[row.customer_id] = row.tier;
});
afterAll(async () => {
  await db.close();
});

describe('relationship_tier', () => {
  it.each([
    ['VIP_AVG', 'vip'], // month-to-date average exactly 50万
    ['VIP_OD90', 'potential'], // 90 overdue days bar VIP; age 41 with 10万+ makes potential
    ['VIP_CONTRIB', 'vip'], // 20万 and a contribution of exactly 5,000 (4,000 + 1,050 − 50)
    ['NEAR_CONTRIB', 'mass'], // a fen less: 4,999.9998; age 66, income 10万
    ['POT_INCOME', 'potential'], // income exactly 30万
    ['MASS_INCOME', 'mass'],
    ['AGE45', 'potential'],
    ['AGE46', 'mass'],
    ['GROW30', 'potential'], // 4万 → 5.2万 over 90 days: exactly +30%
    ['GROW29', 'mass'],
  ])('%s is %s', (customer, tier) => {
    expect(tiers.relationship_tier?.[customer]).toBe(tier);
  });
});

describe('tags', () => {
  it.each([
    ['RET60', 'retiree'],
    ['RET_OCC', 'retiree'],
    ['AGE59', 'none'],
    ['OWNER', 'entrepreneur'],
    ['RICH', 'entrepreneur'],
    ['YOUNG22', 'young_professional'],
    ['AGE21', 'none'],
    ['AGE36', 'none'],
  ])('life stage of %s is %s', (customer, tag) => {
    expect(tiers['tags.life_stage']?.[customer]).toBe(tag);
  });

  it.each([
    ['RETPLAN', 'retirement_planning'],
    ['HOME', 'home_purchase'],
    ['HOME_LOAN', 'none'],
    ['EDU', 'education'],
    ['TRADER', 'none'],
  ])('needs of %s: %s', (customer, tag) => {
    expect(tiers['tags.needs']?.[customer]).toBe(tag);
  });

  it('behaviour: 30 transactions make a frequent trader; half of 5万 in wealth makes a steady investor', () => {
    expect(tiers['tags.behaviour']?.TRADER).toBe('frequent_trader');
    expect(tiers['tags.behaviour']?.STEADY).toBe('steady_investor');
    expect(tiers['tags.behaviour']?.TIE).toBe('none');
  });

  it('channel: the group with most transactions, ties in the order mobile, branch, self-service, card; none without', () => {
    expect(tiers['tags.channel']?.TIE).toBe('mobile');
    expect(tiers['tags.channel']?.TRADER).toBe('card');
    expect(tiers['tags.channel']?.AGE36).toBe('none');
  });
});
