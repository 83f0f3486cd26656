// worker_mode decides whether `serve` runs jobs itself. "standalone": the server registers no
// workers and its jobs wait for a `worker` process, which runs them even when it reads the same
// setting (a shared config file or environment).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { fastJobs, startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { fastWorkerEnv, serverSecretsEnv } from "../helpers/worker.ts";

let api: TestStack;
let sql: pg.Client;
let worker: CliProcess | undefined;
let dir: string | undefined;

beforeAll(async () => {
  api = await startTestStack({
    jobs: { "hello.ts": "export function handler() { return { hi: true }; }" },
    jobsConfig: { ...fastJobs, workerMode: "standalone" },
  });
  sql = new pg.Client({ connectionString: api.database.url });
  await sql.connect();
});
afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await sql?.end();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('worker_mode "standalone"', () => {
  it("registers no workers in serve; a worker process runs the jobs", async () => {
    const { rows } = await sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs.workers WHERE status = 'active'",
    );
    expect(rows[0]!.n).toBe(0);
    const submitted = await api.service.jobs.submit("hello", {});
    expect(submitted.error).toBeNull();
    const id = submitted.data!.id;
    const pending = await api.service.jobs.get(id);
    expect(pending.data?.status).toBe("pending");

    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-mode-"));
    worker = runCli(
      ["worker", "--database-url", api.database.url, "--data-dir", dir, "--log-level", "error"],
      {
        ...(await serverSecretsEnv(api)),
        ...fastWorkerEnv,
        FLUXBASE_PUBLIC_URL: api.url,
        FLUXBASE_JOBS_WORKER_MODE: "standalone",
      },
    );
    await worker.waitForLine(/worker running/);
    const done = await waitFor(
      async () => {
        const job = (await api.service.jobs.get(id)).data;
        return job?.status === "completed" ? job : undefined;
      },
      { timeoutMs: 30_000, what: "the worker process to complete the job" },
    );
    expect(done.result).toEqual({ hi: true });
  });
});
