// GET /health: 200 once the database, migrations and worker pool are up. The database's
// state comes from the background liveness probe (db/liveness.ts), so /health answers
// at once even while every pooled connection is busy.
import type { HealthResponse } from "../../../src-sdk/types.ts";
import type { DbLiveness } from "../../db/liveness.ts";
import { Reply, type Router } from "../router.ts";

export const VERSION = "0.1.0";

export function addHealthRoutes(options: {
  router: Router;
  liveness: DbLiveness;
  workers: () => number;
}): void {
  options.router.add("GET", "/health", [], async (): Promise<HealthResponse | Reply> => {
    const db = options.liveness.state();
    if (!db.ok) {
      return new Reply(503, {
        status: "unavailable",
        database: "unavailable",
        error: db.reason,
        version: VERSION,
      });
    }
    return { status: "ok", database: "ok", workers: options.workers(), version: VERSION };
  });
}
