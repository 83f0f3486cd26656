// Migration 0016 states the realtime gate once. A data dir that ran the earlier files
// (which defined it across 0003, 0004 and 0010, with a claim function beside the claim
// statement) must end up with exactly the schema of a fresh database.
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { defaultMigrationsDir, migrate } from "../../src-server/db/migrate.ts";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { REALTIME_JOB_TABLES } from "../../src-server/realtime/job-tables.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

const OLD_FILES = fileURLToPath(new URL("../fixtures/migrations-before-0016/", import.meta.url));

/** The parts of the schema the gate touches, and the rest of the user schemas with them. */
async function schemaOf(db: Db) {
  const user = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";
  const functions = await db.query(
    `SELECT n.nspname || '.' || p.proname AS name, pg_get_functiondef(p.oid) AS def
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${user} AND p.prokind = 'f'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 1, 2`,
  );
  const triggers = await db.query(
    `SELECT tr.tgrelid::regclass::text AS tbl, tr.tgname, tr.tgenabled, pg_get_triggerdef(tr.oid) AS def
     FROM pg_trigger tr JOIN pg_class c ON c.oid = tr.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${user} AND NOT tr.tgisinternal ORDER BY 1, 2`,
  );
  const indexes = await db.query(
    `SELECT schemaname, tablename, indexdef FROM pg_indexes
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  );
  const columns = await db.query(
    `SELECT table_schema, table_name, column_name, data_type, column_default, is_nullable
     FROM information_schema.columns
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  );
  const migrations = await db.query("SELECT id, name FROM public.fluxbase_migrations ORDER BY id");
  return { functions, triggers, indexes, columns, migrations };
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("pgAdminUrl") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let fresh: TestDatabase;
let freshDb: Db;
let upgradedName: string;
let upgradedDb: Db;
let oldDir: string;

beforeAll(async () => {
  fresh = await createTestDatabase();
  freshDb = createDb({ connectionString: fresh.url, max: 2 });
  upgradedName = `upgrade_${randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${upgradedName}`));
  upgradedDb = createDb({
    connectionString: inject("pgAdminUrl").replace(/\/postgres$/, `/${upgradedName}`),
    max: 2,
  });
  // The migrations as a data dir saw them before 0016: today's files up to 0015, with
  // 0003, 0004 and 0010 as they were.
  oldDir = await mkdtemp(path.join(tmpdir(), "fluxbase-old-migrations-"));
  for (const name of await readdir(defaultMigrationsDir)) {
    if (/^\d{4}_/.test(name) && Number(name.slice(0, 4)) < 16)
      await cp(path.join(defaultMigrationsDir, name), path.join(oldDir, name));
  }
  await cp(OLD_FILES, oldDir, { recursive: true });
});

afterAll(async () => {
  await freshDb?.end();
  await upgradedDb?.end();
  await fresh?.drop();
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${upgradedName} WITH (FORCE)`));
  await rm(oldDir, { recursive: true, force: true });
});

describe("the realtime gate migration", () => {
  it("leaves a data dir migrated with the earlier definitions identical to a fresh one", async () => {
    await migrate({ db: upgradedDb, migrationsDir: oldDir });
    const before = await upgradedDb.query<{ n: number }>(
      "SELECT count(*) AS n FROM pg_proc WHERE proname = 'claim_jobs'",
    );
    expect(before[0]!.n).toBe(1);
    // A hub held a lease when the old server stopped: its triggers were on.
    await upgradedDb.query("ALTER TABLE jobs.queue ENABLE TRIGGER queue_realtime_notify");
    // Recorded before migrations carried checksums (if this version records them).
    await upgradedDb.query(
      `DO $$ BEGIN
         IF EXISTS (SELECT 1 FROM information_schema.columns
                    WHERE table_name = 'fluxbase_migrations' AND column_name = 'checksum') THEN
           EXECUTE 'UPDATE public.fluxbase_migrations SET checksum = NULL';
         END IF;
       END $$`,
    );
    await migrate({ db: upgradedDb });
    const upgraded = await schemaOf(upgradedDb);
    const expected = await schemaOf(freshDb);
    expect(upgraded.functions).toEqual(expected.functions);
    expect(upgraded.triggers).toEqual(expected.triggers);
    expect(upgraded.indexes).toEqual(expected.indexes);
    expect(upgraded.columns).toEqual(expected.columns);
    expect(upgraded.migrations).toEqual(expected.migrations);
  });

  it("leaves no claim function beside the claim statement", async () => {
    const rows = await freshDb.query<{ n: number }>(
      "SELECT count(*) AS n FROM pg_proc WHERE proname = 'claim_jobs'",
    );
    expect(rows[0]!.n).toBe(0);
  });

  it("has a realtime trigger on exactly the tables the server serves", async () => {
    const rows = await freshDb.query<{ tbl: string; enabled: string }>(
      `SELECT tgrelid::regclass::text AS tbl, tgenabled AS enabled FROM pg_trigger
       WHERE tgfoid = 'jobs.notify_realtime_change()'::regprocedure ORDER BY 1`,
    );
    expect(rows.map((r) => r.tbl)).toEqual(Object.keys(REALTIME_JOB_TABLES).sort());
    // Off until a hub's lease asks for them.
    expect(rows.every((r) => r.enabled === "D")).toBe(true);
  });

  it("switches the triggers on for a table with a live lease and off without one", async () => {
    const enabled = async () =>
      (
        await freshDb.query<{ tbl: string }>(
          `SELECT tgrelid::regclass::text AS tbl FROM pg_trigger
           WHERE tgfoid = 'jobs.notify_realtime_change()'::regprocedure AND tgenabled <> 'D'`,
        )
      ).map((r) => r.tbl);
    await freshDb.query(
      `INSERT INTO realtime.listeners (instance_id, schema_name, table_name, expires_at)
       VALUES (gen_random_uuid(), 'jobs', 'workers', now() + interval '1 minute')`,
    );
    await freshDb.query("SELECT realtime.sync_triggers()");
    expect(await enabled()).toEqual(["jobs.workers"]);
    await freshDb.query("DELETE FROM realtime.listeners");
    await freshDb.query("SELECT realtime.sync_triggers()");
    expect(await enabled()).toEqual([]);
  });
});
