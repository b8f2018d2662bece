import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAccount, buildBranches, buildCard, buildCustomer, buildProducts, buildStaff, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { runEvents } from './events.batch.js';

// Hand-computed expectations at every boundary of ../shared/POLICIES.md "Events, reminders and
// contact": each case has a customer exactly at the boundary and one a fen (or a day) beyond it.

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await db.close();
});

const P = '2026-11-19';
const D = '2026-11-20'; // a Friday
let n = 0;

interface Person {
  customer: Row;
  accounts: Row[];
  cards?: Row[];
}
/** A customer with one current account of the given balance (and more accounts if given). */
function person(id: string, balance: string, more: Row[] = [], over: Row = {}, cards: Row[] = []): Person {
  n++;
  return {
    customer: buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19850315', String(100 + (n % 900)).padStart(3, '0')), phone: `1380000${String(n % 10000).padStart(4, '0')}`, ...over }),
    accounts: [buildAccount({ account_id: `${id}-A0`, customer_id: id, balance }), ...more.map((a, i) => buildAccount({ account_id: `${id}-A${i + 1}`, customer_id: id, ...a }))],
    cards: cards.map((k, i) => buildCard({ card_id: `${id}-K${i}`, customer_id: id, ...k })),
  };
}

function bank(people: Person[], transactions: Row[] = []): FeedFiles {
  return {
    branches: buildBranches(),
    staff: buildStaff(),
    products: buildProducts(),
    customers: people.map((p) => p.customer),
    accounts: people.flatMap((p) => p.accounts),
    cards: people.flatMap((p) => p.cards ?? []),
    loans: [],
    transactions,
  };
}

async function load(date: string, files: FeedFiles) {
  const r = await loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode: 'full' }, files));
  expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
}
/** Loads a date, tiers it and detects its events. */
async function day(date: string, files: FeedFiles) {
  await load(date, files);
  await runTiering(db, date);
  return runEvents(db, date);
}

interface EventRow {
  customer_id: string;
  event: string;
  subject: string;
  kind: string;
  facts: Record<string, unknown>;
  due_on: string;
}
async function events(date: string, event?: string): Promise<EventRow[]> {
  const r = await db.session((s) =>
    s.query<EventRow>(
      'SELECT customer_id, event, subject, kind, facts, due_on FROM customer_events WHERE business_date = $1::date AND ($2::text IS NULL OR event = $2) ORDER BY customer_id, event, subject',
      [date, event ?? null],
    ),
  );
  return r.rows;
}
const who = async (date: string, event: string) => (await events(date, event)).map((e) => e.customer_id);

let t = 0;
const txn = (customer: string, amount: string, over: Row = {}): Row => buildTransaction({ txn_id: `T${++t}`, customer_id: customer, account_id: `${customer}-A0`, amount, booked_at: `${D}T10:00:00+08:00`, channel: 'mobile', ...over });

