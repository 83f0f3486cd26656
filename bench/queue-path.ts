// The queue path: the real pool and queue SQL, with an in-process runtime instead of Deno.
import { createDb } from "../src-server/db/connections.ts";
import { insertJob } from "../src-server/db/queries/queue.ts";
import { createInProcessRuntime } from "../src-server/jobs/worker/in-process-runtime.ts";
import { createWorkerPool } from "../src-server/jobs/worker/pool.ts";
import { createLogger, silentLogger } from "../src-server/logger.ts";
import { benchJobsConfig, createBenchFunction } from "./functions.ts";
import { atRate, createStartBoard, percentile, until } from "./stats.ts";

export interface QueuePathFigures {
  drainPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface QueuePathOptions {
  url: string;
  jobs: number;
  concurrency: number;
  latencyJobs: number;
  /**
   * unbatched: `concurrency` workers of one slot: each claim takes one job, and carries the
   * completion of that worker's previous job. batched: two workers sharing the slots (the
   * default pool's shape), each claim taking and completing as many as are free/finished.
   */
  mode: "unbatched" | "batched";
  /** Called right before the pool starts draining and right after the last job completed. */
  onDrainStart?(): Promise<void>;
  onDrainEnd?(): Promise<void>;
}

export async function runQueuePath(options: QueuePathOptions): Promise<QueuePathFigures> {
  const db = createDb({ connectionString: options.url, max: 20 });
  if (process.env.BENCH_TRACE) {
    const original = db.query;
    const stats = new Map<string, { n: number; ms: number }>();
    db.query = (async (text: string, values?: unknown[]) => {
      const t = performance.now();
      try {
        return await original(text, values);
      } finally {
        const key = text.trim().slice(0, 40);
        const e = stats.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t;
        stats.set(key, e);
      }
    }) as typeof db.query;
    process.on("exit", () => {
      for (const [k, v] of stats) console.log(`${v.n}\t${(v.ms / v.n).toFixed(2)} ms\t${k}`);
    });
  }
  await db.query("TRUNCATE jobs.queue, logging.entries CASCADE");
  const functionId = await createBenchFunction(db);
  const board = createStartBoard();
  const runtime = createInProcessRuntime({
    noop: (job) => {
      board.mark(job.spec.jobId);
      return null;
    },
  });
  const unbatched = options.mode === "unbatched";
  const config = unbatched
    ? benchJobsConfig({ embeddedWorkerCount: options.concurrency, maxConcurrentPerWorker: 1 })
    : benchJobsConfig({ embeddedWorkerCount: 2, maxConcurrentPerWorker: options.concurrency / 2 });
  const pool = () =>
    createWorkerPool({
      db,
      runtime,
      config,
      jwtSecret: "x".repeat(32),
      serverUrl: () => "http://127.0.0.1:1",
      jobEnv: {},
      logger: process.env.BENCH_LOG ? createLogger("debug") : silentLogger,
    });

  // Drain: queue everything first, then time the pool from start to the last completion.
  await db.query(
    `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
     SELECT 'default', $1, 'noop', '{}', 0 FROM generate_series(1, $2)`,
    [functionId, options.jobs],
  );
  await db.query("VACUUM ANALYZE jobs.queue");
  const drainPool = pool();
  await options.onDrainStart?.();
  const t0 = performance.now();
  await drainPool.start();
  // Drained when nothing is pending or running (both read from small partial indexes,
  // so the check costs the queue next to nothing).
  await until(async () => {
    const [row] = await db.query<{ busy: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM jobs.queue WHERE status = 'pending') OR EXISTS (SELECT 1 FROM jobs.queue WHERE status = 'running') AS busy",
    );
    return !row!.busy;
  }, 20);
  const drainPerSecond = options.jobs / ((performance.now() - t0) / 1000);
  await options.onDrainEnd?.();

  // Latency while idle: jobs arriving at 100/s, from submit to handler start.
  const latencies: number[] = [];
  await atRate(options.latencyJobs, 100, async () => {
    const t = performance.now();
    const row = await insertJob(db, {
      namespace: "default",
      functionId,
      jobName: "noop",
      payload: {},
      priority: 0,
      maxDurationSeconds: 300,
      progressTimeoutSeconds: 300,
      maxRetries: 0,
      createdBy: null,
      userRole: "service_role",
      userEmail: null,
      scheduledAt: null,
    });
    latencies.push((await board.wait(row.id)) - t);
  });
  await drainPool.stop();
  await db.end();
  return { drainPerSecond, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
