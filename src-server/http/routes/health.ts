// GET /health: 200 once the database, migrations and worker pool are up; 503 with the
// reason while the database cannot be reached (e.g. an embedded PostgreSQL restarting).
// The database's state comes from the background liveness probe (db/liveness.ts), so
// /health answers at once even while every shared connection is busy. What the server
// knows first-hand wins over the probe: while it restarts its embedded PostgreSQL, /health
// answers 503 even if the last probe (up to a second old) answered, so an outage shorter
// than the probe's interval is still reported.
import type { HealthResponse } from "../../../src-sdk/types.ts";
import type { DbLiveness } from "../../db/liveness.ts";
import { Reply, type Router } from "../router.ts";

export const VERSION = "0.1.0";

export interface HealthRoutesOptions {
  router: Router;
  liveness: DbLiveness;
  workers: () => number;
  /** Why the database is away, when the server knows it (its embedded PostgreSQL restarting). */
  databaseTrouble?: () => string | undefined;
}

export function addHealthRoutes(options: HealthRoutesOptions): void {
  options.router.add("GET", "/health", [], async (): Promise<HealthResponse | Reply> => {
    const db = options.liveness.state();
    const trouble = options.databaseTrouble?.();
    if (trouble !== undefined || !db.ok) {
      const reason = trouble ?? db.reason ?? "no answer";
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
