import type { Writable } from 'node:stream';
import { chunkSettings, inChunks } from '../../platform/chunks.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { viewName } from '../../platform/pii.js';
import { streamedSheet, type SheetColumn } from '../../platform/xlsx.js';
import { can, piiViewOf } from '../access/access.permissions.js';
import { staffById } from '../ownership/ownership.sql.js';
import { daysBetween, me, today, type WorkActor } from '../worklist/worklist.common.js';
import { eachRow, type SheetProgress, type WrittenSheet } from '../worklist/worklist.sheets.js';
import { sourceName, staleReasons, stageName, statusName, targetLabel } from './opportunities.rules.js';
import * as q from './opportunities.sql.js';

// The 商机管理表 (seed 003: the opportunity management sheet the branch head checks weekly) as
// .xlsx, through the export machinery (an export job: audited when downloaded, in the user's
// scope), and the same opportunities as CSV for `stratum opportunities export`. Read in chunks
// like the bank's other sheets (worklist.sheets.ts).

/** The sheet's columns, exactly as the bank's sheet has them. */
export const OPPORTUNITY_COLUMNS: SheetColumn[] = [
  { header: '序号', kind: 'integer' },
  { header: '客户号' },
  { header: '客户姓名' },
  { header: '管户人' },
  { header: '商机来源' },
  { header: '目标产品', width: 22 },
  { header: '阶段' },
  { header: '预计金额(万元)', kind: 'wan' },
  { header: '下一步', width: 30 },
  { header: '下次跟进日期', kind: 'date' },
  { header: '备注', width: 30 },
  { header: '状态', width: 16 },
];

/** The command line's CSV columns (docs/configuration.md). */
export const CSV_COLUMNS = [
  'opportunity_id', 'customer_id', 'prospect_id', 'owner_id', 'branch_id', 'source', 'target_type', 'target_code', 'stage', 'status',
  'expected_amount', 'next_step', 'next_step_on', 'stage_since', 'created_on', 'closed_on', 'lost_reason', 'notes',
] as const;

export const SHEET_NAME = { zh: '商机管理表', en: 'Opportunities', fileEn: 'opportunities' };
const CHUNK = 500;
const MAX_DAYS = 366;
// a leading = + - @ would be a formula in a spreadsheet: text typed by a user stays text
const safe = (s: string | null) => (s && /^[=+\-@]/.test(s) ? `'${s}` : (s ?? ''));

