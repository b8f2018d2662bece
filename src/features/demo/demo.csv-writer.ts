// A buffered, streaming CSV writer. Rows are encoded straight into a 1 MB byte buffer (no string
// concatenation on the hot path); a full buffer is handed to the file stream, and `flush()`
// waits for 'drain' whenever the stream said its queue is full (backpressure).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const SPECIAL = /[",\r\n]/;

/** One CSV field, quoted per RFC 4180 when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return SPECIAL.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A CSV line (with its trailing newline) from raw field values. */
export function csvLine(fields: readonly (string | number)[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (i > 0) line += ',';
    line += typeof f === 'number' ? String(f) : csvField(f ?? '');
  }
  return line + '\n';
}

/** UTF-8 bytes of a text, for fields written many times over. */
export function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

const BUFFER_SIZE = 1 << 20;
/** ASCII digit pairs '00' … '99'. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}
/** Room kept free for one row written with the byte-level methods. */
export const MAX_ROW_BYTES = 1024;

export class CsvWriter {
  private buf: Buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  private pos = 0;
  private saturated = false;
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  /** Data rows written (the header excluded). */
  rows = 0;
  /** Bytes written so far. */
  bytes = 0;

  private constructor(readonly path: string, header: readonly string[] | undefined) {
    this.stream = createWriteStream(path);
    this.stream.on('error', (err: Error) => {
      this.failure = err;
    });
    if (header) {
      this.push(csvLine(header));
      this.rows = 0;
    }
  }

  /** Open `path` for writing, with a header row when given. */
  static open(path: string, header?: readonly string[]): CsvWriter {
    return new CsvWriter(path, header);
  }

  /** Hand the buffer to the stream and start a new one. */
  private spill(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.bytes += this.pos;
    this.buf = Buffer.allocUnsafe(BUFFER_SIZE);
    this.pos = 0;
    if (!this.stream.write(chunk)) this.saturated = true;
  }

  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.spill();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
  }

  /** True when the stream's queue is full: the caller should `await flush()` soon. */
  get needsFlush(): boolean {
    return this.saturated;
  }

  /** Append one finished line (fields already escaped, ending in '\n'). Returns `needsFlush`. */
  push(line: string): boolean {
    this.ensure(line.length * 3);
    this.pos += this.buf.write(line, this.pos, 'utf8');
    this.rows++;
    return this.saturated;
  }

  /** `push` for a line known to be ASCII only (faster). */
  pushAscii(line: string): boolean {
    const n = line.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) b[p++] = line.charCodeAt(k);
    this.pos = p;
    this.rows++;
    return this.saturated;
  }

  /** Append a row of raw values (escaped here). */
  row(fields: readonly (string | number)[]): boolean {
    return this.push(csvLine(fields));
  }

  // ---- byte-level row building: beginRow, then fields, then endRow (at most MAX_ROW_BYTES)

  beginRow(): void {
    this.ensure(MAX_ROW_BYTES);
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** ASCII text. */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < s.length; k++) b[p++] = s.charCodeAt(k);
    this.pos = p;
  }

  /** Pre-encoded bytes. */
  raw(u: Uint8Array): void {
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < u.length; k++) b[p++] = u[k] ?? 0;
    this.pos = p;
  }

  /** A non-negative integer below 2^31, zero-padded to `width` digits. */
  digits(n: number, width: number): void {
    const b = this.buf;
    const start = this.pos;
    let p = start + width;
    this.pos = p;
    let x = n;
    while (p - start >= 2) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      b[--p] = PAIRS[r + 1] ?? 48;
      b[--p] = PAIRS[r] ?? 48;
      x = q;
    }
    if (p > start) b[--p] = 48 + (x % 10);
  }

  /** A non-negative integer, no padding. */
  uint(n: number): void {
    if (n >= 2147483647) {
      this.ascii(String(n));
      return;
    }
    let w = 1;
    for (let x = n; x >= 10; x = (x / 10) | 0) w++;
    this.digits(n, w);
  }

  /** Integer cents as yuan with two decimals, signed. */
  cents(c: number): void {
    let v = c;
    if (v < 0) {
      this.buf[this.pos++] = 45;
      v = -v;
    }
    const y = Math.floor(v / 100);
    const r = v - y * 100;
    this.uint(y);
    const b = this.buf;
    b[this.pos++] = 46;
    b[this.pos++] = PAIRS[2 * r] ?? 48;
    b[this.pos++] = PAIRS[2 * r + 1] ?? 48;
  }

  endRow(): void {
    this.buf[this.pos++] = 10;
    this.rows++;
  }

  /** Wait until the stream has room again (no-op unless `needsFlush`). */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.saturated) return;
    this.saturated = false;
    // 'drain' may already have come while the caller was busy elsewhere
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain'); // rejects if the stream fails
  }

  /** Write out everything and close the file; resolves once it is on disk. */
  async close(): Promise<void> {
    this.spill();
    await new Promise<void>((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
    if (this.failure) throw this.failure;
  }
}
