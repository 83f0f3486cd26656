-- The `app` schema for application tables served by the data API (/api/v1/tables,
-- compatibility §7.8; the guide's `fluxbase.from("app.my_table")`), and the grants that let the
-- API's database roles reach tables created later in `app` and `public`.
--
-- The data API runs each request as anon, authenticated or service_role (compatibility §1.3).
-- PostgreSQL grants nothing on a new table to those roles, so a table the owner creates
-- (in the IDE, psql or a migration) gets these privileges by default:
--
--   authenticated  SELECT, INSERT, UPDATE, DELETE   rows are then limited by the table's
--                                                   RLS policies: ENABLE ROW LEVEL
--                                                   SECURITY on every table in app and
--                                                   public, or every signed-in user can
--                                                   read and change every row;
--   service_role   SELECT, INSERT, UPDATE, DELETE   bypasses RLS (BYPASSRLS), as
--                                                   fluxbaseService does;
--   anon           nothing                          the anon key ships inside apps, and a
--                                                   table without RLS would be readable by
--                                                   anyone. Open a table to it explicitly:
--                                                   GRANT SELECT ON app.t TO anon, plus a
--                                                   policy TO anon.
--
-- Sequences (serial / identity columns) get USAGE so inserts can draw ids.
-- Default privileges apply to objects created by the role running this migration (the
-- server's owner role); tables created by another role need their own grants.
-- Schemas jobs, auth, logging, realtime, storage and secrets are untouched: there, only
-- the grants their own migrations give apply.
CREATE SCHEMA IF NOT EXISTS app;
GRANT USAGE ON SCHEMA app TO anon, authenticated, service_role;

ALTER DEFAULT PRIVILEGES IN SCHEMA app
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA app
  GRANT USAGE, SELECT ON SEQUENCES TO authenticated, service_role;

ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO authenticated, service_role;

-- The data API serves every table its roles can read, auth.users included: keep password
-- hashes out of reach of the service key by granting service_role the other columns only.
REVOKE SELECT ON auth.users FROM service_role;
GRANT SELECT (id, email, role, user_metadata, app_metadata, created_at, updated_at, last_sign_in_at)
  ON auth.users TO service_role;
