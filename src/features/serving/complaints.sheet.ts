import { exportAuditEntry, recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import type { Lang } from '../../platform/i18n.js';
import { streamedSheet, type SheetColumn } from '../../platform/xlsx.js';
import type { SignedInUser } from '../access/access.service.js';
import type { ReportRow } from './complaints.contract.js';
import { complaintsReport } from './complaints.report.js';

// The complaints report (投诉统计, issue 22 §1) as .xlsx: the same rows as GET /api/complaints/report
// (by branch, month of receipt and root cause) and a total line. Audited as an export; it names
// branches, no customer.

const ROOT_CAUSE: Record<string, { zh: string; en: string }> = {
  product: { zh: '产品', en: 'Product' },
  fees: { zh: '收费', en: 'Fees' },
  process: { zh: '流程', en: 'Process' },
  system: { zh: '系统', en: 'System' },
  staff_conduct: { zh: '员工行为', en: 'Staff conduct' },
  waiting_time: { zh: '等候时间', en: 'Waiting time' },
  other: { zh: '其他', en: 'Other' },
};

type Line = Omit<ReportRow, 'branch' | 'month' | 'rootCause'> & { branch: string; month: string; rootCause: string };
const COLUMNS: { zh: string; en: string; kind: SheetColumn['kind']; value: (l: Line) => unknown }[] = [
  { zh: '网点', en: 'Branch', kind: 'text', value: (l) => l.branch },
  { zh: '月份', en: 'Month', kind: 'text', value: (l) => l.month },
  { zh: '根本原因', en: 'Root cause', kind: 'text', value: (l) => l.rootCause },
  { zh: '受理件数', en: 'Received', kind: 'integer', value: (l) => l.received },
  { zh: '已解决', en: 'Resolved', kind: 'integer', value: (l) => l.resolved },
  { zh: '时限内解决', en: 'Resolved within the limit', kind: 'integer', value: (l) => l.resolvedWithinLimit },
  { zh: '时限内解决率', en: 'Share within the limit', kind: 'text', value: (l) => (l.shareWithinLimit === null ? '' : `${(l.shareWithinLimit * 100).toFixed(1)}%`) },
  { zh: '平均首次响应（小时）', en: 'Mean hours to first response', kind: 'text', value: (l) => (l.meanFirstResponseHours === null ? '' : l.meanFirstResponseHours.toFixed(1)) },
  { zh: '平均解决（小时）', en: 'Mean hours to resolution', kind: 'text', value: (l) => (l.meanResolutionHours === null ? '' : l.meanResolutionHours.toFixed(1)) },
];

/** The report of complaints received from..to in the user's branches, as .xlsx (audited). */
export async function complaintsWorkbook(db: Db, user: SignedInUser, q: { from?: string | undefined; to?: string | undefined }, lang: Lang, ip: string | null) {
  const report = await complaintsReport(db, user, q);
  const en = lang === 'en';
  const title = en ? 'Complaints' : '投诉统计';
  const sheet = streamedSheet(title, COLUMNS.map((c) => ({ header: en ? c.en : c.zh, kind: c.kind })));
  const open = en ? 'Not closed yet' : '尚未结案';
  for (const r of report.rows) {
    const cause = r.rootCause === null ? open : (ROOT_CAUSE[r.rootCause]?.[en ? 'en' : 'zh'] ?? r.rootCause);
    const line: Line = { ...r, branch: r.branch.name, rootCause: cause };
    sheet.add(COLUMNS.map((c) => c.value(line)));
  }
  sheet.add(COLUMNS.map((c) => c.value({ ...report.totals, branch: en ? 'Total' : '合计', month: '', rootCause: '' })));
  const body = await sheet.finish();
  await recordAuditDb(db, exportAuditEntry(user, ip, { detail: { what: 'complaints_report', from: report.from, to: report.to, rows: report.rows.length } }));
  return {
    body,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename: `${title}_${report.from}_${report.to}.xlsx`,
    asciiName: `complaints_${report.from}_${report.to}.xlsx`,
  };
}
