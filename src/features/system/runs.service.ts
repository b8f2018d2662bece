import type { Db, SqlSession } from '../../platform/db.js';
import { BAD_OUTCOMES, type LastRun, type RunFile, type RunItem, type RunOutcome, type RunProblem, type RunsPage, type RunsQuery, type RunStatus, type RunStep } from './runs.contract.js';

// What operation_runs says about the loads and daily batches (issue 18): the list the Runs page
// reads, and whether last night's run is late, for every page's header.
//
// The table holds no customer data (dates, counts, file names, the loader's problems by line and
// column, an error's message), so its rows are not filtered by the reader's scope: whoever may read
// runs (system.runs: the department and branch heads) reads all of them, as the header's lateness
// is the same for everyone signed in.

/**
 * A row left 'running' stays so when its process died (nothing is left to close it). It is shown
 * as 'running' only while that can still be true, and as 'interrupted' once:
 *   - a later attempt of the same kind and date has started (`stratum daily` tries a date again
 *     only after the last attempt ended), or
 *   - it started more than SUPERSEDED_AFTER_HOURS ago and another run has started since (the
 *     whole daily batch of a million customers takes a minute or two, a bank's first date well
 *     under an hour: six hours is dead, not slow), or
 *   - it started more than RUNNING_AT_MOST_HOURS ago, even as the newest run (the next night's run
 *     is due by then; until then the newest run may be a long first evaluation nobody should be
 *     told has died).
 * The rule is one SQL expression (shownOutcomeSql) used by the list, its outcome filter and the
 * header's lateness alike.
 */
export const SUPERSEDED_AFTER_HOURS = 6;
export const RUNNING_AT_MOST_HOURS = 24;

/**
 * The header says "as of last night's run" when the latest daily batch that finished done
 * finished more than LATE_AFTER_HOURS ago (a nightly run plus two hours of slack: hours are hours
 * in any zone, the times the page shows are China time), when none ever did while runs are
 * recorded, or when the newest run failed, was refused or was interrupted.
 */
export const LATE_AFTER_HOURS = 26;

/** The outcome shown for row `r` at the time bound as `now` (a timestamptz parameter such as `$1`). */
export function shownOutcomeSql(r: string, now: string): string {
  return `CASE WHEN ${r}.outcome <> 'running' THEN ${r}.outcome
    WHEN EXISTS (SELECT 1 FROM operation_runs later_try WHERE later_try.kind = ${r}.kind AND later_try.business_date = ${r}.business_date
                   AND later_try.attempt > ${r}.attempt AND later_try.started_at > ${r}.started_at)
      OR ${r}.started_at < ${now}::timestamptz - interval '${RUNNING_AT_MOST_HOURS} hours'
      OR (${r}.started_at < ${now}::timestamptz - interval '${SUPERSEDED_AFTER_HOURS} hours'
          AND EXISTS (SELECT 1 FROM operation_runs later WHERE later.started_at > ${r}.started_at))
    THEN 'interrupted' ELSE 'running' END`;
}

/** The date a run is listed under: its business date, or for a load refused before its date was read, the China date it started. */
const runDateSql = (r: string) => `coalesce(${r}.business_date, (${r}.started_at AT TIME ZONE 'Asia/Shanghai')::date)`;

interface RunRow {
  run_id: string;
  kind: 'load' | 'batch';
  business_date: string | null;
  folder: string | null;
  started_by: 'cli' | 'daily' | 'server';
  attempt: number;
  started_at: Date | string;
  finished_at: Date | string | null;
  rows: number | string | null;
  detail: unknown;
  problems: unknown;
  more_problems: number;
  message: string | null;
  shown: RunOutcome;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const ms = (v: Date | string): number => (v instanceof Date ? v.getTime() : Date.parse(v));

/** jsonb arrives parsed from both engines; a text column or a driver that leaves it as text is parsed here. */
function jsonArray(v: unknown): Record<string, unknown>[] {
  let value = v;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      return [];
    }
  }
  return Array.isArray(value) ? value.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

// The detail and problems are written by the loader and the batch; read defensively, so that a
// field of another shape shows as nothing rather than failing the page.
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const int = (v: unknown): number | null => {
  const n = num(v);
  return n === null ? null : Math.round(n);
};
const text = (v: unknown): string | null => str(v) ?? (v === null || v === undefined ? null : JSON.stringify(v));

/** The folder's own name: the server's path above it is not the reader's business (and says how the server is laid out). */
export function folderName(folder: string | null): string | null {
  if (!folder) return null;
  const parts = folder.split(/[\\/]+/).filter(Boolean);
  return parts[parts.length - 1] ?? folder;
}

