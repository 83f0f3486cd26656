// npm run bench: prints queue-path and full-path figures, each beside a minimal
// SKIP LOCKED loop measured on the same embedded PostgreSQL in the same run.
import { withBenchPostgres } from "./bench-postgres.ts";
import { runBaselineLoop } from "./baseline-loop.ts";
import { runFullPath } from "./full-path.ts";
import { firstRunLine, runFirstRun } from "./first-run.ts";
import { runWarmRss, warmRssLine } from "./warm-rss.ts";
import { floorLine, runLatencyFloor } from "./latency-floor.ts";
import { runQueuePath } from "./queue-path.ts";
import { runDenoEcho, runSandboxAlone, type SandboxAloneFigures } from "./sandbox-alone.ts";
import { runStartup } from "./startup.ts";
import { runSubmitPath, submitLines } from "./submit-path.ts";
import { fmt, runBenchmark } from "./stats.ts";

const QUEUE_JOBS = Number(process.env.BENCH_QUEUE_JOBS ?? 20_000);
const FULL_JOBS = Number(process.env.BENCH_FULL_JOBS ?? 2_000);
const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 3_000);

async function main() {
  await withBenchPostgres(async (pg) => {
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
      `full path drain (HTTP -> Deno), 4x5 slots, warm pool (clock after a ${full.cold.jobs}-job warm-up batch): ${fmt(full.drainPerSecond, 1)} jobs/s  (${fmt(full.drainPerSecond / loop, 3)} of the loop)`,
    );
    console.log(
      `  its warm-up batch from pool start (process starts, first imports): ${fmt(full.cold.perSecond, 1)} jobs/s; Deno CPU per job ${fmt(full.cold.cpuPerJob.denoMs, 2)} ms`,
    );
    const c = full.cpuPerJob;
    console.log(
      `full path CPU per job during the drain: server ${fmt(c.serverMs, 2)} ms, Deno ${fmt(c.denoMs, 2)} ms, PostgreSQL ${fmt(c.postgresMs, 2)} ms`,
    );
    console.log(
      `full path submit -> handler start @20/s (client in its own process; start by Deno's clock):  p50 ${fmt(full.p50Ms, 1)} ms, p99 ${fmt(full.p99Ms, 1)} ms`,
    );
    const l = full.latencyP50Ms;
    console.log(
      `  its parts (p50): HTTP submit ${fmt(l.submit, 1)} ms; answer -> sandbox start (wake, claim, context) ${fmt(l.toRuntime, 1)} ms; sandbox start -> handler ${fmt(l.toHandler, 1)} ms`,
    );
    console.log(floorLine(await runLatencyFloor({ url: pg.connectionString })));
    console.log(firstRunLine(await runFirstRun({ runs: 8 })));
    const rss = full.denoRss.map(
      (d) => `${fmt(d.rssMb, 0)}/${fmt(d.privateMb, 0)}/${fmt(d.pssMb, 0)}`,
    );
    console.log(
      `Deno processes kept after the drain: ${rss.length}, RSS/private/PSS MB each (PSS shares the binary's pages among them): ${rss.join(" ") || "none"}`,
    );
    console.log(warmRssLine(await runWarmRss({ samples: 3 })));

    const sandbox = await runSandboxAlone({ jobs: FULL_JOBS, concurrency: 20 });
    const echo = await runDenoEcho({ messages: FULL_JOBS * 2, processes: 20 });
    console.log(
      `sandbox alone (no database), 20 lanes: ${fmt(sandbox.jobsPerSecond, 0)} jobs/s; Deno echo floor, 20 processes: ${fmt(echo.jobsPerSecond, 0)} round trips/s`,
    );
    printBudget(full, sandbox, echo);

    const submits = await runSubmitPath({ url: pg.connectionString, clients: 20, total: SUBMITS });
    for (const line of submitLines(20, submits)) console.log(line);
    if (only === "full") return;
    const start = await runStartup({ idleSeconds: 5 });
    console.log(
      `serve (via tsx): first run (initdb) -> ready ${fmt(start.firstRunMs / 1000, 2)} s; existing data dir -> ready ${fmt(start.restartMs / 1000, 2)} s (server CPU ${fmt(start.restartCpuMs / 1000, 2)} s); idle server RSS ${fmt(start.idleServerRssMb, 0)} MB (the Node process only; PostgreSQL and Deno are separate processes)`,
    );
  });
}

/** The per-job CPU budget: where the next regression lands (issue 17). */
function printBudget(
  full: Awaited<ReturnType<typeof runFullPath>>,
  sandbox: SandboxAloneFigures,
  echo: SandboxAloneFigures,
) {
  const ms = (n: number) => `${fmt(n, 2)} ms`;
  const rows: Array<[string, string]> = [
    ["HTTP submit: server", ms(full.submitCpuPerJob.serverMs)],
    ["HTTP submit: PostgreSQL", ms(full.submitCpuPerJob.postgresMs)],
    ["drain: server (claim, context, sandbox glue, completion, logs)", ms(full.cpuPerJob.serverMs)],
    [
      "  main thread (event loop: pg driver, claim loop, context, glue)",
      ms(full.serverThreadsPerJob.mainMs),
    ],
    [
      "  sandbox host thread (low priority: output relay, starts)",
      ms(full.serverThreadsPerJob.lowPriorityMs),
    ],
    [
      "  other threads (V8 garbage collector and compiler, libuv)",
      ms(full.serverThreadsPerJob.otherMs),
    ],
    [
      "  the sandbox's synchronous start, wall time (context, message)",
      ms(full.sandboxStartMsPerJob),
    ],
    [
      `    of a reused process (${fmt(full.reusedStart.share * 100, 0)}% of starts), per start`,
      ms(full.reusedStart.msPerStart),
    ],
    ["drain: Deno", ms(full.cpuPerJob.denoMs)],
    ["drain: PostgreSQL", ms(full.cpuPerJob.postgresMs)],
    ["sandbox alone: server / Deno", `${ms(sandbox.serverMsPerJob)} / ${ms(sandbox.denoMsPerJob)}`],
    ["Deno echo floor: server / Deno", `${ms(echo.serverMsPerJob)} / ${ms(echo.denoMsPerJob)}`],
    ...full.roundTripsPerJob.map(([kind, n]): [string, string] => [
      `round trips per job: ${kind}`,
      fmt(n, 2),
    ]),
  ];
  console.log("per-job budget (CPU per job from /proc; round trips counted):");
  for (const [name, value] of rows) console.log(`  ${name.padEnd(64)} ${value}`);
  console.log("  realtime: no subscriber during the drain (its triggers are off without a lease)");
}

runBenchmark(main);
