import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDailyBatch } from '../../src/batch/batch.pipeline.js';
import type { Db } from '../../src/platform/db.js';
import { testEngine } from '../test-db.js';
import { differences, faultSeed, fillBankBeforeBatch, fillFirstDay, fingerprint, runStratum, seededRandom, snapshotOf, type ChildRun, type DbSnapshot, type Fingerprint, type KillAt, type SmallBank } from './fault-support.js';

// Issue 18: "The daily batch killed with SIGKILL at 5 or more different points (random, seeded,
// in a test), then run again: every table's content identical to a run never killed, nothing
// duplicated."
//
// Two evenings of a small bank are kept as snapshots: an ordinary one (the first day loaded,
// batched and owned, so that reminders and plans have owners; the second day loaded), and a bank's
// first (one day loaded, nothing tiered yet: the first tiering drops and rebuilds the key of the
// empty tiers table inside its transaction). A copy of each gets `stratum batch run --date D` as a
// child process, uninterrupted: its database is the reference, and its run says where each part
// fell (start-up, each step's seconds, the summary it prints at the end). Then for each kill point
// a new copy gets the same command, killed with SIGKILL after a seeded random delay within one part
// of the run (start-up, the first or second half of tiering, ownership, events, worklist, the exit
// after the last commit: seven on the ordinary evening, three on the first); what the killed run
// left is checked (each step all or nothing, and in order); the batch for the date is run again to its end;
// and every table's rows must be exactly the reference's: nothing missing, nothing duplicated, no
// work table left over, the same indexes, constraints and partitions. Columns that hold the time of
// the run or its duration are left out of the comparison (TIME_OF_RUN in fault-support.ts: the
// batch's run records' finished_at, computed_at and seconds, contact_plans.generated_at, the
// closed_at of reminders the batch closes, the decided_at of proposals it supersedes, the
// published_at of the shipped policies a first batch installs), and so is the run log
// (operation_runs, operation_locks), where a killed run is meant to show as interrupted.
//
// The kills are aimed from what can be seen of the child: on a server each step is seen taking its
// advisory lock (pg_locks, the child's connections named by PGAPPNAME), so a kill lands within the
// step it is meant for; on PGlite only the data folder can be watched (postmaster.pid appears when
// the child has opened it), and the steps are aimed at their place after that. Each point prints
// where it landed: what the killed run had committed.
//
// On PGlite the database is a data folder on disk, as `stratum` keeps it: PGlite writes its WAL
// and data files straight to the folder (Node's file system: emscripten's NODEFS, no copy in memory
// synced later), so a SIGKILL of its process loses only what was not committed, and the next open
// replays the WAL like a server after a crash (the postmaster.pid the killed process leaves behind
// does not stop it). The test proves that at every kill point. Against a power cut or an operating
// system crash PGlite promises nothing: it runs with fsync and full-page writes off; that is not
// tested here. On a server, the server itself outlives the client: its backend finds the socket
// closed and rolls back (a statement running at the kill runs to its end first, holding its step's
// lock; the run after it waits on that lock).
//
// STRATUM_FAULT_SEED=n picks other kill points; the seed is printed with each point.

const CUSTOMERS = 1000;
const FIRST_DAY_CUSTOMERS = 500;
const WINDOWS = ['start-up', 'tiering (first half)', 'tiering (second half)', 'ownership', 'events', 'worklist', 'exit'] as const;
type Window = (typeof WINDOWS)[number];
const STEPS = ['tiering', 'ownership', 'events', 'worklist'] as const;

/**
 * Where to aim each window's kill, from the uninterrupted run: a range of delays after an anchor
 * the watcher sees in every run. On a server each step is seen taking its lock, and its kill is
 * aimed within the step's duration after that; on PGlite (nothing to watch but its folder) the
 * steps are aimed at their place after the child opened the database. Start-up is aimed from the
 * spawn, the exit from the batch's summary on standard output.
 */
