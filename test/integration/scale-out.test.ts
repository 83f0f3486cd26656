// Three standalone worker processes share one queue: 3,000 jobs each run once, and a
// worker killed with SIGKILL mid-drain loses no job (its jobs move on after worker_timeout).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { serverSecretsEnv } from "../helpers/worker.ts";

const JOBS = 3000;
const jobs = {
  "tick.ts": `// @fluxbase:max-retries 3
export async function handler(req, fluxbase, fluxbaseService, job) {
  console.log("ran");
  await new Promise((r) => setTimeout(r, 5));
  return { id: job.getJobContext().job_id };
}`,
};

let api: TestStack;
let sql: pg.Client;
const workers: CliProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  api = await startTestStack({ jobs, jobsConfig: { embeddedWorkerCount: 0 } });
  sql = new pg.Client({ connectionString: api.database.url });
  await sql.connect();
});
afterAll(async () => {
  for (const w of workers) w.child.kill("SIGKILL");
  await sql?.end();
  await api?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function startWorker(): Promise<CliProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-scale-"));
  dirs.push(dir);
  const worker = runCli(
    ["worker", "--database-url", api.database.url, "--data-dir", dir, "--log-level", "error"],
    {
      ...(await serverSecretsEnv(api)),
      FLUXBASE_PUBLIC_URL: api.url,
      FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
      FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "5",
      FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "500ms",
      FLUXBASE_JOBS_WORKER_TIMEOUT: "3s",
      FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
    },
  );
  workers.push(worker);
  await worker.waitForLine(/worker running/);
  return worker;
}

async function count(where: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs.queue WHERE ${where}`,
  );
  return rows[0]!.n;
}

describe("scale-out", () => {
  it("drains 3,000 jobs across three worker processes and survives a kill -9", async () => {
    const w = await Promise.all([startWorker(), startWorker(), startWorker()]);
    const { rows: workerRows } = await sql.query<{ id: string }>(
      "SELECT id FROM jobs.workers WHERE status = 'active'",
    );
    expect(workerRows.length).toBe(3);

    await sql.query(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries, max_duration_seconds,
         progress_timeout_seconds, user_role)
       SELECT 'default', f.id, f.name, jsonb_build_object('n', g), 3, 60, 60, 'service_role'
       FROM jobs.functions f, generate_series(1, $1) g WHERE f.name = 'tick'`,
      [JOBS],
    );
    await waitFor(
      async () => ((await count("status = 'completed'")) >= JOBS / 5 ? true : undefined),
      {
        timeoutMs: 120_000,
        what: "a fifth of the jobs",
      },
    );
    const victim = w[1]!;
    const { rows: victimRows } = await sql.query<{ worker_id: string }>(
      "SELECT DISTINCT worker_id FROM jobs.queue WHERE status = 'completed' AND worker_id IS NOT NULL",
    );
    expect(victimRows.length).toBe(3); // all three took part
    victim.child.kill("SIGKILL");
    await victim.exited;

    await waitFor(async () => ((await count("status = 'completed'")) === JOBS ? true : undefined), {
      timeoutMs: 240_000,
      intervalMs: 250,
      what: "every job to complete",
    });
    expect(await count("status <> 'completed'")).toBe(0);
    // Only the attempts cut short by the kill ran again; at most one per slot of the dead worker.
    const retried = await count("retry_count > 0");
    expect(retried).toBeLessThanOrEqual(5);
    const { rows: runs } = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT execution_id FROM logging.entries WHERE message = 'ran' GROUP BY execution_id HAVING count(*) > 1) x`,
    );
    expect(runs[0]!.n).toBeLessThanOrEqual(retried);
    // Three worker processes start Deno on two cores: slower than the default test timeout.
  }, 300_000);
});
