import { arrivals } from '../../platform/activity.js';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { exportAuditEntry, recordAuditDb } from '../../platform/audit.js';
import { streamedSheet, type SheetColumn } from '../../platform/xlsx.js';
import { chunkSettings, inChunks, type Chunks } from '../../platform/chunks.js';
import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskAddress, maskIdNumber, maskPhone, viewDetail, viewName } from '../../platform/pii.js';
import { piiViewOf } from '../access/access.permissions.js';
import { addDays, chinaDay, daysBetween, today, workScope, type WorkActor } from './worklist.common.js';
import type { Scope, SheetContactRow, SheetCustomerRow } from './worklist.log.sql.js';
import { channelLabel, outcomeLabel } from './worklist.log.js';
import { BRIEF_JOIN } from './worklist.sql.js';
import { CARD_GRADES, tierLabel } from './worklist.summary.js';

// The bank's own sheets as .xlsx, with Chinese headers and labels: 个人客户信息梳理表 (customer
// information) and 递进沟通表 (contact log). ID numbers and phones are always masked, names for
// the lobby roles, birth dates shown only with pii.details; every export is an audit entry.
//
// A sheet is read in chunks (issue 15, see platform/chunks.ts): first the rows' keys in the
// sheet's order (one short statement, which also finds a sheet over the cap), then the rows
// themselves a chunk of keys at a time, each chunk written to the workbook as it comes
// (platform/xlsx.ts). On the embedded engine other requests take their turn between chunks, and a
// chunk grows while nobody else wants the connection (eachRow); on a server the whole sheet is
// read from one snapshot. A whole bank's 100,000 rows: docs/benchmarks.md, "Exports as background
// jobs".

/**
 * A sheet downloaded inside the request holds at most this many rows; a longer one is made by an
 * export job in the background (features/exports), which has no cap but Excel's own.
 */
export const DIRECT_ROWS = 5_000;
/** The rows of data one worksheet can hold (Excel's 1,048,576 rows, less the header). */
export const XLSX_MAX_ROWS = 1_048_575;
const SHEET_MAX_DAYS = 366;

const GENDER: Record<string, string> = { M: '男', F: '女' };
const RISK: Record<string, string> = { C1: 'C1 保守型', C2: 'C2 稳健型', C3: 'C3 平衡型', C4: 'C4 成长型', C5: 'C5 进取型' };
const label = (m: Record<string, string>, v: string | null) => (v ? (m[v] ?? v) : '');
// a leading = + - @ would be a formula in a spreadsheet: text typed by a user stays text
const safe = (s: string | null) => (s && /^[=+\-@]/.test(s) ? `'${s}` : (s ?? ''));

// each column with the kind of value it holds (platform/xlsx.ts): numbers, amounts and dates Excel computes with
const CUSTOMER_COLUMNS: SheetColumn[] = [
  { header: '序号', kind: 'integer' }, { header: '客户号' }, { header: '客户姓名' }, { header: '性别' }, { header: '出生日期', kind: 'date' },
  { header: '证件号码', width: 22 }, { header: '手机号码' }, { header: '职业' }, { header: '所属网点', width: 20 }, { header: '管户人员' },
  { header: '金融资产（万元）', kind: 'wan' }, { header: 'AUM分层' }, { header: '客户层级' }, { header: '持卡类别' }, { header: '风险等级' },
  { header: '免打扰' }, { header: '上次联络日期', kind: 'date' }, { header: '下次计划联络时间', kind: 'date' },
  // what staff collected of the fields the core system holds, for entry there (issue 23 §2), masked like the columns above
  { header: '待录入核心系统', width: 40 },
];
const PROPOSAL_LABEL: Record<string, string> = { phone: '手机号码', address: '地址', birth_date: '出生日期', occupation: '职业', annual_income: '年收入' };
/** "手机号码：139****1111；职业：教师", in the order of the sheet's columns: phone and address masked, birth date and income only with pii.details. */
function proposalsText(view: ReturnType<typeof piiViewOf>, proposals: [string, string][] | null): string {
  const order = Object.keys(PROPOSAL_LABEL);
  return [...(proposals ?? [])]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([field, value]) => {
      const shown = field === 'phone' ? maskPhone(value) : field === 'address' ? maskAddress(value) : field === 'birth_date' || field === 'annual_income' ? viewDetail(view, value) : value;
      return shown === null ? null : `${PROPOSAL_LABEL[field] ?? field}：${safe(shown)}`;
    })
    .filter((x): x is string => x !== null)
    .join('；');
}
const CONTACT_COLUMNS: SheetColumn[] = [
  { header: '序号', kind: 'integer' }, { header: '联络日期', kind: 'date' }, { header: '客户号' }, { header: '客户姓名' }, { header: '联络方式' },
  { header: '联络人' }, { header: '沟通内容', width: 40 }, { header: '联络结果' }, { header: '下次联络时间', kind: 'date' },
];

