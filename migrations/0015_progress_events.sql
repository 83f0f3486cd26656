-- Progress events: every progress report of a job, for the trace of a run. The queue row
-- holds only the latest report; this trigger appends each change of it here, tagged with
-- the attempt it belongs to. Reports are already coalesced by the server to a few per
-- second per job, and at most the newest 200 are kept per job.
CREATE TABLE jobs.progress_events (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs.queue (id) ON DELETE CASCADE,
  retry_count int NOT NULL,
  percent double precision,
  message text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX progress_events_job_idx ON jobs.progress_events (job_id, id);
ALTER TABLE jobs.progress_events ENABLE ROW LEVEL SECURITY;
GRANT ALL ON jobs.progress_events TO service_role;
GRANT USAGE ON SEQUENCE jobs.progress_events_id_seq TO service_role;

-- SECURITY DEFINER: whoever writes the progress (a worker, or a Data API caller allowed to
-- update the row) records the event without needing rights on this table.
CREATE FUNCTION jobs.record_progress_event() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
  pct double precision;
BEGIN
  BEGIN
    pct := (NEW.progress ->> 'percent')::double precision;
  EXCEPTION WHEN others THEN
    pct := NULL;
  END;
  INSERT INTO jobs.progress_events (job_id, retry_count, percent, message, at)
  VALUES (NEW.id, NEW.retry_count, pct, left(NEW.progress ->> 'message', 1000),
          coalesce(NEW.last_progress_at, now()));
  DELETE FROM jobs.progress_events
  WHERE job_id = NEW.id AND id <= (
    SELECT id FROM jobs.progress_events WHERE job_id = NEW.id ORDER BY id DESC OFFSET 200 LIMIT 1
  );
  RETURN NULL;
END
$$;
CREATE TRIGGER queue_record_progress_event AFTER UPDATE OF progress ON jobs.queue
  FOR EACH ROW WHEN (NEW.progress IS NOT NULL AND NEW.progress IS DISTINCT FROM OLD.progress)
  EXECUTE FUNCTION jobs.record_progress_event();
