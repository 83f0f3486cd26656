// The full path alone (npm run bench prints it with its floors): `tsx bench/full-path-only.ts`,
// e.g. under `node --cpu-prof --import tsx` to see where a job's server time goes.
import { withBenchPostgres } from "./bench-postgres.ts";
import { runFullPath } from "./full-path.ts";
import { fmt, runBenchmark } from "./stats.ts";

async function main() {
  await withBenchPostgres(async (pg) => {
    const jobs = Number(process.env.BENCH_FULL_JOBS ?? 2_000);
    const full = await runFullPath({ url: pg.connectionString, jobs, latencyJobs: 100 });
    const c = full.cpuPerJob;
    const k = full.cold;
    console.log(
      `full path, warm-up batch from pool start (${k.jobs} jobs, incl. process starts): ${fmt(k.perSecond, 1)} jobs/s; CPU per job: server ${fmt(k.cpuPerJob.serverMs, 2)} ms, Deno ${fmt(k.cpuPerJob.denoMs, 2)} ms, PostgreSQL ${fmt(k.cpuPerJob.postgresMs, 2)} ms`,
    );
    console.log(
      `full path, warm pool (clock after the warm-up batch): ${fmt(full.drainPerSecond, 1)} jobs/s; CPU per job: server ${fmt(c.serverMs, 2)} ms (sandbox start ${fmt(full.sandboxStartMsPerJob, 2)}), Deno ${fmt(c.denoMs, 2)} ms, PostgreSQL ${fmt(c.postgresMs, 2)} ms; submit -> start p50 ${fmt(full.p50Ms, 1)} ms, p99 ${fmt(full.p99Ms, 1)} ms`,
    );
    const r = full.reusedStart;
    console.log(
      `sandbox start, wall ms per start: ${fmt(full.sandboxStartMsPerJob, 3)} over all jobs, ${fmt(r.msPerStart, 3)} when the process was reused (${fmt(r.share * 100, 0)}% of starts)`,
    );
    const t = full.serverThreadsPerJob;
    console.log(
      `server CPU per job by thread: main ${fmt(t.mainMs, 2)} ms, sandbox host (low priority) ${fmt(t.lowPriorityMs, 2)} ms, other (GC, compiler, libuv) ${fmt(t.otherMs, 2)} ms`,
    );
    const l = full.latencyP50Ms;
    console.log(
      `latency parts (p50; client in its own process, start by Deno's clock): HTTP submit ${fmt(l.submit, 1)} ms; answer -> sandbox start ${fmt(l.toRuntime, 1)} ms; sandbox start -> handler ${fmt(l.toHandler, 1)} ms`,
    );
    console.log(
      `HTTP submit CPU per job: server ${fmt(full.submitCpuPerJob.serverMs, 2)} ms, PostgreSQL ${fmt(full.submitCpuPerJob.postgresMs, 2)} ms`,
    );
    const rss = full.denoRss.map(
      (d) => `${fmt(d.rssMb, 0)}/${fmt(d.privateMb, 0)}/${fmt(d.pssMb, 0)}`,
    );
    console.log(
      `Deno processes kept after the drain: ${rss.length}, RSS/RssAnon/PSS MB each: ${rss.join(" ") || "none"}`,
    );
    console.log(
      `round trips per job: ${full.roundTripsPerJob.map(([k, n]) => `${k} ${fmt(n, 2)}`).join(", ")}`,
    );
  });
}

runBenchmark(main);
