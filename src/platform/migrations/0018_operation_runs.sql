-- Every load and daily batch, however started (`stratum load`, `stratum batch run`, `stratum
-- daily`, the server's daily run): what the operations team reads to know whether last night's
-- run worked (GET /api/system/runs, the Runs page, /metrics). A few rows a day: a reference
-- table on Citus.
CREATE TABLE operation_runs (
  run_id        text PRIMARY KEY,                -- random
  kind          text NOT NULL CHECK (kind IN ('load', 'batch')),
  business_date date,                            -- NULL: a load refused before its date was read
  folder        text,                            -- the folder a load read
  started_by    text NOT NULL CHECK (started_by IN ('cli', 'daily', 'server')),
  attempt       integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  -- running: not finished yet (or its process died: a run left 'running' while another started
  -- is shown as interrupted); unchanged: a load of files already loaded
  outcome       text NOT NULL CHECK (outcome IN ('running', 'done', 'unchanged', 'refused', 'failed')),
  rows          bigint,                          -- rows read (a load) or customers evaluated (a batch)
  -- a batch's steps: [{step, seconds, summary}]; a load's files: [{file, rows, written, gone}]
  detail        jsonb NOT NULL DEFAULT '[]',
  -- what went wrong: [{file, line, column, message}] for a load, [{message}] for a failure
  problems      jsonb NOT NULL DEFAULT '[]',
  more_problems integer NOT NULL DEFAULT 0,
  message       text                             -- one line: why it failed, in the words of the error
);
CREATE INDEX operation_runs_started_idx ON operation_runs (started_at DESC);
CREATE INDEX operation_runs_date_idx ON operation_runs (kind, business_date);

-- Who holds the daily run while it goes (`stratum daily`, the server's daily run): two never
-- overlap. One row per lock while held. A holder whose heartbeat is older than ten minutes, or
-- whose process is gone from the same host, has died and is taken over.
CREATE TABLE operation_locks (
  name         text PRIMARY KEY,
  host         text NOT NULL,
  pid          integer NOT NULL,
  token        text NOT NULL,                   -- random, this holder's own
  acquired_at  timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now()
);
