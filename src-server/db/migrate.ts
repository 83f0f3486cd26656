// Applies migrations/NNNN_*.sql once each, in order, each in its own transaction,
// recorded in public.fluxbase_migrations with the file's name and checksum. An applied
// migration is history: one whose file was since changed, renamed or removed is refused
// at start, before anything runs, rather than silently diverging from what the database
// holds. An advisory lock serialises concurrent starts.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Db } from "./connections.ts";

export const defaultMigrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** The advisory lock that serialises the migrations of concurrent starts. */
export const MIGRATION_LOCK = 0x466c7578_0002;

export interface MigrateOptions {
  db: Db;
  migrationsDir?: string;
}

export interface Migration {
  id: number;
  name: string;
  sql: string;
  /** sha256 of the file with line endings normalised, so a checkout's CRLF changes nothing. */
  checksum: string;
}

export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

export async function listMigrations(dir: string = defaultMigrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => {
      const sql = await readFile(path.join(dir, name), "utf8");
      return { id: Number(name.slice(0, 4)), name, sql, checksum: migrationChecksum(sql) };
    }),
  );
}

interface AppliedRow {
  id: number;
  name: string;
  checksum: string | null;
}

/** Why the recorded history and the files disagree, or null when they agree. */
export function historyConflict(applied: readonly AppliedRow[], files: readonly Migration[]) {
  const byId = new Map(files.map((m) => [m.id, m]));
  for (const row of applied) {
    const file = byId.get(row.id);
    if (!file) {
      return `migration ${row.name} was applied to this database but its file is gone (a newer version of the app migrated it, or the file was deleted)`;
    }
    if (file.name !== row.name) {
      return `migration ${row.name} was applied to this database but is now named ${file.name}: applied migrations must not be renamed`;
    }
    if (row.checksum !== null && row.checksum !== file.checksum) {
      return `migration ${row.name} was changed after it was applied to this database (checksum ${row.checksum.slice(0, 12)}, file ${file.checksum.slice(0, 12)}): add a new migration instead of editing an applied one`;
    }
  }
  return null;
}

const HISTORY_SQL = "SELECT id, name, checksum FROM public.fluxbase_migrations ORDER BY id";

function refuseConflictingHistory(
  applied: readonly AppliedRow[],
  migrations: readonly Migration[],
): void {
  const conflict = historyConflict(applied, migrations);
  if (conflict) throw new Error(`Refusing to start: ${conflict}`);
}

/**
 * True when the recorded history already holds every file with its checksum (the usual start
 * of an existing data dir: one read, no lock, no DDL); false when there is work to do or no
 * table yet. A conflicting history is refused here too.
 */
async function nothingToApply(db: Db, migrations: readonly Migration[]): Promise<boolean> {
  let rows: AppliedRow[];
  try {
    rows = await db.query<AppliedRow>(HISTORY_SQL);
  } catch (err) {
    // No table yet (42P01) or one from before checksums (42703): the locked path makes them.
    const code = (err as { code?: string }).code;
    if (code === "42P01" || code === "42703") return false;
    throw err;
  }
  refuseConflictingHistory(rows, migrations);
  const recorded = new Set(rows.filter((r) => r.checksum !== null).map((r) => r.id));
  return migrations.every((m) => recorded.has(m.id));
}

/** Returns the names of the migrations applied by this call. */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const migrations = await listMigrations(options.migrationsDir);
  if (await nothingToApply(options.db, migrations)) return [];
  const client = await options.db.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.fluxbase_migrations (
      id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
      checksum text)`);
    // Tables made before checksums were recorded.
    await client.query(
      "ALTER TABLE public.fluxbase_migrations ADD COLUMN IF NOT EXISTS checksum text",
    );
    const rows = (await client.query<AppliedRow>(HISTORY_SQL)).rows;
    refuseConflictingHistory(rows, migrations);
    // Rows recorded before checksums: the files as they are now are taken as applied.
    const byId = new Map(migrations.map((m) => [m.id, m]));
    for (const row of rows) {
      if (row.checksum !== null) continue;
      await client.query("UPDATE public.fluxbase_migrations SET checksum = $2 WHERE id = $1", [
        row.id,
        byId.get(row.id)!.checksum,
      ]);
    }
    const done = new Set(rows.map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          "INSERT INTO public.fluxbase_migrations (id, name, checksum) VALUES ($1, $2, $3)",
          [m.id, m.name, m.checksum],
        );
        await client.query("COMMIT");
        applied.push(m.name);
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
