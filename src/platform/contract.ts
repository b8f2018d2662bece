import { z } from 'zod';
import { isCalendarDate } from './calendar.js';

// The value types every API contract shares, written once so every route parses them the same way
// (the contracts are shared with the web app, which imports their types only).

/**
 * A date in a request or an answer: YYYY-MM-DD naming a real calendar day. 2026-02-30 is refused
 * with a 400 that names the field (the message keys are in platform/http.ts), never passed on to
 * the database to fail there.
 */
export const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date_format').refine(isCalendarDate, 'calendar_date').describe('YYYY-MM-DD');

/** Money in yuan as an exact decimal string ("523000.00"), never a floating-point number. */
export const Money = z.string().regex(/^-?\d+(\.\d{1,2})?$/).describe('yuan, as an exact decimal string');

/**
 * Where a value holds a NUL character, in a string or an object's key: the path from `path`
 * (`a.b.0`, or `a.b[0]` with `brackets`), or null if nowhere. PostgreSQL can neither store nor
 * compare one, and nobody types one: every request (platform/http.ts) and every policy document
 * (a YAML "\0" escape) is refused where it holds one.
 */
export function nulPath(value: unknown, path = '', brackets = false, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return path;
    const at = brackets && Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const found = nulPath(v, at, brackets, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
