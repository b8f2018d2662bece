import { digitsAt, isCalendarDate } from '../../platform/calendar.js';

// Checks and normalises one value of a feed file. Each check returns the value as it goes into
// the database (null for empty), or a Problem whose words a bank's data clerk understands.
// Values of personal columns (id_number, phone) are never quoted back in a message.

export interface ValueProblem {
  problem: string;
  /** a warning is reported but does not refuse the feed; the value kept is `keep` */
  warning?: boolean;
  keep?: string;
}
export type Checked = string | null | ValueProblem;
export type ValueCheck = (raw: string, ctx: { businessDate: string }) => Checked;

export const isProblem = (v: Checked): v is ValueProblem => typeof v === 'object' && v !== null;

const MAX_TEXT = 500;
const MAX_ID = 64;

/** Quotes a value for a message, shortened so one bad cell cannot flood the report. */
export function quote(raw: string): string {
  const v = raw.length > 40 ? `${raw.slice(0, 37)}…` : raw;
  return `'${v}'`;
}

export function identifier(): ValueCheck {
  return (raw) => {
    if (raw === '') return { problem: 'is empty, but every row needs it' };
    if (raw.length > MAX_ID) return { problem: `${quote(raw)} is longer than ${MAX_ID} characters` };
    return raw;
  };
}

export function optionalIdentifier(): ValueCheck {
  const id = identifier();
  return (raw, ctx) => (raw === '' ? null : id(raw, ctx));
}

export function text(required: boolean): ValueCheck {
  return (raw) => {
    if (raw === '') return required ? { problem: 'is empty, but every row needs it' } : null;
    if (raw.length > MAX_TEXT) return { problem: `is longer than ${MAX_TEXT} characters` };
    return raw;
  };
}

/** "one of C1–C5" for a numbered run, else the list. */
function describeChoices(values: readonly string[]): string {
  const m = values.map((v) => /^([A-Z])(\d)$/.exec(v));
  const run = m.every((x, i) => x && x[1] === m[0]?.[1] && Number(x[2]) === Number(m[0]?.[2]) + i);
  if (run && values.length > 2) return `${values[0]}–${values[values.length - 1]}`;
  return values.join(', ');
}

export function oneOf(values: readonly string[], required: boolean): ValueCheck {
  const allowed = new Set(values);
  const choices = describeChoices(values);
  return (raw) => {
    if (raw === '') return required ? { problem: `is empty; it must be one of ${choices}` } : null;
    if (allowed.has(raw)) return raw;
    return { problem: `${quote(raw)} is not one of ${choices}` };
  };
}

export function bool(): ValueCheck {
  return (raw) => {
    const v = raw.toLowerCase();
    if (v === 'true' || v === 'false') return v;
    if (raw === '') return { problem: 'is empty; it must be true or false' };
    return { problem: `${quote(raw)} is not true or false` };
  };
}

/** Tells a real-looking but impossible day (2026-02-30) from a wrongly written one (20261120). */
export function dateProblem(raw: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(raw)
    ? `${quote(raw)} is not a real calendar day`
    : `${quote(raw)} is not a date in the form YYYY-MM-DD`;
}

export function date(required: boolean, opts: { notAfterBusinessDate?: boolean } = {}): ValueCheck {
  return (raw, ctx) => {
    if (raw === '') return required ? { problem: 'is empty, but every row needs a date (YYYY-MM-DD)' } : null;
    if (!isCalendarDate(raw)) return { problem: dateProblem(raw) };
    if (opts.notAfterBusinessDate && raw > ctx.businessDate) {
      return { problem: `${raw} is after the business date ${ctx.businessDate}` };
    }
    return raw;
  };
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const CHINA_OFFSET_MIN = 8 * 60;

/**
 * Parses an ISO 8601 time; without an offset it is China time. Returns the instant as
 * ISO text with offset and the calendar date in China time, or null when malformed.
 */
export function parseBookedAt(raw: string): { at: string; chinaDate: string } | null {
  // the usual form, 2026-11-20T09:30:00+08:00, is checked without a regular expression
  if (raw.length === 25 && raw.charCodeAt(10) === 84 && raw.endsWith('+08:00') && isCalendarDate(raw.slice(0, 10))) {
    const hh = digitsAt(raw, 11, 13);
    const mm = digitsAt(raw, 14, 16);
    const ss = digitsAt(raw, 17, 19);
    if (raw.charCodeAt(13) === 58 && raw.charCodeAt(16) === 58 && hh >= 0 && hh <= 23 && mm >= 0 && mm <= 59 && ss >= 0 && ss <= 59) {
      return { at: raw, chinaDate: raw.slice(0, 10) };
    }
  }
  // a date alone (Excel shows a time of 00:00 that way) is midnight China time
  if (raw.length === 10 && isCalendarDate(raw)) return { at: `${raw}T00:00:00+08:00`, chinaDate: raw };
  const m = TIMESTAMP.exec(raw);
  if (!m) return null;
  const [, day = '', hh = '', mm = '', ss = '00', frac = '', zone] = m;
  if (!isCalendarDate(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  let offsetMin = CHINA_OFFSET_MIN;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 14 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  } else if (zone === 'Z') {
    offsetMin = 0;
  }
  if (offsetMin === CHINA_OFFSET_MIN) return { at: `${day}T${hh}:${mm}:${ss}${frac}+08:00`, chinaDate: day };
  const utcMs = Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10), +hh, +mm, +ss) - offsetMin * 60_000;
  const china = new Date(utcMs + CHINA_OFFSET_MIN * 60_000).toISOString().slice(0, 10);
  return { at: new Date(utcMs).toISOString().replace('.000Z', `${frac}Z`), chinaDate: china };
}

