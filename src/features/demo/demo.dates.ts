// Calendar arithmetic on day numbers (days since 1970-01-01), independent of the clock and of
// the machine's time zone. Algorithms after Howard Hinnant's "chrono-compatible low-level date
// algorithms".

export interface Civil {
  y: number;
  m: number;
  d: number;
}

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(n: number): Civil {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: era * 400 + yoe + (m <= 2 ? 1 : 0), m, d };
}

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

export function pad2(n: number): string {
  return PAD2[n] ?? String(n).padStart(2, '0');
}

/** 'YYYY-MM-DD' */
export function formatDate(n: number): string {
  const c = civilFromDays(n);
  return `${c.y}-${pad2(c.m)}-${pad2(c.d)}`;
}

/** 'YYYYMMDD' */
export function compactDate(n: number): string {
  const c = civilFromDays(n);
  return `${c.y}${pad2(c.m)}${pad2(c.d)}`;
}

export function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Error(`not a YYYY-MM-DD date: ${text}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw new Error(`no such date: ${text}`);
  return daysFromCivil(y, mo, d);
}

/** Same day-of-month k months later, clipped to the month's end (2024-01-31 + 1 → 2024-02-29). */
export function addMonths(n: number, k: number): number {
  const c = civilFromDays(n);
  const total = c.y * 12 + (c.m - 1) + k;
  const y = Math.floor(total / 12);
  const m = (total % 12) + 1;
  return daysFromCivil(y, m, Math.min(c.d, daysInMonth(y, m)));
}

/** Day of week, 0 = Monday … 6 = Sunday. */
export function weekday(n: number): number {
  return (((n + 3) % 7) + 7) % 7;
}

/** 'hh:mm:ss' for every second of the day, built once. */
export const TIME_OF_DAY: readonly string[] = Array.from(
  { length: 86400 },
  (_, s) => `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`,
);
