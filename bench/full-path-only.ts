// The full path alone (npm run bench prints it with its floors): `tsx bench/full-path-only.ts`,
// e.g. under `node --cpu-prof --import tsx` to see where a job's server time goes.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "../src-server/db/connections.ts";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { migrate } from "../src-server/db/migrate.ts";
import { runFullPath } from "./full-path.ts";
import { fmt, runBenchmark } from "./stats.ts";

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-pg-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, database: "bench" });
  try {
    const db = createDb({ connectionString: pg.connectionString, max: 2 });
    await migrate({ db });
    await db.end();
    const jobs = Number(process.env.BENCH_FULL_JOBS ?? 2_000);
    const full = await runFullPath({ url: pg.connectionString, jobs, latencyJobs: 100 });
    const c = full.cpuPerJob;
    console.log(
      `full path: ${fmt(full.drainPerSecond, 1)} jobs/s; CPU per job: server ${fmt(c.serverMs, 2)} ms (sandbox start ${fmt(full.sandboxStartMsPerJob, 2)}), Deno ${fmt(c.denoMs, 2)} ms, PostgreSQL ${fmt(c.postgresMs, 2)} ms; submit -> start p50 ${fmt(full.p50Ms, 1)} ms, p99 ${fmt(full.p99Ms, 1)} ms`,
    );
    const l = full.latencyP50Ms;
    console.log(
      `latency parts (p50): HTTP submit ${fmt(l.submit, 1)} ms; answer -> sandbox start ${fmt(l.toRuntime, 1)} ms; sandbox start -> handler ${fmt(l.toHandler, 1)} ms`,
    );
    console.log(
      `HTTP submit CPU per job: server ${fmt(full.submitCpuPerJob.serverMs, 2)} ms, PostgreSQL ${fmt(full.submitCpuPerJob.postgresMs, 2)} ms`,
    );
    console.log(
      `round trips per job: ${full.roundTripsPerJob.map(([k, n]) => `${k} ${fmt(n, 2)}`).join(", ")}`,
    );
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
