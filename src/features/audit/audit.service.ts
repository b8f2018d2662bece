import { exportAuditEntry, recordAuditDb } from '../../platform/audit.js';
import type { Writable } from 'node:stream';
import { cellValue, streamedSheet, type CellKind } from '../../platform/xlsx.js';
import { AppError } from '../../platform/errors.js';
import { text, type Lang } from '../../platform/i18n.js';
import { inChunks } from '../../platform/chunks.js';
import type { Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import type { AuditFilters, AuditItem, AuditListQuery } from './audit.contract.js';
import { countEntries, eachEntryChunk, listEntries, type AuditRow } from './audit.sql.js';

// The audit trail as the department (all of it) and branch heads (their subtree, see audit.sql.ts)
// read it.

/** An export downloaded inside the request holds at most this many entries; a longer one is an export job (features/exports). */
export const DIRECT_ENTRIES = 5_000;
/** An export job's limit: the rows of data an Excel worksheet holds (a CSV file too, so that Excel opens it whole). */
export const MAX_ENTRIES = 1_048_575;

/** Entries per chunk of an export. */
const EXPORT_CHUNK = 1_000;

const present = (r: AuditRow): AuditItem => ({
  entryId: Number(r.entry_id),
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  actorName: r.actor_name,
  role: r.role,
  ip: r.ip,
  action: r.action,
  customerIds: r.customer_ids,
  customerCount: Number(r.customers_in_scope),
  customersRef: r.customers_apart ? `audit_customers:${r.entry_id}` : null,
  customersOutsideScope: Number(r.customers_outside),
  fields: r.fields,
  outcome: r.outcome,
  reason: r.reason,
  detail: r.detail,
});

export async function listAudit(db: Db, user: SignedInUser, q: AuditListQuery) {
  const { rows, total } = await listEntries(db, user.scope, q, q.pageSize, (q.page - 1) * q.pageSize);
  return { items: rows.map(present), page: q.page, pageSize: q.pageSize, total };
}

type Column = keyof AuditItem | 'time';
const COLUMNS: [Column, string][] = [
  ['entryId', 'entry_id'], ['time', 'time (China)'], ['actor', 'actor'], ['actorName', 'actor_name'], ['role', 'role'], ['ip', 'ip'],
  ['action', 'action'], ['customerCount', 'customers'], ['customerIds', 'customer_ids'], ['customersRef', 'customer_list'], ['customersOutsideScope', 'customers_outside_scope'],
  ['fields', 'fields'], ['outcome', 'outcome'], ['reason', 'reason'], ['detail', 'detail'],
];
const NUMBERS: Column[] = ['entryId', 'customerCount', 'customersOutsideScope'];
const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
// no cell over Excel's 32,767 characters, in the CSV too (an old entry may list thousands of ids on itself)
const cell = (item: AuditItem, k: Column): string => {
  if (k === 'time') return chinaTime(item.at);
  const v = item[k];
  const s = Array.isArray(v) ? v.join(' ') : v && typeof v === 'object' ? JSON.stringify(v) : v === null || v === undefined ? '' : String(v);
  return String(cellValue('text', s) ?? '');
};
// a leading = + - @ would be a formula in a spreadsheet: a reason typed by a user must stay text
const csvField = (s: string) => {
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Where an export's rows go as they are read: text lines or a streamed workbook, into memory or a file. */
interface Sink {
  add(items: AuditItem[]): void;
  /** the bytes (empty when written to a target) */
  finish(): Promise<Buffer>;
}

function csvSink(target?: Writable): Sink {
  const parts: string[] = [];
  const write = (s: string) => (target ? void target.write(s) : void parts.push(s));
  write(`\uFEFF${COLUMNS.map(([, h]) => h).join(',')}\r\n`);
  return {
    add: (items) => write(items.map((i) => `${COLUMNS.map(([k]) => csvField(cell(i, k))).join(',')}\r\n`).join('')),
    finish: async () => {
      if (!target) return Buffer.from(parts.join(''), 'utf8');
      await new Promise<void>((resolve, reject) => {
        target.once('error', reject);
        target.end(resolve);
      });
      return Buffer.alloc(0);
    },
  };
}

function xlsxSink(title: string, target?: Writable): Sink {
  const kind = (k: Column): CellKind => (NUMBERS.includes(k) ? 'integer' : k === 'time' ? 'datetime' : 'text');
  const sheet = streamedSheet(title, COLUMNS.map(([k, h]) => ({ header: h, key: k, kind: kind(k), width: k === 'detail' || k === 'reason' || k === 'customerIds' ? 40 : undefined })), target);
  return {
    add: (items) => {
      for (const i of items) sheet.add(Object.fromEntries(COLUMNS.map(([k]) => [k, NUMBERS.includes(k) ? i[k as 'entryId'] : k === 'time' ? i.at : cell(i, k)])));
    },
    finish: () => sheet.finish(),
  };
}

const tooMany = (cap: number) =>
  cap >= MAX_ENTRIES
    ? new AppError('bad_request', text(`导出超过上限 ${cap.toLocaleString('en-US')} 条，请缩短日期范围分批导出。`, `The export would have more than ${cap.toLocaleString('en-US')} entries (Excel's limit); export fewer days at a time.`))
    : new AppError(
        'bad_request',
        text(
          `超过 ${cap.toLocaleString('en-US')} 条的导出在后台生成：请用页面上的导出按钮（POST /api/exports），完成后在“我的导出”中下载。`,
          `An export of more than ${cap.toLocaleString('en-US')} entries is made in the background: use the export button of the page (POST /api/exports) and download it from "My exports" when it is done.`,
        ),
      );

export const AUDIT_NAMES = { zh: '审计日志', en: 'Audit trail', fileEn: 'audit-trail' };
const CONTENT_TYPE = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };

export interface AuditExportProgress {
  total?(rows: number): void;
  rows?(done: number): void;
  check?(): void;
}

/**
 * The filtered entries as CSV (UTF-8 with BOM, for Excel) or XLSX, to `target` or into memory, of
 * at most `cap` entries (more are refused before anything is written, never cut). Read a chunk of
 * entries at a time and written as they come (see platform/chunks.ts): a long export does not keep
 * other requests waiting. No audit entry: the caller writes it when the file is handed over.
 */
export async function writeAuditExport(db: Db, user: SignedInUser, f: AuditFilters, format: 'csv' | 'xlsx', lang: Lang, o: { cap: number; target?: Writable; progress?: AuditExportProgress }) {
  const sink = format === 'csv' ? csvSink(o.target) : xlsxSink(lang === 'en' ? AUDIT_NAMES.en : AUDIT_NAMES.zh, o.target);
  const p = o.progress ?? {};
  const read = await inChunks(db, 'audit_export', EXPORT_CHUNK, async (c) => {
    const total = await c.run((s) => countEntries(s, user.scope, f));
    if (total > o.cap) throw tooMany(o.cap);
    p.total?.(total);
    let done = 0;
    return eachEntryChunk(c, user.scope, f, o.cap, (rows) => {
      p.check?.();
      sink.add(rows.map(present));
      done += rows.length;
      p.rows?.(done);
    });
  });
  // entries written while a long export ran on the embedded engine (no one snapshot) may pass the cap
  if (read.truncated) throw tooMany(o.cap);
  const body = await sink.finish();
  const stamp = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return {
    rows: read.rows,
    filename: `${lang === 'en' ? AUDIT_NAMES.fileEn : AUDIT_NAMES.zh}_${stamp}.${format}`,
    asciiName: `${AUDIT_NAMES.fileEn}_${stamp}.${format}`,
    contentType: CONTENT_TYPE[format],
    detail: { what: 'audit_log', format, filters: f, rows: read.rows },
    body,
  };
}

/** An export of up to DIRECT_ENTRIES entries inside the request (more: an export job); itself audited. */
export async function exportAudit(db: Db, user: SignedInUser, f: AuditFilters, format: 'csv' | 'xlsx', from: { ip?: string | null; lang?: Lang }) {
  const file = await writeAuditExport(db, user, f, format, from.lang ?? 'zh', { cap: DIRECT_ENTRIES });
  await recordAuditDb(db, exportAuditEntry(user, from.ip ?? null, { detail: file.detail }));
  return file;
}
