import type { Db } from '../../platform/db.js';
import { DASHBOARD_BAND_MODEL, EVENTS_WINDOW_DAYS, PLANS_WINDOW_DAYS } from './dashboards.rules.js';
import * as q from './dashboards.sql.js';

// The dashboards step of the daily batch, last (it reads the tiers, the plans and the reminders the
// steps before it made): for business date D, set-based, in one transaction,
//   - the customers and AUM per branch and aum_band tier on D (branch_band_days);
//   - each customer's standing on D where it differs from the previous loaded date (churn);
//   - the contact-plan execution of the plans made in the last 14 days (plan_figures);
//   - the risk and opportunity reminders raised in the last 62 days, by how they stand (event_figures).
// A rerun of D replaces what D's run wrote: the same for the bands and standings, the latest
// statuses for the plans and reminders.

const DASHBOARDS_LOCK = 7_310_028;

export interface DashboardsResult {
  businessDate: string;
  /** the loaded date the standings were compared with (null: D is the first) */
  previousDate: string | null;
  bandRows: number;
  standingChanges: number;
  plans: number;
  eventRows: number;
  seconds: number;
}

export async function runDashboards(db: Db, businessDate: string): Promise<DashboardsResult> {
  const t0 = performance.now();
  return db.transaction(async (s) => {
    await s.query('SELECT pg_advisory_xact_lock($1)', [DASHBOARDS_LOCK]);
    // whole-bank aggregates: hashed in memory, and not worth compiling (JIT) on a server
    if (db.engine === 'postgres') await s.exec('SET LOCAL jit = off');
    await s.exec(`SET LOCAL work_mem = '64MB'`);
    const previousDate = await q.previousLoadedDate(s, businessDate);
    const bandRows = await q.writeBandDay(s, businessDate, DASHBOARD_BAND_MODEL);
    const standingChanges = await q.writeStandingChanges(s, businessDate, previousDate);
    const plans = await q.writePlanFigures(s, businessDate, PLANS_WINDOW_DAYS);
    const eventRows = await q.writeEventFigures(s, businessDate, EVENTS_WINDOW_DAYS);
    const seconds = (performance.now() - t0) / 1000;
    await q.recordRun(s, businessDate, previousDate, seconds);
    return { businessDate, previousDate, bandRows, standingChanges, plans, eventRows, seconds };
  });
}
