import { recordAuditDb } from '../../platform/audit.js';
import { streamedSheet, type CellKind } from '../../platform/xlsx.js';
import { inChunks } from '../../platform/chunks.js';
import type { Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import type { AuditFilters, AuditItem, AuditListQuery } from './audit.contract.js';
import { eachEntryChunk, listEntries, type AuditRow } from './audit.sql.js';

// The audit trail as the department (all of it) and branch heads (their subtree, see audit.sql.ts)
// read it.

/** An export holds at most this many entries; narrow the dates for more. */
export const EXPORT_CAP = 100_000;

/** Entries per chunk of an export (an entry of the nightly batch may list thousands of customers). */
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
  ['action', 'action'], ['customerIds', 'customer_ids'], ['customersOutsideScope', 'customers_outside_scope'], ['fields', 'fields'],
  ['outcome', 'outcome'], ['reason', 'reason'], ['detail', 'detail'],
];
const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const cell = (item: AuditItem, k: Column): string => {
  if (k === 'time') return chinaTime(item.at);
  const v = item[k];
  if (Array.isArray(v)) return v.join(' ');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return v === null || v === undefined ? '' : String(v);
};
// a leading = + - @ would be a formula in a spreadsheet: a reason typed by a user must stay text
const csvField = (s: string) => {
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Where an export's rows go as they are read: text lines or a streamed workbook, collected in memory. */
interface Sink {
  add(items: AuditItem[]): void;
  finish(): Promise<Buffer>;
}

function csvSink(): Sink {
  const parts: string[] = [`\uFEFF${COLUMNS.map(([, h]) => h).join(',')}\r\n`];
  return {
    add: (items) => void parts.push(items.map((i) => `${COLUMNS.map(([k]) => csvField(cell(i, k))).join(',')}\r\n`).join('')),
    finish: async () => Buffer.from(parts.join(''), 'utf8'),
  };
}

function xlsxSink(): Sink {
  const kind = (k: Column): CellKind => (k === 'entryId' || k === 'customersOutsideScope' ? 'integer' : k === 'time' ? 'datetime' : 'text');
  const sheet = streamedSheet('audit', COLUMNS.map(([k, h]) => ({ header: h, key: k, kind: kind(k), width: k === 'detail' || k === 'reason' || k === 'customerIds' ? 40 : undefined })));
  return {
    add: (items) => {
      for (const i of items) sheet.add(Object.fromEntries(COLUMNS.map(([k]) => [k, k === 'entryId' || k === 'customersOutsideScope' ? i[k] : k === 'time' ? i.at : cell(i, k)])));
    },
    finish: () => sheet.finish(),
  };
}

/**
 * The filtered entries as CSV (UTF-8 with BOM, for Excel) or XLSX; the export is itself an audit
 * entry. Read a chunk of entries at a time and written as they come (see platform/chunks.ts): a
 * long export does not keep other requests waiting.
 */
export async function exportAudit(db: Db, user: SignedInUser, f: AuditFilters, format: 'csv' | 'xlsx', from: { ip?: string | null }) {
  const sink = format === 'csv' ? csvSink() : xlsxSink();
  const read = await inChunks(db, 'audit_export', EXPORT_CHUNK, (c) => eachEntryChunk(c, user.scope, f, EXPORT_CAP, (rows) => sink.add(rows.map(present))));
  const body = await sink.finish();
  await recordAuditDb(db, {
    actor: user.login, role: user.role, ip: from.ip ?? null, action: 'export', outcome: 'allowed',
    detail: { what: 'audit_log', format, filters: f, rows: read.rows, truncated: read.truncated },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return format === 'csv'
    ? { filename: `audit-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', body }
    : { filename: `audit-${stamp}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}
