// GET /health: 200 once the database, migrations and worker pool are up; 503 with the
// reason while the database cannot be reached (e.g. an embedded PostgreSQL restarting).
// The database's state comes from the background liveness probe (db/liveness.ts), so
// /health answers at once even while every shared connection is busy.
import type { HealthResponse } from "../../../src-sdk/types.ts";
import type { DbLiveness } from "../../db/liveness.ts";
import { Reply, type Router } from "../router.ts";

export const VERSION = "0.1.0";

export interface HealthRoutesOptions {
  router: Router;
  liveness: DbLiveness;
  workers: () => number;
  /** Why the database is away, when the server knows better than the failed probe. */
  databaseTrouble?: () => string | undefined;
}

export function addHealthRoutes(options: HealthRoutesOptions): void {
  options.router.add("GET", "/health", [], async (): Promise<HealthResponse | Reply> => {
    const db = options.liveness.state();
    if (!db.ok) {
      const reason = options.databaseTrouble?.() ?? db.reason ?? "no answer";
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
