import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepProgress, StepResult } from '../../batch/batch.pipeline.js';
import { processAlive, type Db } from '../../platform/db.js';
import { logger } from '../../platform/logger.js';
import type { FeedProblem } from '../feed/feed.contract.js';
import { discoverFeed, hashFeed } from '../feed/feed.files.js';
import { refreshCustomerOverview } from '../customers/customers.overview.js';
import { failureMessage, recordedBatch, recordedLoad, recordRefusal, type StartedBy } from './runs.record.js';

// The daily run: every complete date folder of the inbox not yet loaded, in date order, loaded
// and then batched. The bank's drop protocol: it writes the day's files into a folder, then
// feed.json last; a folder without feed.json is still being written and is not touched.
//
// A date that fails (an error: the database went away, a disk filled) is tried again after a
// wait that doubles each time, then left for a person, and the dates after it wait: each day's
// batch builds on the one before. A date refused for its files (bad rows, a missing file) is not
// tried again — the same files would be refused the same way — and also holds the later dates.
// Two runs never overlap: the run holds a lock row in the database while it goes.

export interface DailyOptions {
  inbox: string;
  startedBy: Extract<StartedBy, 'daily' | 'server'>;
  /** times a failed date is tried again before it is left for a person (default 2) */
  retries?: number;
  /** seconds before the first retry; each later wait doubles (default 60) */
  backoffSeconds?: number;
  onEvent?: (e: DailyEvent) => void;
  /** for tests: how to wait */
  sleep?: (ms: number) => Promise<void>;
}

export type DailyEvent =
  | { type: 'plan'; dates: PlannedDate[]; incomplete: string[]; leftAlone: PlannedDate[] }
  | { type: 'load'; date: string; folder: string; attempt: number }
  | { type: 'load-progress'; date: string; done: number; total: number; phase: string }
  | { type: 'loaded'; date: string; rows: number; seconds: number; unchanged: boolean }
  | { type: 'batch'; date: string; attempt: number }
  | { type: 'batch-progress'; date: string; step: string; done: number; total: number }
  | { type: 'batched'; date: string; steps: StepResult[]; seconds: number }
  | { type: 'retry'; date: string; attempt: number; waitSeconds: number; message: string }
  | { type: 'refused'; date: string; folder: string; problems: FeedProblem[]; moreProblems: number }
  | { type: 'failed'; date: string; folder: string; message: string }
  | { type: 'waiting'; dates: string[]; behind: string };

export interface PlannedDate {
  /** the business date feed.json declares ('' when it cannot be read) */
  date: string;
  folder: string;
  /** load then batch; batch only (loaded, not batched yet); or nothing (done or left alone) */
  action: 'load' | 'batch' | 'done' | 'stale' | 'duplicate' | 'unreadable';
  why?: string;
}

export interface DailyDateResult {
  date: string;
  folder: string;
  outcome: 'done' | 'refused' | 'failed' | 'waiting';
  message?: string;
}

export interface DailyResult {
  /** done: every pending date loaded and batched; failed: a date failed or was refused; nothing: no date was pending; busy: another run holds the lock */
  outcome: 'done' | 'failed' | 'nothing' | 'busy';
  dates: DailyDateResult[];
  /** who holds the lock, when busy */
  holder?: string;
}

/** 0 done, 1 failed, 3 nothing to do (or another run is doing it) */
export const dailyExitCode = (r: DailyResult): number => (r.outcome === 'done' ? 0 : r.outcome === 'failed' ? 1 : 3);

const LOCK = 'daily';
/** a holder on another host that has not said it is alive for this long has died */
const STALE_MINUTES = 10;
const HEARTBEAT_MS = 60_000;

