import { recordAudit } from '../../platform/audit.js';
import type { SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { text } from '../../platform/i18n.js';
import type { Role } from '../access/access.permissions.js';
import { reviewStaff } from '../opportunities/opportunities.sql.js';
import { staffById, type StaffRow } from '../ownership/ownership.sql.js';
import { chinaDay, type WorkActor } from '../worklist/worklist.common.js';
import { REVIEWED_ROLES, SPOT_CHECK_DEFAULT_SIZE, SPOT_CHECK_MAX_SIZE } from './review.contract.js';
import type { Branches } from './review.sql.js';

// What the monthly review's parts share: errors at a field in both languages, today's calendar day
// in China, the managers of a scope, the setting of the spot check's size, and the audit entry.

export const bad = (field: string, zh: string, en: string, zhField = zh, enField = en) => new AppError('bad_request', text(zh, en), { [field]: text(zhField, enField) });

/** Today's calendar day in China (a date the user gives may not be after it). */
export const chinaToday = (now: Date = new Date()) => chinaDay(now);

/** The earliest date the review takes (anything earlier is a typing slip). */
export const EARLIEST = '2000-01-01';

/** A date that happened: not after today (China time), not before 2000. */
export function pastDate(field: string, value: string, now: Date, what: { zh: string; en: string }): string {
  const today = chinaToday(now);
  if (value > today) throw bad(field, `${what.zh}不能晚于今天（${today}）。`, `The ${what.en} cannot be in the future (today is ${today}).`, `不能晚于 ${today}`, `must not be after ${today}`);
  if (value < EARLIEST) throw bad(field, `${what.zh}不能早于 ${EARLIEST}。`, `The ${what.en} cannot be before ${EARLIEST}.`, `不能早于 ${EARLIEST}`, `must not be before ${EARLIEST}`);
  return value;
}

/** Free text trimmed, of `min` to `max` characters (named at the field); '' when optional and empty → null. */
export function textField(field: string, value: string | undefined | null, o: { min: number; max: number; label: { zh: string; en: string }; optional?: boolean }): string | null {
  const v = value?.trim() ?? '';
  if (!v && o.optional) return null;
  const n = [...v].length;
  if (n < o.min || n > o.max) {
    throw bad(field, `请填写${o.label.zh}（${o.min}–${o.max} 个字）。`, `Give the ${o.label.en} (${o.min} to ${o.max} characters).`, `须为 ${o.min}–${o.max} 个字`, `${o.min} to ${o.max} characters`);
  }
  return v;
}

/** The managers of a scope whose familiarity is checked and who are coached (active customer managers and supervisors). */
export const managersOf = (s: SqlSession, branches: Branches) => reviewStaff(s, branches, REVIEWED_ROLES);

const noManager = () =>
  new AppError('not_found', text('没有这位客户经理，或不在您的机构范围内。', 'There is no such customer manager within your branches.'), {
    staffId: text('客户经理不存在或不在范围内', 'no such customer manager within your branches'),
  });

/** A manager of the scope (active, a customer manager or supervisor), or 404 naming staffId. */
export async function requireManager(s: SqlSession, staffId: string, branches: Branches): Promise<StaffRow> {
  const st = await staffById(s, staffId);
  if (!st || !st.active || !(REVIEWED_ROLES as readonly string[]).includes(st.role) || (branches && !branches.includes(st.branch_id))) throw noManager();
  return st;
}

/** The spot check's size when the request does not give one: STRATUM_SPOT_CHECK_SIZE, else 5. */
export function spotCheckSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.STRATUM_SPOT_CHECK_SIZE);
  return Number.isInteger(n) && n >= 1 && n <= SPOT_CHECK_MAX_SIZE ? n : SPOT_CHECK_DEFAULT_SIZE;
}

export const reviewAudit = (s: SqlSession, a: WorkActor, action: string, customerIds: readonly string[], detail: Record<string, unknown>, reason: string | null = null) =>
  recordAudit(s, { actor: a.user.login, role: a.user.role, ip: a.ip, action, customerIds: [...customerIds].sort(), outcome: 'allowed', reason, detail });

export const roleOf = (role: string) => role as Role;
