// GET /health: 200 once the database, migrations and worker pool are up; 503 with the
// reason while the database cannot be reached (e.g. an embedded PostgreSQL restarting).
import type { HealthResponse } from "../../../src-sdk/types.ts";
import type { Db } from "../../db/pool.ts";
import { Reply, type Router } from "../router.ts";

export const VERSION = "0.1.0";

/** A database that does not answer within this long counts as away. */
const PROBE_TIMEOUT_MS = 3_000;

export interface HealthRoutesOptions {
  router: Router;
  db: Db;
  workers: () => number;
  /** Why the database is away, when the server knows better than the failed query. */
  databaseTrouble?: () => string | undefined;
}

function probe(db: Db): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  return Promise.race([db.query("SELECT 1").then(() => undefined), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

export function addHealthRoutes(options: HealthRoutesOptions): void {
  options.router.add("GET", "/health", [], async (): Promise<HealthResponse | Reply> => {
    try {
      await probe(options.db);
    } catch (err) {
      const reason = options.databaseTrouble?.() ?? (err as Error).message;
      return new Reply(503, {
        error: `database unavailable: ${reason}`,
        status: "unavailable",
        database: "unavailable",
        version: VERSION,
      });
    }
    return { status: "ok", database: "ok", workers: options.workers(), version: VERSION };
  });
}
