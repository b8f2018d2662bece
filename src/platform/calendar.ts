// The calendar, for every date the system is given: feed files and API parameters alike.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The number written by the digits of v[from, to), or -1 if any is not a digit (no allocation: hot path). */
export function digitsAt(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** True when 'YYYY-MM-DD' names a real calendar day. */
export function isCalendarDate(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const y = digitsAt(v, 0, 4);
  const mo = digitsAt(v, 5, 7);
  const d = digitsAt(v, 8, 10);
  if (y < 1800 || mo < 1 || mo > 12 || d < 1) return false;
  const max = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  return d <= max;
}

