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
