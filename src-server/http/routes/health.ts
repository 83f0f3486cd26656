// GET /health: 200 once the database, migrations and worker pool are up.
import type { HealthResponse } from "../../../src-sdk/types.ts";
import type { Db } from "../../db/pool.ts";
import type { Router } from "../router.ts";

export const VERSION = "0.1.0";

export function addHealthRoutes(options: { router: Router; db: Db; workers: () => number }): void {
  options.router.add("GET", "/health", [], async (): Promise<HealthResponse> => {
    await options.db.query("SELECT 1");
    return { status: "ok", database: "ok", workers: options.workers(), version: VERSION };
  });
}
