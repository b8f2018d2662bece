// Writing the reference and snapshot files of a feed folder: complete on a full day, only the
// new or changed rows on a delta day (a file with nothing to say is not created).
import { join } from 'node:path';
import { CsvWriter, csvLine, utf8 } from './demo.csv-writer.js';
import { formatDate } from './demo.dates.js';
import { BANK_NAME, KIND_NAMES, PRODUCTS, type BankNetwork } from './demo.bank.js';
import { CUSTOMER_HEADER, customerId, customerLine, type CustomerContext } from './demo.customers.js';
import { formatCents } from './demo.ledger.js';
import type { Stores } from './demo.portfolio.js';
import { CARD_CANCELLED, NO_DATE, STATUS_CLOSED, UNWRITTEN } from './demo.state.js';
import { Rng } from './demo.random.js';

export const GRADES = ['ordinary', 'gold', 'platinum', 'diamond'] as const;

export function cardId(c: number): string {
  return 'K' + String(10_000_000_000 + c + 1).slice(1);
}

export function loanId(l: number): string {
  return 'L' + String(10_000_000_000 + l + 1).slice(1);
}

/** Formatted dates (as text and as bytes), computed once per day number. */
class DateText {
  private readonly cache = new Map<number, string>();
  private readonly bytes = new Map<number, Uint8Array>();

  get(day: number): string {
    if (day === NO_DATE) return '';
    let s = this.cache.get(day);
    if (s === undefined) {
      s = formatDate(day);
      this.cache.set(day, s);
    }
    return s;
  }

  utf8(day: number): Uint8Array {
    let b = this.bytes.get(day);
    if (b === undefined) {
      b = utf8(this.get(day));
      this.bytes.set(day, b);
    }
    return b;
  }
}

const KIND_BYTES = KIND_NAMES.map((k) => utf8(k));
const PRODUCT_BYTES = PRODUCTS.map((p) => utf8(p.code));
const GRADE_BYTES = GRADES.map((g) => utf8(g));
const ACTIVE = utf8('active');
const CLOSED = utf8('closed');
const CANCELLED = utf8('cancelled');
const NONE = new Uint8Array(0);

/** Opens its file on the first row only, so that an empty delta file is never created. */
class LazyWriter {
  private writer: CsvWriter | undefined;

  constructor(
    private readonly path: string,
    private readonly header: readonly string[],
  ) {}

  /** The file's writer, opened on first use (for rows built byte by byte). */
  open(): CsvWriter {
    if (!this.writer) this.writer = CsvWriter.open(this.path, this.header);
    return this.writer;
  }

  /** Append a line; true when the caller should `await flush()`. */
  push(line: string): boolean {
    if (!this.writer) this.writer = CsvWriter.open(this.path, this.header);
    return this.writer.push(line);
  }

  pushAscii(line: string): boolean {
    if (!this.writer) this.writer = CsvWriter.open(this.path, this.header);
    return this.writer.pushAscii(line);
  }

  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  async close(): Promise<{ rows: number; bytes: number } | undefined> {
    if (!this.writer) return undefined;
    await this.writer.close();
    return { rows: this.writer.rows, bytes: this.writer.bytes };
  }
}

export interface FileStats {
  file: string;
  rows: number;
  bytes: number;
}

export type SnapshotProgress = (done: number, total: number, phase: string) => void;

const FUND_HOUSES = ['钱江基金管理有限公司', '华安基金管理有限公司', '东方基金管理有限公司'];
const INSURERS = ['钱江人寿保险股份有限公司', '安康人寿保险股份有限公司'];

/** products.csv's optional issuer: funds and insurance come from other companies, the rest is the bank's own. */
function issuerOf(kind: string, i: number): string {
  if (kind === 'fund') return FUND_HOUSES[i % FUND_HOUSES.length] ?? '';
  if (kind === 'insurance') return INSURERS[i % INSURERS.length] ?? '';
  return BANK_NAME;
}

