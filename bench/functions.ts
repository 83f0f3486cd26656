// The function row and worker-pool settings the queue benchmarks share.
import { defaultJobsConfig } from "../src-server/config/index.ts";
import type { JobsConfig } from "../src-server/config/types.ts";
import type { Db } from "../src-server/db/connections.ts";
import { upsertFunction } from "../src-server/db/queries/functions.ts";

export function benchJobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return { ...defaultJobsConfig(process.cwd()), defaultMaxRetries: 0, ...overrides };
}

export interface BenchFunctionOptions {
  /** Default "noop". */
  name?: string;
  /** The handler's source; default one that returns null. */
  code?: string;
}

/** Creates (or updates) a function in namespace "default" with no retries; returns its id. */
export async function createBenchFunction(
  db: Db,
  options: BenchFunctionOptions = {},
): Promise<string> {
  const { row } = await upsertFunction(db, {
    name: options.name ?? "noop",
    namespace: "default",
    description: null,
    code: options.code ?? "export function handler() { return null; }",
    originalCode: null,
    isBundled: false,
    bundleError: null,
    enabled: true,
    schedule: null,
    timeoutSeconds: 300,
    memoryLimitMb: 256,
    maxRetries: 0,
    progressTimeoutSeconds: 300,
    allowNet: true,
    allowEnv: true,
    allowRead: false,
    allowWrite: false,
    requireRoles: [],
    disableExecutionLogs: false,
    source: "api",
    createdBy: null,
  });
  return row.id;
}
