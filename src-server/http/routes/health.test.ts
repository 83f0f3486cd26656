import { describe, expect, it } from "vitest";
import type { DbLiveness, DbLivenessState } from "../../db/liveness.ts";
import { createRouter, Reply, type ApiRequest } from "../router.ts";
import { addHealthRoutes } from "./health.ts";

interface HealthFixture {
  probe: DbLivenessState;
  trouble?: string;
}

async function getHealth(fixture: HealthFixture): Promise<{ status: number; body: unknown }> {
  const router = createRouter();
  const liveness: DbLiveness = {
    state: () => fixture.probe,
    check: async () => fixture.probe,
    close: async () => undefined,
  };
  addHealthRoutes({ router, liveness, workers: () => 2, databaseTrouble: () => fixture.trouble });
  const match = router.match("GET", "/health");
  if (!match || match === "method") throw new Error("no /health route");
  const out = await match.route.handler({} as ApiRequest);
  return out instanceof Reply ? { status: out.status, body: out.body } : { status: 200, body: out };
}

describe("GET /health", () => {
  it("answers 200 when the probe answered and nothing is known to be wrong", async () => {
    const res = await getHealth({ probe: { ok: true, checkedAt: Date.now() } });
    expect(res).toMatchObject({ status: 200, body: { status: "ok", workers: 2 } });
  });

  it("answers 503 with the probe's reason when the probe failed", async () => {
    const res = await getHealth({
      probe: { ok: false, reason: "database unreachable: ECONNREFUSED", checkedAt: Date.now() },
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: "unavailable",
      error: "database unavailable: database unreachable: ECONNREFUSED",
    });
  });

  it("answers 503 while the embedded PostgreSQL restarts, even if the last probe answered", async () => {
    // The probe runs once a second; a restart can begin and end between two probes.
    const res = await getHealth({
      probe: { ok: true, checkedAt: Date.now() },
      trouble: "embedded PostgreSQL is restarting (PostgreSQL exited (SIGKILL))",
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: "unavailable",
      database: "unavailable",
      error:
        "database unavailable: embedded PostgreSQL is restarting (PostgreSQL exited (SIGKILL))",
    });
  });
});