/**
 * Some households: neighbouring adult customers (an even number and the next) married, about one
 * pair in eight, by a hash of the pair so that no other file changes. One direction is written;
 * the loader stores both.
 */
async function writeRelations(path: string, day: number, ctx: CustomerContext, cs: Stores['customers']): Promise<FileStats> {
  const lines: string[] = [];
  for (let i = 0; i + 1 < cs.n; i += 2) {
    const h = (Math.imul(i + 7, 2246822519) ^ Math.imul(ctx.seed + 3, 3266489917)) >>> 0;
    if ((h >>> 13) % 8 !== 0) continue;
    if ((cs.openedDay[i] ?? 0) > day || (cs.openedDay[i + 1] ?? 0) > day) continue;
    if ((cs.age[i] ?? 0) < 22 || (cs.age[i + 1] ?? 0) < 22) continue;
    lines.push(csvLine([customerId(i), customerId(i + 1), 'spouse']));
  }
  return writeAll(path, ['customer_id', 'related_customer_id', 'relation'], lines);
}

async function writeAll(path: string, header: readonly string[], lines: readonly string[]): Promise<FileStats> {
  const w = CsvWriter.open(path, header);
  for (const line of lines) if (w.push(line)) await w.flush();
  await w.close();
  return { file: path, rows: w.rows, bytes: w.bytes };
}

/** branches.csv, staff.csv and products.csv. */
export async function writeReference(dir: string, network: BankNetwork): Promise<FileStats[]> {
  return [
    await writeAll(
      join(dir, 'branches.csv'),
      ['branch_id', 'name', 'parent_id', 'level'],
      network.branches.map((b) => csvLine([b.id, b.name, b.parentId, b.level])),
    ),
    await writeAll(
      join(dir, 'staff.csv'),
      ['staff_id', 'name', 'branch_id', 'role', 'active'],
      network.staff.map((s) => csvLine([s.id, s.name, s.branchId, s.role, s.active ? 'true' : 'false'])),
    ),
    await writeAll(
      join(dir, 'products.csv'),
      ['product_code', 'name', 'kind', 'risk_level', 'min_amount', 'issuer'],
      PRODUCTS.map((p, i) => csvLine([p.code, p.name, p.kind, `R${p.risk}`, `${p.minAmount}.00`, issuerOf(p.kind, i)])),
    ),
  ];
}

/**
 * customers.csv, accounts.csv, cards.csv and loans.csv as at the end of `day`: everything that
 * exists then when `full`, otherwise only rows new or changed since they were last written.
 */
