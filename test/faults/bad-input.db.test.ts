import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/features/feed/feed.contract.js';
import { feedFolders } from '../../src/features/feed/feed.files.js';
import { loadFeed, type LoadResult } from '../../src/features/feed/feed.load.js';
import type { Db } from '../../src/platform/db.js';
import { buildCustomer, buildFullDay, buildTransaction, feedDir, toCsv, writeFeed, type FeedFiles } from '../feed-builder.js';
import { useDb } from '../test-db.js';
import { differences, fingerprint, seededRandom, type Fingerprint } from './fault-support.js';

// Issue 18, bad input as a bank's operations team meets it: "A half-written CSV (cut mid-line) is
// refused with file and line; a folder without feed.json is left alone; a date folder older than
// the last loaded one is refused with why." Each refusal leaves every table exactly as it was
// (compared row by row, as the kill tests do).

const CUT_OFF = 'the file looks cut off (written or copied only in part); deliver the whole file again';
const messages = (r: LoadResult) => r.problems.map(formatProblem);
const day20 = { business_date: '2026-11-20', mode: 'full' } as const;

/** A full day of the tiny bank for a date (its transactions booked on that date). */
function fullDayOn(date: string): FeedFiles {
  const day = buildFullDay();
  day.transactions = (day.transactions ?? []).map((t) => ({ ...t, booked_at: `${date}T09:30:00+08:00` }));
  return day;
}

/** Nothing of the refused folder was written: every table as before. */
async function expectUnchanged(db: Db, before: Fingerprint): Promise<void> {
  expect(await differences(before, db)).toEqual([]);
}

