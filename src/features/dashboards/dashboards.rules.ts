import { REASSESS_EVENT } from '../selling/suitability.batch.js';
import { DUE_EVENT, STALE_EVENT } from '../opportunities/opportunities.service.js';

// The dashboards' definitions (POLICIES "Manager performance" and the issue's §2), in one place.

/** The model whose tiers the AUM-by-band chart and the ranking's customers and AUM count. */
export const DASHBOARD_BAND_MODEL = 'aum_band';

/** Churn by AUM: a customer with at least this much on A and 0 on B (999.99 → 0 is not churn). */
export const CHURN_MIN_AUM = 1000;

/** A customer's standing on a date, for churn: not in the feed, AUM 0, below CHURN_MIN_AUM, at or above it. */
export const STANDINGS = ['absent', 'zero', 'low', 'held'] as const;
export type Standing = (typeof STANDINGS)[number];

/** The standing of a snapshot row `x` (absent when the row is missing), as SQL. */
export const standingSql = (x: string) =>
  `CASE WHEN ${x}.customer_id IS NULL THEN 'absent' WHEN ${x}.aum <= 0 THEN 'zero' WHEN ${x}.aum < ${CHURN_MIN_AUM} THEN 'low' ELSE 'held' END`;

/** Churned between A and B: in the feed on A, and on B out of it, or at AUM 0 having held ≥ 1,000 on A. */
export const churnedSql = (onA: string, onB: string) => `(${onA} <> 'absent' AND (${onB} = 'absent' OR (${onB} = 'zero' AND ${onA} = 'held')))`;

/** Plans made within this many days before the date are counted again each night (a plan stops changing once the next is made). */
export const PLANS_WINDOW_DAYS = 14;

/** Risk and opportunity reminders raised within this many days before the date are counted again each night. */
export const EVENTS_WINDOW_DAYS = 61;

/** The reminder kinds the dashboards count as events. */
export const EVENT_KINDS = ['risk', 'opportunity'] as const;

/**
 * Reminders of those kinds that other steps make, not the events step: an opportunity's next step
 * due and stale (opportunities), a risk assessment to renew (suitability).
 */
export const NOT_EVENTS: readonly string[] = [DUE_EVENT, STALE_EVENT, REASSESS_EVENT];

/** How many months the AUM-by-band chart shows by default, and at most. */
export const BAND_MONTHS = 12;
export const BAND_MONTHS_MAX = 36;

/** won ÷ (won + lost), or null when nothing closed. */
export const conversion = (won: number, lost: number): number | null => (won + lost > 0 ? won / (won + lost) : null);
/** part ÷ whole, or null when the whole is 0. */
export const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
