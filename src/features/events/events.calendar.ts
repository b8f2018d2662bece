import { HolidayUtil, Lunar, Solar } from 'lunar-typescript';
import type { Festival } from './events.policy.js';

// The Chinese calendar the events need: festival dates (the lunar ones through lunar-typescript,
// never a hand-made table) and working days of the official calendar, make-up working days
// (调休) included, from lunar-typescript's HolidayUtil (the State Council's yearly notice; a
// year not yet published counts weekends only). Dates are 'YYYY-MM-DD' strings throughout, so
// the machine's time zone plays no part.

const LUNAR: Partial<Record<Festival, [month: number, day: number]>> = {
  spring_festival: [1, 1],
  lantern: [1, 15],
  dragon_boat: [5, 5],
  mid_autumn: [8, 15],
};
const SOLAR: Partial<Record<Festival, [month: number, day: number]>> = {
  new_year: [1, 1],
  national_day: [10, 1],
};

const parts = (date: string): [number, number, number] => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};
const ymd = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The date of a festival in a (Gregorian) year: lunar festivals fall in the lunar year that begins in it. */
export function festivalDate(festival: Festival, year: number): string {
  const lunar = LUNAR[festival];
  if (lunar) return Lunar.fromYmd(year, lunar[0], lunar[1]).getSolar().toYmd();
  const solar = SOLAR[festival];
  if (!solar) throw new Error(`unknown festival ${festival}`);
  return ymd(year, solar[0], solar[1]);
}

/** Every festival of the list falling in from … to (both included), in date order. */
export function festivalsBetween(from: string, to: string, festivals: readonly Festival[]): { festival: Festival; date: string }[] {
  const out: { festival: Festival; date: string }[] = [];
  for (let y = parts(from)[0]; y <= parts(to)[0]; y++) {
    for (const f of festivals) {
      const date = festivalDate(f, y);
      if (date >= from && date <= to) out.push({ festival: f, date });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.festival.localeCompare(b.festival));
}

/** A working day of the official calendar: Monday–Friday unless a public holiday, or a make-up working day. */
export function isWorkingDay(date: string): boolean {
  const holiday = HolidayUtil.getHoliday(date);
  if (holiday) return holiday.isWork();
  const week = Solar.fromYmd(...parts(date)).getWeek(); // 0 = Sunday
  return week >= 1 && week <= 5;
}

/** The first working day on or after a date (plans and due dates fall on working days). */
export function nextWorkingDay(date: string): string {
  let d = date;
  // the longest run of days off in the official calendar is 9 (Spring Festival 2026)
  for (let i = 0; i < 40 && !isWorkingDay(d); i++) d = addDays(d, 1);
  return d;
}

/** The last working day on or before a date. */
export function previousWorkingDay(date: string): string {
  let d = date;
  for (let i = 0; i < 40 && !isWorkingDay(d); i++) d = addDays(d, -1);
  return d;
}

/**
 * When to act on something that happens on a day within the window after D: the last working
 * day before it (a birthday on Sunday is prepared on Friday), but never before the first working
 * day from D. As parallel arrays, for SQL (unnest).
 */
export function dueDatesFrom(businessDate: string, days: number): { days: string[]; due: string[] } {
  const first = nextWorkingDay(businessDate);
  const out = { days: [] as string[], due: [] as string[] };
  for (let i = 0; i <= days; i++) {
    const day = addDays(businessDate, i);
    const before = previousWorkingDay(day);
    out.days.push(day);
    out.due.push(before < first ? first : before);
  }
  return out;
}
