// Starts the real local stack for a test file: its own database (cloned from the migrated
// template), a temporary jobs folder and data dir, the Deno sandbox, port 0.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type FluxbaseClient } from "../../src-sdk/index.ts";
import { defaultServerConfig } from "../../src-server/config/index.ts";
import type { JobsConfig, ServerConfig } from "../../src-server/config/types.ts";
import { silentLogger } from "../../src-server/logger.ts";
import {
  startLocalStack,
  type LocalStack,
  type StartLocalStackOptions,
} from "../../src-server/main.ts";
import { createTestDatabase, type TestDatabase } from "./database.ts";

export interface TestStackOptions {
  /** Files of the jobs folder: name (a path inside it, e.g. `_shared/x.ts`) -> source. */
  jobs?: Record<string, string>;
  jobsConfig?: Partial<JobsConfig>;
  /** Share another stack's database (scale-out tests). */
  database?: TestDatabase;
  mode?: StartLocalStackOptions["mode"];
  runtime?: StartLocalStackOptions["runtime"];
  jobEnv?: Record<string, string>;
  /** The built UI to serve at `/`; default none, so tests never depend on a local build. */
  rendererDir?: StartLocalStackOptions["rendererDir"];
  debugDetachAfterMs?: StartLocalStackOptions["debugDetachAfterMs"];
  /** FLUXBASE_PUBLIC_URL: the address clients reach the server at (signed URLs, job URLs). */
  publicUrl?: string;
}

export interface TestStack {
  stack: LocalStack;
  url: string;
  database: TestDatabase;
  jobsDir: string;
  config: ServerConfig;
  service: FluxbaseClient;
  anon: FluxbaseClient;
  /** A client signed in as a new user with the given email. */
  signUp(email: string, password?: string): Promise<FluxbaseClient>;
  writeJob(name: string, source: string): Promise<void>;
  stop(): Promise<void>;
}

/** Timings short enough for tests, long enough not to flake on two cores. */
export const fastJobs: Partial<JobsConfig> = {
  pollIntervalMs: 200,
  workerHeartbeatIntervalMs: 500,
  workerTimeoutMs: 3000,
  retryBackoffBaseMs: 100,
  retryBackoffMaxMs: 400,
  cancelGraceMs: 1000,
  gracefulShutdownTimeoutMs: 5000,
  embeddedWorkerCount: 2,
};

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const root = await mkdtemp(path.join(tmpdir(), "fluxbase-stack-"));
  const jobsDir = path.join(root, "jobs");
  await mkdir(jobsDir, { recursive: true });
  for (const [name, source] of Object.entries(options.jobs ?? {})) {
    await mkdir(path.dirname(path.join(jobsDir, name)), { recursive: true });
    await writeFile(path.join(jobsDir, name), source);
  }
  const ownDatabase = !options.database;
  const database = options.database ?? (await createTestDatabase());
  const defaults = defaultServerConfig(root);
  const config: ServerConfig = {
    ...defaults,
    port: 0,
    dataDir: path.join(root, "data"),
    databaseUrl: database.url,
    logLevel: "silent",
    jobEnv: options.jobEnv ?? {},
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    jobs: { ...defaults.jobs, ...fastJobs, jobsDir, ...options.jobsConfig },
  };
  const stack = await startLocalStack({
    config,
    logger: silentLogger,
    mode: options.mode,
    runtime: options.runtime,
    rendererDir: options.rendererDir ?? false,
    debugDetachAfterMs: options.debugDetachAfterMs,
  });
  const clients: FluxbaseClient[] = [];
  const client = (key: { serviceKey: string } | { apiKey: string }) => {
    const c = createClient(stack.url, key);
    clients.push(c);
    return c;
  };
  return {
    stack,
    url: stack.url,
    database,
    jobsDir,
    config,
    service: client({ serviceKey: stack.keys.serviceKey }),
    anon: client({ apiKey: stack.keys.anonKey }),
    async signUp(email, password = "correct horse battery") {
      const c = client({ apiKey: stack.keys.anonKey });
      const { error } = await c.auth.signUp({ email, password });
      if (error) throw new Error(`sign-up failed: ${error.message}`);
      return c;
    },
    writeJob: (name, source) => writeFile(path.join(jobsDir, name), source),
    async stop() {
      for (const c of clients) c.realtime.removeAllChannels();
      await stack.stop();
      if (ownDatabase) await database.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export { waitFor } from "./wait.ts";
