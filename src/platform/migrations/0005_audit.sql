-- The audit trail (issue 5): who did what to which customers' personal data, from where, and
-- whether it was allowed. Append-only, and chained: each entry carries the SHA-256 of the one
-- before it, so a changed or deleted row shows up in `stratum audit verify`.
--
-- Not per-customer: one entry may name many customers (an export), so it is not distributed by
-- customer_id. On Citus it stays a local table on the coordinator (a reference table would copy
-- every append to every worker, and the chain needs one writer order on one node); the customers
-- an entry is about are an array column with a GIN index, not a join table.
CREATE TABLE audit_log (
  -- assigned by the trigger under the chain-head lock: 1, 2, 3 … in chain order, no gaps
  entry_id     bigint PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor        text,                 -- the login (staff number or administrator); NULL: an unknown login
  role         text,
  ip           text,                 -- from where (the client address)
  action       text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]*$'),
  customer_ids text[] NOT NULL DEFAULT '{}',
  fields       text[] NOT NULL DEFAULT '{}',   -- which sensitive fields were revealed or exported
  outcome      text NOT NULL CHECK (outcome IN ('allowed', 'refused')),
  reason       text,                 -- the reason the user gave
  detail       jsonb NOT NULL DEFAULT '{}',    -- never personal data
  -- the branches of the actor and of the customers at the time of the entry: what a branch head
  -- may read (entries about their subtree's customers or by its staff) without a join
  branch_ids   text[] NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, entry_id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
CREATE INDEX audit_log_customers_idx ON audit_log USING gin (customer_ids);
CREATE INDEX audit_log_branches_idx ON audit_log USING gin (branch_ids);

-- One row: the last entry of the chain. Locked FOR UPDATE by every insert, which serialises
-- concurrent writers (the chain needs a single order) and holds the hash the next entry links to.
CREATE TABLE audit_chain (
  id          integer PRIMARY KEY CHECK (id = 1),
  last_id     bigint NOT NULL,
  last_hash   text NOT NULL,
  -- after a prune: the last pruned entry, so the first remaining one still links to something known
  anchor_id   bigint NOT NULL DEFAULT 0,
  anchor_hash text NOT NULL DEFAULT '',
  anchor_at   timestamptz
);
INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, 0, '');

-- The digest of an entry: every column but the hash itself, as a JSON array (unambiguous about
-- NULLs and separators; the time as microseconds since 1970, independent of the session's zone).
CREATE FUNCTION audit_digest(e audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    e.entry_id, e.prev_hash, (extract(epoch FROM e.at) * 1000000)::bigint, e.actor, e.role, e.ip,
    e.action, e.customer_ids, e.fields, e.outcome, e.reason, e.detail, e.branch_ids)::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_chain_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE head audit_chain;
BEGIN
  SELECT * INTO head FROM audit_chain WHERE id = 1 FOR UPDATE;
  NEW.entry_id := head.last_id + 1;
  NEW.prev_hash := head.last_hash;
  NEW.at := coalesce(NEW.at, clock_timestamp());
  NEW.hash := audit_digest(NEW);
  UPDATE audit_chain SET last_id = NEW.entry_id, last_hash = NEW.hash WHERE id = 1;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_chain_append();

-- Append-only: the database itself refuses UPDATE, TRUNCATE and DELETE. The one exception is the
-- prune path (audit.prune in the code), which marks its transaction and may only remove entries
-- older than six months, the least the bank must keep.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('stratum.audit_prune', true) = 'on'
     AND OLD.at < now() - interval '6 months' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