describe('a CSV cut off while it was written or copied', () => {
  const db = useDb();
  let empty: Fingerprint;
  beforeAll(async () => {
    empty = await fingerprint(db(), { keepRows: true });
  });

  /** The full day with one file's text cut after `keep` (a string the cut text ends with, or a byte count). */
  async function loadCut(file: 'customers' | 'transactions', files: FeedFiles, cutAt: (csv: Buffer) => number): Promise<LoadResult> {
    const csv = Buffer.from(toCsv(file, files[file] ?? []));
    return loadFeed(db(), writeFeed(feedDir(), day20, files, { [`${file}.csv`]: csv.subarray(0, cutAt(csv)) }));
  }
  const after = (text: string) => (csv: Buffer) => csv.lastIndexOf(Buffer.from(text)) + Buffer.byteLength(text);

  it('mid-line: the last line has fewer values than the header and no line break — refused at that line', async () => {
    // transactions.csv: header, T1, then T2 cut after its amount
    const r = await loadCut('transactions', buildFullDay(), after('T2,A3,C2,2026-11-20T09:30:00+08:00,500'));
    expect(messages(r)).toEqual([`transactions.csv line 3: has 5 values but the header has 7 columns, and the file ends on this line without a line break: ${CUT_OFF}`]);
    expect(r.outcome).toBe('refused');
    await expectUnchanged(db(), empty);
  });

  it('inside a quoted value — refused at the line the value began on', async () => {
    const files = buildFullDay();
    files.customers = [buildCustomer(), buildCustomer({ customer_id: 'C2', name: '李四', address: '上海市浦东新区, 世纪大道1号' })];
    const r = await loadCut('customers', files, after('"上海市浦东'));
    expect(messages(r)).toEqual([
      `customers.csv line 3: the file ends inside a quoted value begun on this line, without a line break: ${CUT_OFF} (if it is whole, a " is missing)`,
      // (C2's account and transaction then refer to a customer the cut file does not hold)
      "accounts.csv line 4, column customer_id: customer 'C2' is not in today's customers file",
      "transactions.csv line 3, column customer_id: customer 'C2' is not in the customers file nor loaded before",
    ]);
    await expectUnchanged(db(), empty);
  });

  it('inside a quoted value of several lines — refused at the line the value began on', async () => {
    const files = buildFullDay();
    files.customers = [buildCustomer({ address: '北京市东城区\n电力路1号\n3单元' }), buildCustomer({ customer_id: 'C2', name: '李四' })];
    // cut on the second line of C1's address
    const r = await loadCut('customers', files, (csv) => csv.indexOf(Buffer.from('\n电力路')) + Buffer.byteLength('\n电力路'));
    expect(messages(r)[0]).toBe(`customers.csv line 2: the file ends inside a quoted value begun on this line, without a line break: ${CUT_OFF} (if it is whole, a " is missing)`);
    expect(r.outcome).toBe('refused');
    await expectUnchanged(db(), empty);
  });

  it('in the middle of a character (a Chinese character is 3 bytes) — refused at that line, not taken for a GBK file', async () => {
    const files = buildFullDay();
    const r = await loadCut('customers', files, (csv) => csv.lastIndexOf(Buffer.from('李四')) + 4); // 李 and the first byte of 四
    expect(messages(r)[0]).toBe(`customers.csv line 3: the file ends in the middle of a character on this line: ${CUT_OFF}`);
    expect(r.outcome).toBe('refused');
    await expectUnchanged(db(), empty);
  });

  it('inside its header — refused at line 1', async () => {
    const r = await loadCut('customers', buildFullDay(), after('customer_id,name,gen'));
    expect(r.outcome).toBe('refused');
    expect(messages(r)[0]).toMatch(/^customers\.csv line 1, column gender: required column 'gender' is missing from the header/);
    await expectUnchanged(db(), empty);
  });

  it('at any of 30 seeded random bytes of a file: refused at the line of the cut, or whole lines only (never a short row)', async () => {
    // a file cut right after a line break is a shorter file, whole lines: nothing can tell (that is
    // what writing feed.json last is for); cut inside the last value of a line, the line has all its
    // values and its last one shorter, which loads if it is still valid. Anything else is refused.
    const files = buildFullDay();
    files.transactions = Array.from({ length: 12 }, (_, i) =>
      buildTransaction({ txn_id: `T${i + 1}`, amount: `-${100 + i}.50`, counterparty: i % 3 ? '超市' : '' }),
    );
    const csv = Buffer.from(toCsv('transactions', files.transactions));
    const random = seededRandom(18);
    const header = csv.indexOf(10) + 1;
    for (let k = 0; k < 30; k++) {
      const cut = header + Math.floor(random() * (csv.length - header));
      const text = csv.subarray(0, cut);
      const r = await loadFeed(db(), writeFeed(feedDir(), day20, files, { 'transactions.csv': text }), { dryRun: true });
      const lines = text.toString('utf8').split('\n');
      const partial = lines.at(-1) ?? '';
      const line = lines.length; // the line the cut falls on
      const where = `cut at byte ${cut} (line ${line}: '${partial}')`;
      if (partial === '') {
        expect(r.outcome, where).toBe('checked');
        expect(r.files.find((f) => f.entity === 'transactions')?.rows, where).toBe(line - 2);
      } else if (partial.split(',').length < 7) {
        expect(messages(r), where).toEqual([`transactions.csv line ${line}: has ${partial.split(',').length} values but the header has 7 columns, and the file ends on this line without a line break: ${CUT_OFF}`]);
      } else if (r.outcome === 'checked') {
        // the last value (counterparty, free text) cut short: a whole line to the reader
        expect(r.files.find((f) => f.entity === 'transactions')?.rows, where).toBe(line - 1);
      } else {
        expect(messages(r).every((m) => m.startsWith(`transactions.csv line ${line}`)), `${where}: ${messages(r).join('; ')}`).toBe(true);
      }
    }
    await expectUnchanged(db(), empty);
  });
});

