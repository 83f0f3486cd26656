// Applied migrations are history: the migration table records each file's name and
// checksum, and a start whose files disagree with it is refused with the reason.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listMigrations, migrate, MIGRATION_LOCK } from "../../src-server/db/migrate.ts";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let db: Db;

interface Row {
  id: number;
  name: string;
  checksum: string | null;
}

async function rows(): Promise<Row[]> {
  return db.query<Row>("SELECT id, name, checksum FROM public.fluxbase_migrations ORDER BY id");
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 2 });
});

afterAll(async () => {
  await db.end();
  await database.drop();
});

describe("migration checks", () => {
  beforeEach(async () => {
    // Each case starts from the history the files describe.
    await db.query("ALTER TABLE public.fluxbase_migrations ADD COLUMN IF NOT EXISTS checksum text");
    const files = await listMigrations();
    for (const file of files) {
      await db.query(
        "UPDATE public.fluxbase_migrations SET name = $2, checksum = $3 WHERE id = $1",
        [file.id, file.name, file.checksum],
      );
    }
  });

  it("records the name and checksum of every applied migration", async () => {
    const files = await listMigrations();
    expect(await rows()).toEqual(
      files.map((f) => ({ id: f.id, name: f.name, checksum: f.checksum })),
    );
    expect(files[0]!.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it("starts on an up-to-date database while another start holds the migration lock", async () => {
    // A database with nothing to apply is only read: no lock to wait for, no DDL.
    // The starting server's connections give up a lock wait (an error) instead of hanging.
    const url = new URL(database.url);
    url.searchParams.set("options", "-c lock_timeout=3000");
    const starting = createDb({ connectionString: url.toString(), max: 2 });
    const other = await db.connect();
    await other.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    try {
      const before = await rows();
      expect(await migrate({ db: starting })).toEqual([]);
      expect(await rows()).toEqual(before);
    } finally {
      await other.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
      other.release();
      await starting.end();
    }
  });

  it("refuses a migration changed after it was applied", async () => {
    const [first] = await listMigrations();
    await db.query("UPDATE public.fluxbase_migrations SET checksum = $2 WHERE id = $1", [
      first!.id,
      "0".repeat(64),
    ]);
    await expect(migrate({ db })).rejects.toThrow(
      `migration ${first!.name} was changed after it was applied`,
    );
  });

  it("refuses a migration renamed after it was applied", async () => {
    const [first] = await listMigrations();
    await db.query("UPDATE public.fluxbase_migrations SET name = 'old_name.sql' WHERE id = $1", [
      first!.id,
    ]);
    await expect(migrate({ db })).rejects.toThrow(
      `migration old_name.sql was applied to this database but is now named ${first!.name}`,
    );
  });

  it("refuses a history that has a migration this checkout lacks", async () => {
    await db.query(
      "INSERT INTO public.fluxbase_migrations (id, name, checksum) VALUES (9999, '9999_future.sql', $1)",
      ["f".repeat(64)],
    );
    try {
      await expect(migrate({ db })).rejects.toThrow(
        "migration 9999_future.sql was applied to this database but its file is gone",
      );
    } finally {
      await db.query("DELETE FROM public.fluxbase_migrations WHERE id = 9999");
    }
  });

  it("backfills the checksums of a table recorded before checksums, once", async () => {
    await db.query("ALTER TABLE public.fluxbase_migrations DROP COLUMN checksum");
    expect(await migrate({ db })).toEqual([]);
    const files = await listMigrations();
    expect((await rows()).map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
    // From now on a change is caught.
    await db.query("UPDATE public.fluxbase_migrations SET checksum = $1 WHERE id = $2", [
      "1".repeat(64),
      files[1]!.id,
    ]);
    await expect(migrate({ db })).rejects.toThrow(`migration ${files[1]!.name} was changed`);
  });
});
