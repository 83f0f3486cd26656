-- The Runs view's search and a run's attempt history.
--
-- Search: a trigram index over one lower-cased text built from a row's id, function name,
-- submitter's email, error, payload and result, so `LIKE '%value%'` finds a value anywhere
-- in a payload or result without reading every row. The index is over an expression (no
-- stored column), so only writes that change one of those columns touch it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION jobs.search_text(id uuid, job_name text, user_email text, error_message text, payload jsonb, result jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(id::text || ' ' || job_name || ' ' || coalesce(user_email, '') || ' ' ||
    coalesce(error_message, '') || ' ' || coalesce(payload::text, '') || ' ' || coalesce(result::text, ''))
$$;

CREATE INDEX queue_search_trgm_idx ON jobs.queue
  USING gin (jobs.search_text(id, job_name, user_email, error_message, payload, result) gin_trgm_ops);

-- Attempts: the queue row describes a job's current (or last) attempt. Each attempt that
-- ended in a retry is kept here when the row goes from running back to pending (a failure
-- with attempts left, or a recovered orphan), so the history costs nothing for jobs that
-- succeed or fail on their first attempt.
CREATE TABLE jobs.attempts (
  job_id uuid NOT NULL REFERENCES jobs.queue (id) ON DELETE CASCADE,
  attempt int NOT NULL,
  worker_id uuid,
  started_at timestamptz,
  ended_at timestamptz NOT NULL DEFAULT now(),
  error_message text,
  next_run_at timestamptz,
  PRIMARY KEY (job_id, attempt)
);
ALTER TABLE jobs.attempts ENABLE ROW LEVEL SECURITY;
GRANT ALL ON jobs.attempts TO service_role;

-- SECURITY DEFINER: whoever moves the row (a worker, or a Data API caller allowed to
-- update it) records the attempt without needing rights on this table.
CREATE FUNCTION jobs.record_retried_attempt() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  INSERT INTO jobs.attempts (job_id, attempt, worker_id, started_at, error_message, next_run_at)
  VALUES (NEW.id, OLD.retry_count + 1, OLD.worker_id, OLD.started_at, NEW.error_message, NEW.scheduled_at)
  ON CONFLICT (job_id, attempt) DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER queue_record_retried_attempt AFTER UPDATE OF status ON jobs.queue
  FOR EACH ROW WHEN (OLD.status = 'running' AND NEW.status = 'pending')
  EXECUTE FUNCTION jobs.record_retried_attempt();
