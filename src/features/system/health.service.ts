import { Gauge, Registry } from 'prom-client';
import type { Db } from '../../platform/db.js';
import type { Migration } from '../../platform/migrate.js';

// Readiness (GET /api/health/ready) and what /metrics reads from the database at scrape time:
// loads and batches run in other processes (the CLI, `stratum daily`), so only the database knows
// them. A handful of small queries on small tables (business_dates, operation_runs: a few rows a
// day; schema_migrations), none of them about a customer.

/** how long readiness and a scrape wait for the database before saying it does not answer */
export const DATABASE_WAIT_MS = 5000;

/** `work`, or a rejection after `ms` (the work itself is left to finish on its own) */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(ms)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

export class TimedOut extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms / 1000} s`);
  }
}

export type Readiness =
  | { ready: true; migrations: number }
  | { ready: false; why: 'database'; error: unknown }
  | { ready: false; why: 'migrations'; pending: string[]; changed: string[] };

/**
 * Whether this server can serve: the database answers, and every migration the code knows is
 * applied to it, unchanged (an applied file edited since would make `stratum db migrate` refuse).
 * Migrations the database has and the code does not (a newer version migrated it) do not count.
 */
export async function readiness(db: Db, migrations: readonly Migration[], waitMs = DATABASE_WAIT_MS): Promise<Readiness> {
  let applied: Map<string, string>;
  try {
    applied = await within(
      waitMs,
      db.session(async (s) => {
        const exists = await s.query<{ t: string | null }>(`SELECT to_regclass('public.schema_migrations')::text AS t`);
        if (!exists.rows[0]?.t) return new Map<string, string>();
        const r = await s.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
        return new Map(r.rows.map((m) => [m.name, m.checksum]));
      }),
    );
  } catch (error) {
    return { ready: false, why: 'database', error };
  }
  const pending = migrations.filter((m) => !applied.has(m.name)).map((m) => m.name);
  const changed = migrations.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum).map((m) => m.name);
  if (pending.length || changed.length) return { ready: false, why: 'migrations', pending, changed };
  return { ready: true, migrations: migrations.length };
}

export type RunKind = 'load' | 'batch';
export const RUN_KINDS: readonly RunKind[] = ['load', 'batch'];
export const RUN_OUTCOMES = ['running', 'done', 'unchanged', 'refused', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
/** the outcomes that mean a run did its work: a load of files already loaded did too */
const SUCCESS: readonly RunOutcome[] = ['done', 'unchanged'];

/** What a scrape reads from the database. */
export interface OperationsSnapshot {
  /** the latest business date loaded (business_dates) */
  loadedDate: string | null;
  /** the latest business date a daily batch finished for (operation_runs) */
  batchedDate: string | null;
  /** recorded runs by kind and outcome */
  runs: { kind: RunKind; outcome: RunOutcome; count: number }[];
  /** per kind: the outcome of the run started last */
  lastOutcome: Partial<Record<RunKind, RunOutcome>>;
  /** per kind: when the last run that did its work finished, Unix seconds, and how long ago (by the database's clock) */
  lastSuccess: Partial<Record<RunKind, { at: number; age: number }>>;
  /** the steps of the last batch that finished its work: name and seconds */
  batchSteps: { step: string; seconds: number }[];
  /** customers the last finished batch evaluated */
  batchCustomers: number | null;
  /** rows the last load that loaded anything read, in all and per file */
  loadRows: number | null;
  loadFiles: { file: string; rows: number }[];
  /** migrations the code knows that the database has not applied */
  pendingMigrations: number;
}

const isKind = (k: unknown): k is RunKind => k === 'load' || k === 'batch';
const isOutcome = (o: unknown): o is RunOutcome => (RUN_OUTCOMES as readonly unknown[]).includes(o);
/** a label value we write only when it is one of ours: a step or file name, short, plain */
const plainName = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(v);
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));
const asArray = (v: unknown): unknown[] => {
  const parsed = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(parsed) ? parsed : [];
};

/** Three small queries, on one connection. */
export async function operationsSnapshot(db: Db, migrations: readonly Migration[]): Promise<OperationsSnapshot> {
  return db.session(async (s) => {
    const dates = await s.query<{ loaded: string | null; batched: string | null; applied: number }>(
      `SELECT (SELECT max(business_date)::text FROM business_dates) AS loaded,
              (SELECT max(business_date)::text FROM operation_runs WHERE kind = 'batch' AND outcome = 'done') AS batched,
              (SELECT count(*)::int FROM schema_migrations WHERE name = ANY($1::text[])) AS applied`,
      [migrations.map((m) => m.name)],
    );
    const byOutcome = await s.query<{ kind: string; outcome: string; runs: number; last_started: number | null; last_finished: number | null; last_finished_age: number | null }>(
      `SELECT kind, outcome, count(*)::int AS runs,
              extract(epoch FROM max(started_at))::float8 AS last_started,
              extract(epoch FROM max(finished_at))::float8 AS last_finished,
              extract(epoch FROM now() - max(finished_at))::float8 AS last_finished_age
         FROM operation_runs GROUP BY kind, outcome`,
    );
    const lastDone = await s.query<{ kind: string; rows: unknown; detail: unknown }>(
      `SELECT DISTINCT ON (kind) kind, rows, detail FROM operation_runs WHERE outcome = 'done' ORDER BY kind, started_at DESC`,
    );

    const d = dates.rows[0];
    const snap: OperationsSnapshot = {
      loadedDate: d?.loaded ?? null,
      batchedDate: d?.batched ?? null,
      runs: [],
      lastOutcome: {},
      lastSuccess: {},
      batchSteps: [],
      batchCustomers: null,
      loadRows: null,
      loadFiles: [],
      pendingMigrations: migrations.length - (d?.applied ?? 0),
    };
    const lastStarted: Partial<Record<RunKind, number>> = {};
    for (const r of byOutcome.rows) {
      if (!isKind(r.kind) || !isOutcome(r.outcome)) continue;
      snap.runs.push({ kind: r.kind, outcome: r.outcome, count: r.runs });
      const started = num(r.last_started);
      if (started !== null && started > (lastStarted[r.kind] ?? -Infinity)) {
        lastStarted[r.kind] = started;
        snap.lastOutcome[r.kind] = r.outcome;
      }
      const finished = num(r.last_finished);
      const age = num(r.last_finished_age);
      if (SUCCESS.includes(r.outcome) && finished !== null && age !== null && finished > (snap.lastSuccess[r.kind]?.at ?? -Infinity)) {
        snap.lastSuccess[r.kind] = { at: finished, age: Math.max(0, age) };
      }
    }
    for (const r of lastDone.rows) {
      let detail: unknown[] = [];
      try {
        detail = asArray(r.detail);
      } catch {
        // a detail that is not JSON: no steps or files to show
      }
      const entries = detail.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
      if (r.kind === 'batch') {
        snap.batchCustomers = num(r.rows);
        for (const e of entries) {
          const seconds = num(e.seconds);
          if (plainName(e.step) && seconds !== null) snap.batchSteps.push({ step: e.step, seconds });
        }
      } else if (r.kind === 'load') {
        snap.loadRows = num(r.rows);
        for (const e of entries) {
          const rows = num(e.rows);
          if (plainName(e.file) && rows !== null) snap.loadFiles.push({ file: e.file, rows });
        }
      }
    }
    return snap;
  });
}

/** a business date as Unix seconds: its midnight UTC */
export const dateSeconds = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/**
 * The scrape's registry of what the database says: made anew for each scrape, so that two
 * scrapes at once never see each other's half-written values. `snap` null: the database did not
 * answer (stratum_database_up 0, nothing else from it).
 */
export function operationsRegistry(snap: OperationsSnapshot | null): Registry {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  gauge('stratum_database_up', 'Whether the database answered this scrape in time (1) or not (0: unreachable, or no answer within 5 seconds)').set(snap ? 1 : 0);
  if (!snap) return registry;
  gauge('stratum_schema_migrations_pending', 'Migrations this version of Stratum has that the database has not applied (stratum db migrate)').set(snap.pendingMigrations);
  // a gauge without labels reads 0 until set: the ones that may have no value yet are made only with one
  const once = (name: string, help: string, value: number | null) => {
    if (value !== null) gauge(name, help).set(value);
  };
  once('stratum_last_loaded_business_date_seconds', 'The latest business date loaded, as Unix seconds of its midnight UTC', snap.loadedDate ? dateSeconds(snap.loadedDate) : null);
  once('stratum_last_batched_business_date_seconds', 'The latest business date the daily batch finished for, as Unix seconds of its midnight UTC', snap.batchedDate ? dateSeconds(snap.batchedDate) : null);

  const runs = gauge('stratum_operation_runs', 'Loads and daily batches recorded, by kind and outcome (running also counts runs whose process died)', ['kind', 'outcome']);
  for (const kind of RUN_KINDS) for (const outcome of RUN_OUTCOMES) runs.set({ kind, outcome }, snap.runs.find((r) => r.kind === kind && r.outcome === outcome)?.count ?? 0);
  const last = gauge('stratum_last_run_outcome', 'The outcome of the load or batch started last: 1 for its outcome, 0 for the others (no series: none recorded)', ['kind', 'outcome']);
  for (const kind of RUN_KINDS) {
    const outcome = snap.lastOutcome[kind];
    if (outcome) for (const o of RUN_OUTCOMES) last.set({ kind, outcome: o }, o === outcome ? 1 : 0);
  }
  const successAt = gauge('stratum_last_successful_run_timestamp_seconds', 'When the last load or batch that did its work (done, or unchanged for a load) finished, Unix seconds', ['kind']);
  const successAge = gauge('stratum_last_successful_run_age_seconds', 'Seconds since the last load or batch that did its work (done, or unchanged for a load) finished', ['kind']);
  for (const kind of RUN_KINDS) {
    const s = snap.lastSuccess[kind];
    if (!s) continue;
    successAt.set({ kind }, s.at);
    successAge.set({ kind }, s.age);
  }

  const steps = gauge('stratum_batch_step_seconds', 'Seconds each step of the last daily batch that finished took', ['step']);
  for (const s of snap.batchSteps) steps.set({ step: s.step }, s.seconds);
  once('stratum_batch_customers', 'Customers the last daily batch that finished evaluated', snap.batchCustomers);
  once('stratum_load_rows', 'Rows read by the last load that loaded a business date, all files together', snap.loadRows);
  const fileRows = gauge('stratum_load_file_rows', 'Rows read by the last load that loaded a business date, per file', ['file']);
  for (const f of snap.loadFiles) fileRows.set({ file: f.file }, f.rows);
  return registry;
}
