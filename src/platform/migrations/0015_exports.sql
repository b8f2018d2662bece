-- Exports as background jobs (issue 16), and the customers of an audit entry that names many.

-- One row per export a user asked for: what (kind, format, filters), whose (owner: the login),
-- where it stands, and the file it produced (kept under the data folder's exports/ for a day).
-- A handful of rows per user and day, not per customer: on Citus a local table of the coordinator.
CREATE TABLE export_jobs (
  export_id    text PRIMARY KEY,               -- random, unguessable
  owner        text NOT NULL,                  -- the login who asked; only they may read it
  kind         text NOT NULL CHECK (kind IN ('customer_info', 'contact_log', 'audit')),
  format       text NOT NULL CHECK (format IN ('xlsx', 'csv')),
  filters      jsonb NOT NULL DEFAULT '{}',
  lang         text NOT NULL CHECK (lang IN ('zh', 'en')),
  status       text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired')),
  rows_done    integer NOT NULL DEFAULT 0,
  rows_total   integer,
  -- why it failed, in both languages (the user's is shown); error_code 'interrupted' after a restart
  error_code   text,
  error_zh     text,
  error_en     text,
  file_name    text,                           -- the download's name, in the user's language
  bytes        bigint,
  -- what the download's audit entry records (fields exported, detail without personal data)
  audit_fields text[] NOT NULL DEFAULT '{}',
  audit_detail jsonb NOT NULL DEFAULT '{}',
  -- the server process running it, and when it last said so: a job whose process is gone is failed
  runner       text,
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  expires_at   timestamptz
);
CREATE INDEX export_jobs_owner_idx ON export_jobs (owner, created_at DESC);
CREATE INDEX export_jobs_open_idx ON export_jobs (status, heartbeat_at) WHERE status IN ('queued', 'running');

-- The customers of an audit entry that names more than a few hundred (an export of a whole bank's
-- sheet, the nightly proposals): one row per customer instead of one array cell of 100,000 ids.
-- The entry itself keeps their count and the SHA-256 of their sorted ids in its detail (so the
-- hash chain covers the list: `stratum audit verify` recomputes it), and an empty customer_ids.
-- Distributed by customer_id on Citus; "who read customer X" is one index probe.
CREATE TABLE audit_customers (
  customer_id text COLLATE "C" NOT NULL,
  entry_id    bigint NOT NULL,
  PRIMARY KEY (customer_id, entry_id)
);
CREATE INDEX audit_customers_entry_idx ON audit_customers (entry_id);

-- Append-only like the entries: only the prune path (which removes whole old entries) may delete.
CREATE FUNCTION audit_customers_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('stratum.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_customers is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_customers_append_only BEFORE UPDATE OR DELETE ON audit_customers FOR EACH ROW EXECUTE FUNCTION audit_customers_refuse_change();
