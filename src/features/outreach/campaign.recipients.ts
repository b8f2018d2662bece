// A campaign's recipients from a CSV file with a customer_id column (other columns ignored), each
// problem named with its line number, in words a clerk can act on.

export interface RecipientList {
  ids: string[];
  /** the line of each id (first time it appears) */
  lineOf: Map<string, number>;
  /** repeated ids, counted once */
  repeated: number;
  problems: string[];
}

const ID = /^[A-Za-z0-9_.-]{1,40}$/;

/** The cells of one CSV line (double quotes around a cell, "" inside it). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur);
      cur = '';
    } else cur += ch;
  }
  cells.push(cur);
  return cells.map((c) => c.trim());
}

export function parseRecipientsCsv(text: string, file = 'the file'): RecipientList {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: RecipientList = { ids: [], lineOf: new Map(), repeated: 0, problems: [] };
  const header = csvCells(lines[0] ?? '').map((h) => h.toLowerCase());
  const col = header.indexOf('customer_id');
  if (col < 0) {
    out.problems.push(`${file} line 1: no customer_id column (the first line names the columns, e.g. "customer_id"; it has: ${header.filter(Boolean).join(', ') || 'nothing'})`);
    return out;
  }
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const id = csvCells(raw)[col] ?? '';
    const n = i + 1;
    if (id === '') out.problems.push(`${file} line ${n}: no customer_id`);
    else if (!ID.test(id)) out.problems.push(`${file} line ${n}: '${id.slice(0, 40)}' is not a customer number (letters, digits, - _ . up to 40)`);
    else if (out.lineOf.has(id)) out.repeated++;
    else {
      out.lineOf.set(id, n);
      out.ids.push(id);
    }
  }
  if (out.ids.length === 0 && out.problems.length === 0) out.problems.push(`${file}: no customers listed under customer_id`);
  return out;
}
