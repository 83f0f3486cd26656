-- The settings each function version ran with, kept beside its code (migration 0018): a replay
-- with the code an earlier run used also runs with that version's timeout, retries, memory
-- and permissions, not the function's settings of today. The version moves whenever a setting
-- changes, so the version trigger keeps them.
ALTER TABLE jobs.function_versions
  ADD COLUMN timeout_seconds int,
  ADD COLUMN progress_timeout_seconds int,
  ADD COLUMN max_retries int,
  ADD COLUMN memory_limit_mb int,
  ADD COLUMN allow_net boolean,
  ADD COLUMN allow_net_hosts text[],
  ADD COLUMN allow_env boolean,
  ADD COLUMN allow_read boolean,
  ADD COLUMN allow_write boolean,
  ADD COLUMN disable_execution_logs boolean;

-- Versions kept before this migration: only the current one's settings are known (the others
-- stay NULL, and replay with today's settings).
UPDATE jobs.function_versions v
SET timeout_seconds = f.timeout_seconds, progress_timeout_seconds = f.progress_timeout_seconds,
    max_retries = f.max_retries, memory_limit_mb = f.memory_limit_mb, allow_net = f.allow_net,
    allow_net_hosts = f.allow_net_hosts, allow_env = f.allow_env, allow_read = f.allow_read,
    allow_write = f.allow_write, disable_execution_logs = f.disable_execution_logs
FROM jobs.functions f
WHERE f.id = v.function_id AND f.version = v.version;

CREATE OR REPLACE FUNCTION jobs.keep_function_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  INSERT INTO jobs.function_versions (function_id, version, code, original_code, timeout_seconds,
    progress_timeout_seconds, max_retries, memory_limit_mb, allow_net, allow_net_hosts, allow_env,
    allow_read, allow_write, disable_execution_logs)
  VALUES (NEW.id, NEW.version, NEW.code, NEW.original_code, NEW.timeout_seconds,
    NEW.progress_timeout_seconds, NEW.max_retries, NEW.memory_limit_mb, NEW.allow_net,
    NEW.allow_net_hosts, NEW.allow_env, NEW.allow_read, NEW.allow_write, NEW.disable_execution_logs)
  ON CONFLICT (function_id, version) DO UPDATE
    SET code = EXCLUDED.code, original_code = EXCLUDED.original_code,
        timeout_seconds = EXCLUDED.timeout_seconds,
        progress_timeout_seconds = EXCLUDED.progress_timeout_seconds,
        max_retries = EXCLUDED.max_retries, memory_limit_mb = EXCLUDED.memory_limit_mb,
        allow_net = EXCLUDED.allow_net, allow_net_hosts = EXCLUDED.allow_net_hosts,
        allow_env = EXCLUDED.allow_env, allow_read = EXCLUDED.allow_read,
        allow_write = EXCLUDED.allow_write, disable_execution_logs = EXCLUDED.disable_execution_logs;
  RETURN NULL;
END
$$;
