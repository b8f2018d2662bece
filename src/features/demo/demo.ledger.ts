// The transaction file of a business day: numbering (txn_id), and each transaction encoded
// straight into the CSV writer's byte buffer.
import { compactDate, formatDate } from './demo.dates.js';
import { utf8, type CsvWriter } from './demo.csv-writer.js';
import { CHANNEL_BYTES, party } from './demo.flows.js';

const CENTS: readonly string[] = Array.from({ length: 100 }, (_, i) => '.' + String(i).padStart(2, '0'));

/** Cents (an integer) as yuan with two decimals. */
export function formatCents(c: number): string {
  if (c < 0) {
    const a = -c;
    const y = Math.floor(a / 100);
    return '-' + y + (CENTS[a - y * 100] ?? '.00');
  }
  const y = Math.floor(c / 100);
  return y + (CENTS[c - y * 100] ?? '.00');
}

const ZEROS10 = '0000000000';

/** 'A' and 10 digits. */
export function accountId(a: number): string {
  const s = String(a + 1);
  return 'A' + ZEROS10.slice(s.length) + s;
}

const EMPTY = new Uint8Array(0);
const TZ = utf8('+08:00,');

export class Ledger {
  private tx: CsvWriter | undefined;
  private seq = 0;
  private datePrefix: Uint8Array = EMPTY;
  private idPrefix: Uint8Array = EMPTY;
  private readonly texts = new Map<string, Uint8Array>();
  /** Transactions written in all. */
  written = 0;

  /** Start the transactions of `day`, written to `tx`. */
  startDay(day: number, tx: CsvWriter): void {
    this.tx = tx;
    this.seq = 0;
    this.datePrefix = utf8(formatDate(day) + 'T');
    this.idPrefix = utf8('T' + compactDate(day));
  }

  /** True when the writer wants an `await drain()`. */
  get full(): boolean {
    return this.tx?.needsFlush === true;
  }

  async drain(): Promise<void> {
    if (this.tx?.needsFlush) await this.tx.flush();
  }

  /** A counterparty made of text that varies (product names), encoded once. */
  text(s: string): Uint8Array {
    let t = this.texts.get(s);
    if (!t) {
      t = party(s);
      this.texts.set(s, t);
    }
    return t;
  }

  /** Write one transaction: account a, customer i, second of the day, signed cents. */
  emit(acct: number, cust: number, sec: number, cents: number, channel: number, counterparty: Uint8Array): void {
    const w = this.tx;
    if (!w) return;
    this.seq++;
    this.written++;
    w.beginRow();
    w.raw(this.idPrefix);
    w.digits(this.seq, 9);
    w.byte(44);
    w.byte(65); // A
    w.digits(acct + 1, 10);
    w.byte(44);
    w.byte(67); // C
    w.digits(cust + 1, 9);
    w.byte(44);
    w.raw(this.datePrefix);
    const h = (sec / 3600) | 0;
    const m = ((sec - h * 3600) / 60) | 0;
    w.digits(h, 2);
    w.byte(58);
    w.digits(m, 2);
    w.byte(58);
    w.digits(sec - h * 3600 - m * 60, 2);
    w.raw(TZ);
    w.cents(cents);
    w.byte(44);
    w.raw(CHANNEL_BYTES[channel] ?? EMPTY);
    w.byte(44);
    w.raw(counterparty);
    w.endRow();
  }
}
