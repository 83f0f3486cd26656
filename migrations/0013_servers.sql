-- API servers record where they answer, so a standalone worker (possibly on another
-- machine) finds the URL its jobs' clients call, and can check it holds the same JWT
-- secret and encryption key: jwt_check and key_check are HMAC-SHA256 digests of a fixed
-- text under each secret, never the secrets themselves. Internal: no role but the
-- owner reads it (the data API serves only what its roles can read).
CREATE TABLE jobs.servers (
  id uuid PRIMARY KEY,
  url text NOT NULL,
  jwt_check text NOT NULL,
  key_check text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX servers_last_seen_idx ON jobs.servers (last_seen_at DESC);
ALTER TABLE jobs.servers ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON jobs.servers FROM PUBLIC, anon, authenticated, service_role;