function present(r: RunRow, now: number): RunItem {
  const detail = jsonArray(r.detail);
  const steps: RunStep[] = r.kind === 'batch' ? detail.filter((d) => 'step' in d).map((d) => ({ step: text(d.step) ?? '', seconds: num(d.seconds), summary: text(d.summary) })) : [];
  const files: RunFile[] = r.kind === 'load' ? detail.filter((d) => 'file' in d).map((d) => ({ file: text(d.file) ?? '', rows: int(d.rows), written: int(d.written), gone: int(d.gone) })) : [];
  const problems: RunProblem[] = jsonArray(r.problems).map((p) => ({ file: str(p.file), line: int(p.line), column: str(p.column), message: text(p.message) ?? '' }));
  const started = ms(r.started_at);
  const durationSeconds = r.finished_at !== null ? Math.max(0, (ms(r.finished_at) - started) / 1000) : r.shown === 'running' ? Math.max(0, (now - started) / 1000) : null;
  return {
    id: r.run_id,
    kind: r.kind,
    businessDate: r.business_date,
    folder: folderName(r.folder),
    startedBy: r.started_by,
    attempt: r.attempt,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at === null ? null : iso(r.finished_at),
    durationSeconds: durationSeconds === null ? null : Math.round(durationSeconds * 10) / 10,
    rows: int(r.rows),
    outcome: r.shown,
    steps,
    files,
    problems,
    moreProblems: r.more_problems,
    message: r.message,
  };
}

const COLUMNS = `r.run_id, r.kind, r.business_date, r.folder, r.started_by, r.attempt, r.started_at, r.finished_at, r.rows, r.detail, r.problems, r.more_problems, r.message`;

/** The runs, newest first, filtered and paged. */
export async function listRuns(db: Db, q: RunsQuery, now: Date = new Date()): Promise<RunsPage> {
  const params: unknown[] = [now.toISOString()];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (q.kind) where.push(`x.kind = ${p(q.kind)}`);
  if (q.outcome) where.push(`x.shown = ${p(q.outcome)}`);
  if (q.from) where.push(`x.run_date >= ${p(q.from)}::date`);
  if (q.to) where.push(`x.run_date <= ${p(q.to)}::date`);
  const runs = `(SELECT ${COLUMNS}, ${shownOutcomeSql('r', '$1')} AS shown, ${runDateSql('r')} AS run_date FROM operation_runs r) x`;
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  return db.session(async (s) => {
    const count = await s.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${runs} ${filter}`, params);
    const total = Number(count.rows[0]?.n ?? 0);
    const offset = (q.page - 1) * q.pageSize;
    const rows = total > offset ? (await s.query<RunRow>(`SELECT x.* FROM ${runs} ${filter} ORDER BY x.started_at DESC, x.run_id DESC LIMIT ${p(q.pageSize)} OFFSET ${p(offset)}`, params)).rows : [];
    return { items: rows.map((r) => present(r, now.getTime())), page: q.page, pageSize: q.pageSize, total };
  });
}

/**
 * The newest run and the latest successful batch: two probes of the started_at index (and the
 * business dates' key for the latest date), for the header of every page.
 */
export async function lastRun(s: SqlSession, now: Date = new Date()): Promise<LastRun | null> {
  const newest = await s.query<{ kind: 'load' | 'batch'; business_date: string | null; started_at: Date | string; finished_at: Date | string | null; shown: RunOutcome }>(
    `SELECT r.kind, r.business_date, r.started_at, r.finished_at, ${shownOutcomeSql('r', '$1')} AS shown
       FROM operation_runs r ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1`,
    [now.toISOString()],
  );
  const run = newest.rows[0];
  if (!run) return null;
  const ok = await s.query<{ business_date: string | null; started_at: Date | string; finished_at: Date | string | null }>(
    `SELECT r.business_date, r.started_at, r.finished_at FROM operation_runs r
      WHERE r.kind = 'batch' AND r.outcome = 'done' ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1`,
  );
  const success = ok.rows[0];
  const successAt = success ? (success.finished_at ?? success.started_at) : null;
  const lateBecause = BAD_OUTCOMES.includes(run.shown)
    ? ('failed' as const)
    : successAt === null
      ? ('never' as const)
      : now.getTime() - ms(successAt) > LATE_AFTER_HOURS * 3600_000
        ? ('old' as const)
        : null;
  return {
    kind: run.kind,
    outcome: run.shown,
    businessDate: run.business_date,
    startedAt: iso(run.started_at),
    finishedAt: run.finished_at === null ? null : iso(run.finished_at),
    lastSuccess: success && successAt ? { businessDate: success.business_date, finishedAt: iso(successAt) } : null,
    late: lateBecause !== null,
    lateBecause,
  };
}

/** What the header shows on every page: the latest business date, and whether last night's run is late. */
export async function runStatus(db: Db, now: Date = new Date()): Promise<RunStatus> {
  return db.session(async (s) => {
    const latest = await s.query<{ business_date: string }>(`SELECT business_date FROM business_dates ORDER BY business_date DESC LIMIT 1`);
    return { latestBusinessDate: latest.rows[0]?.business_date ?? null, lastRun: await lastRun(s, now) };
  });
}
