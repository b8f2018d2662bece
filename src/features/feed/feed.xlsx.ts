import ExcelJS from 'exceljs';
import { statSync } from 'node:fs';
import type { RawRecord, ReadStats } from './feed.csv.js';

// Reads the first worksheet of an .xlsx file as records, streaming, so an Excel feed goes
// through exactly the checks of a CSV one. Row numbers are the sheet's own (header = 1).

const pad = (n: number) => String(n).padStart(2, '0');

/** Excel stores a date without a zone; exceljs hands it over as that wall time in UTC. */
function excelDateText(d: Date): string {
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0) return day;
  return `${day}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // a cell showing 1234.57 may hold 1234.5700000001; more real decimals than that stay visible (and refused)
    const cents = Math.round(v * 100) / 100;
    return String(Math.abs(cents - v) < 1e-9 ? cents : v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return excelDateText(v);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) {
      return o.richText.map((r: unknown) => (r && typeof r === 'object' && 'text' in r ? String(r.text) : '')).join('');
    }
    if ('result' in o) return cellText(o.result);
    if ('text' in o) return cellText(o.text);
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

/** The first worksheet's rows as records in batches, blank records for the rows exceljs skips. */
async function* recordsOf(rows: AsyncIterable<{ number: number; values: unknown }> | Iterable<{ number: number; values: unknown }>): AsyncGenerator<RawRecord[]> {
  let width = 0;
  let batch: RawRecord[] = [];
  let expected = 1;
  for await (const row of rows) {
    // exceljs skips empty rows; keep the record numbering honest with blank records
    while (expected < row.number) batch.push({ line: expected++, fields: [] });
    const values = Array.isArray(row.values) ? row.values.slice(1) : [];
    if (row.number === 1) width = values.length;
    const fields: string[] = [];
    for (let i = 0; i < Math.max(width, values.length); i++) fields.push(cellText(values[i]).trim());
    while (fields.length > width && fields[fields.length - 1] === '') fields.pop();
    batch.push({ line: row.number, fields: fields.every((f) => f === '') ? [] : fields });
    expected = row.number + 1;
    if (batch.length >= 5000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** Streaming, in bounded memory: what a bank's large files need. */
export async function* streamed(path: string): AsyncGenerator<RawRecord[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    yield* recordsOf(sheet as AsyncIterable<{ number: number; values: unknown }>);
    break; // only the first worksheet holds the file's rows
  }
}

/** The whole workbook in memory (when streaming fails, see readXlsxFile). */
export async function* whole(path: string): AsyncGenerator<RawRecord[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.worksheets[0];
  if (!sheet) return;
  const rows: { number: number; values: unknown }[] = [];
  sheet.eachRow((row) => rows.push({ number: row.number, values: row.values }));
  yield* recordsOf(rows);
}

export async function* readXlsxFile(path: string, stats: ReadStats): AsyncGenerator<RawRecord[]> {
  const size = statSync(path).size;
  let started = false;
  try {
    for await (const batch of streamed(path)) {
      started = true;
      yield batch;
    }
  } catch (e) {
    // exceljs's streaming reader can meet a worksheet before the workbook that lists it, by the
    // order of the zip's entries and the timing of its own parsing ("Cannot read properties of
    // undefined (reading 'sheets')", exceljs issue #962): it happens before any row is read, and
    // the file is then read whole instead
    if (started || !(e instanceof TypeError)) throw e;
    yield* whole(path);
  }
  stats.bytes += size;
}
