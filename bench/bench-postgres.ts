// The PostgreSQL every benchmark runs on: embedded, in a fresh data dir, migrated; stopped
// and removed when the benchmark is done.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "../src-server/db/connections.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../src-server/db/embedded.ts";
import { migrate } from "../src-server/db/migrate.ts";

export async function withBenchPostgres<T>(run: (pg: EmbeddedPostgres) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-pg-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: "bench" });
  try {
    const db = createDb({ connectionString: pg.connectionString, max: 2 });
    await migrate({ db });
    await db.end();
    return await run(pg);
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
