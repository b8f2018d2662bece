// The bank's clock is China time (UTC+8, no daylight saving): business dates, contact days and the
// work log's calendar are China dates, whatever zone the browser (or a test machine) is in.

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Today's date in China, as 'YYYY-MM-DD'. */
export function chinaToday(now: number = Date.now()): string {
  return new Date(now + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** An ISO time in China time, as 'YYYY-MM-DD HH:mm' (`seconds`: 'YYYY-MM-DD HH:mm:ss'); not a time: as given. */
export function chinaTime(iso: string, seconds = false): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, seconds ? 19 : 16).replace('T', ' ');
}

/** A date or an ISO time, as a date (China time for times). */
export function chinaDate(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : chinaTime(value).slice(0, 10);
}
