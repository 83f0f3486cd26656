// A worker process killed with SIGKILL mid-job: its job is recovered by another worker
// after worker_timeout, the attempt counts, and the job completes exactly once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { serverSecretsEnv } from "../helpers/worker.ts";

const jobs = {
  "sticky.ts": `// @fluxbase:max-retries 2
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { retry_count } = job.getJobContext();
  console.log("attempt", retry_count + 1);
  if (retry_count === 0) {
    for (;;) {
      job.reportProgress(10, "holding on");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { recovered_on_attempt: retry_count + 1 };
}`,
};

let api: TestStack;
let rescuer: TestStack | undefined;
let worker: CliProcess | undefined;
let workerDir: string;

beforeAll(async () => {
  api = await startTestStack({ jobs, jobsConfig: { embeddedWorkerCount: 0 } });
  workerDir = await mkdtemp(path.join(tmpdir(), "fluxbase-worker-"));
});
afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await rescuer?.stop();
  await api?.stop();
  await rm(workerDir, { recursive: true, force: true });
});

describe("worker death", () => {
  it("hands a dead worker's running job to another worker", async () => {
    worker = runCli(
      [
        "worker",
        "--database-url",
        api.database.url,
        "--data-dir",
        workerDir,
        "--log-level",
        "error",
      ],
      {
        ...(await serverSecretsEnv(api)),
        FLUXBASE_PUBLIC_URL: api.url,
        FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
        FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "500ms",
        FLUXBASE_JOBS_WORKER_TIMEOUT: "3s",
        FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
      },
    );
    await worker.waitForLine(/worker running/);
    const { data: job } = await api.service.jobs.submit("sticky", {});
    const running = await waitFor(async () => {
      const { data } = await api.service.jobs.get(job!.id);
      return data?.status === "running" && data.progress ? data : undefined;
    });
    const deadWorker = running.worker_id;
    // Log lines are written in batches: wait until the first attempt's line is stored.
    await waitFor(async () =>
      (await api.service.jobs.getLogs(job!.id)).data?.length ? true : undefined,
    );

    worker.child.kill("SIGKILL");
    await worker.exited;
    rescuer = await startTestStack({
      database: api.database,
      jobs,
      jobsConfig: { embeddedWorkerCount: 1 },
    });

    const done = await waitFor(
      async () => {
        const { data } = await api.service.jobs.get(job!.id);
        return data?.status === "completed" ? data : undefined;
      },
      { timeoutMs: 30_000, what: "recovery" },
    );
    expect(done.result).toEqual({ recovered_on_attempt: 2 });
    expect(done.retry_count).toBe(1);
    expect(done.worker_id).not.toBe(deadWorker);
    const { data: workers } = await api.service.admin.jobs.listWorkers();
    expect(workers!.find((w) => w.id === deadWorker)?.status).toBe("stopped");
    const { data: logs } = await api.service.jobs.getLogs(job!.id);
    expect(logs!.filter((l) => l.message.startsWith("attempt ")).map((l) => l.message)).toEqual([
      "attempt 1",
      "attempt 2",
    ]);
  });
});
