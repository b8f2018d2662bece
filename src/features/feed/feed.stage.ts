import type { SqlSession } from '../../platform/db.js';
import { specFor, type ColumnSpec, type FeedProblem } from './feed.contract.js';
import { CUT_OFF, NotUtf8Error, readCsvFile, type RawRecord, type ReadStats } from './feed.csv.js';
import type { FeedFile } from './feed.files.js';
import { stagingColumns, stagingTable } from './feed.sql.js';
import { isProblem } from './feed.values.js';
import { readXlsxFile } from './feed.xlsx.js';

// Reads one file, checks every row and streams the checked rows into its staging table.
// Rows with problems are staged too (bad values as NULL) so that later reference checks do not
// report a customer as unknown merely because one of its cells was wrong.

export interface ProblemSink {
  add(p: FeedProblem): void;
}

export interface StageResult {
  rows: number;
  /** rows with at least one refusing problem */
  badRows: number;
  /** false when the file as a whole could not be read (no usable header, not UTF-8, not Excel) */
  readable: boolean;
  /** the least and greatest value of each derived column (ISO dates compare as text), over every row read */
  derivedRange: Record<string, { min: string; max: string }>;
}

const CHUNK_CHARS = 1 << 18;

function csvField(v: string | null): string {
  if (v === null) return '';
  if (v === '') return '""';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${v.replace(/"/g, '""')}"`;
  }
  return v;
}

export async function stageFile(
  s: SqlSession,
  file: FeedFile,
  ctx: { businessDate: string },
  sink: ProblemSink,
  stats: ReadStats,
): Promise<StageResult> {
  const spec = specFor(file.entity);
  const result: StageResult = { rows: 0, badRows: 0, readable: true, derivedRange: {} };
  const records = file.format === 'csv' ? readCsvFile(file.path, stats, { keepText: true }) : readXlsxFile(file.path, stats);
  const problem = (line: number | undefined, column: string | undefined, message: string, warning = false) =>
    sink.add({ file: file.name, ...(line !== undefined ? { line } : {}), ...(column ? { column } : {}), message, ...(warning ? { warning } : {}) });

  async function* rowsAsCsv(): AsyncGenerator<string> {
    let index: (number | undefined)[] | undefined;
    let width = 0;
    /** the file's columns are exactly the contract's, in its order (but for optional ones it leaves out at the end) */
    let identity = false;
    /** the empty values that end a row written as it came: one per optional column left out */
    let absentTail = '';
    let parts: string[] = [];
    let size = 0;
    const derived = spec.derived ?? [];
    for await (const batch of records as AsyncGenerator<RawRecord[]>) {
      for (const rec of batch) {
        if (!rec.error && (rec.fields.length === 0 || (rec.fields.length === 1 && rec.fields[0]?.trim() === ''))) continue;
        if (!index) {
          if (rec.error) {
            // the header itself cannot be read (a quote never closed, or the file ends inside it)
            problem(rec.line, undefined, rec.error);
            result.readable = false;
            return;
          }
          index = headerIndex(rec.fields, spec.columns, (col, msg) => problem(rec.line, col, msg));
          width = rec.fields.length;
          if (!index) {
            result.readable = false;
            return;
          }
          const given = index.filter((at) => at !== undefined).length;
          identity = width === given && index.every((at, c) => (c < given ? at === c : at === undefined));
          absentTail = ','.repeat(spec.columns.length - given);
          continue;
        }
        result.rows++;
        if (rec.error) {
          problem(rec.line, undefined, rec.error);
          result.badRows++;
          continue;
        }
        if (rec.fields.length !== width) {
          problem(
            rec.line,
            undefined,
            rec.unterminated && rec.fields.length < width
              ? // the last line, short of values and of its line break: the file stops in the middle of it
                `has ${rec.fields.length} values but the header has ${width} columns, and the file ends on this line without a line break: ${CUT_OFF}`
              : `has ${rec.fields.length} values but the header has ${width} columns (a comma inside a value needs quotes)`,
          );
          result.badRows++;
          continue;
        }
        const values: (string | null)[] = [];
        let bad = false;
        // a row written in the contract's column order, without quotes, whose every value passes
        // as written, goes on as its own line; any other row is written value by value
        let asWritten = identity && rec.text !== undefined;
        for (let c = 0; c < spec.columns.length; c++) {
          const column = spec.columns[c];
          if (!column) continue;
          const at = index[c];
          if (at === undefined) {
            // an optional column the file leaves out: empty in every row
            values.push(null);
            continue;
          }
          const cell = rec.fields[at] ?? '';
          const raw = cell.trim();
          const v = column.check(raw, ctx);
          if (isProblem(v)) {
            asWritten = false;
            problem(rec.line, column.name, v.problem, v.warning);
            if (v.warning) {
              values.push(v.keep ?? null);
            } else {
              bad = true;
              values.push(null);
            }
          } else {
            // an empty cell is staged as NULL either way; an empty string would need quotes
            if (v === null ? cell !== '' : v !== cell || v === '') asWritten = false;
            values.push(v);
          }
        }
        if (bad) result.badRows++;
        let line: string;
        if (asWritten) {
          line = `${rec.line},${rec.text}${absentTail}`;
        } else {
          line = String(rec.line);
          for (const v of values) line += ',' + csvField(v);
        }
        for (const d of derived) {
          const v = d.from(values);
          line += ',' + csvField(v);
          if (v === null) continue;
          const range = result.derivedRange[d.name];
          if (!range) result.derivedRange[d.name] = { min: v, max: v };
          else if (v < range.min) range.min = v;
          else if (v > range.max) range.max = v;
        }
        parts.push(line);
        size += line.length;
        if (size >= CHUNK_CHARS) {
          yield parts.join('\n') + '\n';
          parts = [];
          size = 0;
        }
      }
    }
    if (!index && result.readable) {
      problem(1, undefined, 'is empty; it needs a header row naming its columns');
      result.readable = false;
    }
    if (parts.length) yield parts.join('\n') + '\n';
  }

  // A savepoint, so that a file that cannot be read is reported without aborting the day's
  // transaction on the server (PostgreSQL refuses every later statement after a failed COPY).
  await s.exec('SAVEPOINT stage_file');
  try {
    await s.copyCsv(stagingTable(file.entity), stagingColumns(spec), rowsAsCsv());
    await s.exec('RELEASE SAVEPOINT stage_file');
  } catch (e) {
    await s.exec('ROLLBACK TO SAVEPOINT stage_file');
    result.readable = false;
    if (e instanceof NotUtf8Error) {
      problem(undefined, undefined, e.message);
      return result;
    }
    if (e instanceof Error && /zip|central directory|end of data|invalid signature/i.test(e.message)) {
      problem(undefined, undefined, 'is not a readable Excel (.xlsx) file');
      return result;
    }
    throw e;
  }
  return result;
}

/**
 * Maps the contract's columns to their positions in the header (undefined: an optional column the
 * file leaves out); reports each required one missing.
 */
function headerIndex(
  header: string[],
  columns: readonly ColumnSpec[],
  report: (column: string | undefined, message: string) => void,
): (number | undefined)[] | undefined {
  const names = header.map((h) => h.trim().toLowerCase());
  const known = new Set(columns.map((c) => c.name));
  const seen = new Map<string, number>();
  let ok = true;
  names.forEach((n, i) => {
    if (n && seen.has(n) && known.has(n)) {
      report(n, `the column appears twice in the header (columns ${(seen.get(n) ?? 0) + 1} and ${i + 1})`);
      ok = false;
    }
    if (!seen.has(n)) seen.set(n, i);
  });
  const index: (number | undefined)[] = [];
  for (const col of columns) {
    const at = seen.get(col.name);
    if (at === undefined && !col.optional) {
      report(col.name, `required column '${col.name}' is missing from the header`);
      ok = false;
    }
    index.push(at);
  }
  return ok ? index : undefined;
}