describe('large inflows and outflows', () => {
  it('applies the threshold of the band held on the previous business date, to the fen, on transactions dated D in China time', async () => {
    const onP = [
      person('F2', '50000.00'), person('F2U', '50000.00'), // band_2: 20,000
      person('F3', '200000.00'), person('F3U', '200000.00'), // band_3: 50,000
      person('F4', '500000.00'), person('F4U', '500000.00'), // band_4: 100,000
      person('UP', '190000.00'), // band_2 on P, band_3 on D
      person('DOWN', '200000.00'), // band_3 on P, band_2 on D
      person('TZ', '5000.00'), person('TZLATE', '5000.00'),
    ];
    await day(P, bank(onP));
    const onD = onP.map((p) => (p.customer.customer_id === 'UP' ? person('UP', '220000.00') : p.customer.customer_id === 'DOWN' ? person('DOWN', '150000.00') : p));
    const r = await day(
      D,
      bank(onD, [
        txn('F2', '20000.00'), txn('F2U', '19999.99'),
        txn('F3', '-50000.00'), txn('F3U', '-49999.99'),
        txn('F4', '100000.00'), txn('F4U', '99999.99'),
        txn('UP', '30000.00'), // ≥ 20,000 of band_2, below the 50,000 of band_3 it has on D
        txn('DOWN', '-50000.00', { channel: 'counter' }),
        txn('TZ', '20000.00', { booked_at: '2026-11-19T16:10:00Z' }), // 00:10 on the 20th in China
        txn('TZLATE', '20000.00', { booked_at: '2026-11-19T15:50:00Z' }), // 23:50 on the 19th in China
      ]),
    );
    expect(await who(D, 'large_inflow')).toEqual(['F2', 'F4', 'TZ', 'UP']);
    expect(await who(D, 'large_outflow')).toEqual(['DOWN', 'F3']);
    expect(r.byEvent).toMatchObject({ large_inflow: 4, large_outflow: 2, tier_changed: 2 });
    expect(Object.keys(r.timings)).toEqual(expect.arrayContaining(['base', 'large_inflow_outflow', 'merge']));
    const [down] = await events(D, 'large_outflow');
    expect(down).toMatchObject({ kind: 'risk', subject: expect.stringMatching(/^T\d+$/), due_on: D });
    expect(down?.facts).toMatchObject({ amount: -50000, channel: 'counter', threshold: 50000, band: 'band_3', aum_before: 200000, share_of_aum: 0.25, date: D });
    const up = (await events(D, 'large_inflow')).find((e) => e.customer_id === 'UP');
    expect(up).toMatchObject({ kind: 'opportunity', facts: expect.objectContaining({ threshold: 20000, band: 'band_2' }) });
    // tier changes of D, from the tiering history: up is an opportunity, down information
    expect((await events(D, 'tier_changed')).map((e) => [e.customer_id, e.subject, e.kind, e.facts.from, e.facts.to, e.facts.direction])).toEqual([
      ['DOWN', 'aum_band', 'information', 'band_3', 'band_2', 'down'],
      ['UP', 'aum_band', 'opportunity', 'band_2', 'band_3', 'up'],
    ]);
    // facts never carry an ID number or a phone
    const all = JSON.stringify(await events(D));
    for (const p of onD) {
      expect(all).not.toContain(p.customer.id_number);
      expect(all).not.toContain(p.customer.phone);
    }
  });
});

describe('AUM over 30 days', () => {
  it('compares with the latest business date on or before D−30, at exactly 20% and exactly 10,000', async () => {
    const at = (date: string): Person[] => {
      const b: Record<string, Record<string, string>> = {
        R: { '2026-10-21': '50000.00', [D]: '60000.00' }, // +10,000 = +20%: rise
        RU: { '2026-10-21': '50000.00', [D]: '59999.99' }, // a fen under both
        RSHARE: { '2026-10-21': '100000.00', [D]: '119999.99' }, // +19,999.99 but 19.99999%
        RAMOUNT: { '2026-10-21': '40000.00', [D]: '49999.99' }, // +25% but 9,999.99
        FALL: { '2026-10-21': '100000.00', [D]: '80000.00' }, // −20%, −20,000: fall
        FU: { '2026-10-21': '100000.00', [D]: '80000.01' },
        LOOK: { '2026-10-20': '50000.00', '2026-10-21': '100000.00', '2026-10-22': '50000.00', [D]: '100000.00' },
        ZERO: { '2026-10-21': '0.00', [D]: '50000.00' },
      };
      return Object.entries(b).map(([id, v]) => person(id, v[date] ?? v['2026-10-21'] ?? '0'));
    };
    for (const date of ['2026-10-20', '2026-10-21', '2026-10-22']) await load(date, bank(at(date)));
    await day(D, bank(at(D)));
    expect(await who(D, 'aum_rise')).toEqual(['R']);
    expect(await who(D, 'aum_fall')).toEqual(['FALL']);
    const [rise] = await events(D, 'aum_rise');
    expect(rise).toMatchObject({ subject: '2026-10-21', kind: 'opportunity', facts: expect.objectContaining({ aum: 60000, aum_before: 50000, change: 10000, share: 0.2, before_date: '2026-10-21' }) });
  });
});

