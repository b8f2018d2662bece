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
