// The full path: HTTP submit -> queue -> Deno sandbox -> completed, on the real local stack.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { createDb } from "../src-server/db/connections.ts";
import { createWorkerPool } from "../src-server/jobs/worker/pool.ts";
import type { JobRuntime } from "../src-server/jobs/worker/runtime.ts";
import { createDenoRuntime } from "../src-server/jobs/sandbox/index.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack } from "../src-server/main.ts";
import { createNoopFunction } from "./queue-path.ts";
import { cpuSince, cpuSnapshot, denoPids, type CpuSnapshot } from "./cpu.ts";
import { statusMb } from "./startup.ts";
import { atRate, createStartBoard, percentile, until } from "./stats.ts";

export interface FullPathFigures {
  drainPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU spent during the drain, per job. */
  cpuPerJob: CpuSnapshot;
  /** Each Deno process kept after the drain (idle, ready for a job): resident and private MB. */
  denoRss: Array<{ rssMb: number; privateMb: number }>;
}

/** Wraps a runtime to note when each job's handler starts. */
function observed(runtime: JobRuntime, onStart: (jobId: string) => void): JobRuntime {
  return {
    start(spec, callbacks) {
      return runtime.start(spec, { ...callbacks, onStart: () => onStart(spec.jobId) });
    },
    close: () => runtime.close(),
  };
}

export async function runFullPath(options: {
  url: string;
  jobs: number;
  latencyJobs: number;
}): Promise<FullPathFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-"));
  const defaults = defaultServerConfig(dir);
  const config = {
    ...defaults,
    port: 0,
    databaseUrl: options.url,
    dataDir: path.join(dir, "data"),
    logLevel: "silent" as const,
    jobs: {
      ...defaults.jobs,
      workerMode: "disabled" as const,
      autoLoadOnBoot: false,
      defaultMaxRetries: 0,
    },
  };
  const stack = await startLocalStack({ config, logger: silentLogger });
  const db = createDb({ connectionString: options.url, max: 20 });
  await db.query("TRUNCATE jobs.queue, logging.entries CASCADE");
  await createNoopFunction(db);
  const board = createStartBoard();
  const runtime = observed(
    createDenoRuntime({ cacheDir: path.join(dir, "runtime"), logger: silentLogger }),
    board.mark,
  );
  const headers = {
    Authorization: `Bearer ${stack.keys.serviceKey}`,
    "content-type": "application/json",
  };
  const submit = async () => {
    const res = await fetch(`${stack.url}/api/v1/jobs/submit`, {
      method: "POST",
      headers,
      body: JSON.stringify({ job_name: "noop", payload: {} }),
    });
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };

  // Drain: queue the jobs through HTTP, then time a pool of the default size from start to the last completion.
  for (let i = 0; i < options.jobs; i += 20)
    await Promise.all(Array.from({ length: Math.min(20, options.jobs - i) }, submit));
  const pool = createWorkerPool({
    db,
    runtime,
    config: { ...config.jobs, workerMode: "embedded" },
    jwtSecret: stack.keys.jwtSecret,
    serverUrl: () => stack.url,
    jobEnv: {},
    logger: silentLogger,
  });
  const cpu0 = cpuSnapshot();
  const t0 = performance.now();
  await pool.start();
  await until(async () => {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM jobs.queue WHERE status IN ('completed', 'failed')",
    );
    return row!.n >= options.jobs;
  }, 20);
  const drainPerSecond = options.jobs / ((performance.now() - t0) / 1000);
  const cpu = cpuSince(cpu0);
  const denoRss = denoPids().map((pid) => ({
    rssMb: statusMb(pid, "VmRSS"),
    privateMb: statusMb(pid, "RssAnon"),
  }));
  const cpuPerJob = {
    serverMs: cpu.serverMs / options.jobs,
    denoMs: cpu.denoMs / options.jobs,
    postgresMs: cpu.postgresMs / options.jobs,
  };
  const [failed] = await db.query<{ n: number }>(
    "SELECT count(*) AS n FROM jobs.queue WHERE status = 'failed'",
  );
  if (failed!.n > 0) {
    const errors = await db.query<{ error_message: string | null }>(
      "SELECT error_message FROM jobs.queue WHERE status = 'failed' LIMIT 3",
    );
    throw new Error(
      `${failed!.n} jobs failed during the drain: ${errors.map((e) => e.error_message).join("; ")}`,
    );
  }

  // Latency while idle: jobs arriving at 20/s, from the HTTP submit to the handler starting in Deno.
  const latencies: number[] = [];
  await atRate(options.latencyJobs, 20, async () => {
    const t = performance.now();
    const id = await submit();
    latencies.push((await board.wait(id)) - t);
  });
  await pool.stop();
  await runtime.close();
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  return {
    drainPerSecond,
    cpuPerJob,
    denoRss,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
