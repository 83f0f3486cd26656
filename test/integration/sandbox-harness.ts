// Helpers for the sandbox integration tests: run job code in a real Deno sandbox and
// collect what comes back; a tiny HTTP server standing in for the local API.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  JobOutcome,
  JobRunSpec,
  LogLevel,
  ProgressReport,
} from "../../src-server/jobs/worker/runtime.ts";
import type { DenoRuntime, SandboxRunHandle } from "../../src-server/jobs/sandbox/index.ts";
import { waitFor as pollUntil } from "../helpers/wait.ts";

export const DEFAULT_TEST_PERMISSIONS = {
  allowNet: true,
  allowEnv: true,
  allowRead: false,
  allowWrite: false,
  memoryLimitMb: 256,
};

export function jobSpec(
  code: string,
  serverUrl: string,
  overrides: Partial<JobRunSpec> = {},
): JobRunSpec {
  return {
    jobId: "00000000-0000-4000-8000-000000000001",
    jobName: "test-job",
    namespace: "default",
    functionId: "00000000-0000-4000-8000-0000000000f1",
    functionVersion: 1,
    code,
    payload: { items: [1, 2, 3] },
    retryCount: 0,
    user: {
      id: "00000000-0000-4000-8000-0000000000u1",
      email: "ada@example.com",
      role: "authenticated",
    },
    permissions: DEFAULT_TEST_PERMISSIONS,
    env: {},
    serverUrl,
    userToken: "user-token-abc",
    serviceToken: "service-token-xyz",
    secrets: { user: {}, system: {} },
    ...overrides,
  };
}

export interface Run {
  handle: SandboxRunHandle;
  progress: ProgressReport[];
  logs: Array<{ level: LogLevel; message: string }>;
  started(): boolean;
  done: Promise<JobOutcome>;
}

export function startRun(runtime: DenoRuntime, spec: JobRunSpec): Run {
  const progress: ProgressReport[] = [];
  const logs: Run["logs"] = [];
  let started = false;
  const handle = runtime.start(spec, {
    onProgress: (report) => progress.push(report),
    onLog: (level, message) => logs.push({ level, message }),
    onStart: () => {
      started = true;
    },
  });
  return { handle, progress, logs, started: () => started, done: handle.done };
}

/** Polls until the condition holds; fails after the deadline. */
export async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  await pollUntil(() => (condition() ? true : undefined), { timeoutMs, intervalMs: 10 });
}

export interface TestServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** Answers every request with `[]` and records it. */
export async function startTestServer(): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end("[]");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Pids of live processes whose command line mentions `marker` (Linux /proc). */
export function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
