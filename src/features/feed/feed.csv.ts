import { createReadStream } from 'node:fs';

// A streaming RFC 4180 reader that keeps the line number where each record starts, so a
// problem can be reported as "customers.csv line 1043". Lines without quotes take a fast path.

export interface RawRecord {
  line: number;
  fields: string[];
  /** set when the record itself is malformed (e.g. a quote never closed) */
  error?: string;
  /**
   * The file's last record, with no line break after it. Most files end with one; a record cut
   * short there (fewer values than the header) is what a file written or copied only in part
   * looks like.
   */
  unterminated?: true;
  /**
   * With `keepText`: the record's line exactly as written, when it has no quote and no carriage
   * return inside it, so that a row whose values all pass unchanged can be passed on as it came.
   */
  text?: string;
}

export interface ReadStats {
  bytes: number;
}

/** The words for a file that ends where it should not: the clerk's remedy. */
export const CUT_OFF = 'the file looks cut off (written or copied only in part); deliver the whole file again';
export const UNCLOSED_QUOTE = 'a quoted value is never closed (a " is missing)';
/** A quote still open where the file ends, without a line break: cut off inside the value, most likely. */
export const ENDS_IN_QUOTE = `the file ends inside a quoted value begun on this line, without a line break: ${CUT_OFF} (if it is whole, a " is missing)`;
export const ENDS_IN_CHARACTER = `the file ends in the middle of a character on this line: ${CUT_OFF}`;

/** Parses as much of `text` as forms whole records; returns where it stopped. */
export function parseCsvText(
  text: string,
  final: boolean,
  startLine: number,
  out: RawRecord[],
  keepText = false,
): { consumed: number; line: number } {
  let pos = 0;
  let line = startLine;
  const n = text.length;
  let nextQuote = text.indexOf('"');
  while (pos < n) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1 && !final) break;
    const end = nl === -1 ? n : nl;
    if (nextQuote !== -1 && nextQuote < pos) nextQuote = text.indexOf('"', pos);
    if (nextQuote === -1 || nextQuote >= end) {
      const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      const lineText = text.slice(pos, stop);
      const last = nl === -1 ? ({ unterminated: true } as const) : {};
      if (lineText === '') out.push({ line, fields: [] });
      else if (keepText && lineText.indexOf('\r') === -1) out.push({ line, fields: lineText.split(','), text: lineText, ...last });
      else out.push({ line, fields: lineText.split(','), ...last });
      pos = end + 1;
      line++;
      continue;
    }
    const rec = parseQuotedRecord(text, pos, final);
    if (!rec) break;
    out.push({ line, fields: rec.fields, ...(rec.error ? { error: rec.error } : {}), ...(rec.unterminated ? { unterminated: true } : {}) });
    line += rec.newlines + 1;
    pos = rec.next;
  }
  return { consumed: Math.min(pos, n), line };
}

/** The slow path: one record that contains quotes, possibly over several lines. */
function parseQuotedRecord(
  text: string,
  start: number,
  final: boolean,
): { fields: string[]; next: number; newlines: number; error?: string; unterminated?: true } | null {
  const fields: string[] = [];
  let field = '';
  let i = start;
  let newlines = 0;
  let error: string | undefined;
  const n = text.length;
  for (;;) {
    if (i < n && text[i] === '"') {
      // quoted field
      i++;
      for (;;) {
        if (i >= n) {
          if (!final) return null;
          // the quote runs to the end of the file: a " missing (the rest of the file is in the
          // value, line breaks and all), or the file cut off inside the value, before its line ended
          const cut = text.charCodeAt(n - 1) !== 10;
          return { fields: [...fields, field], next: n, newlines, error: cut ? ENDS_IN_QUOTE : UNCLOSED_QUOTE, ...(cut ? { unterminated: true } : {}) };
        }
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          if (i + 1 >= n && !final) return null;
          i++;
          break;
        }
        if (c === '\n') newlines++;
        field += c;
        i++;
      }
      // after a closing quote only a separator or the end of the line may follow
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        error ??= 'text follows a closing quote; a quote inside a value must be doubled ("")';
        while (i < n && text[i] !== ',' && text[i] !== '\n') field += text[i++];
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\n') field += text[i++];
      if (field.endsWith('\r') && (i >= n || text[i] === '\n')) field = field.slice(0, -1);
    }
    if (i < n && text[i] === '\r') {
      // a CR at the very end of what was read may be the first half of a CRLF: wait for more
      if (i + 1 >= n && !final) return null;
      if (text[i + 1] === '\n') i++;
    }
    if (i >= n) {
      if (!final) return null;
      fields.push(field);
      return { fields, next: n, newlines, ...(error ? { error } : {}), ...(text.charCodeAt(n - 1) !== 10 ? { unterminated: true as const } : {}) };
    }
    if (text[i] === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    // text[i] === '\n': end of record
    fields.push(field);
    return { fields, next: i + 1, newlines, ...(error ? { error } : {}) };
  }
}

export class NotUtf8Error extends Error {}

/** Bytes read at a time: big enough that the per-read costs (decode call, carry, a batch) vanish. */
const READ_CHUNK = 1 << 18;

/**
 * Reads a CSV file as batches of records. The byte-order mark Excel writes is dropped; text that
 * is not UTF-8 (a GBK export, say) stops the read with NotUtf8Error.
 */
export async function* readCsvFile(path: string, stats: ReadStats, opts: { keepText?: boolean } = {}): AsyncGenerator<RawRecord[]> {
  const keepText = opts.keepText === true;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let carry = '';
  let line = 1;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    const buf = chunk as Buffer;
    stats.bytes += buf.length;
    let text: string;
    try {
      text = carry + decoder.decode(buf, { stream: true });
    } catch {
      throw new NotUtf8Error('is not UTF-8 text (was it saved as GBK? save it as CSV UTF-8)');
    }
    const out: RawRecord[] = [];
    const r = parseCsvText(text, false, line, out, keepText);
    carry = text.slice(r.consumed);
    line = r.line;
    if (out.length) yield out;
  }
  let rest: string;
  let cutInCharacter = false;
  try {
    rest = carry + decoder.decode();
  } catch {
    // every byte before was UTF-8, and the last ones begin a character the file does not finish:
    // the file stops part-way through a character, as a file cut off does
    rest = carry;
    cutInCharacter = true;
  }
  if (rest.length || cutInCharacter) {
    const out: RawRecord[] = [];
    const r = parseCsvText(rest, true, line, out, keepText);
    if (cutInCharacter) {
      const last = out.at(-1);
      if (last && rest.charCodeAt(rest.length - 1) !== 10) {
        delete last.text;
        last.error = ENDS_IN_CHARACTER;
        last.unterminated = true;
      } else {
        // nothing but the broken character after the last line break: a line of its own
        out.push({ line: r.line, fields: [], error: ENDS_IN_CHARACTER, unterminated: true });
      }
    }
    if (out.length) yield out;
  }
}
