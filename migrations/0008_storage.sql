-- Object storage (compatibility §7.8; the guide's fluxbase.storage.from(bucket)): bucket and object
-- metadata live here, the bytes on disk under <dataDir>/storage/<bucket>/<name>.
--
-- The storage routes run object statements as the caller's database role with
-- request.jwt.claims set (data/session.ts), so these policies decide who sees what:
--   authenticated  reads, creates, changes and deletes the objects it owns
--                  (owner = auth.uid()), and reads the objects of public buckets;
--   anon           reads the objects of public buckets, nothing else;
--   service_role   everything (BYPASSRLS); objects it uploads have owner NULL.
-- Buckets are managed by the server's owner role (admin routes, and the automatic
-- creation on first upload); the API roles get no direct privileges on storage.buckets
-- except service_role. Policies ask storage.bucket_is_public() instead, so anon and
-- authenticated never read the bucket list itself.
-- Migration 0006's default privileges cover app and public only: every grant here is explicit.
CREATE SCHEMA storage;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;

CREATE TABLE storage.buckets (
  id text PRIMARY KEY,
  public boolean NOT NULL DEFAULT false,
  file_size_limit bigint CHECK (file_size_limit IS NULL OR file_size_limit > 0),
  allowed_mime_types text[],
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE storage.objects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bucket_id text NOT NULL REFERENCES storage.buckets (id) ON DELETE CASCADE,
  -- The path rules of storage/paths.ts, also for rows written through the data API:
  -- no leading '/', no empty, '.' or '..' segment, no backslash.
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 1024 AND name !~ '^/|//|/$|\\|(^|/)\.\.?(/|$)'),
  owner uuid,
  size bigint NOT NULL DEFAULT 0,
  mime_type text NOT NULL DEFAULT 'application/octet-stream',
  etag text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  cache_control text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (bucket_id, name)
);
CREATE INDEX objects_owner_idx ON storage.objects (owner);

-- SECURITY DEFINER so the policies below can ask about a bucket without granting its table.
CREATE FUNCTION storage.bucket_is_public(bucket text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT coalesce((SELECT b.public FROM storage.buckets b WHERE b.id = bucket), false)
$$;
REVOKE ALL ON FUNCTION storage.bucket_is_public(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION storage.bucket_is_public(text) TO anon, authenticated, service_role;

ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE ON storage.buckets TO service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON storage.objects TO authenticated, service_role;
GRANT SELECT ON storage.objects TO anon;

CREATE POLICY objects_owner_select ON storage.objects FOR SELECT TO authenticated
  USING (owner = auth.uid() OR storage.bucket_is_public(bucket_id));
CREATE POLICY objects_owner_insert ON storage.objects FOR INSERT TO authenticated
  WITH CHECK (owner = auth.uid());
CREATE POLICY objects_owner_update ON storage.objects FOR UPDATE TO authenticated
  USING (owner = auth.uid()) WITH CHECK (owner = auth.uid());
CREATE POLICY objects_owner_delete ON storage.objects FOR DELETE TO authenticated
  USING (owner = auth.uid());
CREATE POLICY objects_public_select ON storage.objects FOR SELECT TO anon
  USING (storage.bucket_is_public(bucket_id));
-- service_role has BYPASSRLS; these keep it working should that attribute be dropped.
CREATE POLICY objects_service_all ON storage.objects FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY buckets_service_all ON storage.buckets FOR ALL TO service_role USING (true) WITH CHECK (true);
