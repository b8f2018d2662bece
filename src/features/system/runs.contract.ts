import { z } from 'zod';
import { DateText as CalendarDate } from '../../platform/contract.js';

// The runs status (issue 18, "did last night's run work?"): every load and daily batch as
// operation_runs records it, for the department and branch heads (GET /api/system/runs, the Runs
// page), and the few words every page's header needs (GET /api/system/runs/latest). Shared by the
// server (validation, OpenAPI) and the web app (types only).

export const RUN_KINDS = ['load', 'batch'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/**
 * What became of a run. The table's own outcomes, plus `interrupted`: a row left 'running' whose
 * process died (runs.service.ts, shownOutcomeSql, says when a 'running' row is shown so).
 */
export const RUN_OUTCOMES = ['running', 'interrupted', 'done', 'unchanged', 'refused', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** The outcomes that mean last night's data is not (all) there: shown in red, and the header says so. */
export const BAD_OUTCOMES: readonly RunOutcome[] = ['failed', 'refused', 'interrupted'];

const DateText = CalendarDate.describe('YYYY-MM-DD');

export const RunsQuery = z.object({
  kind: z.enum(RUN_KINDS).optional().describe('load: `stratum load` (or the daily run\'s load); batch: the daily batch'),
  outcome: z.enum(RUN_OUTCOMES).optional(),
  from: DateText.optional().describe("runs of this business date or later (a load refused before its date was read: the China date it started)"),
  to: DateText.optional().describe('runs of this business date or earlier'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type RunsQuery = z.infer<typeof RunsQuery>;

export const RunStep = z.object({
  step: z.string().describe('tiering, ownership, events, worklist …'),
  seconds: z.number().nullable(),
  summary: z.string().nullable().describe('one line: what the step did'),
});
export type RunStep = z.infer<typeof RunStep>;

export const RunFile = z.object({
  file: z.string().describe('customers.csv, accounts.csv …'),
  rows: z.number().int().nullable().describe('rows read'),
  written: z.number().int().nullable().describe('rows new or changed'),
  gone: z.number().int().nullable().describe('rows no longer delivered (a full file)'),
});
export type RunFile = z.infer<typeof RunFile>;

export const RunProblem = z.object({
  file: z.string().nullable().describe('the file (a refused load); null for a failure'),
  line: z.number().int().nullable().describe('the line in the file, 1 being the header'),
  column: z.string().nullable().describe('the column named in the header'),
  message: z.string(),
});
export type RunProblem = z.infer<typeof RunProblem>;

export const RunItem = z.object({
  id: z.string(),
  kind: z.enum(RUN_KINDS),
  businessDate: z.string().nullable().describe('the business date run; null: a load refused before its date was read'),
  folder: z.string().nullable().describe("the name of the folder a load read (its last part only, not the server's path)"),
  startedBy: z.enum(['cli', 'daily', 'server']).describe('cli: a person ran `stratum load` / `stratum batch run`; daily: `stratum daily`; server: the server\'s own daily run'),
  attempt: z.number().int().describe('1, then 2, 3 … for the daily run trying the same date again'),
  startedAt: z.string().describe('ISO time'),
  finishedAt: z.string().nullable().describe('ISO time; null while running or interrupted'),
  durationSeconds: z.number().nullable().describe('from start to end; while running, so far; null when interrupted'),
  rows: z.number().int().nullable().describe('rows read (a load) or customers evaluated (a batch)'),
  outcome: z.enum(RUN_OUTCOMES),
  steps: z.array(RunStep).describe("a batch's steps in order, with their seconds"),
  files: z.array(RunFile).describe("a load's files"),
  problems: z.array(RunProblem).describe('a refused load: each problem by file, line and column; a failure: its error'),
  moreProblems: z.number().int().describe('problems beyond those listed'),
  message: z.string().nullable().describe('one line: why it failed'),
});
export type RunItem = z.infer<typeof RunItem>;

export const RunsResponse = z.object({
  data: z.object({ items: z.array(RunItem), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
});
export type RunsPage = z.infer<typeof RunsResponse>['data'];

export const LastRun = z.object({
  kind: z.enum(RUN_KINDS).describe('the newest run'),
  outcome: z.enum(RUN_OUTCOMES).describe('what became of the newest run'),
  businessDate: z.string().nullable().describe('its business date'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  lastSuccess: z
    .object({ businessDate: z.string().nullable(), finishedAt: z.string() })
    .nullable()
    .describe('the latest daily batch that finished done; null: none recorded'),
  late: z.boolean().describe('the latest successful batch finished more than 26 hours ago (or none did), or the newest run failed, was refused or was interrupted'),
  lateBecause: z.enum(['failed', 'old', 'never']).nullable().describe('failed: the newest run did not succeed; old: the latest successful batch is more than 26 hours old; never: no batch has succeeded'),
});
export type LastRun = z.infer<typeof LastRun>;

export const RunStatusResponse = z.object({
  data: z.object({
    latestBusinessDate: z.string().nullable().describe('the latest loaded business date (what every page shows)'),
    lastRun: LastRun.nullable().describe('null: no run recorded yet'),
  }),
});
export type RunStatus = z.infer<typeof RunStatusResponse>['data'];
