// A server killed with SIGKILL and restarted on the same data dir: it knows the workers of
// its previous run were its own, stops them and hands their jobs on before it is ready,
// instead of leaving them running (and counting against the namespace limit) until the
// worker timeout declares them dead.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/wait.ts";
import { processesMentioning } from "./sandbox-harness.ts";

const HOLD = `// @fluxbase:max-retries 3
export async function handler(req, fluxbase, fluxbaseService, job) {
  for (;;) {
    job.reportProgress(10, "holding on");
    await new Promise((r) => setTimeout(r, 200));
  }
}`;

let dir: string;
let database: TestDatabase;
let db: Db;
const servers: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "fluxbase-restart-"));
  await mkdir(path.join(dir, "jobs"));
  await writeFile(path.join(dir, "jobs", "hold.ts"), HOLD);
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 2 });
});
afterAll(async () => {
  for (const s of servers) s.child.kill("SIGKILL");
  for (const pid of processesMentioning(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  await db?.end();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

function serve(): CliProcess {
  const server = runCli(
    [
      "serve",
      "--port",
      "0",
      "--data-dir",
      path.join(dir, "data"),
      "--jobs-dir",
      path.join(dir, "jobs"),
      "--database-url",
      database.url,
      "--log-level",
      "error",
    ],
    {
      // The default worker timeout (30 s): recovery must not wait for it.
      FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
      FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "3",
      FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
    },
  );
  servers.push(server);
  return server;
}

const rows = () =>
  db.query<{ id: string; status: string; worker_id: string | null; retry_count: number }>(
    "SELECT id, status, worker_id, retry_count FROM jobs.queue ORDER BY created_at",
  );

describe("restart after kill -9", () => {
  it("stops the previous run's workers and hands their jobs on before it is ready", async () => {
    const first = serve();
    await first.waitForLine(/Fluxbase Local ready at/, 60_000);
    const [fn] = await db.query<{ id: string }>(
      "SELECT id FROM jobs.functions WHERE name = 'hold'",
    );
    await db.query(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
       SELECT 'default', $1, 'hold', '{}', 3 FROM generate_series(1, 3)`,
      [fn!.id],
    );
    await db.query("SELECT pg_notify('jobs_wake', '')");
    const running = await waitFor(
      async () => {
        const r = await rows();
        return r.every((row) => row.status === "running") ? r : undefined;
      },
      { timeoutMs: 30_000, what: "the jobs to run" },
    );
    const oldWorkers = new Set(running.map((r) => r.worker_id));

    first.child.kill("SIGKILL");
    await first.exited;
    for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");

    const second = serve();
    await second.waitForLine(/Fluxbase Local ready at/, 60_000);
    // As soon as it is ready: the old workers are stopped and none of their jobs is theirs.
    const workers = await db.query<{ id: string; status: string }>(
      "SELECT id, status FROM jobs.workers WHERE id = ANY ($1::uuid[])",
      [[...oldWorkers]],
    );
    expect(workers.map((w) => w.status)).toEqual(["stopped"]);
    const after = await rows();
    expect(after.filter((r) => oldWorkers.has(r.worker_id))).toEqual([]);
    expect(after.every((r) => r.retry_count === 1)).toBe(true);
    // And the new run picks them up.
    await waitFor(
      async () =>
        (await rows()).every((r) => r.status === "running" && !oldWorkers.has(r.worker_id))
          ? true
          : undefined,
      { timeoutMs: 20_000, what: "the new run to take the jobs" },
    );
  });

  it("does the same for a standalone worker restarted on its data dir", async () => {
    // The server of the test above goes away, and its jobs with it: the worker started
    // next would see that server's process gone and take them up first.
    for (const s of servers) s.child.kill("SIGKILL");
    for (const pid of processesMentioning(path.join(dir, "data"))) process.kill(pid, "SIGKILL");
    await db.query(
      "UPDATE jobs.queue SET status = 'cancelled' WHERE status IN ('pending', 'running')",
    );
    const { jwtSecret } = JSON.parse(
      await readFile(path.join(dir, "data", "keys.json"), "utf8"),
    ) as { jwtSecret: string };
    // A worker refuses to start without the server's secrets key (it could not decrypt them).
    const encryptionKey = (await readFile(path.join(dir, "data", "secrets.key"), "utf8")).trim();
    const worker = () => {
      const w = runCli(
        [
          "worker",
          "--database-url",
          database.url,
          "--data-dir",
          path.join(dir, "worker"),
          "--log-level",
          "error",
        ],
        {
          FLUXBASE_JWT_SECRET: jwtSecret,
          FLUXBASE_ENCRYPTION_KEY: encryptionKey,
          FLUXBASE_PUBLIC_URL: "http://127.0.0.1:9",
          FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
          FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "3",
          FLUXBASE_JOBS_POLL_INTERVAL: "200ms",
        },
      );
      servers.push(w);
      return w;
    };
    const first = worker();
    await first.waitForLine(/worker running/, 60_000);
    const [{ id: workerId }] = (await db.query<{ id: string }>(
      "SELECT id FROM jobs.workers WHERE status = 'active' ORDER BY started_at DESC LIMIT 1",
    )) as [{ id: string }];
    const [fn] = await db.query<{ id: string }>(
      "SELECT id FROM jobs.functions WHERE name = 'hold'",
    );
    const ids = (
      await db.query<{ id: string }>(
        `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
         SELECT 'worker', $1, 'hold', '{}', 3 FROM generate_series(1, 3) RETURNING id`,
        [fn!.id],
      )
    ).map((r) => r.id);
    await db.query("SELECT pg_notify('jobs_wake', '')");
    await waitFor(
      async () => {
        const held = await db.query(
          "SELECT 1 FROM jobs.queue WHERE id = ANY ($1::uuid[]) AND worker_id = $2",
          [ids, workerId],
        );
        return held.length === 3 ? true : undefined;
      },
      { timeoutMs: 30_000, what: "the worker to hold the jobs" },
    );

    first.child.kill("SIGKILL");
    await first.exited;
    for (const pid of processesMentioning(path.join(dir, "worker"))) process.kill(pid, "SIGKILL");

    const second = worker();
    await second.waitForLine(/worker running/, 60_000);
    const [old] = await db.query<{ status: string }>(
      "SELECT status FROM jobs.workers WHERE id = $1",
      [workerId],
    );
    expect(old!.status).toBe("stopped");
    const held = await db.query(
      "SELECT 1 FROM jobs.queue WHERE worker_id = $1 AND status = 'running'",
      [workerId],
    );
    expect(held).toEqual([]);
  });
});

describe("restart after kill -9, the state file no help", () => {
  /** Ends every process of the tests before, and their jobs: each test starts clean. */
  const clean = async () => {
    for (const s of servers) s.child.kill("SIGKILL");
    await Promise.all(servers.map((s) => s.exited));
    for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
    await db.query(
      "UPDATE jobs.queue SET status = 'cancelled' WHERE status IN ('pending', 'running')",
    );
  };

  /** Three held jobs running on the server `first`; returns the workers holding them. */
  const holdThree = async (): Promise<Set<string | null>> => {
    const [fn] = await db.query<{ id: string }>(
      "SELECT id FROM jobs.functions WHERE name = 'hold'",
    );
    const ids = (
      await db.query<{ id: string }>(
        `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
         SELECT 'default', $1, 'hold', '{}', 3 FROM generate_series(1, 3) RETURNING id`,
        [fn!.id],
      )
    ).map((r) => r.id);
    await db.query("SELECT pg_notify('jobs_wake', '')");
    const held = await waitFor(
      async () => {
        const r = await db.query<{ worker_id: string }>(
          "SELECT worker_id FROM jobs.queue WHERE id = ANY ($1::uuid[]) AND status = 'running'",
          [ids],
        );
        return r.length === 3 ? r : undefined;
      },
      { timeoutMs: 30_000, what: "the jobs to run" },
    );
    return new Set(held.map((r) => r.worker_id));
  };

  /** At "ready", the old workers are stopped and hold no running job. */
  const expectRecovered = async (oldWorkers: Set<string | null>) => {
    const workers = await db.query<{ status: string }>(
      "SELECT status FROM jobs.workers WHERE id = ANY ($1::uuid[])",
      [[...oldWorkers]],
    );
    expect(workers.map((w) => w.status)).toEqual(["stopped"]);
    const held = await db.query(
      "SELECT 1 FROM jobs.queue WHERE worker_id = ANY ($1::uuid[]) AND status = 'running'",
      [[...oldWorkers]],
    );
    expect(held).toEqual([]);
  };

  it("recovers at once when the state file was deleted", async () => {
    await clean();
    const first = serve();
    await first.waitForLine(/Fluxbase Local ready at/, 60_000);
    const oldWorkers = await holdThree();
    first.child.kill("SIGKILL");
    await first.exited;
    for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
    await rm(path.join(dir, "data", "workers.json"));

    const second = serve();
    await second.waitForLine(/Fluxbase Local ready at/, 60_000);
    await expectRecovered(oldWorkers);
  });

  it("recovers at once when a standalone worker sharing the data dir wrote the state file last", async () => {
    await clean();
    const first = serve();
    await first.waitForLine(/Fluxbase Local ready at/, 60_000);
    const { jwtSecret } = JSON.parse(
      await readFile(path.join(dir, "data", "keys.json"), "utf8"),
    ) as { jwtSecret: string };
    const encryptionKey = (await readFile(path.join(dir, "data", "secrets.key"), "utf8")).trim();
    // The worker starts once the server's workers hold the jobs: it only shares the data
    // dir (both default to the same one) and writes the state file last.
    const oldWorkers = await holdThree();
    const worker = runCli(
      [
        "worker",
        "--database-url",
        database.url,
        "--data-dir",
        path.join(dir, "data"),
        "--log-level",
        "error",
      ],
      {
        FLUXBASE_JWT_SECRET: jwtSecret,
        FLUXBASE_ENCRYPTION_KEY: encryptionKey,
        FLUXBASE_PUBLIC_URL: "http://127.0.0.1:9",
        FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
      },
    );
    servers.push(worker);
    await worker.waitForLine(/worker running/, 60_000);

    first.child.kill("SIGKILL");
    await first.exited;
    // Its Deno processes are left to afterAll: some mention the data dir the worker runs on.

    const second = serve();
    await second.waitForLine(/Fluxbase Local ready at/, 60_000);
    await expectRecovered(oldWorkers);
  });
});
