-- The jobs schema (compatibility §7): functions, queue, workers, function files, execution logs.
CREATE SCHEMA IF NOT EXISTS jobs;
CREATE SCHEMA IF NOT EXISTS logging;

CREATE TABLE jobs.workers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text,
  hostname text,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'draining', 'stopped')),
  max_concurrent_jobs int NOT NULL DEFAULT 5,
  current_job_count int NOT NULL DEFAULT 0,
  last_heartbeat_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz NOT NULL DEFAULT now(),
  metadata jsonb
);

CREATE TABLE jobs.functions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  namespace text NOT NULL DEFAULT 'default',
  description text,
  code text,
  original_code text,
  is_bundled boolean NOT NULL DEFAULT false,
  bundle_error text,
  enabled boolean NOT NULL DEFAULT true,
  schedule text,
  timeout_seconds int NOT NULL DEFAULT 300,
  memory_limit_mb int NOT NULL DEFAULT 256,
  max_retries int NOT NULL DEFAULT 3,
  progress_timeout_seconds int NOT NULL DEFAULT 300,
  allow_net boolean NOT NULL DEFAULT true,
  allow_env boolean NOT NULL DEFAULT true,
  allow_read boolean NOT NULL DEFAULT false,
  allow_write boolean NOT NULL DEFAULT false,
  require_roles text[] NOT NULL DEFAULT '{}',
  disable_execution_logs boolean NOT NULL DEFAULT false,
  version int NOT NULL DEFAULT 1,
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  source text NOT NULL DEFAULT 'filesystem' CHECK (source IN ('filesystem', 'api', 'builtin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, namespace)
);
CREATE INDEX functions_namespace_idx ON jobs.functions (namespace);

CREATE FUNCTION jobs.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER update_functions_updated_at BEFORE UPDATE ON jobs.functions
  FOR EACH ROW EXECUTE FUNCTION jobs.touch_updated_at();

CREATE TABLE jobs.function_files (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  function_id uuid NOT NULL REFERENCES jobs.functions (id) ON DELETE CASCADE,
  file_path text NOT NULL,
  content text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (function_id, file_path)
);

CREATE TABLE jobs.queue (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  namespace text NOT NULL DEFAULT 'default',
  function_id uuid REFERENCES jobs.functions (id) ON DELETE SET NULL,
  job_name text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  payload jsonb,
  result jsonb,
  progress jsonb,
  priority int NOT NULL DEFAULT 0,
  max_duration_seconds int,
  progress_timeout_seconds int,
  max_retries int NOT NULL DEFAULT 0,
  retry_count int NOT NULL DEFAULT 0,
  error_message text,
  worker_id uuid CONSTRAINT fk_queue_worker REFERENCES jobs.workers (id) ON DELETE SET NULL,
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  user_role text,
  user_email text,
  user_name text,
  retried_from uuid REFERENCES jobs.queue (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  scheduled_at timestamptz,
  started_at timestamptz,
  last_progress_at timestamptz,
  completed_at timestamptz
);
-- The claim statement reads pending rows by priority then age.
CREATE INDEX queue_claim_idx ON jobs.queue (priority DESC, created_at) WHERE status = 'pending';
-- Per-namespace limits and the reaper read running rows.
CREATE INDEX queue_running_idx ON jobs.queue (namespace, worker_id) WHERE status = 'running';
CREATE INDEX queue_status_idx ON jobs.queue (status);
CREATE INDEX queue_created_by_idx ON jobs.queue (created_by, created_at DESC);
CREATE INDEX queue_created_at_idx ON jobs.queue (created_at DESC);
CREATE INDEX queue_namespace_idx ON jobs.queue (namespace);

CREATE TABLE logging.entries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  category text NOT NULL DEFAULT 'execution',
  execution_id uuid NOT NULL,
  line_number int NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  fields jsonb,
  "timestamp" timestamptz NOT NULL DEFAULT now(),
  UNIQUE (execution_id, line_number)
);

ALTER TABLE jobs.queue REPLICA IDENTITY FULL;
ALTER TABLE jobs.workers REPLICA IDENTITY FULL;
ALTER TABLE jobs.function_files REPLICA IDENTITY FULL;