/** Runs the inbox's pending dates; never throws for a date's failure (it is in the result). */
export async function runDaily(db: Db, opts: DailyOptions): Promise<DailyResult> {
  if (!existsSync(opts.inbox) || !statSync(opts.inbox).isDirectory()) {
    throw new Error(`the inbox ${opts.inbox} is not a folder: give the folder the bank drops its date folders into`);
  }
  const lock = await takeLock(db);
  if (!lock.token) return { outcome: 'busy', dates: [], holder: lock.holder };
  const beat = setInterval(() => void heartbeat(db, lock.token!), HEARTBEAT_MS);
  beat.unref();
  try {
    return await runPending(db, opts);
  } finally {
    clearInterval(beat);
    await releaseLock(db, lock.token).catch((e: unknown) => logger.warn({ err: e }, 'the daily run lock could not be released; it is taken over once its holder is gone'));
  }
}

async function runPending(db: Db, opts: DailyOptions): Promise<DailyResult> {
  const emit = opts.onEvent ?? (() => {});
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const retries = opts.retries ?? 2;
  const backoff = opts.backoffSeconds ?? 60;
  const { planned, incomplete } = await planDaily(db, opts.inbox);
  const work = planned.filter((p) => p.action === 'load' || p.action === 'batch');
  const unreadable = planned.filter((p) => p.action === 'unreadable');
  const stale = planned.filter((p) => p.action === 'stale' || p.action === 'duplicate');
  emit({ type: 'plan', dates: work, incomplete, leftAlone: [...unreadable, ...stale] });

  const results: DailyDateResult[] = [];
  // a folder whose feed.json cannot be read, or of a date before the last one loaded, is refused
  // once, with why; the next runs leave it alone (it stays on the Runs page for a person)
  for (const p of [...unreadable, ...stale]) {
    if (await refusedBefore(db, p.folder)) continue;
    if (p.action === 'duplicate') {
      const problems = [{ file: 'feed.json', column: 'business_date', message: `${p.why}; only the first folder of a date is loaded` }];
      await recordRefusal(db, { folder: p.folder, businessDate: p.date, startedBy: opts.startedBy, problems });
      emit({ type: 'refused', date: p.date, folder: p.folder, problems, moreProblems: 0 });
      results.push({ date: p.date, folder: p.folder, outcome: 'refused', message: problems[0]!.message });
      continue;
    }
    const { result } = await recordedLoad(db, p.folder, { startedBy: opts.startedBy, ...(p.date ? { businessDate: p.date } : {}) });
    if (result.outcome === 'refused') {
      emit({ type: 'refused', date: p.date, folder: p.folder, problems: result.problems, moreProblems: result.moreProblems });
      results.push({ date: p.date, folder: p.folder, outcome: 'refused', message: result.problems[0]?.message ?? 'refused' });
    }
  }

  for (const [i, p] of work.entries()) {
    const outcome = await runDate(db, p, { ...opts, retries, backoff, emit, sleep });
    results.push(outcome);
    if (outcome.outcome !== 'done') {
      const later = work.slice(i + 1);
      if (later.length) {
        emit({ type: 'waiting', dates: later.map((x) => x.date), behind: p.date });
        for (const x of later) results.push({ date: x.date, folder: x.folder, outcome: 'waiting', message: `waits for ${p.date}` });
      }
      break;
    }
  }
  const failed = results.some((r) => r.outcome === 'refused' || r.outcome === 'failed');
  return { outcome: failed ? 'failed' : work.length ? 'done' : 'nothing', dates: results };
}

interface DateRunOptions extends DailyOptions {
  retries: number;
  backoff: number;
  emit: (e: DailyEvent) => void;
  sleep: (ms: number) => Promise<void>;
}