/** Over the direct download's cap: the job route; over Excel's: narrower filters. */
export const tooMany = (cap: number) =>
  cap >= XLSX_MAX_ROWS
    ? new AppError('bad_request', text(`导出超过 Excel 的上限 ${cap.toLocaleString('en-US')} 行，请按管户人员或缩短日期范围分批导出。`, `The export would have more than Excel's ${cap.toLocaleString('en-US')} rows; export one owner or fewer days at a time.`))
    : new AppError(
        'bad_request',
        text(
          `超过 ${cap.toLocaleString('en-US')} 行的导出在后台生成：请用页面上的导出按钮（POST /api/exports），完成后在“我的导出”中下载。`,
          `An export of more than ${cap.toLocaleString('en-US')} rows is made in the background: use the export button of the page (POST /api/exports) and download it from "My exports" when it is done.`,
        ),
      );

/** The sheets' names in the user's language: the worksheet's, and the file's before its date. */
export const SHEET_NAMES: Record<SheetFilters['sheet'], { zh: string; en: string; fileEn: string }> = {
  customer_info: { zh: '个人客户信息梳理表', en: 'Customer information', fileEn: 'customer-information' },
  contact_log: { zh: '递进沟通表', en: 'Contact log', fileEn: 'contact-log' },
};

export interface SheetFilters {
  sheet: 'customer_info' | 'contact_log';
  staffId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Rows per chunk of a sheet: each customer row looks up its owner, tiers and last contacts. */
const SHEET_CHUNK = 500;
/** On the embedded engine, while nobody else takes a turn, a chunk doubles up to this many times SHEET_CHUNK. */
const SHEET_CHUNK_GROWTH = 4;
/** While others use the server, a chunk is this many times smaller than SHEET_CHUNK: a request arriving mid-chunk waits a few ms. */
const SHEET_CHUNK_SHARED = 4;
/** A turn that waited longer than this for the connection (ms) was someone else's turn first. */
const OTHERS_WAITED_MS = 2;
/** A chunk grows only while twice its rows would take at most this long (ms): what a request coming in meanwhile would wait. */
const TURN_MS = 50;

// a work scope: an owner (customers they own or co-own) and/or branches, as $1 and $2
const IN_SCOPE = `($1::text IS NULL OR c.customer_id IN (SELECT o.customer_id FROM customer_owners o WHERE o.staff_id = $1))
   AND ($2::text[] IS NULL OR c.branch_id = ANY($2::text[]))`;
const scopeParams = (w: Scope) => [w.ownerId, w.branches ? [...w.branches] : null];

/**
 * The active customers of the scope in the sheet's order (most assets first), at most `limit`; a
 * capped count first, so that a bank-wide request over the cap is refused without sorting the bank.
 * The keys come back as one array, not a row each: the embedded engine hands every row and field to
 * JavaScript one by one, which for a whole bank's 100,000 keys cost as much as the sort.
 */
async function customerKeys(s: SqlSession, w: Scope, limit: number): Promise<string[]> {
  const n = await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM customers c WHERE c.status = 'active' AND ${IN_SCOPE} LIMIT $3) x`, [...scopeParams(w), limit]);
  if ((n.rows[0]?.n ?? 0) >= limit) throw tooMany(limit - 1);
  // the aggregate orders its input itself (a sorted subquery's order is not a promise)
  const r = await s.query<{ ids: string[] | null }>(
    `SELECT array_agg(k.customer_id ORDER BY k.aum DESC, k.customer_id) AS ids
       FROM (SELECT c.customer_id, coalesce(ov.aum, 0) AS aum FROM customers c ${BRIEF_JOIN}
              WHERE c.status = 'active' AND ${IN_SCOPE}
              ORDER BY coalesce(ov.aum, 0) DESC, c.customer_id LIMIT $3) k`,
    [...scopeParams(w), limit],
  );
  return r.rows[0]?.ids ?? [];
}

/**
 * The sheet's rows of these customers, in the order of `ids`. Each customer's owner, tiers and
 * contacts are looked up through their indexes (a few microseconds each, whatever the planner's
 * statistics say; joins over the chunk's ids were no faster and their plans depend on them). The
 * overview is joined on the chunk's ids too, so that it is read by its key: joined on the customer
 * alone it was scanned whole and hashed for every chunk, two thirds of the chunk's time. Each row
 * comes back as one JSON array: the embedded engine hands every field of every row to JavaScript
 * on its own, and one text per row takes a quarter off a chunk.
 */
async function customerRows(s: SqlSession, ids: string[]): Promise<SheetCustomerRow[]> {
  const r = await s.query<{ r: string }>(
    `SELECT json_build_array(c.customer_id, c.name, c.gender, c.birth_date, c.id_number, c.phone, c.occupation, b.name,
            (SELECT st.name FROM customer_owners o JOIN staff st ON st.staff_id = o.staff_id WHERE o.customer_id = c.customer_id AND o.kind = 'primary' LIMIT 1),
            coalesce(ov.aum, 0)::text, ov.vip_grade, c.risk_level, c.do_not_disturb,
            (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'aum_band'),
            (SELECT t.tier FROM customer_tiers t WHERE t.customer_id = c.customer_id AND t.model = 'relationship_tier'),
            (SELECT max(l.contacted_at) FROM contact_log l WHERE l.customer_id = c.customer_id),
            (SELECT l.next_contact_on FROM contact_log l WHERE l.customer_id = c.customer_id AND l.next_contact_on IS NOT NULL ORDER BY l.contacted_at DESC LIMIT 1),
            (SELECT json_agg(json_build_array(p.field, p.value) ORDER BY p.field) FROM profile_proposals p WHERE p.customer_id = c.customer_id AND p.status = 'open'))::text AS r
       FROM customers c JOIN branches b ON b.branch_id = c.branch_id
       LEFT JOIN customer_overview ov ON ov.customer_id = c.customer_id AND ov.customer_id = ANY($1::text[])
      WHERE c.customer_id = ANY($1::text[])`,
    [ids],
  );
  const byId = new Map<string, SheetCustomerRow>();
  for (const { r: text } of r.rows) {
    const x = JSON.parse(text) as [string, string, string | null, string | null, string | null, string | null, string | null, string, string | null, string, string | null, string | null, boolean, string | null, string | null, string | null, string | null, [string, string][] | null];
    byId.set(x[0], {
      customer_id: x[0], name: x[1], gender: x[2], birth_date: x[3], id_number: x[4], phone: x[5], occupation: x[6], branch_name: x[7], owner_name: x[8],
      aum: x[9], vip_grade: x[10], risk_level: x[11], do_not_disturb: x[12], aum_band: x[13], relationship_tier: x[14],
      // a timestamptz in JSON is ISO 8601 with its offset
      last_contact: x[15] === null ? null : new Date(x[15]), next_contact_on: x[16], proposals: x[17],
    });
  }
  const out: SheetCustomerRow[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (row) out.push(row);
  }
  return out;
}

interface ContactKey {
  customer_id: string;
  contact_id: string;
  /** a contact with a prospect (issue 19: the 递进沟通表 covers people who are not customers yet); customer_id is '' */
  prospect_id?: string | null;
  contacted_at?: Date;
}
/**
 * The contacts of the scope (by the owner, when one is given) between two instants, in time order,
 * at most `limit`: with customers (the work log) and with prospects (their owner's branch in the
 * scope), read apart and merged by time.
 */
async function contactKeys(s: SqlSession, w: Scope, from: string, to: string, limit: number): Promise<ContactKey[]> {
  const withCustomers = await s.query<ContactKey>(
    `SELECT l.customer_id, l.contact_id, l.contacted_at FROM contact_log l JOIN customers c ON c.customer_id = l.customer_id
      WHERE l.contacted_at >= $3::timestamptz AND l.contacted_at < $4::timestamptz
        AND ($1::text IS NULL OR l.staff_id = $1) AND ($2::text[] IS NULL OR c.branch_id = ANY($2::text[]))
      ORDER BY l.contacted_at, l.contact_id LIMIT $5`,
    [...scopeParams(w), from, to, limit],
  );
  const withProspects = await s.query<ContactKey>(
    `SELECT '' AS customer_id, pc.contact_id, pc.prospect_id, pc.contacted_at FROM prospect_contacts pc JOIN prospects p ON p.prospect_id = pc.prospect_id
      WHERE pc.contacted_at >= $3::timestamptz AND pc.contacted_at < $4::timestamptz
        AND ($1::text IS NULL OR pc.staff_id = $1) AND ($2::text[] IS NULL OR p.branch_id = ANY($2::text[]))
      ORDER BY pc.contacted_at, pc.contact_id LIMIT $5`,
    [...scopeParams(w), from, to, limit],
  );
  if (!withProspects.rows.length) return withCustomers.rows;
  const time = (k: ContactKey) => new Date(k.contacted_at ?? 0).getTime();
  return [...withCustomers.rows, ...withProspects.rows].sort((a, b) => time(a) - time(b) || (a.contact_id < b.contact_id ? -1 : a.contact_id > b.contact_id ? 1 : 0)).slice(0, limit);
}

async function contactRows(s: SqlSession, keys: ContactKey[]): Promise<SheetContactRow[]> {
  const customers = keys.filter((k) => !k.prospect_id);
  const prospects = keys.filter((k) => k.prospect_id);
  const r = await s.query<SheetContactRow>(
    `SELECT l.contact_id, l.customer_id, c.name AS customer_name, l.staff_id, l.contacted_at, l.channel, l.outcome, l.notes, l.next_contact_on, l.source,
            st.name AS staff_name
       FROM contact_log l JOIN customers c ON c.customer_id = l.customer_id JOIN staff st ON st.staff_id = l.staff_id
      WHERE (l.customer_id, l.contact_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [customers.map((k) => k.customer_id), customers.map((k) => k.contact_id)],
  );
  const p = prospects.length
    ? await s.query<SheetContactRow>(
        `SELECT pc.contact_id, '' AS customer_id, p.name AS customer_name, pc.staff_id, pc.contacted_at, pc.channel, pc.outcome, pc.notes, pc.next_contact_on,
                'prospect' AS source, st.name AS staff_name
           FROM prospect_contacts pc JOIN prospects p ON p.prospect_id = pc.prospect_id JOIN staff st ON st.staff_id = pc.staff_id
          WHERE (pc.prospect_id, pc.contact_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [prospects.map((k) => k.prospect_id ?? ''), prospects.map((k) => k.contact_id)],
      )
    : { rows: [] };
  const at = new Map(keys.map((k, i) => [`${k.customer_id}\u0000${k.contact_id}`, i]));
  const pos = (x: SheetContactRow) => at.get(`${x.customer_id}\u0000${x.contact_id}`) ?? 0;
  return [...r.rows, ...p.rows].sort((a, b) => pos(a) - pos(b));
}

/** Rows written to the workbook between two turns of the event loop (a server's chunk has ten times as many). */
const WRITE_SLICE = 500;

/**
 * Reads the sheet's keys in one chunk, then their rows a chunk at a time, each row handed to `row`
 * in order; the number of rows.
 *
 * `grow` (the embedded engine, chunk size not fixed by chunkSettings): each chunk is a turn at the
 * one connection. While nothing else comes between two turns (the next turn starts at once) the
 * next chunk is twice as large, up to SHEET_CHUNK_GROWTH times, as long as twice the last turn's
 * time stays within TURN_MS (a slower turn halves it); as soon as a turn had to wait for someone
 * else's, or a request arrived since the last chunk (activity.ts), chunks are SHEET_CHUNK_SHARED
 * times smaller than the first, and grow again once nobody comes by. A job alone runs in fewer, larger statements (a
 * whole bank's rows are read in about a quarter less time); a request arriving meanwhile waits
 * for at most one turn of TURN_MS, and the ones after it for a small chunk each.
 *
 * Writing a chunk's rows is work on the main thread too: it waits for the next turn of the event
 * loop, a slice at a time, so that requests that came in meanwhile are answered in between.
 */
export async function eachRow<K, R>(
  chunks: Chunks,
  cap: number,
  keys: (s: SqlSession) => Promise<K[]>,
  rows: (s: SqlSession, keys: K[]) => Promise<R[]>,
  row: (r: R, i: number) => void,
  progress: SheetProgress,
  grow: boolean,
): Promise<number> {
  const all = await chunks.run(keys);
  if (all.length > cap) throw tooMany(cap);
  progress.total?.(all.length);
  let n = 0;
  let size = chunks.rows;
  let mark = arrivals();
  for (let i = 0; i < all.length; ) {
    progress.check?.();
    const slice = all.slice(i, i + size);
    i += slice.length;
    const asked = performance.now();
    let began = asked;
    const got = await chunks.run((s) => {
      began = performance.now();
      return rows(s, slice);
    });
    if (grow) {
      const took = performance.now() - began;
      // someone else's turn came first, or a request arrived since the last chunk: small chunks again
      if (began - asked > OTHERS_WAITED_MS || arrivals() !== mark) size = Math.ceil(chunks.rows / SHEET_CHUNK_SHARED);
      else if (took * 2 <= TURN_MS) size = Math.min(size * 2, chunks.rows * SHEET_CHUNK_GROWTH);
      else if (took > TURN_MS) size = Math.max(Math.ceil(chunks.rows / SHEET_CHUNK_SHARED), Math.floor(size / 2));
      mark = arrivals();
    }
    for (let j = 0; j < got.length; j += WRITE_SLICE) {
      await nextTurn();
      for (const r of got.slice(j, j + WRITE_SLICE)) row(r, n++);
    }
    progress.rows?.(n);
  }
  return n;
}

/** What a running export is told, and may stop it (an export job: its progress; stopping the server). */
export interface SheetProgress {
  total?(rows: number): void;
  rows?(done: number): void;
  /** throws to stop the export between two chunks */
  check?(): void;
}

/** The sheet as written: its rows, its customers (for the audit entry), and what the entry records. */
export interface WrittenSheet {
  rows: number;
  customerIds: string[];
  /** the worksheet's name, in the user's language */
  title: string;
  /** the file's name, in the user's language, with the business date */
  filename: string;
  /** an ASCII name for clients that cannot read the other */
  asciiName: string;
  fields: string[];
  detail: Record<string, unknown>;
  /** the workbook's bytes when it was not written to a stream */
  body: Buffer;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Writes a sheet (to `target`, or into memory) of at most `cap` rows, in the actor's scope and
 * masking; a longer one is refused before anything is written. No audit entry: the caller writes
 * it when the file is handed over (exportSheet below; an export job's download).
 */
export async function writeSheet(db: Db, a: WorkActor, f: SheetFilters, o: { cap: number; target?: Writable; progress?: SheetProgress }): Promise<WrittenSheet> {
  const view = piiViewOf(a.user.role);
  const asOf = await today(db);
  const progress = o.progress ?? {};
  const names = SHEET_NAMES[f.sheet];
  const grow = db.engine === 'pglite' && chunkSettings.rows === null;
  const title = a.lang === 'en' ? names.en : names.zh;
  const customers = new Set<string>();
  let rows: number;
  let sheet: ReturnType<typeof streamedSheet>;
  let range: { from: string; to: string } | null = null;
  if (f.sheet === 'customer_info') {
    const out = (sheet = streamedSheet(title, CUSTOMER_COLUMNS, o.target));
    rows = await inChunks(db, 'worklist_sheet', SHEET_CHUNK, async (chunks) => {
      const w = await chunks.run((s) => workScope(s, a.user, f.staffId));
      return eachRow(chunks, o.cap, (s) => customerKeys(s, w, o.cap + 1), customerRows, (c, i) => {
        customers.add(c.customer_id);
        out.add([
          i + 1, c.customer_id, viewName(view, c.name), label(GENDER, c.gender), viewDetail(view, c.birth_date) ?? '', maskIdNumber(c.id_number) ?? '', maskPhone(c.phone) ?? '',
          c.occupation ?? '', c.branch_name, c.owner_name ?? '', c.aum, c.aum_band ? tierLabel('aum_band', c.aum_band).zh : '', c.relationship_tier ? tierLabel('relationship_tier', c.relationship_tier).zh : '',
          c.vip_grade ? (CARD_GRADES[c.vip_grade]?.zh ?? c.vip_grade) : '无', label(RISK, c.risk_level), c.do_not_disturb ? '是' : '否',
          c.last_contact ? chinaDay(new Date(c.last_contact)) : '', c.next_contact_on ?? '', proposalsText(view, c.proposals ?? null),
        ]);
      }, progress, grow);
    });
  } else {
    const to = f.to ?? asOf;
    const from = f.from ?? addDays(to, -30);
    const span = daysBetween(from, to);
    if (span < 0 || span + 1 > SHEET_MAX_DAYS) {
      throw new AppError('bad_request', text(`请选择不超过 ${SHEET_MAX_DAYS} 天的日期范围。`, `Choose a range of at most ${SHEET_MAX_DAYS} days.`), {
        to: text(`须在 ${from} 之后 ${SHEET_MAX_DAYS} 天内`, `must be on or after ${from}, within ${SHEET_MAX_DAYS} days`),
      });
    }
    range = { from, to };
    const out = (sheet = streamedSheet(title, CONTACT_COLUMNS, o.target));
    rows = await inChunks(db, 'worklist_sheet', SHEET_CHUNK, async (chunks) => {
      const w = await chunks.run((s) => workScope(s, a.user, f.staffId));
      const keys = (s: SqlSession) => contactKeys(s, w, `${from}T00:00:00+08:00`, `${addDays(to, 1)}T00:00:00+08:00`, o.cap + 1);
      return eachRow(chunks, o.cap, keys, contactRows, (c, i) => {
        if (c.customer_id) customers.add(c.customer_id);
        out.add([
          i + 1, chinaDay(new Date(c.contacted_at)), c.customer_id || '潜在客户', viewName(view, c.customer_name), channelLabel(c.channel).zh, c.staff_name,
          safe(c.notes), outcomeLabel(c.outcome)?.zh ?? '', c.next_contact_on ?? '',
        ]);
      }, progress, grow);
    });
  }
  const body = await sheet.finish();
  return {
    rows,
    customerIds: [...customers],
    title,
    filename: `${a.lang === 'en' ? names.fileEn : names.zh}_${asOf}.xlsx`,
    asciiName: `${names.fileEn}_${asOf}.xlsx`,
    fields: f.sheet === 'customer_info' ? ['name', 'id_number', 'phone', ...(view.details ? ['birth_date'] : []), 'balances'] : ['name'],
    detail: { what: 'worklist_sheet', sheet: f.sheet, rows, staffId: f.staffId ?? null, ...(range ?? {}) },
    body,
  };
}

/** A sheet of up to DIRECT_ROWS rows, downloaded inside the request (a longer one: an export job), audited with its customers. */
export async function exportSheet(db: Db, a: WorkActor, f: SheetFilters) {
  const w = await writeSheet(db, a, f, { cap: DIRECT_ROWS });
  await recordAuditDb(db, exportAuditEntry(a.user, a.ip, w));
  return { filename: w.filename, asciiName: w.asciiName, contentType: XLSX_TYPE, body: w.body };
}