function aimsOf(run: ChildRun): Record<Window, { anchor: KillAt['anchor']; from: number; to: number }> {
  const took = Object.fromEntries([...run.stdout.matchAll(/^ {2}(\w+)\s+([\d.]+) s\s/gm)].map((m) => [m[1] ?? '', Number(m[2]) * 1000]));
  const doneIn = Number(/done in ([\d.]+) s/.exec(run.stdout)?.[1]) * 1000;
  const { opened, output } = run.seen;
  if (opened === undefined || output === undefined || !Number.isFinite(doneIn) || STEPS.some((st) => took[st] === undefined)) {
    throw new Error(`the uninterrupted run does not say when it did what: ${JSON.stringify(run.seen)}\n${run.stdout}`);
  }
  const batchStart = output - doneIn;
  const aims = {
    'start-up': { anchor: 'spawn', from: 0, to: batchStart },
    // (the last part of the exit is not aimed at: the process may be gone before the kill)
    exit: { anchor: 'output', from: 0, to: 0.8 * (run.ms - output) },
  } as Record<Window, { anchor: KillAt['anchor']; from: number; to: number }>;
  let stepStart = batchStart;
  for (const st of STEPS) {
    const d = took[st] ?? 0;
    // on a server: after the step took its lock; on PGlite: after the child opened the database
    const [anchor, offset] = run.seen[st] !== undefined ? [st, 0] : (['opened', stepStart - opened] as const);
    if (st === 'tiering') {
      aims['tiering (first half)'] = { anchor, from: offset, to: offset + d / 2 };
      aims['tiering (second half)'] = { anchor, from: offset + d / 2, to: offset + d };
    } else {
      aims[st] = { anchor, from: offset, to: offset + d };
    }
    stepStart += d;
  }
  return aims;
}

/** What the uninterrupted run made of the date: how many models it ran, and owner proposals it made. */
interface DateWork {
  models: number;
  proposals: number;
}

const countOf = async (db: Db, sql: string, date: string) => (await db.session((s) => s.query<{ n: number }>(sql, [date]))).rows[0]?.n ?? 0;
const TIER_RUNS = 'SELECT count(*)::int AS n FROM tier_runs WHERE business_date = $1::date';
const PROPOSALS = 'SELECT count(*)::int AS n FROM ownership_proposals WHERE business_date = $1::date';

/**
 * Which steps of the date a killed run had committed. Each step is one transaction: it must be
 * there whole or not at all, and only after the steps before it.
 */
async function committedSteps(db: Db, date: string, work: DateWork): Promise<string[]> {
  const one = (sql: string) => countOf(db, sql, date);
  const done: string[] = [];
  const tierRuns = await one(TIER_RUNS);
  expect([0, work.models], 'tier_runs of the date: every model or none').toContain(tierRuns);
  expect(await one('SELECT count(*)::int AS n FROM fact_runs WHERE business_date = $1::date'), 'the facts of the date go with its tiers').toBe(tierRuns ? 1 : 0);
  if (!tierRuns) expect(await one('SELECT count(*)::int AS n FROM tier_history WHERE business_date = $1::date'), 'no tier change of the date without its tier runs').toBe(0);
  if (tierRuns) done.push('tiering');
  const proposals = await one(PROPOSALS);
  expect([0, work.proposals], 'owner proposals of the date: all or none').toContain(proposals);
  if (proposals && work.proposals) {
    expect(done, 'ownership only after tiering').toContain('tiering');
    done.push('ownership');
  }
  if (await one('SELECT count(*)::int AS n FROM event_runs WHERE business_date = $1::date')) {
    expect(done, 'events only after tiering').toContain('tiering');
    done.push('events');
  } else {
    expect(await one('SELECT count(*)::int AS n FROM customer_events WHERE business_date = $1::date'), 'no event of the date without its event run').toBe(0);
  }
  if (await one('SELECT count(*)::int AS n FROM worklist_runs WHERE business_date = $1::date')) {
    expect(done, 'reminders and plans only after events').toContain('events');
    done.push('worklist');
  } else {
    expect(await one('SELECT count(*)::int AS n FROM contact_plans WHERE plan_date = $1::date'), 'no plan of the date without its worklist run').toBe(0);
  }
  return done;
}

/**
 * The kill test of one evening's batch: the bank `fill` makes, the batch for its date run once
 * uninterrupted, then killed once in each of `windows` and run again.
 */
