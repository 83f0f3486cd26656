// npx tsx bench/limits.ts: how promptly stop and time limits bite, on the full stack
// (embedded PostgreSQL, Deno sandbox, default settings):
// - cancel of a job that ignores checkCancellation(): request -> its process gone;
// - a job flooding its log: its timeout -> the row says failed, and the lines stored.
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack } from "../src-server/main.ts";
import { fmt, percentile, runBenchmark, until } from "./stats.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const jobs = {
  "stubborn.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(1, "ignoring cancellation");
  await new Promise((r) => setTimeout(r, 120_000));
}`,
  "flood.ts": `// @fluxbase:timeout 3
// @fluxbase:max-retries 0
export async function handler() {
  const line = "flood ".repeat(20);
  for (;;) console.log(line);
}`,
};

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-limits-"));
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, "jobs"));
  for (const [name, code] of Object.entries(jobs))
    await writeFile(path.join(dir, "jobs", name), code);
  const defaults = defaultServerConfig(dir);
  const stack = await startLocalStack({
    config: {
      ...defaults,
      port: 0,
      logLevel: "silent",
      jobs: { ...defaults.jobs, jobsDir: path.join(dir, "jobs") },
    },
    logger: silentLogger,
    rendererDir: false,
  });
  const headers = {
    Authorization: `Bearer ${stack.keys.serviceKey}`,
    "content-type": "application/json",
  };
  const call = async (method: string, route: string, body?: unknown) =>
    (await (
      await fetch(`${stack.url}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    ).json()) as {
      id: string;
    };
  const row = async (id: string) =>
    (
      await stack.db.query<{ status: string; progress: unknown; ms: number; lines: number }>(
        `SELECT status, progress, extract(epoch FROM completed_at - started_at)::float8 * 1000 AS ms,
           (SELECT count(*)::int FROM logging.entries WHERE execution_id = q.id) AS lines
         FROM jobs.queue q WHERE id = $1`,
        [id],
      )
    )[0]!;
  try {
    console.log(`cancel grace ${stack.config.jobs.cancelGraceMs} ms; ${ROUNDS} rounds each`);
    const cancel: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { id } = await call("POST", "/api/v1/jobs/submit", {
        job_name: "stubborn",
        payload: {},
      });
      await until(async () => (await row(id)).progress !== null, 10);
      const t0 = performance.now();
      await call("POST", `/api/v1/jobs/${id}/cancel`);
      await until(async () => stack.pool.runningCount() === 0, 5);
      cancel.push(performance.now() - t0);
    }
    console.log(
      `cancel -> process gone (job ignores cancellation): p50 ${fmt(percentile(cancel, 50), 0)} ms, max ${fmt(Math.max(...cancel), 0)} ms`,
    );

    const overrun: number[] = [];
    const lines: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const { id } = await call("POST", "/api/v1/jobs/submit", { job_name: "flood", payload: {} });
      await until(async () => (await row(id)).status === "failed", 25);
      const r = await row(id);
      overrun.push(r.ms - 3000);
      lines.push(r.lines);
    }
    console.log(
      `flooding job, timeout 3 s: failed p50 ${fmt(percentile(overrun, 50), 0)} ms after its timeout (max ${fmt(Math.max(...overrun), 0)} ms), ${Math.max(...lines)} lines stored at most`,
    );
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
