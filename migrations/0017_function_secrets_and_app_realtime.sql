-- Two additions: function secrets (below) and realtime on application tables (at the end).
-- Function secrets (compatibility §4.6, store 2; upstream's functions.secrets): named values an
-- admin sets for every job (scope global) or for the jobs of one namespace (scope namespace),
-- which a job reads as FLUXBASE_SECRET_<NAME>; the namespace's value wins over the global one,
-- and an expired secret is not passed. Kept in the `secrets` schema beside the settings
-- secrets of 0007, with the same rules: AES-256-GCM ciphertexts made by the server, no
-- plaintext, no grants, RLS on with no policies. The associated data is the secret's id, so a
-- ciphertext moved to another secret fails to decrypt, and a version's ciphertext can be
-- restored (rollback) into its own secret.
CREATE TABLE secrets.function_secrets (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'),
  scope text NOT NULL CHECK (scope IN ('global', 'namespace')),
  namespace text CHECK (namespace IS NULL OR namespace ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'),
  description text,
  ciphertext bytea NOT NULL CHECK (octet_length(ciphertext) BETWEEN 16 AND 65536 + 16),
  nonce bytea NOT NULL CHECK (octet_length(nonce) = 12),
  version int NOT NULL DEFAULT 1,
  expires_at timestamptz,
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope = 'global') = (namespace IS NULL))
);
CREATE UNIQUE INDEX function_secrets_global_name_key ON secrets.function_secrets (upper(name))
  WHERE scope = 'global';
CREATE UNIQUE INDEX function_secrets_namespace_name_key ON secrets.function_secrets (namespace, upper(name))
  WHERE scope = 'namespace';

-- Every value a secret has had, for the versions list and rollback.
CREATE TABLE secrets.function_secret_versions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  secret_id uuid NOT NULL REFERENCES secrets.function_secrets (id) ON DELETE CASCADE,
  version int NOT NULL,
  ciphertext bytea NOT NULL,
  nonce bytea NOT NULL,
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (secret_id, version)
);

ALTER TABLE secrets.function_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets.function_secret_versions ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON secrets.function_secrets, secrets.function_secret_versions FROM PUBLIC;

-- Realtime on application tables (upstream's admin.realtime.enableRealtime): an admin enables a
-- table of the `app` or `public` schema; the server then adds the row trigger below to it
-- (named fluxbase_realtime_notify) and each socket receives only the changes of rows its
-- identity may SELECT under the table's own RLS policies (checked by the hub per socket).
-- `excluded` columns never travel; like the jobs tables' triggers, nothing is built while
-- no hub holds a lease on the table, and a row too large for pg_notify is announced by id.
CREATE TABLE realtime.app_tables (
  schema_name text NOT NULL CHECK (schema_name IN ('app', 'public')),
  table_name text NOT NULL,
  events text[] NOT NULL DEFAULT '{INSERT,UPDATE,DELETE}'
    CHECK (events <@ '{INSERT,UPDATE,DELETE}'::text[] AND cardinality(events) > 0),
  excluded text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (schema_name, table_name)
);
REVOKE ALL ON realtime.app_tables FROM PUBLIC;

CREATE FUNCTION realtime.notify_app_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
  drop_cols text[];
  rec jsonb;
  old_rec jsonb;
  body text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM realtime.listeners l
                 WHERE l.schema_name = TG_TABLE_SCHEMA AND l.table_name = TG_TABLE_NAME
                   AND l.expires_at > now()) THEN
    RETURN NULL;
  END IF;
  SELECT excluded INTO drop_cols FROM realtime.app_tables
  WHERE schema_name = TG_TABLE_SCHEMA AND table_name = TG_TABLE_NAME;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    rec := to_jsonb(NEW) - drop_cols;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_rec := to_jsonb(OLD) - drop_cols;
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