export function timestamp(opts: { notAfterBusinessDate?: boolean } = {}): ValueCheck {
  return (raw, ctx) => {
    if (raw === '') return { problem: 'is empty, but every row needs a date and time' };
    const t = parseBookedAt(raw);
    if (!t) return { problem: `${quote(raw)} is not a date and time in ISO 8601 form (e.g. 2026-11-20T09:30:00+08:00)` };
    if (opts.notAfterBusinessDate && t.chinaDate > ctx.businessDate) {
      return { problem: `${quote(raw)} is after the business date ${ctx.businessDate} (China time)` };
    }
    return t.at;
  };
}

/** The China-time calendar date of a time written by `timestamp()`. */
export function chinaDateOf(at: string): string {
  if (at.endsWith('+08:00')) return at.slice(0, 10);
  return new Date(Date.parse(at) + CHINA_OFFSET_MIN * 60_000).toISOString().slice(0, 10);
}

const AMOUNT = /^-?\d{1,16}(\.\d{1,2})?$/;

export function amount(opts: { required: boolean; signed: boolean }): ValueCheck {
  return (raw) => {
    if (raw === '') return opts.required ? { problem: 'is empty, but every row needs an amount in yuan' } : null;
    if (!AMOUNT.test(raw)) {
      const hint = /^-?[\d,]+(\.\d+)?$/.test(raw) && raw.includes(',')
        ? ' (write it without thousands separators)'
        : /^-?\d+\.\d{3,}$/.test(raw)
          ? ' (at most 2 decimals)'
          : '';
      return { problem: `${quote(raw)} is not an amount in yuan${hint}` };
    }
    if (!opts.signed && raw.startsWith('-') && !/^-0+(\.0+)?$/.test(raw)) {
      return { problem: `${quote(raw)} is negative; it must be 0 or more` };
    }
    return raw;
  };
}

export function wholeNumber(): ValueCheck {
  return (raw) => {
    if (raw === '') return { problem: 'is empty; it must be a whole number, 0 or more' };
    if (!/^\d{1,9}$/.test(raw)) return { problem: `${quote(raw)} is not a whole number, 0 or more` };
    return String(Number(raw));
  };
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 check character of the first 17 digits of a resident ID number. */
export function idCheckDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

/** An 18-character resident ID number; a wrong check digit is a warning, not a refusal. */
export function idNumber(): ValueCheck {
  return (raw) => {
    if (raw === '') return null;
    const v = raw.toUpperCase();
    if (!/^\d{17}[\dX]$/.test(v)) {
      return { problem: 'value in column id_number is not an 18-character resident ID number' };
    }
    const birth = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
    if (!isCalendarDate(birth)) return { problem: 'value in column id_number does not contain a valid birth date' };
    if (idCheckDigit(v) !== v[17]) {
      return { problem: 'value in column id_number has a wrong check digit (kept as given)', warning: true, keep: v };
    }
    return v;
  };
}

/** A mainland mobile number, stored as its 11 digits (spaces, dashes and +86 are removed). */
export function mobile(): ValueCheck {
  return (raw) => {
    if (raw === '') return null;
    let v = raw.replace(/[\s-]/g, '');
    if (v.startsWith('+86')) v = v.slice(3);
    else if (v.length === 13 && v.startsWith('86')) v = v.slice(2);
    if (!/^1[3-9]\d{9}$/.test(v)) return { problem: 'value in column phone is not a mobile number' };
    return v;
  };
}