describe('a folder without feed.json is left alone', () => {
  const db = useDb();

  it('is not among the folders to load, nothing of it is written, and it loads once feed.json is there', async () => {
    const inbox = feedDir();
    const d19 = writeFeed(path.join(inbox, '2026-11-19'), { business_date: '2026-11-19', mode: 'full' }, fullDayOn('2026-11-19'));
    // the bank is still writing 2026-11-20: its files are there (one cut mid-line), its feed.json not yet
    const d20 = path.join(inbox, '2026-11-20');
    writeFeed(d20, day20, fullDayOn('2026-11-20'), { 'transactions.csv': toCsv('transactions', fullDayOn('2026-11-20').transactions ?? []).slice(0, -30) });
    renameSync(path.join(d20, 'feed.json'), path.join(inbox, 'feed.json.pending'));
    expect(feedFolders(inbox)).toEqual([d19]);
    expect((await loadFeed(db(), d19)).outcome).toBe('loaded');
    const before = await fingerprint(db(), { keepRows: true });

    // asked for by name, it is refused with why, and nothing is written
    const r = await loadFeed(db(), d20);
    expect(r.outcome).toBe('refused');
    expect(messages(r)).toEqual(['feed.json: is missing; it says the business date and whether the day is full or delta']);
    await expectUnchanged(db(), before);

    // the bank finishes its files, then writes feed.json (any case of the name)
    writeFileSync(path.join(d20, 'transactions.csv'), toCsv('transactions', fullDayOn('2026-11-20').transactions ?? []));
    renameSync(path.join(inbox, 'feed.json.pending'), path.join(d20, 'FEED.JSON'));
    expect(feedFolders(inbox)).toEqual([d19, d20]);
    expect((await loadFeed(db(), d19)).outcome).toBe('unchanged');
    expect((await loadFeed(db(), d20)).outcome).toBe('loaded');
  });

  it('a feed.json still being written (no date to read yet) comes after the dates that have one', async () => {
    const inbox = feedDir();
    // named to sort first, yet its date cannot be read
    const half = path.join(inbox, '2026-11-01');
    mkdirSync(half, { recursive: true });
    writeFileSync(path.join(half, 'feed.json'), '{"business_da');
    const d21 = writeFeed(path.join(inbox, '2026-11-21'), { business_date: '2026-11-21', mode: 'full' }, fullDayOn('2026-11-21'));
    expect(feedFolders(inbox)).toEqual([d21, half]);
    const before = await fingerprint(db());
    const r = await loadFeed(db(), half);
    expect(messages(r)).toEqual(['feed.json: is not valid JSON (expected {"business_date": "YYYY-MM-DD", "mode": "full" or "delta"})']);
    await expectUnchanged(db(), before);
  });
});

describe('a date folder older than the last loaded one', () => {
  const db = useDb();

  it('is refused with why, and nothing of it is written; the same files as loaded before change nothing', async () => {
    const d19 = writeFeed(feedDir(), { business_date: '2026-11-19', mode: 'full' }, fullDayOn('2026-11-19'));
    const d20 = writeFeed(feedDir(), day20, fullDayOn('2026-11-20'));
    expect((await loadFeed(db(), d19)).outcome).toBe('loaded');
    expect((await loadFeed(db(), d20)).outcome).toBe('loaded');
    const before = await fingerprint(db(), { keepRows: true });

    // the same folder again: already loaded, nothing to do
    expect((await loadFeed(db(), d19)).outcome).toBe('unchanged');
    // delivered again with other content (a correction), or a date never loaded before the latest
    const corrected = fullDayOn('2026-11-19');
    corrected.customers = [buildCustomer({ risk_level: 'C4' }), ...(corrected.customers ?? []).slice(1)];
    const later19 = writeFeed(feedDir(), { business_date: '2026-11-19', mode: 'full' }, corrected);
    const d18 = writeFeed(feedDir(), { business_date: '2026-11-18', mode: 'full' }, fullDayOn('2026-11-18'));
    for (const [folder, date] of [[later19, '2026-11-19'], [d18, '2026-11-18']] as const) {
      const r = await loadFeed(db(), folder);
      expect(r.outcome).toBe('refused');
      expect(messages(r)).toEqual([
        `feed.json, column business_date: ${date} is earlier than 2026-11-20, the latest business date already loaded; business dates load in order, so this folder is not loaded (what it would change can come with the next date's files)`,
      ]);
      await expectUnchanged(db(), before);
    }
  });
});
