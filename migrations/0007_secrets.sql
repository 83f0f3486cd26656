-- Secrets (compatibility §4.6, store 1 "settings secrets"): system rows (user_id NULL) and each
-- user's own rows, read by jobs through the `secrets` global (the user's shadow the
-- system's). Our own table rather than upstream's app.settings: the `app` schema holds
-- application data served by the data API, and these rows must never be.
--
-- Values are AES-256-GCM ciphertexts made by the server (src-server/secrets/crypto.ts)
-- with a key kept outside the database (<dataDir>/secrets.key or FLUXBASE_ENCRYPTION_KEY).
-- The associated data is the row identity (`system:<name>` or `user:<uuid>:<name>`), so a
-- ciphertext copied to another row fails to decrypt. No plaintext is ever stored.
CREATE SCHEMA IF NOT EXISTS secrets;
REVOKE ALL ON SCHEMA secrets FROM PUBLIC;

CREATE TABLE secrets.secrets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (name ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
  user_id uuid REFERENCES auth.users (id) ON DELETE CASCADE,
  description text,
  -- GCM ciphertext followed by its 16-byte tag; the value is at most 64 KiB.
  ciphertext bytea NOT NULL CHECK (octet_length(ciphertext) BETWEEN 16 AND 65536 + 16),
  nonce bytea NOT NULL CHECK (octet_length(nonce) = 12),
  -- Bumped on every change of the value.
  version int NOT NULL DEFAULT 1,
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  updated_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX secrets_system_name_key ON secrets.secrets (name) WHERE user_id IS NULL;
CREATE UNIQUE INDEX secrets_user_name_key ON secrets.secrets (user_id, name) WHERE user_id IS NOT NULL;

-- Only the server's owner connection reads or writes secrets: no grants to anon,
-- authenticated or service_role (service_role bypasses RLS, not privileges), and RLS on
-- with no policies in case a grant is ever added by mistake.
ALTER TABLE secrets.secrets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON secrets.secrets FROM PUBLIC;
