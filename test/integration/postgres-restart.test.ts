// The embedded PostgreSQL killed (SIGKILL of its postmaster) under a running server with
// jobs in flight: /health answers 503 with the reason while it is away, the server starts
// it again by itself, /health answers 200 again, and every job ends in exactly one final
// state having run exactly once (outcomes finished during the outage are not run again).
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { runCli, type CliProcess } from "../helpers/processes.ts";
import { waitFor } from "../helpers/stack.ts";
import { fastWorkerEnv } from "../helpers/worker.ts";

const JOBS = 40;
const FINAL = ["completed", "failed", "cancelled"];

let dir: string;
let server: CliProcess | undefined;

afterAll(async () => {
  // The server's log, for a failure's post-mortem.
  if (process.env.FLUXBASE_TEST_SERVER_LOG)
    await writeFile(process.env.FLUXBASE_TEST_SERVER_LOG, server?.output() ?? "");
  server?.child.kill("SIGTERM");
  await server?.exited;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("PostgreSQL restart", () => {
  it("restarts a killed embedded PostgreSQL, answers 503 meanwhile, and loses or repeats no job", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-pgrestart-"));
    await chmod(dir, 0o777);
    const jobsDir = path.join(dir, "jobs");
    const runs = path.join(dir, "runs.log");
    await mkdir(jobsDir);
    await writeFile(runs, "");
    await chmod(runs, 0o666);
    await writeFile(
      path.join(jobsDir, "nap.ts"),
      `// @fluxbase:allow-write
// @fluxbase:max-retries 3
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { file, ms } = job.getJobPayload();
  await Deno.writeTextFile(file, job.getJobContext().job_id + "\\n", { append: true });
  await new Promise((r) => setTimeout(r, ms));
  return { napped: ms };
}`,
    );
    const dataDir = path.join(dir, "data");
    server = runCli(
      [
        "serve",
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--jobs-dir",
        jobsDir,
        "--log-level",
        process.env.FLUXBASE_TEST_SERVER_LOG ? "debug" : "warn",
      ],
      {
        ...fastWorkerEnv,
        DATABASE_URL: "",
        FLUXBASE_JOBS_EMBEDDED_WORKER_COUNT: "2",
        FLUXBASE_JOBS_MAX_CONCURRENT_PER_WORKER: "5",
      },
    );
    const [, url] = (await server.waitForLine(
      /Fluxbase Local ready at (http:\/\/\S+)/,
      90_000,
    )) as unknown as [string, string];
    const keys = JSON.parse(await readFile(path.join(dataDir, "keys.json"), "utf8")) as {
      serviceKey: string;
    };
    const service = createClient(url, { serviceKey: keys.serviceKey });

    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const { data, error } = await service.jobs.submit("nap", { file: runs, ms: 1500 });
      expect(error).toBeNull();
      ids.push(data!.id);
    }
    // Kill the postmaster while the first wave runs.
    await waitFor(
      async () => {
        const { data } = await service.jobs.list({ status: "running", limit: 100 });
        return (data?.length ?? 0) >= 5 ? true : undefined;
      },
      { timeoutMs: 60_000, what: "jobs running" },
    );
    const pid = Number(
      (await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0],
    );
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");

    const away = await waitFor(
      async () => {
        const h = await health(url);
        return h.status === 503 ? h : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20, what: "/health to answer 503" },
    );
    expect(away.body.status).toBe("unavailable");
    expect(String(away.body.error)).toMatch(/database unavailable/);

    await waitFor(async () => ((await health(url)).status === 200 ? true : undefined), {
      timeoutMs: 90_000,
      intervalMs: 200,
      what: "/health to answer 200 again",
    });
    expect(server.child.exitCode).toBeNull();

    const rows = await waitFor(
      async () => {
        const all = await Promise.all(ids.map((id) => service.jobs.get(id)));
        const statuses = all.map((r) => r.data?.status);
        return statuses.every((s) => s && FINAL.includes(s)) ? all.map((r) => r.data!) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: "every job to reach a final state" },
    );
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => "completed"));

    // No finished job ran again: each job's handler started exactly once. (Needs the worker
    // pool to keep outcomes finished during the outage and write them after reconnecting.)
    const started = (await readFile(runs, "utf8")).split("\n").filter(Boolean);
    const counts = new Map<string, number>();
    for (const id of started) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
  }, 300_000);
});
