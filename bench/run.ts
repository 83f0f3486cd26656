// npm run bench: prints queue-path and full-path figures, each beside a minimal
// SKIP LOCKED loop measured on the same embedded PostgreSQL in the same run.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { migrate } from "../src-server/db/migrate.ts";
import { createDb } from "../src-server/db/connections.ts";
import { runBaselineLoop } from "./baseline-loop.ts";
import { runFullPath } from "./full-path.ts";
import { runQueuePath } from "./queue-path.ts";
import { runStartup } from "./startup.ts";
import { runSubmitPath, submitLines } from "./submit-path.ts";
import { fmt, runBenchmark } from "./stats.ts";

const QUEUE_JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
const FULL_JOBS = Number(process.env.BENCH_FULL_JOBS ?? 2_000);
const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 3_000);

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-pg-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: "bench" });
  try {
    const db = createDb({ connectionString: pg.connectionString, max: 2 });
    await migrate({ db });
    await db.end();
    console.log(
      `PostgreSQL ${pg.port} (embedded, default durability settings); ${QUEUE_JOBS} queue-path jobs, ${FULL_JOBS} full-path jobs`,
    );

    const only = process.env.BENCH_ONLY;
    const loop = await runBaselineLoop({
      url: pg.connectionString,
      jobs: QUEUE_JOBS,
      concurrency: 10,
    });
    console.log(`baseline SKIP LOCKED loop, concurrency 10:  ${fmt(loop, 0)} jobs/s`);

    for (const mode of only === "full" ? [] : (["unbatched", "batched"] as const)) {
      const queue = await runQueuePath({
        url: pg.connectionString,
        jobs: QUEUE_JOBS,
        concurrency: 10,
        latencyJobs: 500,
        mode,
      });
      const label = `queue path ${mode}`.padEnd(21);
      console.log(
        `${label} drain, concurrency 10: ${fmt(queue.drainPerSecond, 0)} jobs/s  (${fmt(queue.drainPerSecond / loop, 2)} of the loop)`,
      );
      console.log(
        `${label} submit -> start @100/s: p50 ${fmt(queue.p50Ms, 2)} ms, p99 ${fmt(queue.p99Ms, 2)} ms`,
      );
    }

    if (only === "queue") return;
    const full = await runFullPath({ url: pg.connectionString, jobs: FULL_JOBS, latencyJobs: 200 });
    console.log(
      `full path drain (HTTP -> Deno), 4x5 slots: ${fmt(full.drainPerSecond, 1)} jobs/s  (${fmt(full.drainPerSecond / loop, 3)} of the loop)`,
    );
    const c = full.cpuPerJob;
    console.log(
      `full path CPU per job during the drain: server ${fmt(c.serverMs, 2)} ms, Deno ${fmt(c.denoMs, 2)} ms, PostgreSQL ${fmt(c.postgresMs, 2)} ms`,
    );
    console.log(
      `full path submit -> handler start @20/s:  p50 ${fmt(full.p50Ms, 1)} ms, p99 ${fmt(full.p99Ms, 1)} ms`,
    );
    const rss = full.denoRss.map((d) => `${fmt(d.rssMb, 0)}/${fmt(d.privateMb, 0)}`);
    console.log(
      `Deno processes kept after the drain: ${rss.length}, RSS/private MB each: ${rss.join(" ") || "none"}`,
    );

    const submits = await runSubmitPath({ url: pg.connectionString, clients: 20, total: SUBMITS });
    for (const line of submitLines(20, submits)) console.log(line);
    if (only === "full") return;
    const start = await runStartup({ idleSeconds: 5 });
    console.log(
      `serve (via tsx): first run (initdb) -> ready ${fmt(start.firstRunMs / 1000, 2)} s; existing data dir -> ready ${fmt(start.restartMs / 1000, 2)} s; idle server RSS ${fmt(start.idleServerRssMb, 0)} MB`,
    );
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
