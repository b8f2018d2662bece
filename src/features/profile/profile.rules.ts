import { AppError } from '../../platform/errors.js';
import { text, type LocalText } from '../../platform/i18n.js';

// Profile completeness (POLICIES "Profile completeness"): the 9 fields counted, the threshold of a
// collection task, the band below which the outlet's counter tellers collect, and the checks of a
// value staff record (a field named in both languages).

/** The fields counted, in the order they are listed as missing. */
export const PROFILE_FIELDS = ['phone', 'birth_date', 'address', 'occupation', 'annual_income', 'risk_assessment', 'interests', 'family', 'contact_time'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
/** Fields the bank's core system holds: what staff collect is a proposal for entry there. */
export const CORE_FIELDS = ['phone', 'address', 'birth_date', 'occupation', 'annual_income'] as const;
export type CoreField = (typeof CORE_FIELDS)[number];
/** A customer with fewer filled fields than this gets a collection task. */
export const COMPLETE_AT = 7;
/** Below this band of aum_band (band_1, band_2) the outlet's counter tellers collect; from it, the primary owner. */
export const TELLER_BELOW_BAND = 3;
export const CONTACT_TIMES = ['morning', 'noon', 'afternoon', 'evening', 'weekend', 'any'] as const;
export const CONTACT_CHANNELS = ['phone', 'sms', 'wechat', 'visit', 'counter'] as const;
/** Family notes that say there is no family to record: the field counts as filled. */
export const FAMILY_NONE = ['none', '无', '没有'];

export const FIELD_LABELS: Record<ProfileField, LocalText> = {
  phone: text('手机号码', 'phone'),
  birth_date: text('出生日期', 'birth date'),
  address: text('地址', 'address'),
  occupation: text('职业', 'occupation'),
  annual_income: text('年收入', 'annual income'),
  risk_assessment: text('有效风险评估', 'valid risk assessment'),
  interests: text('兴趣爱好', 'interests'),
  family: text('家庭情况', 'family'),
  contact_time: text('偏好联络时间', 'preferred contact time'),
};

const bad = (field: string, zh: string, en: string) => new AppError('bad_request', text(zh, en), { [field]: text(zh, en) });

/** A mainland mobile number: 11 digits, 1 then 3–9. */
export function checkPhone(v: string): string {
  const t = v.replace(/[\s-]/g, '');
  if (!/^1[3-9]\d{9}$/.test(t)) throw bad('phone', `手机号码“${v}”不是有效的大陆手机号（11 位，以 13–19 开头）。`, `phone: '${v}' is not a mainland mobile number (11 digits starting 13 to 19).`);
  return t;
}

/** A birth date: a real day, not after today (China time). */
export function checkBirthDate(v: string, today: string): string {
  const d = new Date(`${v}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== v) {
    throw bad('birthDate', `出生日期“${v}”不是有效日期（格式 YYYY-MM-DD）。`, `birth date: '${v}' is not a date (YYYY-MM-DD).`);
  }
  if (v > today) throw bad('birthDate', `出生日期 ${v} 晚于今天（${today}）。`, `birth date: ${v} is in the future (today is ${today}).`);
  if (v < '1900-01-01') throw bad('birthDate', `出生日期 ${v} 早于 1900 年。`, `birth date: ${v} is before 1900.`);
  return v;
}

/** An annual income in yuan: 0 or more, at most two decimals; kept as the feed writes it (240000.00). */
export function checkIncome(v: number): string {
  if (!Number.isFinite(v) || v < 0) throw bad('annualIncome', `年收入不能小于 0（填写的是 ${v}）。`, `annual income: cannot be below 0 (${v} was given).`);
  if (v > 1e15) throw bad('annualIncome', '年收入过大，请核对。', 'annual income: too large, check the amount.');
  return v.toFixed(2);
}

export function checkText(field: string, v: string, label: LocalText, max: number): string {
  const t = v.trim();
  if (!t || [...t].length > max) throw bad(field, `请填写${label.zh}（1–${max} 个字）。`, `${label.en}: give 1 to ${max} characters.`);
  return t;
}
