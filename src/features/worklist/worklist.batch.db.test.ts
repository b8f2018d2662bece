import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAccount, buildBranches, buildCard, buildCustomer, buildProducts, buildStaff, buildTransaction, feedDir, validIdNumber, writeFeed, type FeedFiles, type Row } from '../../../test/feed-builder.js';
import { openTestDb } from '../../../test/test-db.js';
import type { Db } from '../../platform/db.js';
import { runEvents } from '../events/events.batch.js';
import { builtInEventsPolicy, publishEventsPolicy } from '../events/events.policies.js';
import { loadFeed } from '../feed/feed.load.js';
import { runTiering } from '../tiering/tiering.batch.js';
import { runWorklist } from './worklist.batch.js';

// The worklist step on a tiny bank: S2 (customer manager) is the primary owner, S3 a co-owner,
// S4 an inactive manager. D is a Friday: the plans of D are for Monday 2026-11-23.

let db: Db;
beforeEach(async () => {
  db = await openTestDb();
});
afterEach(async () => {
  await db.close();
});

const D = '2026-11-20';
const P = '2026-11-19';
const W = '2026-11-23';
let n = 0;

interface Person {
  customer: Row;
  accounts: Row[];
  cards: Row[];
}
/** A customer with one current account; a card of the grade its AUM meets, so that no card event fires unless asked. */
function person(id: string, balance: string, over: Row = {}, card?: string): Person {
  n++;
  const aum = Number(balance);
  const grade = card ?? (aum >= 3_000_000 ? 'diamond' : aum >= 500_000 ? 'platinum' : aum >= 100_000 ? 'gold' : 'ordinary');
  return {
    customer: buildCustomer({ customer_id: id, name: `客户${id}`, id_number: validIdNumber('19850315', String(100 + (n % 900)).padStart(3, '0')), phone: `1390000${String(n % 10000).padStart(4, '0')}`, ...over }),
    accounts: [buildAccount({ account_id: `${id}-A0`, customer_id: id, balance })],
    cards: [buildCard({ card_id: `${id}-K0`, customer_id: id, grade })],
  };
}
const STAFF = [...buildStaff(), { staff_id: 'S3', name: '赵敏', branch_id: 'B111', role: 'customer_manager', active: 'true' }, { staff_id: 'S4', name: '孙亮', branch_id: 'B111', role: 'customer_manager', active: 'false' }];
const bank = (people: Person[], transactions: Row[] = []): FeedFiles => ({
  branches: buildBranches(), staff: STAFF, products: buildProducts(),
  customers: people.map((p) => p.customer), accounts: people.flatMap((p) => p.accounts), cards: people.flatMap((p) => p.cards), loans: [], transactions,
});
let t = 0;
const txn = (customer: string, amount: string, date = D): Row => buildTransaction({ txn_id: `T${++t}`, customer_id: customer, account_id: `${customer}-A0`, amount, booked_at: `${date}T10:00:00+08:00`, channel: 'mobile' });

const sql = <R = Record<string, unknown>>(text: string, params: unknown[] = []) => db.session(async (s) => (await s.query<R>(text, params)).rows);
/** Loads a date, tiers it, detects its events and makes its worklist. */
async function day(date: string, files: FeedFiles) {
  const r = await loadFeed(db, writeFeed(path.join(feedDir(), date), { business_date: date, mode: 'full' }, files));
  expect(r.outcome, JSON.stringify(r.problems)).toBe('loaded');
  await runTiering(db, date);
  await runEvents(db, date);
  return runWorklist(db, date);
}
/** Owners as the ownership feature writes them, assigned long ago unless said. */
async function own(rows: [customer: string, staff: string, kind: 'primary' | 'co', since?: string][]) {
  for (const [c, s, kind, since] of rows) {
    await sql(`INSERT INTO customer_owners (customer_id, staff_id, kind, source, assigned_by, since) VALUES ($1, $2, $3, 'manual', 'test', $4::timestamptz)`, [c, s, kind, since ?? '2026-01-01T09:00:00+08:00']);
  }
}
const contact = (customer: string, staff: string, at: string, next: string | null = null) =>
  sql(`INSERT INTO contact_log (customer_id, staff_id, contacted_at, channel, outcome, next_contact_on) VALUES ($1, $2, $3::timestamptz, 'phone', 'reached', $4::date)`, [customer, staff, at, next]);

