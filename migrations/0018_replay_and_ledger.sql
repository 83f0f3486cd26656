-- Replay, saved payloads, dry runs and the ledger of what a job changed.

-- The code of every version of a function, so a run can be replayed with the code it ran.
-- A trigger keeps it as functions change; the versions already there are kept from now on.
CREATE TABLE jobs.function_versions (
  function_id uuid NOT NULL REFERENCES jobs.functions (id) ON DELETE CASCADE,
  version int NOT NULL,
  code text,
  original_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (function_id, version)
);
ALTER TABLE jobs.function_versions ENABLE ROW LEVEL SECURITY;
GRANT ALL ON jobs.function_versions TO service_role;

INSERT INTO jobs.function_versions (function_id, version, code, original_code)
SELECT id, version, code, original_code FROM jobs.functions
ON CONFLICT DO NOTHING;

CREATE FUNCTION jobs.keep_function_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  INSERT INTO jobs.function_versions (function_id, version, code, original_code)
  VALUES (NEW.id, NEW.version, NEW.code, NEW.original_code)
  ON CONFLICT (function_id, version) DO UPDATE
    SET code = EXCLUDED.code, original_code = EXCLUDED.original_code;
  RETURN NULL;
END
$$;
CREATE TRIGGER functions_keep_version AFTER INSERT OR UPDATE OF version, code, original_code
  ON jobs.functions FOR EACH ROW EXECUTE FUNCTION jobs.keep_function_version();

-- replay_of: the run this one replays. code_version: the function version whose code the run
-- must use (a replay of the code an earlier run used); NULL runs the current code.
-- dry_run: data writes rolled back at the end of the run, storage writes and submits held back.
ALTER TABLE jobs.queue
  ADD COLUMN replay_of uuid REFERENCES jobs.queue (id) ON DELETE SET NULL,
  ADD COLUMN code_version int,
  ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
CREATE INDEX queue_replay_of_idx ON jobs.queue (replay_of) WHERE replay_of IS NOT NULL;

-- The claim records the function's current version; a pinned run keeps its own.
CREATE FUNCTION jobs.keep_code_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.function_version := NEW.code_version;
  RETURN NEW;
END
$$;
CREATE TRIGGER queue_keep_code_version BEFORE UPDATE OF function_version ON jobs.queue
  FOR EACH ROW WHEN (NEW.code_version IS NOT NULL AND NEW.function_version IS DISTINCT FROM NEW.code_version)
  EXECUTE FUNCTION jobs.keep_code_version();

-- The ledger: one row per write a job made through the API (data, storage, submits).
CREATE TABLE jobs.effects (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs.queue (id) ON DELETE CASCADE,
  attempt int NOT NULL,
  -- insert, upsert, update, delete (data); upload, remove (storage); submit (jobs).
  operation text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('table', 'object', 'job')),
  -- schema.table, bucket/path, or namespace/function.
  target text NOT NULL,
  row_count int NOT NULL DEFAULT 0,
  -- The primary keys touched (the first 100), as objects of column: value.
  keys jsonb NOT NULL DEFAULT '[]',
  dry_run boolean NOT NULL DEFAULT false,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX effects_job_idx ON jobs.effects (job_id, id);
ALTER TABLE jobs.effects ENABLE ROW LEVEL SECURITY;
GRANT ALL ON jobs.effects TO service_role;
GRANT USAGE ON SEQUENCE jobs.effects_id_seq TO service_role;

-- Payloads saved by name per function and user, for the run panel.
CREATE TABLE jobs.saved_payloads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  function_id uuid NOT NULL REFERENCES jobs.functions (id) ON DELETE CASCADE,
  created_by uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  name text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX saved_payloads_name_idx
  ON jobs.saved_payloads (function_id, coalesce(created_by, '00000000-0000-0000-0000-000000000000'::uuid), name);
ALTER TABLE jobs.saved_payloads ENABLE ROW LEVEL SECURITY;
GRANT ALL ON jobs.saved_payloads TO service_role;
