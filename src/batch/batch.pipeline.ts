import type { Db } from '../platform/db.js';
import { runTiering } from '../features/tiering/tiering.batch.js';
import { proposeOwners } from '../features/ownership/ownership.batch.js';
import { runEvents } from '../features/events/events.batch.js';
import { runWorklist } from '../features/worklist/worklist.batch.js';
import { runOpportunities } from '../features/opportunities/opportunities.batch.js';
import { runReassessReminders } from '../features/selling/suitability.batch.js';
import { recordOwnerHistory } from '../features/managing/owner-history.batch.js';
import { writeStaffFigures } from '../features/managing/staff-figures.batch.js';
import { runDashboards } from '../features/dashboards/dashboards.batch.js';
import { prepareGreetings } from '../features/greetings/greetings.batch.js';
import { computeHouseholds } from '../features/households/households.batch.js';
import { runProfile } from '../features/profile/profile.batch.js';
import { runComplaintEscalation } from '../features/serving/complaints.batch.js';
import { runGatherings } from '../features/gatherings/gatherings.batch.js';

// The daily batch: one ordered registry of the features' steps for a business date. This is the
// one place that says in which order they run (tiering first: later steps read its tiers).
// Each step is set-based, idempotent for its date (a rerun replaces what it wrote) and commits
// on its own, so a crash leaves every finished step in place and a rerun finishes the rest.

export interface StepProgress {
  step: string;
  /** within the step */
  done: number;
  total: number;
  detail?: string;
}

export interface StepResult {
  step: string;
  seconds: number;
  /** one line for the batch's summary */
  summary: string;
}

export interface DailyStep {
  name: string;
  run(db: Db, businessDate: string, onProgress: (done: number, total: number, detail?: string) => void): Promise<string>;
}

export const DAILY_STEPS: readonly DailyStep[] = [
  {
    name: 'tiering',
    async run(db, date, progress) {
      const r = await runTiering(db, date, (p) => progress(p.done, p.total, p.step));
      const changed = r.models.reduce((n, m) => n + m.changed, 0);
      return `${r.customers} customers, ${r.models.length} models and tag groups, ${changed} tiers changed (facts ${r.factsBaseDate ? `brought forward from ${r.factsBaseDate}` : 'from scratch'})`;
    },
  },
  {
    // after tiering (the households' bands), before ownership (a household keeps one primary owner)
    name: 'households',
    async run(db, date) {
      const r = await computeHouseholds(db, date);
      return `${r.households} households of ${r.members} customers`;
    },
  },
  {
    name: 'ownership',
    async run(db, date) {
      const r = await proposeOwners(db, date);
      return `${r.proposed} owner proposals for the branch heads (${r.superseded} older undecided ones replaced)`;
    },
  },
  {
    name: 'events',
    async run(db, date) {
      const r = await runEvents(db, date);
      return `${r.events} events (${Object.entries(r.byEvent).filter(([, n]) => n > 0).map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}), policy version ${r.policyVersion}`;
    },
  },
  {
    // birthday and festival greetings awaiting the branch heads' approval (after tiering: band_5)
    name: 'greetings',
    async run(db, date) {
      const r = await prepareGreetings(db, date);
      return `${r.birthdayCampaigns} birthday and ${r.festivalCampaigns} festival greetings awaiting approval, ${r.recipients} customers added to them`;
    },
  },
  {
    name: 'worklist',
    async run(db, date, progress) {
      const r = await runWorklist(db, date, progress);
      return `${r.reminders} reminders made or refreshed (${r.expired} expired, ${r.contacted} contact tasks done), ${r.plans} contact plans with ${r.planItems} items for ${r.workDate}`;
    },
  },
  {
    // after the worklist: its rerun of a date removes the open reminders that date's first run made
    name: 'suitability',
    async run(db, date) {
      const r = await runReassessReminders(db, date);
      return `${r.due} customers with a missing or expired risk assessment: ${r.made} reassessment reminders made, ${r.expired} expired`;
    },
  },
  {
    // after the worklist: its rerun of a date removes the open reminders that date's first run made
    name: 'opportunities',
    async run(db, date) {
      const r = await runOpportunities(db, date);
      return `${r.converted} prospects became customers (${r.movedOpportunities} opportunities, ${r.movedContacts} contacts moved), ${r.followed} opportunities followed their customer to another branch, ${r.due} next steps due and ${r.stale} stale opportunities reminded (${r.expired} reminders expired)`;
    },
  },
  {
    // after the worklist: its rerun of a date removes the open reminders that date's first run made
    name: 'profile',
    async run(db, date) {
      const r = await runProfile(db, date);
      return `${r.customers} customers' profile completeness: ${r.below} under 7 of 9, ${r.tasks} collection tasks made or refreshed (${r.expired} expired), ${r.closed} proposals closed by the feed's value`;
    },
  },
  {
    // after the worklist: its rerun of a date leaves the complaints' reminders alone
    name: 'complaints',
    async run(db, date) {
      const r = await runComplaintEscalation(db, date);
      return `${r.escalated} complaints escalated past their limits (branch head or department reminded), ${r.open} complaints open`;
    },
  },
  {
    // after the worklist: relationship events held before the date closed, their attendees' follow-ups for the owners
    name: 'gatherings',
    async run(db, date) {
      const r = await runGatherings(db, date);
      return `${r.closed} relationship events closed, ${r.followUps} follow-ups for the attendees' managers`;
    },
  },
  {
    // after the steps whose tiers, plans and reminders it counts
    name: 'dashboards',
    async run(db, date) {
      const r = await runDashboards(db, date);
      return `${r.bandRows} branch and band figures, ${r.standingChanges} customers' standings changed since ${r.previousDate ?? 'nothing (the first date)'}, ${r.plans} plans and ${r.eventRows} event figures counted for the dashboards`;
    },
  },
  {
    // last: a rerun from any step (after the branch heads' decisions) records the owners as they stand
    name: 'owner_history',
    async run(db, date) {
      const r = await recordOwnerHistory(db, date);
      const f = await writeStaffFigures(db, date);
      return (r.newerDate
        ? `owners of ${date} left as recorded: the history already holds ${r.newerDate}`
        : `owners recorded for ${date}: ${r.opened} assignments began, ${r.closed} ended`) + `; ${f.staff} staff members' customers summed for manager performance`;
    },
  },
];

/**
 * Runs every step of the daily batch for a date, in order; with `from`, that step and the ones
 * after it (each is idempotent for its date: after owners change, reminders and plans are made again).
 */
export async function runDailyBatch(
  db: Db,
  businessDate: string,
  onProgress?: (p: StepProgress) => void,
  opts: { from?: string; onStep?: (step: string) => void } = {},
): Promise<StepResult[]> {
  const first = opts.from ? DAILY_STEPS.findIndex((s) => s.name === opts.from) : 0;
  if (first < 0) throw new Error(`there is no daily step '${opts.from}' (steps: ${DAILY_STEPS.map((s) => s.name).join(', ')})`);
  const results: StepResult[] = [];
  for (const step of DAILY_STEPS.slice(first)) {
    const t0 = performance.now();
    opts.onStep?.(step.name);
    const summary = await step.run(db, businessDate, (done, total, detail) => onProgress?.({ step: step.name, done, total, ...(detail ? { detail } : {}) }));
    results.push({ step: step.name, seconds: (performance.now() - t0) / 1000, summary });
  }
  return results;
}