describe('birthdays, maturities and cards', () => {
  it('finds each at its boundary', async () => {
    const td = (matures: string, over: Row = {}): Row => ({ kind: 'time_deposit', product_code: 'TD12', balance: '50000.00', opened_on: '2025-11-01', matures_on: matures, ...over });
    const people = (date: string): Person[] => [
      person('BD7', '1000.00', [], { birth_date: '1980-11-27' }), // D+7
      person('BD8', '1000.00', [], { birth_date: '1980-11-28' }), // D+8
      person('BD0', '1000.00', [], { birth_date: '1980-11-20' }), // on D
      person('ANNIV', '1000.00', [], { opened_on: '2016-11-22' }), // tenth anniversary in two days
      person('MAT7', '1000.00', [td('2026-11-27')]),
      person('MAT8', '1000.00', [td('2026-11-28')]),
      person('MD7', '1000.00', [td('2026-11-13', { status: 'closed' })]), // matured D−7, nothing new
      person('MD8', '1000.00', [td('2026-11-12', { status: 'closed' })]),
      person('MDR', '1000.00', [td('2026-11-15', { status: 'closed' }), { kind: 'wealth', product_code: 'WM1', balance: '50000.00', opened_on: '2026-11-15', matures_on: '2027-05-15' }]),
      person('MDB', '1000.00', [td('2026-11-15', { status: 'closed' }), { kind: 'wealth', product_code: 'WM1', balance: '50000.00', opened_on: '2026-11-14', matures_on: '2027-05-14' }]),
      person('CC', '1000.00', [], {}, [{ grade: 'ordinary', status: date === D ? 'cancelled' : 'active' }]),
      person('VG', '100000.00', [], {}, [{ grade: 'ordinary' }]), // meets gold
      person('VGU', '99999.99', [], {}, [{ grade: 'ordinary' }]),
      person('VP', '500000.00', [], {}, [{ grade: 'gold' }]), // meets platinum
      person('BELOW', '499999.99', [], {}, [{ grade: 'platinum' }]),
      person('ATSTD', '500000.00', [], {}, [{ grade: 'platinum' }, { grade: 'ordinary' }]),
      person('NOCARD', '3000000.00'), // meets diamond, holds nothing
    ];
    await day(P, bank(people(P)));
    await day(D, bank(people(D)));
    expect(await who(D, 'birthday_soon')).toEqual(['BD0', 'BD7']);
    const bd7 = (await events(D, 'birthday_soon')).find((e) => e.customer_id === 'BD7');
    expect(bd7).toMatchObject({ subject: '2026-11-27', kind: 'information', due_on: '2026-11-27', facts: { date: '2026-11-27', turns: 46, days_ahead: 7 } });
    expect((await events(D, 'anniversary_soon')).map((e) => [e.customer_id, e.subject, e.facts.years])).toEqual([['ANNIV', '2026-11-22', 10]]);
    // the anniversary falls on a Sunday: prepared on the Friday before
    expect((await events(D, 'anniversary_soon'))[0]?.due_on).toBe('2026-11-20');
    expect(await who(D, 'maturing')).toEqual(['MAT7']);
    expect((await events(D, 'maturing'))[0]).toMatchObject({ subject: 'MAT7-A1', kind: 'opportunity', facts: expect.objectContaining({ matures_on: '2026-11-27', balance: 50000, days_ahead: 7 }) });
    expect(await who(D, 'matured_not_reinvested')).toEqual(['MD7', 'MDB']);
    expect(await who(D, 'card_cancelled')).toEqual(['CC']);
    expect(await who(P, 'card_cancelled')).toEqual([]);
    expect((await events(D, 'vip_card_due')).map((e) => [e.customer_id, e.subject, e.facts.held ?? null])).toEqual([
      ['NOCARD', 'diamond', null],
      ['VG', 'gold', 'ordinary'],
      ['VP', 'platinum', 'gold'],
    ]);
    expect((await events(D, 'card_below_standard')).map((e) => [e.customer_id, e.subject, e.kind, e.facts.shortfall])).toEqual([['BELOW', 'platinum', 'risk', 0.01]]);
  });

  it('counts 29 February as 28 February in a year without it', async () => {
    await day('2026-02-21', bank([person('LEAP', '1000.00', [], { birth_date: '1988-02-29' }), person('MAR1', '1000.00', [], { birth_date: '1988-03-01' })]));
    expect((await events('2026-02-21', 'birthday_soon')).map((e) => [e.customer_id, e.subject])).toEqual([['LEAP', '2026-02-28']]);
  });
});

