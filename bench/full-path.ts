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
import { createSecretStore } from "../src-server/secrets/index.ts";
import { countingDb, timedRuntime } from "./budget.ts";
import { createBenchFunction } from "./functions.ts";
import { randomBytes } from "node:crypto";
import {
  cpuSince,
  cpuSnapshot,
  denoPids,
  divided,
  threadCpu,
  threadCpuSince,
  type CpuSnapshot,
  type ThreadCpu,
} from "./cpu.ts";
import { statusMb } from "./startup.ts";
import { runInChild } from "./fork-client.ts";
import type { PacedSubmit, PacedSubmitCommand } from "./paced-submits.ts";
import { createStartBoard, percentile, until, wallClock } from "./stats.ts";

export interface FullPathFigures {
  /** Jobs a second once the pool is warm (its processes started and past their first jobs). */
  drainPerSecond: number;
  /** The warm-up batch, timed from pool.start(): process starts and first imports included. */
  cold: { jobs: number; perSecond: number; cpuPerJob: CpuSnapshot };
  p50Ms: number;
  p99Ms: number;
  /** CPU spent during the drain, per job. */
  cpuPerJob: CpuSnapshot;
  /** The server's share of it by thread, per job. */
  serverThreadsPerJob: ThreadCpu;
  /** CPU of the HTTP submits (the queue filled before the drain), per job. */
  submitCpuPerJob: CpuSnapshot;
  /** Database round trips per job during the drain, by what they are for. */
  roundTripsPerJob: Array<[kind: string, perJob: number]>;
  /**
   * Medians of the latency's parts: the HTTP submit, its answer to the runtime's start
   * (wake, claim, context; negative when the claim beat the answer), start to handler.
   */
  latencyP50Ms: { submit: number; toRuntime: number; toHandler: number };
  /** Main-thread milliseconds per job in the sandbox's synchronous start. */
  sandboxStartMsPerJob: number;
  /** The same for the starts that reused a process, and the share of starts that did. */
  reusedStart: { msPerStart: number; share: number };
  /** Each Deno process kept after the drain (idle, ready for a job): resident and private MB. */
  /** Per kept process: RSS, its private part, and PSS (shared pages divided among their sharers). */
  denoRss: Array<{ rssMb: number; privateMb: number; pssMb: number }>;
}

/**
 * Wraps a runtime to note when each job was handed to it and when its handler started, by
 * the sandbox's own reading (the server hears of it a hop later), on the wall clock.
 */
function observed(
  runtime: JobRuntime,
  onStart: (jobId: string, at: number) => void,
  handedOver: Map<string, number>,
  onOutcome: () => void,
): JobRuntime {
  return {
    start(spec, callbacks) {
      handedOver.set(spec.jobId, wallClock());
      const handle = runtime.start(spec, {
        ...callbacks,
        onStart: (at) => onStart(spec.jobId, at ?? wallClock()),
      });
      void handle.done.then(onOutcome, onOutcome);
      return handle;
    },
    close: () => runtime.close(),
  };
}

