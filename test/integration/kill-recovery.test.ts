// 2,000 short jobs drained by a server process (two embedded workers) and a standalone
// worker process sharing its database, each killed with SIGKILL three times mid-run and
// started again at once: no job is lost, every job ends completed (one final state), and
// only attempts in flight at a kill run again.
import { readFile, mkdir, mkdtemp, rm, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../src-server/db/free-port.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/stack.ts";
import { fastWorkerEnv } from "../helpers/worker.ts";

const JOBS = 2000;
const SERVER_SLOTS = 2 * 5;
const WORKER_SLOTS = 1 * 5;

let root: string;
let database: TestDatabase;
let sql: pg.Client;
const live = new Set<CliProcess>();
const dead: CliProcess[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "fluxbase-kill-"));
  await chmod(root, 0o777);
  database = await createTestDatabase();
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
});
afterAll(async () => {
  for (const p of live) p.child.kill("SIGKILL");
  await sql?.end();
  await database?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

const common = {
  ...fastWorkerEnv,
  // Long enough that a live process starved of CPU on a busy machine is never declared dead
  // (its jobs would run twice without any kill); killed processes' jobs wait this long.
  FLUXBASE_JOBS_WORKER_HEARTBEAT_INTERVAL: "1s",
  FLUXBASE_JOBS_WORKER_TIMEOUT: "8s",
  FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "5",
  FLUXBASE_JOBS_MAX_CONCURRENT_PER_NAMESPACE: "20",
};

async function count(where: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs.queue WHERE ${where}`,
  );
  return rows[0]!.n;
}

/**
 * Kills a process with SIGKILL; returns the jobs it had in flight: its rows still `running`,
 * and those the other process on this machine already handed back (seeing it gone), whose
 * lost attempt jobs.attempts keeps.
 */
async function kill(p: CliProcess): Promise<string[]> {
  p.child.kill("SIGKILL");
  await p.exited;
  live.delete(p);
  dead.push(p);
  const { rows } = await sql.query<{ id: string }>(
    `SELECT q.id FROM jobs.queue q JOIN jobs.workers w ON w.id = q.worker_id
     WHERE q.status = 'running' AND (w.metadata->>'pid')::int = $1
     UNION
     SELECT a.job_id FROM jobs.attempts a JOIN jobs.workers w ON w.id = a.worker_id
     WHERE (w.metadata->>'pid')::int = $1`,
    [p.child.pid],
  );
  return rows.map((r) => r.id);
}

describe("kill -9 recovery", () => {
  it("loses no job and re-runs only jobs in flight when server and worker are killed three times each", async () => {
    const jobsDir = path.join(root, "jobs");
    const runs = path.join(root, "runs.log");
    await mkdir(jobsDir);
    await writeFile(runs, "");
    await chmod(runs, 0o666);
    await writeFile(
      path.join(jobsDir, "blip.ts"),
      `// @fluxbase:allow-write
// @fluxbase:max-retries 10
export async function handler(req, fluxbase, fluxbaseService, job) {
  await Deno.writeTextFile(job.getJobPayload().file, job.getJobContext().job_id + "\\n", { append: true });
  await new Promise((r) => setTimeout(r, 5));
  return { ok: true };
}`,
    );
    const port = await findFreePort();
    const serverDir = path.join(root, "server");
    const workerDir = path.join(root, "worker");
    const startServer = async () => {
      const p = runCli(
        [
          "serve",
          "--port",
          String(port),
          "--database-url",
          database.url,
          "--data-dir",
          serverDir,
          "--jobs-dir",
          jobsDir,
          "--log-level",
          "error",
        ],
        { ...common, FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "2", FLUXBASE_JOBS_WATCH: "false" },
      );
      live.add(p);
      await p.waitForLine(/Fluxbase Local ready at/, 60_000);
      return p;
    };
    let secrets: Record<string, string> = {};
    const startWorker = async () => {
      const p = runCli(
        ["worker", "--database-url", database.url, "--data-dir", workerDir, "--log-level", "warn"],
        {
          ...common,
          ...secrets,
          FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "1",
        },
      );
      live.add(p);
      await p.waitForLine(/worker running/, 60_000);
      return p;
    };

    let server = await startServer();
    const keys = JSON.parse(await readFile(path.join(serverDir, "keys.json"), "utf8")) as {
      jwtSecret: string;
    };
    secrets = {
      FLUXBASE_JWT_SECRET: keys.jwtSecret,
      FLUXBASE_ENCRYPTION_KEY: (await readFile(path.join(serverDir, "secrets.key"), "utf8")).trim(),
    };
    let worker = await startWorker();

    await sql.query(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries, max_duration_seconds,
         progress_timeout_seconds, user_role)
       SELECT 'default', f.id, f.name, jsonb_build_object('file', $2::text, 'n', g), 10, 60, 60, 'service_role'
       FROM jobs.functions f, generate_series(1, $1) g WHERE f.name = 'blip'`,
      [JOBS, runs],
    );

    // Six kills, alternating, each once another ~12% of the jobs have completed.
    const readyToClaim: number[] = [];
    const inFlight = new Set<string>();
    const t0 = Date.now();
    for (let round = 0; round < 6; round++) {
      const target = Math.round((JOBS * (round + 1)) / 8);
      await waitFor(
        async () => ((await count("status = 'completed'")) >= target ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 100,
          what: `${target} completed jobs before kill ${round + 1}`,
        },
      );
      // Mid-run: attempts are in flight at the kill.
      await waitFor(async () => ((await count("status = 'running'")) > 0 ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 10,
        what: "a running job",
      });
      if (process.env.FLUXBASE_TEST_TRACE) console.log(`round ${round} at ${Date.now() - t0} ms`);
      if (round % 2 === 0) {
        for (const id of await kill(server)) inFlight.add(id);
        const before = await count("status = 'completed'");
        server = await startServer();
        const ready = Date.now();
        await waitFor(
          async () => ((await count("status = 'completed'")) > before ? true : undefined),
          {
            timeoutMs: 30_000,
            intervalMs: 20,
            what: "progress after the server restart",
          },
        );
        readyToClaim.push(Date.now() - ready);
      } else {
        for (const id of await kill(worker)) inFlight.add(id);
        worker = await startWorker();
      }
    }

    await waitFor(async () => ((await count("status = 'completed'")) === JOBS ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 250,
      what: "every job to complete",
    });
    console.log(
      `kill-recovery: server ready -> next completion: ${readyToClaim.map((ms) => `${ms} ms`).join(", ")}`,
    );

    // 0 lost, one final state each.
    expect(await count("true")).toBe(JOBS);
    expect(await count("status <> 'completed'")).toBe(0);
    // Every job ran; only attempts in flight at a kill ran again, at most one per killed slot.
    const started = (await readFile(runs, "utf8")).split("\n").filter(Boolean);
    const runsOf = new Map<string, number>();
    for (const id of started) runsOf.set(id, (runsOf.get(id) ?? 0) + 1);
    const { rows } = await sql.query<{ id: string }>("SELECT id FROM jobs.queue");
    expect(rows.filter((r) => !runsOf.has(r.id))).toEqual([]);
    const rerun = [...runsOf].filter(([, n]) => n > 1).map(([id]) => id);
    console.log(
      `kill-recovery: ${rerun.length} jobs re-run, ${inFlight.size} in flight at the kills`,
    );
    expect(rerun.filter((id) => !inFlight.has(id))).toEqual([]);
    const { rows: retried } = await sql.query<{ id: string }>(
      "SELECT id FROM jobs.queue WHERE retry_count > 0",
    );
    expect(retried.map((r) => r.id).filter((id) => !inFlight.has(id))).toEqual([]);
    // Each killed slot had at most one attempt in flight (plus, at most, one finished attempt
    // whose outcome was not written yet).
    expect(inFlight.size).toBeLessThanOrEqual(2 * (3 * SERVER_SLOTS + 3 * WORKER_SLOTS));
  }, 300_000);
});
