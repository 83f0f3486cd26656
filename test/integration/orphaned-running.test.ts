// Rows left `running` that no live worker is executing are failed or handed back by the
// reaper, so they stop holding their namespace's slots: rows of a worker whose row is gone,
// of a worker whose last heartbeat lies in the future (the database clock stepped back),
// and of a worker process on this machine that was killed (recovered at once, not after
// the worker timeout).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerWorker } from "../../src-server/db/queries/workers.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { serverSecretsEnv } from "../helpers/worker.ts";
import { processesMentioning } from "./sandbox-harness.ts";

const jobs = {
  "quick.ts": `export async function handler() {
  return { ok: true };
}`,
  "sticky.ts": `// @fluxbase:max-retries 2
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { retry_count } = job.getJobContext();
  if (retry_count === 0) {
    for (;;) {
      job.reportProgress(10, "holding on");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { recovered_on_attempt: retry_count + 1 };
}`,
};

interface Row {
  id: string;
  status: string;
  retry_count: number;
  worker_id: string | null;
  error_message: string | null;
}

describe("running rows no live worker executes", () => {
  let api: TestStack;

  beforeAll(async () => {
    // Two slots per namespace: two wedged rows would block every new job.
    api = await startTestStack({
      jobs,
      jobsConfig: { embeddedWorkerCount: 1, maxConcurrentPerNamespace: 2 },
    });
  });
  afterAll(async () => {
    await api?.stop();
  });

  const db = () => api.stack.db;

  /** Inserts `running` rows of `quick` held by `workerId`, as a claim would have left them. */
  async function runningRows(workerId: string, maxRetries: number[]): Promise<string[]> {
    const rows = await db().query<{ id: string }>(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries, status, worker_id,
         started_at, last_progress_at, user_role)
       SELECT f.namespace, f.id, f.name, '{}', r, 'running', $1, now(), now(), 'service_role'
       FROM jobs.functions f, unnest($2::int[]) r WHERE f.name = 'quick'
       RETURNING id`,
      [workerId, maxRetries],
    );
    return rows.map((r) => r.id);
  }

  const rowsOf = (ids: string[]) =>
    db().query<Row>(
      "SELECT id, status, retry_count, worker_id, error_message FROM jobs.queue WHERE id = ANY ($1::uuid[]) ORDER BY max_retries DESC",
      [ids],
    );

  const completes = async (id: string) =>
    waitFor(
      async () => {
        const { data } = await api.service.jobs.get(id);
        return data?.status === "completed" ? data : undefined;
      },
      { timeoutMs: 30_000, what: `job ${id} to complete` },
    );

  const fakeWorker = async () =>
    (
      await registerWorker(db(), {
        name: "elsewhere",
        hostname: "elsewhere.invalid",
        maxConcurrentJobs: 5,
        metadata: { hostname: "elsewhere.invalid", pid: 1 },
      })
    ).id;

  it("fails or hands back the rows of a worker whose row was deleted", async () => {
    const gone = await fakeWorker();
    const ids = await runningRows(gone, [1, 0]);
    await db().query("DELETE FROM jobs.workers WHERE id = $1", [gone]);

    const { data: fresh } = await api.service.jobs.submit("quick", {});
    await completes(fresh!.id);
    // The row with an attempt left ran again; the one without failed, saying why.
    await completes(ids[0]!);
    const [again, failed] = await rowsOf(ids);
    expect(again!.retry_count).toBe(1);
    expect(failed).toMatchObject({ status: "failed", retry_count: 0 });
    expect(failed!.error_message).toMatch(/stopped responding|no worker/i);
  });

  it("declares dead a silent worker whose last heartbeat lies in the future", async () => {
    const ahead = await fakeWorker();
    await db().query(
      "UPDATE jobs.workers SET last_heartbeat_at = now() + interval '1 hour' WHERE id = $1",
      [ahead],
    );
    const ids = await runningRows(ahead, [1, 1]);

    const { data: fresh } = await api.service.jobs.submit("quick", {});
    await completes(fresh!.id);
    for (const id of ids) await completes(id);
    const [worker] = await db().query<{ status: string; last_heartbeat_at: Date }>(
      "SELECT status, last_heartbeat_at FROM jobs.workers WHERE id = $1",
      [ahead],
    );
    expect(worker!.status).toBe("stopped");
    expect(worker!.last_heartbeat_at.getTime()).toBeLessThan(Date.now() + 60_000);
  });
});

describe("a worker process on this machine killed with SIGKILL", () => {
  let api: TestStack;
  let dir: string;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    // A worker timeout far beyond the test's deadlines: recovery must not wait for it.
    api = await startTestStack({
      jobs,
      jobsConfig: { embeddedWorkerCount: 0, workerTimeoutMs: 600_000 },
    });
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-local-death-"));
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill("SIGKILL");
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const worker = async (dataDir: string) => {
    const w = runCli(
      ["worker", "--database-url", api.database.url, "--data-dir", dataDir, "--log-level", "error"],
      {
        ...(await serverSecretsEnv(api)),
        FLUXBASE_PUBLIC_URL: api.url,
        FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
        FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "500ms",
        FLUXBASE_JOBS_WORKER_TIMEOUT: "10m",
        FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
      },
    );
    workers.push(w);
    await w.waitForLine(/worker running/, 60_000);
    return w;
  };

  it("has its jobs handed back by the running server, and completed by the worker started again", async () => {
    const first = await worker(path.join(dir, "first"));
    const { data: job } = await api.service.jobs.submit("sticky", {});
    const running = await waitFor(
      async () => {
        const { data } = await api.service.jobs.get(job!.id);
        return data?.status === "running" && data.progress ? data : undefined;
      },
      { timeoutMs: 60_000, what: "the worker to run the job" },
    );
    const deadWorker = running.worker_id;

    first.child.kill("SIGKILL");
    await first.exited;
    for (const pid of processesMentioning(path.join(dir, "first"))) process.kill(pid, "SIGKILL");

    // The server's reaper sees the process gone on this machine: back to pending at once.
    const handedBack = await waitFor(
      async () => {
        const { data } = await api.service.jobs.get(job!.id);
        return data?.status === "pending" ? data : undefined;
      },
      { timeoutMs: 60_000, what: "the dead worker's job to be handed back" },
    );
    expect(handedBack.retry_count).toBe(1);
    const { data: list } = await api.service.admin.jobs.listWorkers();
    expect(list!.find((w) => w.id === deadWorker)?.status).toBe("stopped");

    // Started again (on a data dir of its own, no state file), the worker runs it.
    await worker(path.join(dir, "second"));
    const done = await waitFor(
      async () => {
        const { data } = await api.service.jobs.get(job!.id);
        return data?.status === "completed" ? data : undefined;
      },
      { timeoutMs: 60_000, what: "the job to complete" },
    );
    expect(done.result).toEqual({ recovered_on_attempt: 2 });
  }, 240_000);
});
