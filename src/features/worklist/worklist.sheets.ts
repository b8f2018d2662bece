import ExcelJS from 'exceljs';
import { recordAuditDb } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import { maskIdNumber, maskPhone, viewDetail, viewName } from '../../platform/pii.js';
import { piiViewOf } from '../access/access.permissions.js';
import { addDays, chinaDay, daysBetween, today, workScope, type WorkActor } from './worklist.common.js';
import * as l from './worklist.log.sql.js';
import { channelLabel, outcomeLabel } from './worklist.log.js';
import { CARD_GRADES, tierLabel, wan } from './worklist.summary.js';

// The bank's own sheets as .xlsx, with Chinese headers and labels: 个人客户信息梳理表 (customer
// information) and 递进沟通表 (contact log). ID numbers and phones are always masked, names for
// the lobby roles, birth dates shown only with pii.details; every export is an audit entry.

/** A sheet holds at most this many rows: narrow it (one owner, fewer days) for more. */
export const SHEET_CAP = 20_000;
const SHEET_MAX_DAYS = 366;

const GENDER: Record<string, string> = { M: '男', F: '女' };
const RISK: Record<string, string> = { C1: 'C1 保守型', C2: 'C2 稳健型', C3: 'C3 平衡型', C4: 'C4 成长型', C5: 'C5 进取型' };
const label = (m: Record<string, string>, v: string | null) => (v ? (m[v] ?? v) : '');
// a leading = + - @ would be a formula in a spreadsheet: text typed by a user stays text
const safe = (s: string | null) => (s && /^[=+\-@]/.test(s) ? `'${s}` : (s ?? ''));

const CUSTOMER_HEADERS = ['序号', '客户号', '客户姓名', '性别', '出生日期', '证件号码', '手机号码', '职业', '所属网点', '管户人员', '金融资产（万元）', 'AUM分层', '客户层级', '持卡类别', '风险等级', '免打扰', '上次联络日期', '下次计划联络时间'];
const CONTACT_HEADERS = ['序号', '联络日期', '客户号', '客户姓名', '联络方式', '联络人', '沟通内容', '联络结果', '下次联络时间'];

const tooMany = () =>
  new AppError('bad_request', text(`导出超过 ${SHEET_CAP} 行，请按管户人员或缩短日期范围分批导出。`, `The sheet would have more than ${SHEET_CAP} rows; export one owner or fewer days at a time.`));

export interface SheetFilters {
  sheet: 'customer_info' | 'contact_log';
  staffId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export async function exportSheet(db: Db, a: WorkActor, f: SheetFilters) {
  const view = piiViewOf(a.user.role);
  const asOf = await today(db);
  const wb = new ExcelJS.Workbook();
  let rows = 0;
  let title: string;
  let range: { from: string; to: string } | null = null;
  if (f.sheet === 'customer_info') {
    title = '个人客户信息梳理表';
    const list = await db.session(async (s) => l.sheetCustomers(s, await workScope(s, a.user, f.staffId), SHEET_CAP + 1));
    if (list.length > SHEET_CAP) throw tooMany();
    const ws = wb.addWorksheet(title);
    ws.addRow(CUSTOMER_HEADERS);
    list.forEach((c, i) =>
      ws.addRow([
        i + 1, c.customer_id, viewName(view, c.name), label(GENDER, c.gender), viewDetail(view, c.birth_date) ?? '', maskIdNumber(c.id_number) ?? '', maskPhone(c.phone) ?? '',
        c.occupation ?? '', c.branch_name, c.owner_name ?? '', wan(c.aum).replace('万', ''), c.aum_band ? tierLabel('aum_band', c.aum_band).zh : '', c.relationship_tier ? tierLabel('relationship_tier', c.relationship_tier).zh : '',
        c.vip_grade ? (CARD_GRADES[c.vip_grade]?.zh ?? c.vip_grade) : '无', label(RISK, c.risk_level), c.do_not_disturb ? '是' : '否',
        c.last_contact ? chinaDay(new Date(c.last_contact)) : '', c.next_contact_on ?? '',
      ]),
    );
    rows = list.length;
  } else {
    title = '递进沟通表';
    const to = f.to ?? asOf;
    const from = f.from ?? addDays(to, -30);
    const span = daysBetween(from, to);
    if (span < 0 || span + 1 > SHEET_MAX_DAYS) {
      throw new AppError('bad_request', text(`请选择不超过 ${SHEET_MAX_DAYS} 天的日期范围。`, `Choose a range of at most ${SHEET_MAX_DAYS} days.`), {
        to: text(`须在 ${from} 之后 ${SHEET_MAX_DAYS} 天内`, `must be on or after ${from}, within ${SHEET_MAX_DAYS} days`),
      });
    }
    range = { from, to };
    const list = await db.session(async (s) => l.sheetContacts(s, await workScope(s, a.user, f.staffId), `${from}T00:00:00+08:00`, `${addDays(to, 1)}T00:00:00+08:00`, SHEET_CAP + 1));
    if (list.length > SHEET_CAP) throw tooMany();
    const ws = wb.addWorksheet(title);
    ws.addRow(CONTACT_HEADERS);
    list.forEach((c, i) =>
      ws.addRow([
        i + 1, chinaDay(new Date(c.contacted_at)), c.customer_id, viewName(view, c.customer_name), channelLabel(c.channel).zh, c.staff_name,
        safe(c.notes), outcomeLabel(c.outcome)?.zh ?? '', c.next_contact_on ?? '',
      ]),
    );
    rows = list.length;
  }
  const ws = wb.worksheets[0];
  if (ws) {
    ws.getRow(1).font = { bold: true };
    ws.columns.forEach((col) => (col.width = 14));
  }
  await recordAuditDb(db, {
    actor: a.user.login, role: a.user.role, ip: a.ip, action: 'export', outcome: 'allowed',
    fields: f.sheet === 'customer_info' ? ['name', 'id_number', 'phone', ...(view.details ? ['birth_date'] : []), 'balances'] : ['name'],
    detail: { what: 'worklist_sheet', sheet: f.sheet, rows, staffId: f.staffId ?? null, ...(range ?? {}) },
  });
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  return { filename: `${f.sheet}-${asOf}.xlsx`, title, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}
