// Reading generated feed folders back, for the demo generator's tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export type Row = Record<string, string>;

/** Parse RFC 4180 CSV text into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface CsvFile {
  header: string[];
  rows: Row[];
}

/** A CSV file as objects keyed by header; undefined when the file is absent. */
export function readCsv(path: string): CsvFile | undefined {
  if (!existsSync(path)) return undefined;
  const [header = [], ...body] = parseCsv(readFileSync(path, 'utf8'));
  const rows = body.map((fields) => {
    if (fields.length !== header.length) throw new Error(`${path}: ${fields.length} fields, header has ${header.length}`);
    const r: Row = {};
    header.forEach((h, i) => {
      r[h] = fields[i] ?? '';
    });
    return r;
  });
  return { header, rows };
}

export function rowsOf(path: string): Row[] {
  return readCsv(path)?.rows ?? [];
}

export function folders(out: string): string[] {
  return readdirSync(out)
    .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d))
    .sort();
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Amount text to integer cents. */
export function cents(amount: string): number {
  if (!/^-?\d+(\.\d{1,2})?$/.test(amount)) throw new Error(`bad amount ${amount}`);
  return Math.round(Number(amount) * 100);
}

export const BAND_FLOORS = [100_000, 5_000_000, 20_000_000, 50_000_000, 300_000_000];

export function bandOfCents(aum: number): number {
  return BAND_FLOORS.filter((f) => aum >= f).length;
}

/** AUM (cents) per customer from account rows. */
export function aumByCustomer(accounts: Iterable<Row>): Map<string, number> {
  const aum = new Map<string, number>();
  for (const a of accounts) {
    if (a.status !== 'active' || a.kind === 'loan') continue;
    const id = a.customer_id ?? '';
    aum.set(id, (aum.get(id) ?? 0) + cents(a.balance ?? '0'));
  }
  return aum;
}
