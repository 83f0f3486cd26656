// One embedded PostgreSQL for the integration run (the same launcher the app uses),
// with a migrated template database that each test file clones.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src-server/db/embedded.ts";
import { migrate } from "../../src-server/db/migrate.ts";
import { createDb } from "../../src-server/db/connections.ts";

export const TEMPLATE_DB = "fluxbase_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDb: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "fluxbase-test-pg-"));
  await chmod(dataDir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir,
    database: TEMPLATE_DB,
    // A throwaway cluster: durability buys nothing here.
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  const db = createDb({ connectionString: pg.connectionString, max: 2 });
  try {
    await migrate({ db });
  } finally {
    await db.end();
  }
  project.provide("pgAdminUrl", pg.urlFor("postgres"));
  project.provide("pgTemplateDb", TEMPLATE_DB);
  return async () => {
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
