-- A campaign's send as a background job (issue 21): POST /api/campaigns/:id/send answers at once
-- and the server sends in the background; the campaign keeps where its latest send stands, so that
-- its page shows the progress, a second send while one runs is refused (on any server of the
-- bank), and a send whose server stopped is seen as interrupted and can be started again (the
-- outbox, one row per campaign and recipient, keeps every message to once).
ALTER TABLE campaigns ADD COLUMN send_job text;                 -- the latest send's id
ALTER TABLE campaigns ADD COLUMN send_state text
  CHECK (send_state IN ('queued', 'running', 'done', 'waiting', 'failed', 'interrupted'));
ALTER TABLE campaigns ADD COLUMN send_runner text;              -- the server process running it
ALTER TABLE campaigns ADD COLUMN send_heartbeat_at timestamptz; -- written every few seconds while queued or running
ALTER TABLE campaigns ADD COLUMN send_started_at timestamptz;
ALTER TABLE campaigns ADD COLUMN send_finished_at timestamptz;
ALTER TABLE campaigns ADD COLUMN send_posted integer NOT NULL DEFAULT 0; -- messages posted by the latest send
ALTER TABLE campaigns ADD COLUMN send_waits_until timestamptz;  -- a marketing send stopped at 21:00: when it may go on
ALTER TABLE campaigns ADD COLUMN send_error_zh text;
ALTER TABLE campaigns ADD COLUMN send_error_en text;
