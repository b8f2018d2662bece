import type { Db } from '../../platform/db.js';
import type { Lang } from '../../platform/i18n.js';
import { exportAuditEntry, recordAuditDb } from '../../platform/audit.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { streamedSheet, type SheetColumn } from '../../platform/xlsx.js';
import { branchSubtree } from '../access/access.sql.js';
import type { SignedInUser } from '../access/access.service.js';
import type { Figures, PerformanceQuery, PerformanceReport } from './performance.contract.js';
import { bandOrder, loadedDates, managerPerformance, resolvePeriod } from './performance.service.js';
import { performanceRows, type PerformanceRow } from './performance.sql.js';

// The report as the bank's sheet (管户业绩统计, seed 003): 管户客户数, 期末金融资产余额, 比上期,
// 期末AUM余额, 比上期, 期末存款余额, 比上期, then coverage and activity; and as CSV for
// `stratum report managers`. Both audited as exports (they name staff, no customer).

const share = (n: number, of: number) => (of ? n / of : null);

interface Col {
  zh: string;
  en: string;
  kind: SheetColumn['kind'] | 'percent';
  value: (line: { id: string; name: string; branch: string; f: Figures }) => unknown;
}

const COLUMNS: Col[] = [
  { zh: '员工号', en: 'Staff no.', kind: 'text', value: (l) => l.id },
  { zh: '姓名', en: 'Name', kind: 'text', value: (l) => l.name },
  { zh: '网点', en: 'Branch', kind: 'text', value: (l) => l.branch },
  { zh: '管户客户数', en: 'Customers', kind: 'integer', value: (l) => l.f.customers },
  { zh: '期末金融资产余额', en: 'Financial assets at end', kind: 'yuan', value: (l) => l.f.financialAssetsEnd },
  { zh: '比上期', en: 'Change', kind: 'yuan', value: (l) => l.f.financialAssetsChange },
  { zh: '期末AUM余额', en: 'AUM at end', kind: 'yuan', value: (l) => l.f.aumEnd },
  { zh: '比上期', en: 'Change', kind: 'yuan', value: (l) => l.f.aumChange },
  { zh: '期末存款余额', en: 'Deposits at end', kind: 'yuan', value: (l) => l.f.depositsEnd },
  { zh: '比上期', en: 'Change', kind: 'yuan', value: (l) => l.f.depositsChange },
  { zh: '签约客户数', en: 'Signed', kind: 'integer', value: (l) => l.f.signed },
  { zh: '定期覆盖率', en: 'Time deposit coverage', kind: 'percent', value: (l) => share(l.f.coverage.timeDeposit, l.f.customers) },
  { zh: '理财覆盖率', en: 'Wealth coverage', kind: 'percent', value: (l) => share(l.f.coverage.wealth, l.f.customers) },
  { zh: '基金覆盖率', en: 'Fund coverage', kind: 'percent', value: (l) => share(l.f.coverage.fund, l.f.customers) },
  { zh: '保险覆盖率', en: 'Insurance coverage', kind: 'percent', value: (l) => share(l.f.coverage.insurance, l.f.customers) },
  { zh: '手机/网银覆盖率', en: 'Mobile/online coverage', kind: 'percent', value: (l) => share(l.f.coverage.mobile, l.f.customers) },
  { zh: '联系次数', en: 'Contacts', kind: 'integer', value: (l) => l.f.contacts },
  { zh: '计划完成', en: 'Plan items done', kind: 'integer', value: (l) => l.f.planDone },
  { zh: '计划项', en: 'Plan items', kind: 'integer', value: (l) => l.f.planItems },
  { zh: '计划执行率', en: 'Plan execution', kind: 'percent', value: (l) => l.f.planRate },
  { zh: '升层', en: 'Moved up', kind: 'integer', value: (l) => l.f.upMoves },
  { zh: '降层', en: 'Moved down', kind: 'integer', value: (l) => l.f.downMoves },
  { zh: '流失客户', en: 'Churned', kind: 'integer', value: (l) => l.f.churned },
  { zh: '流失资产', en: 'AUM churned', kind: 'yuan', value: (l) => l.f.churnedAum },
  { zh: '商机成功', en: 'Opportunities won', kind: 'integer', value: (l) => l.f.opportunitiesWon },
  { zh: '商机失败', en: 'Opportunities lost', kind: 'integer', value: (l) => l.f.opportunitiesLost },
  { zh: '商机转化率', en: 'Conversion', kind: 'percent', value: (l) => l.f.conversion },
  { zh: '转介', en: 'Referrals sent', kind: 'integer', value: (l) => l.f.referralsSent },
  { zh: '转介成功', en: 'Referrals converted', kind: 'integer', value: (l) => l.f.referralsConverted },
];

