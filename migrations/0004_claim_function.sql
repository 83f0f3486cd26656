-- Claiming in one call. The namespaces at their concurrency limit are computed first and
-- passed to the claim statement as a value (EXECUTE ... USING, planned per call): with a
-- known array the planner walks queue_claim_idx in order and stops at LIMIT, where a
-- subquery or anti-join in the same statement made it scan and sort every pending row.
ALTER TABLE jobs.queue ADD COLUMN function_version int;
COMMENT ON COLUMN jobs.queue.function_version IS 'Version of the function the current or last attempt ran';

-- Every claim and completion rewrites the row (status is indexed, so no HOT update): each
-- index costs an insertion per state change. Lists use created_at / created_by; stats scan.
DROP INDEX jobs.queue_status_idx;
DROP INDEX jobs.queue_namespace_idx;
-- The foreign key made every claim take a KEY SHARE lock on its worker's row; concurrent
-- claims of one worker then built multixacts. Workers are marked stopped, not deleted,
-- while they have running jobs, so the reference needs no enforcement.
ALTER TABLE jobs.queue DROP CONSTRAINT fk_queue_worker;

CREATE FUNCTION jobs.claim_jobs(p_worker_id uuid, p_limit int, p_namespace_limit int)
RETURNS SETOF jobs.queue
LANGUAGE plpgsql AS $$
DECLARE
  full_namespaces text[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM jobs.workers WHERE id = p_worker_id AND status = 'active') THEN
    RETURN;
  END IF;
  SELECT coalesce(array_agg(namespace), '{}') INTO full_namespaces FROM (
    SELECT namespace FROM jobs.queue WHERE status = 'running'
    GROUP BY namespace HAVING count(*) >= p_namespace_limit) s;
  -- FOR UPDATE SKIP LOCKED: concurrent claimers in any process skip each other's rows
  -- instead of blocking, and never take the same row. Within one claim a namespace gets
  -- no more than its remaining room.
  IF cardinality(full_namespaces) = 0 AND p_limit = 1 THEN
    -- The common case (one freed slot, no namespace at its limit): a static statement
    -- whose plan PL/pgSQL keeps.
    RETURN QUERY
    UPDATE jobs.queue q
    SET status = 'running', worker_id = p_worker_id, started_at = now(), last_progress_at = now(),
        completed_at = NULL,
        function_version = (SELECT f.version FROM jobs.functions f WHERE f.id = q.function_id)
    WHERE q.id = (
      SELECT c.id FROM jobs.queue c
      WHERE c.status = 'pending' AND (c.scheduled_at IS NULL OR c.scheduled_at <= now())
      ORDER BY c.priority DESC, c.created_at ASC
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING q.*;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE $q$
    WITH candidates AS (
      SELECT q.id, q.namespace, q.priority, q.created_at FROM jobs.queue q
      WHERE q.status = 'pending'
        AND (q.scheduled_at IS NULL OR q.scheduled_at <= now())
        AND q.namespace <> ALL ($3)
      ORDER BY q.priority DESC, q.created_at ASC
      LIMIT $2
      FOR UPDATE SKIP LOCKED
    ), ranked AS (
      SELECT c.id, row_number() OVER (PARTITION BY c.namespace ORDER BY c.priority DESC, c.created_at)
               + (SELECT count(*) FROM jobs.queue r WHERE r.status = 'running' AND r.namespace = c.namespace) AS slot
      FROM candidates c
    )
    UPDATE jobs.queue q
    SET status = 'running', worker_id = $1, started_at = now(), last_progress_at = now(), completed_at = NULL,
        function_version = (SELECT f.version FROM jobs.functions f WHERE f.id = q.function_id)
    FROM ranked r
    WHERE q.id = r.id AND r.slot <= $4
    RETURNING q.*
  $q$ USING p_worker_id, p_limit, full_namespaces, p_namespace_limit;
END
$$;

-- Realtime notifications only while someone listens. A realtime hub registers the tables
-- its sockets subscribe to (and renews the lease); with no live lease for a table its
-- triggers skip building and sending the row, which is most of the cost of a write.
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE TABLE realtime.listeners (
  instance_id uuid NOT NULL,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (schema_name, table_name, instance_id)
);

CREATE OR REPLACE FUNCTION jobs.notify_realtime_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  rec jsonb;
  old_rec jsonb;
  body text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM realtime.listeners l
                 WHERE l.schema_name = TG_TABLE_SCHEMA AND l.table_name = TG_TABLE_NAME
                   AND l.expires_at > now()) THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    rec := to_jsonb(NEW) - 'payload' - 'result' - 'content';
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_rec := to_jsonb(OLD) - 'payload' - 'result' - 'content';
  END IF;
  body := json_build_object(
    'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'type', TG_OP,
    'commit_timestamp', now(), 'record', rec, 'old_record', old_rec)::text;
  IF octet_length(body) > 7900 THEN
    body := json_build_object(
      'schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME, 'type', TG_OP,
      'commit_timestamp', now(), 'truncated', true,
      'id', coalesce(rec ->> 'id', old_rec ->> 'id'))::text;
  END IF;
  PERFORM pg_notify('fluxbase_changes', body);
  RETURN NULL;
END
$$;