/** One date: load (unless loaded), the customer overview, then the batch; retried on errors. */
async function runDate(db: Db, p: PlannedDate, o: DateRunOptions): Promise<DailyDateResult> {
  let needLoad = p.action === 'load';
  for (let attempt = 1; ; attempt++) {
    try {
      if (needLoad) {
        o.emit({ type: 'load', date: p.date, folder: p.folder, attempt });
        const { result } = await recordedLoad(db, p.folder, {
          startedBy: o.startedBy,
          attempt,
          businessDate: p.date,
          onProgress: (x) => o.emit({ type: 'load-progress', date: p.date, done: x.bytesDone, total: x.bytesTotal, phase: `${x.phase}${x.file ? ` ${x.file}` : ''}` }),
        });
        if (result.outcome === 'refused') {
          o.emit({ type: 'refused', date: p.date, folder: p.folder, problems: result.problems, moreProblems: result.moreProblems });
          return { date: p.date, folder: p.folder, outcome: 'refused', message: result.problems[0]?.message ?? 'refused' };
        }
        o.emit({ type: 'loaded', date: p.date, rows: result.rows, seconds: result.seconds, unchanged: result.outcome === 'unchanged' });
        needLoad = false;
      }
      // what the customer list reads, before the batch (its steps read it too)
      await refreshCustomerOverview(db);
      o.emit({ type: 'batch', date: p.date, attempt });
      const t0 = performance.now();
      const { steps } = await recordedBatch(db, p.date, {
        startedBy: o.startedBy,
        attempt,
        onProgress: (x: StepProgress) => o.emit({ type: 'batch-progress', date: p.date, step: x.step, done: x.done, total: x.total }),
      });
      o.emit({ type: 'batched', date: p.date, steps, seconds: (performance.now() - t0) / 1000 });
      markDone(p);
      return { date: p.date, folder: p.folder, outcome: 'done' };
    } catch (e) {
      const message = failureMessage(e);
      logger.warn({ err: e, businessDate: p.date, attempt }, 'a date of the daily run failed');
      if (attempt > o.retries) {
        o.emit({ type: 'failed', date: p.date, folder: p.folder, message });
        return { date: p.date, folder: p.folder, outcome: 'failed', message };
      }
      const wait = o.backoff * 2 ** (attempt - 1);
      o.emit({ type: 'retry', date: p.date, attempt: attempt + 1, waitSeconds: wait, message });
      await o.sleep(wait * 1000);
    }
  }
}

/**
 * What the inbox holds and what each date folder needs, in date order:
 * - not loaded and after the last loaded date: load, then batch;
 * - the last loaded date delivered again with other content: load again (a correction), then batch;
 * - loaded but not batched (the batch failed or never ran), from the last batched date on: batch;
 * - loaded and batched: done;
 * - not loaded but before the last loaded date: stale (refused: dates load in order);
 * - feed.json unreadable: unreadable (refused with the loader's reasons).
 * Folders without feed.json are still being written: listed as incomplete, not touched.
 */
