-- Cron schedules (compatibility §6.7, with our additions): a function's schedule time zone, the
-- params merged into each fire's payload, overlap and pause switches, and the state the
-- leading scheduler keeps per function. `last_scheduled_for` only moves forward, which
-- is what stops two instances from firing the same instant.
ALTER TABLE jobs.functions
  ADD COLUMN schedule_timezone text,
  ADD COLUMN schedule_params jsonb,
  ADD COLUMN allow_overlap boolean NOT NULL DEFAULT false,
  ADD COLUMN schedule_paused boolean NOT NULL DEFAULT false;

CREATE TABLE jobs.schedule_state (
  function_id uuid PRIMARY KEY REFERENCES jobs.functions (id) ON DELETE CASCADE,
  last_fired_at timestamptz,
  last_scheduled_for timestamptz,
  last_job_id uuid
);
