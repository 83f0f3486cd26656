// Application tables for data API tests, created the way a user would: by the owner role,
// in schema `app`, with RLS policies (migration 0006 supplies the grants).
import pg from "pg";
import type { FluxbaseClient } from "../../src-sdk/index.ts";

export const APP_TABLES_SQL = `
CREATE TABLE app.my_table (
  id serial PRIMARY KEY,
  user_id uuid NOT NULL DEFAULT auth.uid(),
  value text CHECK (value <> ''),
  score int,
  slug text UNIQUE,
  tags text[],
  meta jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app.old_records (
  id serial PRIMARY KEY,
  user_id uuid,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app.system_data (id serial PRIMARY KEY, user_id uuid, amount int NOT NULL);
CREATE TABLE app.reports (id serial PRIMARY KEY, data jsonb NOT NULL, generated_at timestamptz NOT NULL);
CREATE TABLE app.imports (id serial PRIMARY KEY, user_id uuid NOT NULL, name text NOT NULL, qty int);
CREATE TABLE app.api_results (id serial PRIMARY KEY, user_id uuid NOT NULL, data jsonb, fetched_at timestamptz);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['my_table', 'old_records', 'system_data', 'reports', 'imports', 'api_results'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY service_all ON app.%I FOR ALL TO service_role USING (true) WITH CHECK (true)', t);
  END LOOP;
  -- Users reach their own rows; reports and system_data are for the service role only.
  FOREACH t IN ARRAY ARRAY['my_table', 'old_records', 'imports', 'api_results'] LOOP
    EXECUTE format('CREATE POLICY own_rows ON app.%I FOR ALL TO authenticated
      USING (user_id = auth.uid()) WITH CHECK (user_id = auth.uid())', t);
  END LOOP;
END
$$;
`;

/** Runs statements as the database owner (outside the API). */
export async function ownerQuery<R extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function createAppTables(url: string): Promise<void> {
  await ownerQuery(url, APP_TABLES_SQL);
}

/** The auth.users id of a signed-in client. */
export async function userIdOf(client: FluxbaseClient): Promise<string> {
  const { data, error } = await client.auth.getUser();
  if (error) throw error;
  return data.user.id;
}
