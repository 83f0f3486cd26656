// The worker pool on a real PostgreSQL with the in-process runtime: outcomes are recorded
// whatever happens to them, rows nobody runs do not stay running, and a stop past the
// graceful timeout hands jobs back.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "../../src-sdk/types.ts";
import { defaultJobsConfig } from "../../src-server/config/index.ts";
import type { JobsConfig } from "../../src-server/config/types.ts";
import type { Db } from "../../src-server/db/connections.ts";
import type { JobRow } from "../../src-server/db/queries/queue.ts";
import type { InProcessHandler } from "../../src-server/jobs/worker/in-process-runtime.ts";
import type { WorkerPool } from "../../src-server/jobs/worker/pool.ts";
import {
  createInProcessPool,
  createTestFunction,
  useQueueDatabase,
} from "../helpers/queue-database.ts";
import { waitFor } from "../helpers/wait.ts";

const queue = useQueueDatabase({ maxConnections: 8 });
let db: Db;
const pools: WorkerPool[] = [];

beforeAll(() => {
  db = queue.db;
});
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.stop();
});

const config = (overrides: Partial<JobsConfig> = {}): JobsConfig => ({
  ...defaultJobsConfig(process.cwd()),
  embeddedWorkerCount: 1,
  maxConcurrentPerWorker: 4,
  pollIntervalMs: 100,
  workerHeartbeatIntervalMs: 300,
  workerTimeoutMs: 1000,
  retryBackoffBaseMs: 50,
  retryBackoffMaxMs: 100,
  ...overrides,
});

async function startPool(
  handlers: Record<string, InProcessHandler>,
  options: { db?: Db; config?: Partial<JobsConfig> } = {},
) {
  const pool = createInProcessPool({
    db: options.db ?? db,
    handlers,
    config: config(options.config),
  });
  await pool.start();
  pools.push(pool);
  return pool;
}