export async function writeSnapshots(
  dir: string,
  day: number,
  full: boolean,
  ctx: CustomerContext,
  s: Stores,
  progress?: SnapshotProgress,
): Promise<FileStats[]> {
  const dates = new DateText();
  const stats: FileStats[] = [];
  const done = async (name: string, w: LazyWriter): Promise<void> => {
    if (full) w.open(); // a full day carries every snapshot file, even one with no rows
    const r = await w.close();
    if (r) stats.push({ file: join(dir, name), ...r });
  };
  const rng = new Rng();

  const cs = s.customers;
  const cw = new LazyWriter(join(dir, 'customers.csv'), CUSTOMER_HEADER);
  for (let i = 0; i < cs.n; i++) {
    if ((i & 65535) === 65535 && progress) progress(i + 1, cs.n, 'snapshot customers');
    if ((cs.openedDay[i] ?? 0) > day) continue;
    if (full || cs.written[i] === 0 || cs.changedDay[i] === day) {
      if (cw.push(customerLine(ctx, cs, i, rng))) await cw.flush();
      cs.written[i] = 1;
    }
  }
  await done('customers.csv', cw);
  // relations.csv (an optional file, complete whenever present): on a full day only
  if (full) stats.push(await writeRelations(join(dir, 'relations.csv'), day, ctx, cs));

  const a = s.accounts;
  const aw = new LazyWriter(join(dir, 'accounts.csv'), [
    'account_id', 'customer_id', 'kind', 'product_code', 'balance', 'opened_on', 'matures_on', 'status',
  ]);
  for (let k = 0; k < a.size; k++) {
    if ((k & 262143) === 262143 && progress) progress(k + 1, a.size, 'snapshot accounts');
    if ((a.opened[k] ?? 0) > day) continue;
    const balance = a.balance[k] ?? 0;
    const status = a.status[k] ?? 0;
    if (!full && a.outStatus[k] !== UNWRITTEN && a.outStatus[k] === status && a.outBalance[k] === balance) continue;
    a.outStatus[k] = status;
    a.outBalance[k] = balance;
    const w = aw.open();
    w.beginRow();
    w.byte(65); // A
    w.digits(k + 1, 10);
    w.byte(44);
    w.byte(67); // C
    w.digits((a.cust[k] ?? 0) + 1, 9);
    w.byte(44);
    w.raw(KIND_BYTES[a.kind[k] ?? 0] ?? NONE);
    w.byte(44);
    w.raw(PRODUCT_BYTES[a.product[k] ?? 0] ?? NONE);
    w.byte(44);
    w.cents(balance);
    w.byte(44);
    w.raw(dates.utf8(a.opened[k] ?? 0));
    w.byte(44);
    const matures = a.matures[k] ?? NO_DATE;
    if (matures !== NO_DATE) w.raw(dates.utf8(matures));
    w.byte(44);
    w.raw(status === STATUS_CLOSED ? CLOSED : ACTIVE);
    w.endRow();
    if (w.needsFlush) await w.flush();
  }
  await done('accounts.csv', aw);

  const c = s.cards;
  const kw = new LazyWriter(join(dir, 'cards.csv'), ['card_id', 'customer_id', 'grade', 'issued_on', 'status']);
  for (let k = 0; k < c.size; k++) {
    if ((c.issued[k] ?? 0) > day) continue;
    const status = c.status[k] ?? 0;
    if (!full && c.outStatus[k] !== UNWRITTEN && c.outStatus[k] === status) continue;
    c.outStatus[k] = status;
    const w = kw.open();
    w.beginRow();
    w.byte(75); // K
    w.digits(k + 1, 10);
    w.byte(44);
    w.byte(67); // C
    w.digits((c.cust[k] ?? 0) + 1, 9);
    w.byte(44);
    w.raw(GRADE_BYTES[c.grade[k] ?? 0] ?? NONE);
    w.byte(44);
    w.raw(dates.utf8(c.issued[k] ?? 0));
    w.byte(44);
    w.raw(status === CARD_CANCELLED ? CANCELLED : ACTIVE);
    w.endRow();
    if (w.needsFlush) await w.flush();
  }
  await done('cards.csv', kw);

  const l = s.loans;
  const lw = new LazyWriter(join(dir, 'loans.csv'), ['loan_id', 'customer_id', 'principal', 'outstanding', 'overdue_days', 'opened_on']);
  for (let k = 0; k < l.size; k++) {
    if ((l.opened[k] ?? 0) > day) continue;
    const outstanding = l.outstanding[k] ?? 0;
    const overdue = l.overdue[k] ?? 0;
    if (!full && l.written[k] === 1 && l.outOutstanding[k] === outstanding && l.outOverdue[k] === overdue) continue;
    l.written[k] = 1;
    l.outOutstanding[k] = outstanding;
    l.outOverdue[k] = overdue;
    if (lw.pushAscii(
      loanId(k) + ',' + customerId(l.cust[k] ?? 0) + ',' + formatCents(l.principal[k] ?? 0) + ',' + formatCents(outstanding) +
        ',' + overdue + ',' + dates.get(l.opened[k] ?? 0) + '\n',
    )) {
      await lw.flush();
    }
  }
  await done('loans.csv', lw);
  return stats;
}
