// What a standalone worker process needs from the API server of a test stack.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TestStack } from "./stack.ts";

/** FLUXBASE_JWT_SECRET and FLUXBASE_ENCRYPTION_KEY of the server, as its operator would copy them. */
export async function serverSecretsEnv(api: TestStack): Promise<Record<string, string>> {
  const key = await readFile(path.join(api.config.dataDir, "secrets.key"), "utf8");
  return { FLUXBASE_JWT_SECRET: api.stack.keys.jwtSecret, FLUXBASE_ENCRYPTION_KEY: key.trim() };
}

/** Short timings for worker processes in tests. */
export const fastWorkerEnv: Record<string, string> = {
  FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "500ms",
  FLUXBASE_JOBS_WORKER_TIMEOUT: "3s",
  FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
};