export interface OpportunitySheetFilters {
  staffId?: string | undefined;
  status?: 'open' | 'closed' | 'all' | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function checkPeriod(from: string | undefined, to: string | undefined, field: string): void {
  if (from && to && (daysBetween(from, to) < 0 || daysBetween(from, to) + 1 > MAX_DAYS)) {
    throw new AppError('bad_request', text(`请选择不超过 ${MAX_DAYS} 天的日期范围。`, `Choose a range of at most ${MAX_DAYS} days.`), {
      [field]: text(`须在 ${from} 之后 ${MAX_DAYS} 天内`, `must be on or after ${from}, within ${MAX_DAYS} days`),
    });
  }
}

/** Whose opportunities a user's sheet holds: their own, or (a reviewer) their scope's or one owner's of it. Checked before a job is queued. */
export async function sheetOwner(db: Db, a: WorkActor, f: OpportunitySheetFilters): Promise<string | null> {
  checkPeriod(f.from, f.to, 'filters.to');
  const reviewer = can(a.user.role, 'opportunities.review');
  if (!reviewer && !can(a.user.role, 'opportunities.own')) throw new AppError('forbidden', text('您的岗位不能导出商机管理表。', 'Your role may not export the opportunity sheet.'));
  if (f.staffId === undefined) return reviewer ? null : me(a.user);
  if (f.staffId !== me(a.user) && !reviewer) throw new AppError('forbidden', text('您只能导出自己的商机。', 'You can only export your own opportunities.'));
  const st = await db.session((s) => staffById(s, f.staffId ?? ''));
  if (!st || (a.user.scope && !a.user.scope.includes(st.branch_id))) {
    throw new AppError('not_found', text('没有这位员工，或不在您的机构范围内。', 'There is no such staff member within your branches.'), { 'filters.staffId': text('员工不存在或不在范围内', 'no such staff member within your branches') });
  }
  return st.staff_id;
}

const filterOf = (ownerId: string | null, f: OpportunitySheetFilters): q.ListFilter => ({
  ownerId,
  customerId: null,
  prospectId: null,
  stage: null,
  status: f.status ?? 'all',
  stale: null,
  dueBy: null,
  sort: 'next_step_on',
  period: { from: f.from ?? null, to: f.to ?? null },
});

/** Writes the 商机管理表 of the user's scope (at most `cap` rows), masked as the user sees names; audited by the caller on download. */
export async function writeOpportunitySheet(db: Db, a: WorkActor, f: OpportunitySheetFilters, o: { cap: number; target?: Writable; progress?: SheetProgress }): Promise<WrittenSheet> {
  const ownerId = await sheetOwner(db, a, f);
  const asOf = await today(db);
  const view = piiViewOf(a.user.role);
  const title = a.lang === 'en' ? SHEET_NAME.en : SHEET_NAME.zh;
  const sheet = streamedSheet(title, OPPORTUNITY_COLUMNS, o.target);
  const customers = new Set<string>();
  const filter = filterOf(ownerId, f);
  const grow = db.engine === 'pglite' && chunkSettings.rows === null;
  const rows = await inChunks(db, 'opportunity_sheet', CHUNK, (chunks) =>
    eachRow(chunks, o.cap, (s) => q.sheetKeys(s, a.user, filter, asOf, o.cap + 1), q.rowsOf, (r, i) => {
      if (r.customer_id) customers.add(r.customer_id);
      const stale = staleReasons(r, asOf).length > 0;
      sheet.add([
        i + 1,
        r.customer_id || '潜在客户',
        viewName(view, r.customer_name ?? r.prospect_name ?? ''),
        r.owner_name ?? r.owner_id,
        sourceName(r.source, 'zh'),
        targetLabel(r.target_type, r.target_code, r.product_name, 'zh'),
        stageName(r.stage, 'zh'),
        r.expected_amount ?? '',
        safe(r.next_step),
        r.next_step_on ?? '',
        safe(r.notes),
        statusName(r.stage, stale, r.lost_reason, 'zh'),
      ]);
    }, o.progress ?? {}, grow),
  );
  const body = await sheet.finish();
  return {
    rows,
    customerIds: [...customers],
    title,
    filename: `${a.lang === 'en' ? SHEET_NAME.fileEn : SHEET_NAME.zh}_${asOf}.xlsx`,
    asciiName: `${SHEET_NAME.fileEn}_${asOf}.xlsx`,
    fields: ['name'],
    detail: { what: 'opportunity_sheet', rows, staffId: f.staffId ?? null, status: f.status ?? 'all', from: f.from ?? null, to: f.to ?? null },
    body,
  };
}

const csvCell = (v: string | null) => (v === null ? '' : /[",\n\r]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replace(/"/g, '""')}"` : v);

/**
 * Every opportunity of the bank (alive in the period when one is given) as CSV lines, a chunk at a
 * time, for the command line (the operator: no scope). The customers written, for its audit entry.
 */
export async function writeOpportunityCsv(db: Db, f: { from?: string | undefined; to?: string | undefined }, write: (text: string) => Promise<void>): Promise<{ rows: number; customerIds: string[] }> {
  if (f.from && f.to && f.from > f.to) throw new Error(`--from ${f.from} is after --to ${f.to}`);
  const asOf = await today(db);
  const filter = filterOf(null, { status: 'all', from: f.from, to: f.to });
  const customers = new Set<string>();
  await write(`${CSV_COLUMNS.join(',')}\n`);
  const rows = await inChunks(db, 'opportunity_csv', CHUNK, async (chunks) => {
    const keys = await chunks.run((s) => q.sheetKeys(s, null, filter, asOf, Number.MAX_SAFE_INTEGER));
    let n = 0;
    for (let i = 0; i < keys.length; i += chunks.rows) {
      const got = await chunks.run((s) => q.rowsOf(s, keys.slice(i, i + chunks.rows)));
      const lines = got.map((r) => {
        if (r.customer_id) customers.add(r.customer_id);
        const status = r.stage === 'won' || r.stage === 'lost' ? r.stage : staleReasons(r, asOf).length ? 'stale' : 'open';
        return [
          r.opportunity_id, r.customer_id || null, r.prospect_id, r.owner_id, r.branch_id, r.source, r.target_type, r.target_code, r.stage, status,
          r.expected_amount, r.next_step, r.next_step_on, r.stage_since, r.created_on, r.closed_on, r.lost_reason, r.notes,
        ].map(csvCell).join(',');
      });
      n += lines.length;
      if (lines.length) await write(`${lines.join('\n')}\n`);
    }
    return n;
  });
  return { rows, customerIds: [...customers] };
}