describe('festivals', () => {
  const people = () => [person('B3', '200000.00'), person('B2', '199999.99')];
  it('Mid-Autumn 2026 (25 September) from D+3, for band_3 and above', async () => {
    await day('2026-09-21', bank(people())); // D+4
    expect(await events('2026-09-21', 'festival_soon')).toEqual([]);
    await day('2026-09-22', bank(people())); // D+3
    const e = await events('2026-09-22', 'festival_soon');
    expect(e.map((x) => [x.customer_id, x.subject, x.kind])).toEqual([['B3', 'mid_autumn:2026-09-25', 'information']]);
    // Mid-Autumn is a day off: greet on the working day before
    expect(e[0]?.due_on).toBe('2026-09-24');
  });
  it("marks the greeting as in the branch's name from 300万 (seed 000), not one fen under", async () => {
    await day('2026-09-22', bank([person('B5', '3000000.00'), person('B4', '2999999.99')]));
    const e = await events('2026-09-22', 'festival_soon');
    expect(e.map((x) => [x.customer_id, x.facts.band, x.facts.in_branch_name])).toEqual([
      ['B4', 'band_4', false],
      ['B5', 'band_5', true],
    ]);
  });
  it('Spring Festival 2027 (6 February)', async () => {
    await day('2027-02-02', bank(people()));
    expect(await events('2027-02-02', 'festival_soon')).toEqual([]);
    await day('2027-02-03', bank(people()));
    expect((await events('2027-02-03', 'festival_soon')).map((x) => [x.customer_id, x.subject, x.due_on])).toEqual([['B3', 'spring_festival:2027-02-06', '2027-02-05']]);
  });
});

describe('reruns', () => {
  it('a rerun of D adds nothing and leaves the same rows; a correction of D replaces its events', async () => {
    const people = [person('A', '50000.00', [], { birth_date: '1980-11-25' }), person('B', '50000.00')];
    await day(P, bank(people));
    const first = await day(D, bank(people, [txn('A', '25000.00', { txn_id: 'T1001' }), txn('B', '-30000.00', { txn_id: 'T1002' })]));
    expect(first.events).toBe(3);
    const ctid = () => db.session((s) => s.query<{ c: string }>('SELECT ctid::text AS c FROM customer_events ORDER BY customer_id')).then((r) => r.rows.map((x) => x.c));
    const before = await ctid();
    const again = await runEvents(db, D);
    expect(again.events).toBe(3);
    expect(await ctid()).toEqual(before);
    // the corrected feed of D: A was born in December, and B holds a time deposit maturing on the 25th
    const corrected = [person('A', '50000.00', [], { birth_date: '1980-12-25' }), person('B', '50000.00', [{ kind: 'time_deposit', product_code: 'TD12', balance: '80000.00', opened_on: '2025-11-25', matures_on: '2026-11-25' }])];
    await load(D, bank(corrected));
    await runTiering(db, D);
    await runEvents(db, D);
    expect((await events(D)).map((e) => [e.customer_id, e.event, e.subject])).toEqual([
      ['A', 'large_inflow', 'T1001'],
      ['B', 'large_outflow', 'T1002'],
      ['B', 'maturing', 'B-A1'],
      ['B', 'tier_changed', 'relationship_tier'], // 13万 at 41: mass → potential
    ]);
  });

  it('a new version of the events policy applies from its date; the tiering models never see it', async () => {
    const { publishEventsPolicy, builtInEventsPolicy } = await import('./events.policies.js');
    const people = [person('A', '50000.00')];
    const first = await day(P, bank(people, [txn('A', '-15000.00', { booked_at: `${P}T10:00:00+08:00` })]));
    expect(first.policyVersion).toBe(1);
    expect(await who(P, 'large_outflow')).toEqual([]);
    const draft = structuredClone(builtInEventsPolicy());
    draft.events.large_outflow.thresholds.band_2 = 15000;
    await expect(publishEventsPolicy(db, { ...draft, plan: { ...draft.plan, order: [] } }, { publishedBy: 'S1', reason: 'x', effectiveFrom: D })).rejects.toThrow('The events policy is not valid: plan.order');
    await expect(publishEventsPolicy(db, draft, { publishedBy: 'S1', reason: 'x', effectiveFrom: '2026-11-18' })).rejects.toThrow('is before 2026-11-19, the last business date events were detected for');
    const v2 = await publishEventsPolicy(db, draft, { publishedBy: 'S1', reason: '1.5万即提醒', effectiveFrom: D });
    expect(v2.version).toBe(2);
    const second = await day(D, bank(people, [txn('A', '-15000.00')]));
    expect(second.policyVersion).toBe(2);
    expect((await events(D, 'large_outflow')).map((e) => [e.customer_id, e.facts.threshold])).toEqual([['A', 15000]]);
    const { policyVersions } = await import('../tiering/tiering.policies.js');
    expect((await policyVersions(db)).map((v) => v.model)).not.toContain('events');
  });

  it('refuses a date that has not been tiered', async () => {
    await load(D, bank([person('A', '1000.00')]));
    await expect(runEvents(db, D)).rejects.toThrow(`${D} has not been tiered yet`);
  });
});
