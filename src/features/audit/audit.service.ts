import ExcelJS from 'exceljs';
import { recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import type { SignedInUser } from '../access/access.service.js';
import type { AuditFilters, AuditItem, AuditListQuery } from './audit.contract.js';
import { listEntries, type AuditRow } from './audit.sql.js';

// The audit trail as the department (all of it) and branch heads (their subtree) read it.

/** An export holds at most this many entries; narrow the dates for more. */
export const EXPORT_CAP = 100_000;

const present = (r: AuditRow): AuditItem => ({
  entryId: Number(r.entry_id),
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  actorName: r.actor_name,
  role: r.role,
  ip: r.ip,
  action: r.action,
  customerIds: r.customer_ids,
  fields: r.fields,
  outcome: r.outcome,
  reason: r.reason,
  detail: r.detail,
});

export async function listAudit(db: Db, user: SignedInUser, q: AuditListQuery) {
  const { rows, total } = await listEntries(db, user.scope, q, q.pageSize, (q.page - 1) * q.pageSize);
  return { items: rows.map(present), page: q.page, pageSize: q.pageSize, total };
}

const COLUMNS: [keyof AuditItem | 'time', string][] = [
  ['entryId', 'entry_id'], ['time', 'time (China)'], ['actor', 'actor'], ['actorName', 'actor_name'], ['role', 'role'], ['ip', 'ip'],
  ['action', 'action'], ['customerIds', 'customer_ids'], ['fields', 'fields'], ['outcome', 'outcome'], ['reason', 'reason'], ['detail', 'detail'],
];
const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const cell = (item: AuditItem, k: keyof AuditItem | 'time'): string => {
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

/** The filtered entries as CSV (UTF-8 with BOM, for Excel) or XLSX; the export is itself an audit entry. */
export async function exportAudit(db: Db, user: SignedInUser, f: AuditFilters, format: 'csv' | 'xlsx', from: { ip?: string | null }) {
  const { rows, total } = await listEntries(db, user.scope, f, EXPORT_CAP, 0);
  const items = rows.map(present);
  await recordAuditDb(db, {
    actor: user.login, role: user.role, ip: from.ip ?? null, action: 'export', outcome: 'allowed',
    detail: { what: 'audit_log', format, filters: f, rows: items.length, truncated: total > items.length },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  if (format === 'csv') {
    const lines = [COLUMNS.map(([, h]) => h).join(','), ...items.map((i) => COLUMNS.map(([k]) => csvField(cell(i, k))).join(','))];
    return { filename: `audit-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8') };
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('audit');
  ws.columns = COLUMNS.map(([k, h]) => ({ header: h, key: k, width: k === 'detail' || k === 'reason' ? 40 : 16 }));
  for (const i of items) ws.addRow(Object.fromEntries(COLUMNS.map(([k]) => [k, k === 'entryId' ? i.entryId : cell(i, k)])));
  ws.getRow(1).font = { bold: true };
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  return { filename: `audit-${stamp}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}