function killSuite(title: string, fill: (db: Db) => Promise<SmallBank>, windows: readonly Window[], seedOffset: number, made: readonly string[]): void {
  // a bank made, a batch run uninterrupted in a child process, killed and run again: minutes each on a busy machine
  describe(`${title}: the daily batch killed with SIGKILL at seeded random moments, then run again (${testEngine()})`, { timeout: 300_000 }, () => {
    const seed = faultSeed() + seedOffset;
    const random = seededRandom(seed);
    let snapshot: DbSnapshot;
    let bank: SmallBank;
    let reference: Fingerprint;
    let aims: ReturnType<typeof aimsOf>;
    let work: DateWork;
    let refOpened = 1;
    const landed: string[] = [];

    beforeAll(async () => {
      snapshot = await snapshotOf(async (db) => {
        bank = await fill(db);
      });
      const copy = await snapshot.copy('uninterrupted');
      try {
        const run = await runStratum(copy, ['batch', 'run', '--date', bank.date], { marker: 'Daily batch for' });
        expect(run.code, run.stderr).toBe(0);
        aims = aimsOf(run);
        refOpened = run.seen.opened ?? 1;
        const db = await copy.open();
        try {
          reference = await fingerprint(db, { keepRows: true });
          work = { models: await countOf(db, TIER_RUNS, bank.date), proposals: await countOf(db, PROPOSALS, bank.date) };
        } finally {
          await db.close();
        }
        console.log(
          `${title}, uninterrupted batch for ${bank.date}: ${Math.round(run.ms)} ms (seen: ${Object.entries(run.seen).map(([e, ms]) => `${e} ${Math.round(ms)}`).join(', ')}); aims: ` +
            windows.map((w) => `${w} ${aims[w].anchor}+${Math.round(aims[w].from)}–${Math.round(aims[w].to)}`).join(', '),
        );
      } finally {
        await copy.drop();
      }
      // the reference is a real day's work
      for (const t of made) expect(reference.tables[t]?.rows, t).toBeGreaterThan(0);
    }, 600_000);

    afterAll(async () => {
      console.log(`${title}, kill points (seed ${seed}):\n  ${landed.join('\n  ')}`);
      await snapshot?.drop();
    });

    for (const [i, window] of windows.entries()) {
      it(`killed during ${window}, then run again: every table as a run never killed`, async () => {
        const aim = aims[window];
        const delay = aim.from + random() * Math.max(aim.to - aim.from, 1);
        // aimed from the opening of the database (PGlite): as much later as the child was slower to open it
        // than the uninterrupted one (the machine is shared: the whole run is slower or faster alike)
        const kill: KillAt = { anchor: aim.anchor, afterMs: aim.anchor === 'opened' ? (seen) => delay * Math.min(3, Math.max(0.5, (seen.opened ?? refOpened) / refOpened)) : delay };
        const copy = await snapshot.copy(`kill${i + 1}`);
        try {
          const killed = await runStratum(copy, ['batch', 'run', '--date', bank.date], { kill, marker: 'Daily batch for' });
          const at = `${kill.anchor} + ${killed.aimedMs ?? Math.round(delay)} ms`;
          // (a kill sent as the process was exiting on its own finds it gone)
          const wasKilled = killed.signal === 'SIGKILL';
          if (!wasKilled) expect(killed.code, killed.stderr).toBe(0);
          // opened again (on PGlite: the folder a killed process left, WAL replayed), what the killed
          // run left is looked at, then the batch for the date runs again to its end (here, in
          // this process: the same runDailyBatch the command runs, without a second start-up)
          const db = await copy.open();
          try {
            const done = await committedSteps(db, bank.date, work);
            const what = wasKilled ? `${window}: killed at ${at} (${Math.round(killed.killedAtMs ?? 0)} ms after the spawn)` : `${window}: finished (exit ${killed.code}) before the kill at ${at}`;
            landed.push(`${what}: committed ${done.length ? done.join(', ') : 'nothing'}`);
            await runDailyBatch(db, bank.date);
            expect(await differences(reference, db), `after a kill at ${at} (${window}, seed ${seed}) and a run again`).toEqual([]);
          } finally {
            await db.close();
          }
        } finally {
          await copy.drop();
        }
      });
    }

    it('the kills fell in different places of the run', () => {
      // not every kill lands where it was aimed (the machine is shared), but they cannot all have
      // found the same state: at least one before tiering committed and one after
      const states = new Set(landed.map((l) => l.replace(/^.*committed /, '')));
      expect(states.size, landed.join('\n')).toBeGreaterThanOrEqual(2);
    });
  });
}

// An ordinary evening: every part of the run, seven kills.
killSuite('an ordinary day', (db) => fillBankBeforeBatch(db, CUSTOMERS), WINDOWS, 0, ['customer_facts', 'tier_history', 'customer_events', 'reminders', 'contact_plan_items']);

// A bank's first evening: the first tiering writes every tier into an empty table whose key and
// indexes it drops and builds again inside its transaction (fillEmpty); killed twice in it, the run
// again must find the table with its key and give the same tiers; killed once after the last
// commit, the run again replaces a first date already done.
killSuite('a first day', (db) => fillFirstDay(db, FIRST_DAY_CUSTOMERS), ['tiering (first half)', 'tiering (second half)', 'exit'], 7, ['customer_facts', 'customer_tiers', 'customer_events']);
