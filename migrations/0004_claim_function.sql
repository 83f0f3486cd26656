-- What claiming needs of the schema (the claim statement itself is in the server,
-- src-server/db/queries/claim.ts).
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

-- Realtime leases. A realtime hub registers the tables its sockets subscribe to (and
-- renews the lease); the notification triggers run only while a table has a live lease
-- (0016).
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE TABLE realtime.listeners (
  instance_id uuid NOT NULL,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (schema_name, table_name, instance_id)
);