/** The report as .xlsx: a line per staff member, then per branch and the total. */
export async function performanceWorkbook(db: Db, user: SignedInUser, q: PerformanceQuery, lang: Lang, ip: string | null) {
  const report: PerformanceReport = await managerPerformance(db, user, q);
  const title = lang === 'en' ? 'Manager performance' : '管户业绩统计';
  const columns: SheetColumn[] = COLUMNS.map((c) => ({ header: lang === 'en' ? c.en : c.zh, kind: c.kind === 'percent' ? 'text' : c.kind }));
  const sheet = streamedSheet(title, columns);
  const cell = (c: Col, l: Parameters<Col['value']>[0]) => {
    const v = c.value(l);
    return c.kind === 'percent' ? (v === null ? '' : `${((v as number) * 100).toFixed(1)}%`) : v;
  };
  for (const s of report.staff) {
    const l = { id: s.staffId, name: s.name, branch: s.branchName, f: s.figures };
    sheet.add(COLUMNS.map((c) => cell(c, l)));
  }
  for (const b of report.branches) {
    const l = { id: '', name: lang === 'en' ? 'Branch total' : '网点合计', branch: b.branchName, f: b.figures };
    sheet.add(COLUMNS.map((c) => cell(c, l)));
  }
  sheet.add(COLUMNS.map((c) => cell(c, { id: '', name: lang === 'en' ? 'Total' : '合计', branch: '', f: report.total.figures })));
  const body = await sheet.finish();
  const p = report.period;
  await recordAuditDb(db, exportAuditEntry(user, ip, { detail: { what: 'manager_performance', from: p.from, to: p.to, branchId: q.branchId ?? null, staff: report.staff.length } }));
  const label = p.label.replace(/\s*→\s*/, '_');
  return {
    body,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename: `${title}_${label}.xlsx`,
    asciiName: `manager-performance_${label}.xlsx`,
  };
}

/** The CSV of `stratum report managers`: these columns first, exactly, then the others. */
export const CSV_COLUMNS = [
  'staff_id', 'customers', 'aum_end', 'aum_start', 'deposits_end', 'deposits_start', 'signed', 'contacts', 'plan_done', 'plan_items', 'up_moves', 'down_moves', 'churned',
  'name', 'role', 'branch_id', 'financial_assets_end', 'financial_assets_start', 'churned_aum', 'time_deposit', 'wealth', 'fund', 'insurance', 'mobile',
  'opportunities_won', 'opportunities_lost', 'referrals_sent', 'referrals_converted',
] as const;

const csvCell = (v: string) => (/[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v);

/**
 * Every staff member's line for A → B as CSV (the operator: every branch, or a branch and those
 * under it). Money in yuan with 2 decimals. Audited as an export.
 */
export async function performanceCsv(db: Db, o: { from: string; to: string; branchId?: string | undefined }): Promise<{ csv: string; rows: number }> {
  const { period } = resolvePeriod({ period: 'range', from: o.from, to: o.to }, await loadedDates(db));
  let branches: string[] | null = null;
  if (o.branchId) {
    branches = await branchSubtree(db, o.branchId);
    if (!branches.length) throw new AppError('not_found', text(`没有网点 ${o.branchId}。`, `There is no branch ${o.branchId}.`));
  }
  const order = await bandOrder(db);
  const rows: PerformanceRow[] = await db.session((s) => performanceRows(s, { from: period.from, to: period.to, branches, staffId: null, bandOrder: order }));
  const line = (r: PerformanceRow) => CSV_COLUMNS.map((k) => {
    if (k === 'financial_assets_end') return r.aum_end;
    if (k === 'financial_assets_start') return r.aum_start;
    return csvCell(String(r[k]));
  }).join(',');
  await recordAuditDb(db, {
    actor: null,
    action: 'export',
    outcome: 'allowed',
    customerIds: [],
    fields: [],
    detail: { what: 'manager_performance', from: period.from, to: period.to, branchId: o.branchId ?? null, rows: rows.length, via: 'cli', by: process.env.USER ?? null },
  });
  return { csv: [CSV_COLUMNS.join(','), ...rows.map(line)].join('\n') + '\n', rows: rows.length };
}