export async function runFullPath(options: {
  url: string;
  jobs: number;
  latencyJobs: number;
  /**
   * Jobs run before the drain's clock starts (default 20 a slot): the pool's Deno
   * processes are started and have run their first jobs, so the drain measures the
   * steady state; their own cost is reported as `cold`.
   */
  warmJobs?: number;
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
  await createBenchFunction(db);
  const board = createStartBoard();
  const sandbox = timedRuntime(
    createDenoRuntime({ cacheDir: path.join(dir, "runtime"), logger: silentLogger }),
  );
  const handedOver = new Map<string, number>();
  // Outcomes the sandboxes returned: the drain waits on this count, and reads the database
  // only for the last completions' writes (a count(*) every 20 ms cost PostgreSQL
  // ~0.06 ms a job, charged to the path it measures).
  let outcomes = 0;
  const runtime = observed(sandbox, board.mark, handedOver, () => outcomes++);
  const counted = countingDb(db);
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

  // Drain: queue the warm-up batch and the jobs through HTTP, start a pool of the default
  // size, and time from the warm-up batch's last completion to the last job's.
  const slots = config.jobs.embeddedWorkerCount * config.jobs.maxConcurrentPerWorker;
  const warmJobs = options.warmJobs ?? slots * 20;
  const total = warmJobs + options.jobs;
  const submitCpu0 = cpuSnapshot();
  for (let i = 0; i < total; i += 20)
    await Promise.all(Array.from({ length: Math.min(20, total - i) }, submit));
  const submitCpu = cpuSince(submitCpu0);
  const pool = createWorkerPool({
    db: counted,
    runtime,
    // As the server does: each job reads the secrets its user may see (none are stored here).
    secrets: createSecretStore({ db: counted, key: randomBytes(32), logger: silentLogger }),
    config: { ...config.jobs, workerMode: "embedded" },
    jwtSecret: stack.keys.jwtSecret,
    serverUrl: () => stack.url,
    jobEnv: {},
    // As the server's own pool: the submits through the stack wake it when they commit.
    localWake: stack.localWake,
    logger: silentLogger,
  });
  const finished = async () => {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM jobs.queue WHERE status IN ('completed', 'failed')",
    );
    return row!.n;
  };
  const coldCpu0 = cpuSnapshot();
  const coldT0 = performance.now();
  await pool.start();
  let warmDone = 0;
  await until(async () => (warmDone = await finished()) >= warmJobs, 20);
  const coldSeconds = (performance.now() - coldT0) / 1000;
  const coldCpu = cpuSince(coldCpu0);
  // The clock starts with the jobs still queued (a few may have finished while it was read).
  const measured = total - warmDone;
  const cpu0 = cpuSnapshot();
  const threads0 = threadCpu();
  const t0 = performance.now();
  counted.reset();
  sandbox.reset();
  await until(async () => outcomes >= total, 5);
  await until(async () => (await finished()) >= total, 2);
  const drainPerSecond = measured / ((performance.now() - t0) / 1000);
  const cpu = cpuSince(cpu0);
  const threads = threadCpuSince(threads0);
  const roundTripsPerJob = [...counted.counts()]
    .map(([kind, n]) => [kind, n / measured] as [string, number])
    .sort((a, b) => b[1] - a[1]);
  const sandboxStartMsPerJob = sandbox.startMs() / measured;
  const reusedStarts = sandbox.reusedStarts();
  const reusedStart = {
    msPerStart: reusedStarts.count > 0 ? reusedStarts.ms / reusedStarts.count : NaN,
    share: reusedStarts.count / measured,
  };
  const denoRss = denoPids().map((pid) => ({
    rssMb: statusMb(pid, "VmRSS"),
    privateMb: statusMb(pid, "RssAnon"),
    pssMb: statusMb(pid, "Pss", "smaps_rollup"),
  }));
  const cpuPerJob = divided(cpu, measured);
  const cold = {
    jobs: warmDone,
    perSecond: warmDone / coldSeconds,
    cpuPerJob: divided(coldCpu, warmDone),
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

  // Latency while idle: jobs arriving at 20/s from a client process of their own (as an
  // app's would be), from the request leaving the client to the handler's first line in
  // Deno, all on the wall clock. Where the time goes: the submit's HTTP round trip (insert
  // and commit), from its answer to the runtime's start (wake, claim, the job's context),
  // and from there to the handler (the hand-over to Deno and its reading of the context).
  const latencies: number[] = [];
  const segments = { submit: [] as number[], toRuntime: [] as number[], toHandler: [] as number[] };
  const submits = await runInChild<PacedSubmitCommand, PacedSubmit[]>(
    new URL("./paced-submits.ts", import.meta.url),
    {
      url: stack.url,
      headers,
      body: JSON.stringify({ job_name: "noop", payload: {} }),
      count: options.latencyJobs,
      perSecond: 20,
    },
  );
  for (const { id, sentAt, answeredAt } of submits) {
    const started = await board.wait(id);
    latencies.push(started - sentAt);
    const handed = handedOver.get(id) ?? answeredAt;
    segments.submit.push(answeredAt - sentAt);
    segments.toRuntime.push(handed - answeredAt);
    segments.toHandler.push(started - handed);
  }
  await pool.stop();
  await runtime.close();
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  return {
    drainPerSecond,
    cold,
    cpuPerJob,
    serverThreadsPerJob: divided(threads, measured),
    submitCpuPerJob: divided(submitCpu, total),
    roundTripsPerJob,
    sandboxStartMsPerJob,
    reusedStart,
    denoRss,
    latencyP50Ms: {
      submit: percentile(segments.submit, 50),
      toRuntime: percentile(segments.toRuntime, 50),
      toHandler: percentile(segments.toHandler, 50),
    },
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
