import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { runDailyBatch, type StepProgress, type StepResult } from '../../batch/batch.pipeline.js';
import type { Db } from '../../platform/db.js';
import { logger } from '../../platform/logger.js';
import type { FeedProblem } from '../feed/feed.contract.js';
import { loadFeed, type LoadOptions, type LoadResult } from '../feed/feed.load.js';

// Every load and daily batch leaves a row in operation_runs, however it was started: a row
// 'running' when it starts, its outcome when it ends. What the Runs page, GET /api/system/runs
// and /metrics read. The feed's own record (business_dates) stays the truth of what was loaded;
// this is the history of attempts, failures included.

export type StartedBy = 'cli' | 'daily' | 'server';
export type RunOutcome = 'done' | 'unchanged' | 'refused' | 'failed';

/** problems kept per run: the first ones, by file and line; the count of the rest is kept too */
const KEEP_PROBLEMS = 200;

async function startRun(db: Db, run: { kind: 'load' | 'batch'; businessDate?: string | undefined; folder?: string; startedBy: StartedBy; attempt: number }): Promise<string> {
  const id = randomBytes(9).toString('base64url');
  await db.kysely
    .insertInto('operation_runs')
    .values({
      run_id: id,
      kind: run.kind,
      business_date: run.businessDate ?? null,
      folder: run.folder ?? null,
      started_by: run.startedBy,
      attempt: run.attempt,
      outcome: 'running',
    })
    .execute();
  return id;
}

async function finishRun(
  db: Db,
  id: string,
  end: { outcome: RunOutcome; businessDate?: string | undefined; rows?: number; detail?: unknown[]; problems?: unknown[]; moreProblems?: number; message?: string },
): Promise<void> {
  const problems = end.problems ?? [];
  await db.kysely
    .updateTable('operation_runs')
    .set({
      outcome: end.outcome,
      finished_at: sql<Date>`now()`,
      ...(end.businessDate ? { business_date: end.businessDate } : {}),
      rows: end.rows === undefined ? null : String(end.rows),
      detail: JSON.stringify(end.detail ?? []),
      problems: JSON.stringify(problems.slice(0, KEEP_PROBLEMS)),
      more_problems: (end.moreProblems ?? 0) + Math.max(0, problems.length - KEEP_PROBLEMS),
      message: end.message ?? null,
    })
    .where('run_id', '=', id)
    .execute();
}

/** A folder refused without reading it (the daily run's own reasons, e.g. a second folder of one date). */
export async function recordRefusal(db: Db, r: { folder: string; businessDate: string; startedBy: StartedBy; problems: FeedProblem[] }): Promise<void> {
  await quietly('refusal', async () => {
    const id = await startRun(db, { kind: 'load', businessDate: r.businessDate, folder: path.resolve(r.folder), startedBy: r.startedBy, attempt: 1 });
    await finishRun(db, id, { outcome: 'refused', problems: r.problems, message: r.problems[0]?.message ?? 'refused' });
  });
}

/** The words of an error for the record: its message, never the values a query was given. */
export function failureMessage(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]!.slice(0, 500) : String(e);
}

/** Recording must never turn a good load into a failure, nor hide the real error. */
async function quietly(what: string, fn: () => Promise<unknown>): Promise<void> {
  await fn().catch((e: unknown) => logger.warn({ err: e }, `the run could not be recorded (${what})`));
}

export interface RecordedLoad {
  runId: string | null;
  result: LoadResult;
}

/** Loads a folder (feed.load.ts) and records the attempt. A thrown error is recorded as 'failed' and thrown on. */
export async function recordedLoad(db: Db, folder: string, opts: LoadOptions & { startedBy: StartedBy; attempt?: number; businessDate?: string }): Promise<RecordedLoad> {
  if (opts.dryRun) return { runId: null, result: await loadFeed(db, folder, opts) };
  let id: string | null = null;
  await quietly('start', async () => {
    id = await startRun(db, { kind: 'load', businessDate: opts.businessDate, folder: path.resolve(folder), startedBy: opts.startedBy, attempt: opts.attempt ?? 1 });
  });
  let result: LoadResult;
  try {
    result = await loadFeed(db, folder, opts);
  } catch (e) {
    if (id) await quietly('failure', () => finishRun(db, id!, { outcome: 'failed', problems: [{ message: failureMessage(e) }], message: failureMessage(e) }));
    throw e;
  }
  if (id) {
    const r = result;
    const problems: FeedProblem[] = r.problems;
    await quietly('end', () =>
      finishRun(db, id!, {
        outcome: r.outcome === 'loaded' ? 'done' : r.outcome === 'unchanged' ? 'unchanged' : 'refused',
        businessDate: r.businessDate,
        rows: r.rows,
        detail: r.files.map((f) => ({ file: f.file, rows: f.rows, written: f.written, gone: f.gone })),
        problems: problems.map((p) => ({ file: p.file, ...(p.line !== undefined ? { line: p.line } : {}), ...(p.column ? { column: p.column } : {}), message: p.message })),
        moreProblems: r.moreProblems,
        ...(r.outcome === 'refused' ? { message: `${problems.length + r.moreProblems} problems in the files; nothing of this date was loaded` } : {}),
      }),
    );
  }
  return { runId: id, result };
}

/** Runs the daily batch for a date (batch.pipeline.ts) and records it. A thrown error is recorded as 'failed' and thrown on. */
export async function recordedBatch(
  db: Db,
  businessDate: string,
  opts: { startedBy: StartedBy; attempt?: number; onProgress?: (p: StepProgress) => void; from?: string },
): Promise<{ runId: string | null; steps: StepResult[] }> {
  let id: string | null = null;
  await quietly('start', async () => {
    id = await startRun(db, { kind: 'batch', businessDate, startedBy: opts.startedBy, attempt: opts.attempt ?? 1 });
  });
  let current = '';
  let steps: StepResult[];
  try {
    steps = await runDailyBatch(db, businessDate, (p) => opts.onProgress?.(p), {
      ...(opts.from ? { from: opts.from } : {}),
      onStep: (step) => (current = step),
    });
  } catch (e) {
    const message = `${current ? `step ${current}: ` : ''}${failureMessage(e)}`;
    if (id) await quietly('failure', () => finishRun(db, id!, { outcome: 'failed', problems: [{ message }], message }));
    throw e;
  }
  if (id) {
    const customers = customersOf(steps);
    await quietly('end', () => finishRun(db, id!, { outcome: 'done', detail: steps, ...(customers !== undefined ? { rows: customers } : {}) }));
  }
  return { runId: id, steps };
}

/** the customers the batch evaluated, from the tiering step's summary */
function customersOf(steps: StepResult[]): number | undefined {
  const m = /^(\d+) customers/.exec(steps.find((s) => s.step === 'tiering')?.summary ?? '');
  return m ? Number(m[1]) : undefined;
}
