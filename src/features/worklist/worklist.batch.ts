import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { addDays, nextWorkingDay } from '../events/events.calendar.js';
import { eventsPolicyInEffect } from '../events/events.policies.js';
import { lastEvaluatedDate } from '../tiering/tiering.sql.js';
import { mergePlans } from './worklist.batch.plans.sql.js';
import { mergeReminders, prepareContacts, type ReminderInput } from './worklist.batch.sql.js';

// The worklist step of the daily batch, after events: the reminders of D for every owner and the
// contact plans for the next working day, set-based, in one transaction. Dates only move forward;
// a rerun of D gives the same reminders and keeps what owners changed in D's plans.

const WORKLIST_LOCK = 7_310_009;
const EXPIRE_AFTER_DAYS = 30; // versions of the events policy published before the setting existed

export interface WorklistResult {
  businessDate: string;
  workDate: string;
  policyVersion: number;
  /** reminders D called for (made or refreshed) */
  reminders: number;
  expired: number;
  /** contact tasks carried out by a recorded contact */
  contacted: number;
  plans: number;
  planItems: number;
  timings: { reminders: number; plans: number };
  seconds: number;
}

/** Reminders and contact plans of a business date whose events have been detected. */
export async function runWorklist(db: Db, businessDate: string, onProgress?: (done: number, total: number, detail: string) => void): Promise<WorklistResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [WORKLIST_LOCK]);
    const last = (await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM worklist_runs')).rows[0]?.d ?? null;
    if (last && last > businessDate) {
      throw new AppError('bad_request', `${businessDate} is before ${last}, the last business date reminders and plans were made for; they only move forward (run the batch for ${last} or a later date).`);
    }
    const detected = await s.query<{ d: string }>('SELECT business_date AS d FROM event_runs WHERE business_date = $1::date', [businessDate]);
    if (!detected.rows.length) throw new AppError('bad_request', `The events of ${businessDate} have not been detected: run the batch for ${businessDate} (events come before reminders and plans).`);
    const policy = await eventsPolicyInEffect(s, businessDate);
    const p = policy.document;
    const evaluated = await lastEvaluatedDate(s, p.band_model);
    // contact duties read the bands as they stood on D, which customer_tiers holds only until a later date is tiered
    if (evaluated !== businessDate) {
      throw new AppError('bad_request', `${businessDate} is not the last business date tiered (${evaluated ?? 'none'}): run the batch for ${evaluated ?? businessDate}, whose steps make its reminders and plans.`);
    }
    const previous = await s.query<{ d: string | null }>('SELECT max(business_date) AS d FROM event_runs WHERE business_date < $1::date', [businessDate]);
    const bands = Object.entries(p.contact.frequency_days).flatMap(([band, days]) => (days === null ? [] : [{ band, days }]));
    const workDate = nextWorkingDay(addDays(businessDate, 1));
    const input: ReminderInput = {
      businessDate,
      previousEventsDate: previous.rows[0]?.d ?? null,
      workDate,
      bandModel: p.band_model,
      frequency: { bands: bands.map((b) => b.band), days: bands.map((b) => b.days) },
      expireAfterDays: p.reminders?.expire_after_days ?? EXPIRE_AFTER_DAYS,
      policyVersion: policy.version,
    };
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off');
    // every owned customer of the bank is joined, ranked and sorted here: hashes and sorts kept in
    // memory (with the default 4 MB they spilled to disk, and the tiers were probed row by row)
    await s.exec(`SET LOCAL work_mem = '128MB'`);
    onProgress?.(0, 2, 'reminders');
    let lap = performance.now();
    await prepareContacts(s, input);
    const rem = await mergeReminders(s, input);
    const remindersSeconds = (performance.now() - lap) / 1000;
    onProgress?.(1, 2, 'plans');
    lap = performance.now();
    const plans = await mergePlans(s, { businessDate, workDate, size: p.plan.size, order: [...p.plan.order] });
    const plansSeconds = (performance.now() - lap) / 1000;
    onProgress?.(2, 2, 'plans');
    const seconds = (performance.now() - t0) / 1000;
    await s.query(
      `INSERT INTO worklist_runs (business_date, policy_version, reminders, plans, plan_items, seconds, finished_at) VALUES ($1::date, $2, $3, $4, $5, $6, now())
       ON CONFLICT (business_date) DO UPDATE SET policy_version = EXCLUDED.policy_version, reminders = EXCLUDED.reminders, plans = EXCLUDED.plans,
         plan_items = EXCLUDED.plan_items, seconds = EXCLUDED.seconds, finished_at = EXCLUDED.finished_at`,
      [businessDate, policy.version, rem.reminders, plans.plans, plans.items, seconds.toFixed(3)],
    );
    return {
      businessDate,
      workDate,
      policyVersion: policy.version,
      ...rem,
      plans: plans.plans,
      planItems: plans.items,
      timings: { reminders: remindersSeconds, plans: plansSeconds },
      seconds,
    };
  });
}