interface ReminderRow { customer_id: string; staff_id: string; event: string; occurrence: string; kind: string; status: string; first_date: string; last_date: string; due_on: string; facts: Record<string, unknown>; contact_id: string | null }
const reminders = (where = 'true', params: unknown[] = []) =>
  sql<ReminderRow>(`SELECT customer_id, staff_id, event, occurrence, kind, status, first_date, last_date, due_on, facts, contact_id FROM reminders WHERE ${where} ORDER BY customer_id, staff_id, event, occurrence`, params);
interface ItemRow { customer_id: string; position: number; reason: string; service_only: boolean; source: string; status: string; facts: Record<string, unknown> }
const items = (staff = 'S2', date = D) =>
  sql<ItemRow>('SELECT customer_id, position, reason, service_only, source, status, facts FROM contact_plan_items WHERE staff_id = $1 AND plan_date = $2::date ORDER BY position', [staff, date]);
const BIRTHDAY = { birth_date: '1980-11-25' };

describe('reminders', () => {
  it('gives every active owner one reminder per occurrence, refreshes it while detected, never reopens a closed one, and expires a day that has passed', async () => {
    const first = [person('B', '60000.00', BIRTHDAY), person('X', '60000.00', { birth_date: '1980-11-19' }), person('Z', '60000.00', { birth_date: '1981-11-26' })];
    await day(P, bank(first)); // no owners yet: nothing to remind
    expect(await reminders()).toEqual([]);
    await own([['B', 'S2', 'primary'], ['B', 'S3', 'co'], ['B', 'S4', 'co'], ['X', 'S2', 'primary'], ['Z', 'S2', 'primary']]);
    await runWorklist(db, P); // a rerun of P, now with owners
    expect((await reminders("event = 'birthday_soon'")).map((r) => [r.customer_id, r.staff_id, r.occurrence, r.status])).toEqual([
      ['B', 'S2', '2026-11-25', 'open'], ['B', 'S3', '2026-11-25', 'open'], // S4 is inactive: none
      ['X', 'S2', '2026-11-19', 'open'], ['Z', 'S2', '2026-11-26', 'open'],
    ]);
    await sql(`UPDATE reminders SET status = 'dismissed', closed_reason = '已电话问候', closed_by = 'S2', closed_at = now() WHERE customer_id = 'Z'`);
    const r = await day(D, bank(first));
    const birthdays = await reminders("event = 'birthday_soon'");
    expect(birthdays.map((x) => [x.customer_id, x.staff_id, x.status, x.first_date, x.last_date, x.kind])).toEqual([
      ['B', 'S2', 'open', P, D, 'information'], ['B', 'S3', 'open', P, D, 'information'], // one reminder, refreshed
      ['X', 'S2', 'expired', P, P, 'information'], // the birthday was on P: passed
      ['Z', 'S2', 'dismissed', P, P, 'information'], // detected again on D, stays closed
    ]);
    expect(birthdays[0]?.facts).toMatchObject({ date: '2026-11-25', days_ahead: 5, turns: 46 });
    expect(r.expired).toBe(1);
    // a rerun of D changes nothing
    const before = await reminders();
    await runWorklist(db, D);
    expect(await reminders()).toEqual(before);
    expect((await reminders("event = 'birthday_soon'")).map((x) => x.status)).toEqual(['open', 'open', 'expired', 'dismissed']);
  });

  it('makes a tier change on each of two dates two reminders, and one per large transaction for both owners', async () => {
    await day('2026-11-18', bank([person('T', '190000.00')]));
    await own([['T', 'S2', 'primary'], ['T', 'S3', 'co']]);
    await runWorklist(db, '2026-11-18');
    await day(P, bank([person('T', '220000.00')], [txn('T', '-60000.00', P)]));
    await day(D, bank([person('T', '150000.00')]));
    const tiers = await reminders("event = 'tier_changed' AND staff_id = 'S2'");
    expect(tiers.map((x) => [x.occurrence, x.kind, x.facts.from, x.facts.to, x.status])).toEqual([
      [`aum_band:${P}`, 'opportunity', 'band_2', 'band_3', 'open'],
      [`aum_band:${D}`, 'information', 'band_3', 'band_2', 'open'],
    ]);
    const outflows = await reminders("event = 'large_outflow'");
    expect(outflows.map((x) => [x.staff_id, x.kind, x.occurrence, x.due_on])).toEqual([['S2', 'risk', expect.stringMatching(/^T\d+$/), P], ['S3', 'risk', expect.stringMatching(/^T\d+$/), P]]);
  });

  it('keeps one reminder while a state lasts (vip card due), and closes a contact task once a contact is recorded', async () => {
    // 150,000 with only an ordinary card: a gold card is due on both dates
    await day(P, bank([person('V', '150000.00', {}, 'ordinary')]));
    await own([['V', 'S2', 'primary']]);
    await runWorklist(db, P);
    const task = await reminders("event = 'contact_due'");
    // band_2 (90 days), owned since 2026-01-01 and never contacted: due from 2026-04-02 (older than 90 days on that day)
    expect(task.map((x) => [x.staff_id, x.kind, x.occurrence, x.status, x.due_on])).toEqual([['S2', 'work_task', '2026-04-02', 'open', '2026-11-20']]);
    await sql(`UPDATE reminders SET status = 'done', closed_by = 'S2', closed_at = now() WHERE event = 'vip_card_due'`);
    await contact('V', 'S3', `${D}T09:00:00+08:00`); // S3 is no owner: does not count
    await day(D, bank([person('V', '150000.00', {}, 'ordinary')]));
    expect((await reminders("event = 'vip_card_due'")).map((x) => [x.occurrence, x.status])).toEqual([[`gold:${P}`, 'done']]);
    expect((await reminders("event = 'contact_due'")).map((x) => x.status)).toEqual(['open']);
    await sql(`DELETE FROM contact_log`);
    await contact('V', 'S2', `${D}T09:00:00+08:00`);
    await runWorklist(db, D);
    const [done] = await reminders("event = 'contact_due'");
    expect(done).toMatchObject({ status: 'done', occurrence: '2026-04-02' });
    expect(done?.contact_id).toEqual(expect.any(String));
  });

  it('refuses a date whose events are not detected, or before the last worklist date, saying what to run', async () => {
    await day(P, bank([person('A', '60000.00')]));
    const r = await loadFeed(db, writeFeed(path.join(feedDir(), D), { business_date: D, mode: 'full' }, bank([person('A', '60000.00')])));
    expect(r.outcome).toBe('loaded');
    await runTiering(db, D);
    await expect(runWorklist(db, D)).rejects.toThrow(`The events of ${D} have not been detected: run the batch for ${D}`);
    await runEvents(db, D);
    await runWorklist(db, D);
    await expect(runWorklist(db, P)).rejects.toThrow(`${P} is before ${D}, the last business date reminders and plans were made for`);
  });
});

