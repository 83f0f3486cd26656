// Applies migrations/NNNN_*.sql once each, in order, each in its own transaction,
// recorded in public.fluxbase_migrations. An advisory lock serialises concurrent starts.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Db } from "./pool.ts";

export const defaultMigrationsDir = fileURLToPath(new URL("../../migrations/", import.meta.url));

const MIGRATION_LOCK = 0x466c7578_0002;

export interface MigrateOptions {
  db: Db;
  migrationsDir?: string;
}

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export async function listMigrations(dir: string = defaultMigrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => ({
      id: Number(name.slice(0, 4)),
      name,
      sql: await readFile(path.join(dir, name), "utf8"),
    })),
  );
}

/** Returns the names of the migrations applied by this call. */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const migrations = await listMigrations(options.migrationsDir);
  const client = await options.db.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.fluxbase_migrations (
      id int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query<{ id: number }>("SELECT id FROM public.fluxbase_migrations")).rows.map(
        (r) => r.id,
      ),
    );
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO public.fluxbase_migrations (id, name) VALUES ($1, $2)", [
          m.id,
          m.name,
        ]);
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