export async function planDaily(db: Db, inbox: string): Promise<{ planned: PlannedDate[]; incomplete: string[] }> {
  const incomplete: string[] = [];
  const folders: { folder: string; date: string }[] = [];
  for (const name of readdirSync(inbox).sort()) {
    const folder = path.join(inbox, name);
    if (!statSync(folder).isDirectory()) continue;
    const manifest = readdirSync(folder).find((e) => e.toLowerCase() === 'feed.json');
    if (!manifest) {
      incomplete.push(folder);
      continue;
    }
    folders.push({ folder, date: declaredDate(path.join(folder, manifest)) });
  }
  folders.sort((a, b) => a.date.localeCompare(b.date) || a.folder.localeCompare(b.folder));
  const state = await db.session(async (s) => {
    const loaded = await s.query<{ d: string; content_hash: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d, content_hash FROM business_dates`);
    const batched = await s.query<{ d: string }>(`SELECT to_char(business_date, 'YYYY-MM-DD') AS d FROM worklist_runs`);
    return { loaded: new Map(loaded.rows.map((r) => [r.d, r.content_hash])), batched: new Set(batched.rows.map((r) => r.d)) };
  });
  const latestLoaded = [...state.loaded.keys()].sort().at(-1) ?? '';
  const latestBatched = [...state.batched].sort().at(-1) ?? '';
  const planned: PlannedDate[] = [];
  const seen = new Set<string>();
  for (const f of folders) {
    if (!f.date) {
      planned.push({ ...f, action: 'unreadable', why: 'feed.json does not say a business date' });
      continue;
    }
    if (seen.has(f.date)) {
      planned.push({ ...f, action: 'duplicate', why: `another folder of the inbox is also ${f.date}` });
      continue;
    }
    seen.add(f.date);
    const hash = state.loaded.get(f.date);
    if (hash === undefined) {
      planned.push(f.date > latestLoaded ? { ...f, action: 'load' } : { ...f, action: 'stale', why: `${f.date} is before ${latestLoaded}, the last date loaded` });
      continue;
    }
    if (f.date === latestLoaded) {
      // the last date may be delivered again, corrected: only its folder is read to know
      const found = discoverFeed(f.folder);
      if (found.feed && (await hashFeed(found.feed)) !== hash) {
        planned.push({ ...f, action: 'load', why: `${f.date} was delivered again with other content` });
        continue;
      }
    }
    if (!state.batched.has(f.date) && f.date >= latestBatched) planned.push({ ...f, action: 'batch', why: 'loaded, not batched yet' });
    else planned.push({ ...f, action: 'done' });
  }
  return { planned, incomplete };
}

function declaredDate(file: string): string {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as { business_date?: unknown };
    return typeof m.business_date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(m.business_date) ? m.business_date : '';
  } catch {
    return '';
  }
}

/** a folder refused before keeps its record; it is not refused again every day */
async function refusedBefore(db: Db, folder: string): Promise<boolean> {
  const r = await db.kysely
    .selectFrom('operation_runs')
    .select('run_id')
    .where('kind', '=', 'load')
    .where('folder', '=', path.resolve(folder))
    .where('outcome', '=', 'refused')
    .limit(1)
    .execute();
  return r.length > 0;
}

/** For the people who look at the inbox: a note in the folder that it is done (when the folder may be written). */
function markDone(p: PlannedDate): void {
  try {
    writeFileSync(path.join(p.folder, 'stratum-done.json'), JSON.stringify({ business_date: p.date, loaded_and_batched_at: new Date().toISOString() }, null, 2) + '\n');
  } catch {
    // a read-only inbox: the database's record (operation_runs) is what counts
  }
}

// ── the lock ─────────────────────────────────────────────────────────────────

/** Takes the daily run's lock; { token } when taken, { holder } when another live run holds it. */
export async function takeLock(db: Db): Promise<{ token?: string; holder?: string }> {
  const host = os.hostname();
  const token = randomBytes(12).toString('base64url');
  const now = new Date();
  const current = await db.kysely.selectFrom('operation_locks').selectAll().where('name', '=', LOCK).executeTakeFirst();
  // a holder of this host whose process is gone died (killed, the machine restarted): taken over
  // at once; a holder elsewhere is taken over once it has not said it is alive for a while
  const deadHere = current !== undefined && current.host === host && !processAlive(current.pid);
  const r = await db.kysely
    .insertInto('operation_locks')
    .values({ name: LOCK, host, pid: process.pid, token, acquired_at: now, heartbeat_at: now })
    .onConflict((oc) =>
      // the times as values: on Citus the lock is a reference table, whose upsert may not call now()
      oc.column('name').doUpdateSet({ host, pid: process.pid, token, acquired_at: now, heartbeat_at: now }).where((eb) =>
        eb.or([
          ...(deadHere ? [eb('operation_locks.token', '=', current.token)] : []),
          eb.and([eb('operation_locks.host', '<>', host), eb('operation_locks.heartbeat_at', '<', new Date(now.getTime() - STALE_MINUTES * 60_000))]),
        ]),
      ),
    )
    .returning('token')
    .executeTakeFirst();
  if (r?.token === token) return { token };
  const holder = await db.kysely.selectFrom('operation_locks').selectAll().where('name', '=', LOCK).executeTakeFirst();
  return { holder: holder ? `${holder.host} process ${holder.pid}, since ${new Date(holder.acquired_at).toISOString()}` : 'another run' };
}

async function heartbeat(db: Db, token: string): Promise<void> {
  await db.kysely
    .updateTable('operation_locks')
    .set({ heartbeat_at: new Date() })
    .where('name', '=', LOCK)
    .where('token', '=', token)
    .execute()
    .catch((e: unknown) => logger.warn({ err: e }, 'the daily run could not renew its lock'));
}

async function releaseLock(db: Db, token: string): Promise<void> {
  await db.kysely.deleteFrom('operation_locks').where('name', '=', LOCK).where('token', '=', token).execute();
}
