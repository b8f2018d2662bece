import type { Db, SqlSession } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { ensureMonthPartition } from '../../platform/partitions.js';
import { lastEvaluatedDate } from '../tiering/tiering.sql.js';
import { addDays, dueDatesFrom, festivalsBetween, nextWorkingDay } from './events.calendar.js';
import { eventsPolicyInEffect } from './events.policies.js';
import { detectionStatements, mergeEvents, prepareDetection, type DetectionInput } from './events.sql.js';

// The events step of the daily batch, after tiering (it reads D's facts, tiers and tier
// history): every event type for every customer, set-based, in one transaction. A rerun of D
// (after a correction) replaces D's events; identical rows stay as they were.

const EVENTS_LOCK = 7_310_006;

export interface EventsResult {
  businessDate: string;
  policyVersion: number;
  events: number;
  byEvent: Record<string, number>;
  /** seconds of each part: the base table, each event type's statement, the merge */
  timings: Record<string, number>;
  seconds: number;
}

async function latestOnOrBefore(s: SqlSession, date: string, strictlyBefore = false): Promise<string | null> {
  const r = await s.query<{ d: string | null }>(`SELECT max(business_date) AS d FROM business_dates WHERE business_date ${strictlyBefore ? '<' : '<='} $1::date`, [date]);
  return r.rows[0]?.d ?? null;
}

/** `detectEvents` for a business date whose tiering has run; returns how many events of each type. */
export async function runEvents(db: Db, businessDate: string): Promise<EventsResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
    const policy = await eventsPolicyInEffect(s, businessDate);
    const evaluated = await lastEvaluatedDate(s, policy.document.band_model);
    // the thresholds read the bands as they stood on D, which customer_tiers holds only until a later date is evaluated
    if (evaluated !== businessDate) {
      throw new AppError('bad_request', evaluated && evaluated > businessDate
        ? `${businessDate} is before ${evaluated}, the last business date tiered; events are detected for a date right after its tiering (run the batch for ${evaluated}).`
        : `${businessDate} has not been tiered yet: run the batch for it (tiering comes before events).`);
    }
    const e = policy.document.events;
    const window = Math.max(e.birthday_soon.window_days, e.anniversary_soon.window_days, e.festival_soon.window_days, e.maturing.window_days);
    const input: DetectionInput = {
      businessDate,
      previousDate: await latestOnOrBefore(s, businessDate, true),
      riseBaseDate: await latestOnOrBefore(s, addDays(businessDate, -e.aum_rise.lookback_days)),
      fallBaseDate: await latestOnOrBefore(s, addDays(businessDate, -e.aum_fall.lookback_days)),
      firstWorkingDay: nextWorkingDay(businessDate),
      calendar: dueDatesFrom(businessDate, window),
      festivals: festivalsBetween(businessDate, addDays(businessDate, e.festival_soon.window_days), e.festival_soon.festivals),
      policy: policy.document,
      policyVersion: policy.version,
    };
    await ensureMonthPartition(s, 'customer_events', businessDate);
    const timings: Record<string, number> = {};
    let lap = performance.now();
    const time = (part: string) => {
      const now = performance.now();
      timings[part] = (now - lap) / 1000;
      lap = now;
    };
    await prepareDetection(s, input);
    time('base');
    // short statements over a few columns: compiling them (JIT) costs more than it saves
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off');
    for (const { event, statement } of detectionStatements(input)) {
      // Transactions are read for one date's loads through the BRIN index on business_date; until
      // the table is analysed after a load, the planner cannot know that and would scan it whole.
      const onlyIndexes = event === 'large_inflow_outflow';
      if (onlyIndexes) await s.exec('SET LOCAL enable_seqscan = off');
      await s.query(statement[0], statement[1]);
      if (onlyIndexes) await s.exec('SET LOCAL enable_seqscan = on');
      time(event);
    }
    const counts = await s.query<{ event: string; n: string }>('SELECT event, count(*) AS n FROM events_new GROUP BY event ORDER BY event');
    const byEvent = Object.fromEntries(counts.rows.map((r) => [r.event, Number(r.n)]));
    const events = await mergeEvents(s, businessDate, policy.version);
    time('merge');
    const seconds = (performance.now() - t0) / 1000;
    await s.query(
      `INSERT INTO event_runs (business_date, policy_version, events, seconds, finished_at) VALUES ($1::date, $2, $3, $4, now())
       ON CONFLICT (business_date) DO UPDATE SET policy_version = EXCLUDED.policy_version, events = EXCLUDED.events, seconds = EXCLUDED.seconds, finished_at = EXCLUDED.finished_at`,
      [businessDate, policy.version, events, seconds.toFixed(3)],
    );
    return { businessDate, policyVersion: policy.version, events, byEvent, timings, seconds };
  });
}

export interface EventRow {
  customer_id: string;
  event: string;
  subject: string;
  kind: string;
}

/** A date's events in customer order, in chunks (for the export). */
export async function* eventsOf(db: Db, businessDate: string, chunk = 50_000): AsyncGenerator<EventRow[]> {
  let after: [string, string, string] = ['', '', ''];
  for (;;) {
    const r = await db.session((s) =>
      s.query<EventRow>(
        `SELECT customer_id, event, subject, kind FROM customer_events
          WHERE business_date = $1::date AND (customer_id, event, subject) > ($2, $3, $4)
          ORDER BY customer_id, event, subject LIMIT $5`,
        [businessDate, ...after, chunk],
      ),
    );
    if (!r.rows.length) return;
    yield r.rows;
    const last = r.rows[r.rows.length - 1];
    if (last) after = [last.customer_id, last.event, last.subject];
    if (r.rows.length < chunk) return;
  }
}