async function submit(
  name: string,
  maxRetries = 0,
  status = "pending",
  wake = true,
): Promise<string> {
  const fn = await createTestFunction(db, { name, maxRetries });
  const [row] = await db.withTransaction(async (tx) => {
    // Without a wake: no trigger fires for this insert (replica role), and no NOTIFY.
    if (!wake) await tx.query("SET LOCAL session_replication_role = replica");
    return tx.query<{ id: string }>(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries, status)
       VALUES ('default', $1, $2, '{}', $3, $4) RETURNING id`,
      [fn.id, name, maxRetries, status],
    );
  });
  if (wake) await db.query("SELECT pg_notify('jobs_wake', '')");
  return row!.id;
}

const job = async (id: string) =>
  (await db.query<JobRow>("SELECT * FROM jobs.queue WHERE id = $1", [id]))[0]!;

const untilStatus = (id: string, statuses: JobRow["status"][], timeoutMs = 20_000) =>
  waitFor(
    async () => {
      const row = await job(id);
      return statuses.includes(row.status) ? row : undefined;
    },
    { timeoutMs, what: `job ${id} to reach ${statuses.join("/")}` },
  );

/** A Db whose queries fail as if PostgreSQL were down while `down` is set (LISTEN connections aside). */
function flakyDb(real: Db) {
  const state = { down: false, refused: 0 };
  const gone = () => {
    state.refused++;
    return Promise.reject(
      Object.assign(new Error("terminating connection due to administrator command"), {
        code: "57P01",
      }),
    );
  };
  const wrapped: Db = {
    connectionString: real.connectionString,
    query: (text, values, options) => (state.down ? gone() : real.query(text, values, options)),
    withTransaction: (fn) => (state.down ? gone() : real.withTransaction(fn)),
    connect: () => real.connect(),
    end: async () => undefined,
  };
  return { db: wrapped, state };
}

describe("worker pool outcomes", () => {
  it("fails a job whose result cannot be recorded, saying why", async () => {
    await startPool({ unserialisable: () => ({ n: 10n }) as unknown as JsonValue });
    const id = await submit("unserialisable");
    const row = await untilStatus(id, ["completed", "failed"]);
    expect(row.status).toBe("failed");
    expect(row.error_message).toMatch(/^The job's result could not be recorded: .*BigInt/);
  });

  it("a result that cannot be recorded costs its worker no claim: the next job starts at once", async () => {
    let release!: () => void;
    const finish = new Promise<void>((r) => (release = r));
    // One slot, and no poll to fall back on within the test: only the worker's own claim
    // after the refused result can start the second job.
    await startPool(
      {
        unserialisable: async () => {
          await finish;
          return { n: 10n } as unknown as JsonValue;
        },
        next: () => "ran",
      },
      { config: { maxConcurrentPerWorker: 1, pollIntervalMs: 600_000 } },
    );
    const refused = await submit("unserialisable");
    await untilStatus(refused, ["running"]);
    // Queued without waking anyone: nothing but the worker's next claim can start it.
    const next = await submit("next", 0, "pending", false);
    release();
    expect((await untilStatus(refused, ["completed", "failed"])).status).toBe("failed");
    const row = await untilStatus(next, ["completed", "failed"], 10_000);
    expect(row.status).toBe("completed");
    expect(row.result).toBe("ran");
  });

  it("hands back a row its worker holds as running but is not running", async () => {
    const pool = await startPool({});
    const id = await submit("lost", 1, "cancelled");
    // The row is running on this pool's worker, as if its outcome had failed to record
    // (scheduled later, so that once back in the queue it is not claimed again here).
    await db.query(
      `UPDATE jobs.queue SET status = 'running', worker_id = $2, started_at = now() - interval '1 hour',
         scheduled_at = now() + interval '1 hour' WHERE id = $1`,
      [id, pool.workerIds()[0]],
    );
    const row = await untilStatus(id, ["pending", "failed"]);
    expect(row.status).toBe("pending");
    expect(row.retry_count).toBe(1);
    expect(row.error_message).toBe("The job was left running without a worker executing it");
  });

  it("keeps outcomes while the database is unreachable and writes them after, running no job twice", async () => {
    const flaky = flakyDb(db);
    const runs = new Map<string, number>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1);
    await startPool(
      {
        "outage-ok": async () => {
          count("ok");
          await gate;
          return { done: true };
        },
        "outage-fail": async () => {
          count("fail");
          await gate;
          throw new Error("failed during the outage");
        },
      },
      { db: flaky.db },
    );
    const ok = await submit("outage-ok");
    const failing = await submit("outage-fail");
    await untilStatus(ok, ["running"]);
    await untilStatus(failing, ["running"]);
    await waitFor(() => (runs.size === 2 ? true : undefined));
    flaky.state.down = true;
    release();
    // Both outcomes were refused at least once, then the database comes back.
    const refusedAt = flaky.state.refused;
    await waitFor(() => (flaky.state.refused > refusedAt + 4 ? true : undefined));
    flaky.state.down = false;
    expect((await untilStatus(ok, ["completed", "failed", "pending"])).status).toBe("completed");
    const failed = await untilStatus(failing, ["completed", "failed", "pending"]);
    expect(failed.status).toBe("failed");
    expect(failed.error_message).toBe("failed during the outage");
    expect(Object.fromEntries(runs)).toEqual({ ok: 1, fail: 1 });
  });

  it("hands jobs still running past the graceful timeout back to the queue, the attempt not counted", async () => {
    const pool = createInProcessPool({
      db,
      handlers: { forever: () => new Promise<JsonValue>(() => undefined) },
      config: config({ gracefulShutdownTimeoutMs: 200 }),
    });
    await pool.start();
    const id = await submit("forever");
    await untilStatus(id, ["running"]);
    await pool.stop();
    const row = await job(id);
    expect(row.status).toBe("pending");
    expect(row.retry_count).toBe(0);
    expect(row.worker_id).toBeNull();
    expect(row.error_message).toBe("Interrupted by server shutdown; the job will run again");
  });

  // A drain may last longer than the worker timeout (both are 30 s by default): the
  // workers keep beating meanwhile, so no other process declares them dead and runs
  // their jobs a second time.
  it("keeps its workers' heartbeat while it drains", async () => {
    let finish: (value: JsonValue) => void = () => undefined;
    const pool = createInProcessPool({
      db,
      handlers: { slow: () => new Promise<JsonValue>((resolve) => (finish = resolve)) },
      config: config({ gracefulShutdownTimeoutMs: 30_000 }),
    });
    await pool.start();
    const id = await submit("slow");
    await untilStatus(id, ["running"]);
    const [worker] = pool.workerIds();
    const stopped = pool.stop();
    const [began] = await db.query<{ at: Date }>("SELECT now() AS at");
    const drainBegan = began!.at;
    await waitFor(
      async () => {
        const [row] = await db.query<{ status: string; beat: Date }>(
          "SELECT status, last_heartbeat_at AS beat FROM jobs.workers WHERE id = $1",
          [worker],
        );
        return row!.status === "draining" && row!.beat > drainBegan ? true : undefined;
      },
      { timeoutMs: 5_000, what: "a heartbeat from the draining worker" },
    );
    finish({ done: true });
    await stopped;
    const row = await job(id);
    expect(row.status).toBe("completed");
    expect(row.result).toEqual({ done: true });
  });
});