describe('contact plans', () => {
  it('orders risk, then opportunity, then due contacts, each by AUM, a customer once, cut at the size setting', async () => {
    const draft = structuredClone(builtInEventsPolicy());
    draft.plan.size = 4;
    await publishEventsPolicy(db, draft, { publishedBy: 'S1', reason: 'test', effectiveFrom: D });
    const people = [
      person('RLO', '250000.00'), person('RHI', '400000.00'), person('OPP', '900000.00'),
      person('DHI', '2000000.00'), person('DLO', '600000.00'), person('S3C', '1000000.00'), person('OFF', '800000.00'),
    ];
    const files = bank(people, [txn('RLO', '-60000.00'), txn('RHI', '-60000.00'), txn('RHI', '150000.00'), txn('OPP', '150000.00')]);
    const load = await loadFeed(db, writeFeed(path.join(feedDir(), D), { business_date: D, mode: 'full' }, files));
    expect(load.outcome).toBe('loaded');
    await own([['RLO', 'S2', 'primary'], ['RHI', 'S2', 'primary'], ['OPP', 'S2', 'primary'], ['DHI', 'S2', 'primary'], ['DLO', 'S2', 'primary'], ['S3C', 'S3', 'primary'], ['S3C', 'S2', 'co'], ['OFF', 'S4', 'primary']]);
    await runTiering(db, D);
    await runEvents(db, D);
    const r = await runWorklist(db, D);
    expect(r.workDate).toBe(W);
    const plan = await items();
    expect(plan.map((i) => [i.position, i.customer_id, i.reason])).toEqual([[1, 'RHI', 'risk'], [2, 'RLO', 'risk'], [3, 'OPP', 'opportunity'], [4, 'DHI', 'due_contact']]);
    expect(plan[0]?.facts).toMatchObject({ reminders: [expect.objectContaining({ event: 'large_outflow' })], frequency_days: 30, aum: 400000 });
    expect((await items('S3')).map((i) => i.customer_id)).toEqual(['S3C']); // co-owner S2 gets no item for it
    expect(await items('S4')).toEqual([]); // inactive
    expect(await sql("SELECT staff_id, work_date, size, branch_id FROM contact_plans ORDER BY staff_id")).toEqual([
      { staff_id: 'S2', work_date: W, size: 4, branch_id: 'B111' }, { staff_id: 'S3', work_date: W, size: 4, branch_id: 'B111' },
    ]);
    expect(await reminders("staff_id = 'S4'")).toEqual([]);
  });

  it('is due when the last contact is older than the frequency on the work date, or the next contact date has come; do-not-disturb stays, marked', async () => {
    const people = [
      person('F30', '600000.00'), person('F31', '600000.00'), // band_4: 30 days
      person('NEXT', '60000.00'), person('LATER', '60000.00'), // band_2: 90 days, contacted 10 days ago
      person('DND', '60000.00', { do_not_disturb: 'true' }), person('LOW', '5000.00'), // band_1: no duty
      person('NEW', '60000.00'), // owned since 2026-09-01: 83 days by the work date
    ];
    const load = await loadFeed(db, writeFeed(path.join(feedDir(), D), { business_date: D, mode: 'full' }, bank(people)));
    expect(load.outcome).toBe('loaded');
    await own([['F30', 'S2', 'primary'], ['F31', 'S2', 'primary'], ['NEXT', 'S2', 'primary'], ['LATER', 'S2', 'primary'], ['DND', 'S2', 'primary'], ['LOW', 'S2', 'primary'], ['NEW', 'S2', 'primary', '2026-09-01T09:00:00+08:00']]);
    await contact('F30', 'S2', '2026-10-24T09:00:00+08:00'); // 30 days before Monday 11-23
    await contact('F31', 'S2', '2026-10-23T23:30:00+08:00'); // 31 days (China time)
    await contact('NEXT', 'S2', '2026-11-13T09:00:00+08:00', W);
    await contact('LATER', 'S2', '2026-11-13T09:00:00+08:00', '2026-11-24');
    await runTiering(db, D);
    await runEvents(db, D);
    await runWorklist(db, D);
    const plan = await items();
    expect(plan.map((i) => [i.customer_id, i.reason, i.service_only])).toEqual([['F31', 'due_contact', false], ['DND', 'due_contact', true], ['NEXT', 'next_contact', false]]);
    expect(plan[0]?.facts).toMatchObject({ days_since_contact: 31, frequency_days: 30, last_contact_on: '2026-10-23', as_of: W });
    expect(plan[2]?.facts).toMatchObject({ next_contact_on: W, days_since_contact: 10 });
    expect((await reminders("event = 'contact_due'")).map((x) => [x.customer_id, x.occurrence])).toEqual([['DND', '2026-04-02'], ['F31', '2026-11-23'], ['NEXT', W]]);

    // the owner's changes survive a rerun of D: removed, moved, added by hand
    await sql(`UPDATE contact_plan_items SET status = 'removed', changed_by = 'S2' WHERE customer_id = 'DND'`);
    await sql(`UPDATE contact_plan_items SET position = 1, changed_by = 'S2' WHERE customer_id = 'NEXT'`);
    await sql(`UPDATE contact_plan_items SET position = 3 WHERE customer_id = 'F31'`);
    await sql(`INSERT INTO contact_plan_items (customer_id, staff_id, plan_date, position, reason, facts, source, changed_by) VALUES ('LOW', 'S2', $1::date, 4, 'manual', '{}', 'manual', 'S2')`, [D]);
    await contact('F30', 'S2', '2026-10-20T09:00:00+08:00'); // an older entry: F30 stays not due
    await runWorklist(db, D);
    expect((await items()).map((i) => [i.position, i.customer_id, i.source, i.status])).toEqual([
      [1, 'NEXT', 'batch', 'planned'], [2, 'DND', 'batch', 'removed'], [3, 'F31', 'batch', 'planned'], [4, 'LOW', 'manual', 'planned'],
    ]);
  });
});
