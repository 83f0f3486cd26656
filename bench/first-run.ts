// A job's first run in a process: jobs handed straight to the Deno runtime (no database,
// no HTTP), each in a process of the warm pool that has run no job yet (processes retire
// after one job), against the next runs in a reused process. Timed from runtime.start()
// to the handler's start (by Deno's clock) and to the outcome. Alone:
// `tsx bench/first-run.ts` (BENCH_FIRST_RUNS, default 8).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDenoRuntime, type DenoRuntime } from "../src-server/jobs/sandbox/index.ts";
import { silentLogger } from "../src-server/logger.ts";
import { noopJobSpec } from "./sandbox-alone.ts";
import { percentile, sleep, wallClock } from "./stats.ts";

export interface FirstRunFigures {
  /** Median ms from start() to the handler, and to the outcome. */
  first: { toHandlerMs: number; totalMs: number };
  reused: { toHandlerMs: number; totalMs: number };
}

const serverUrl = "http://127.0.0.1:9";
/** Long enough for the warm pool's replacement to have started before the next job. */
const PAUSE_MS = 1_000;

interface TimedRunsOptions {
  runs: number;
  /** The wait before each run. */
  pauseMs: number;
  /** The number of the first job (its id is made from it). */
  from: number;
}

async function timedRuns(runtime: DenoRuntime, { runs, pauseMs, from }: TimedRunsOptions) {
  const toHandler: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (pauseMs > 0) await sleep(pauseMs);
    const t0 = wallClock();
    let startedAt = NaN;
    const outcome = await runtime.start(noopJobSpec(from + i, serverUrl), {
      onProgress() {},
      onLog() {},
      onStart(at) {
        startedAt = at ?? NaN;
      },
    }).done;
    if (!outcome.ok) throw new Error(`job failed: ${JSON.stringify(outcome)}`);
    toHandler.push(startedAt - t0);
    total.push(wallClock() - t0);
  }
  return { toHandlerMs: percentile(toHandler, 50), totalMs: percentile(total, 50) };
}

export async function runFirstRun(options: { runs: number }): Promise<FirstRunFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-first-run-"));
  const make = (maxJobsPerProcess: number) =>
    createDenoRuntime({ cacheDir: dir, logger: silentLogger, serverUrl, maxJobsPerProcess });
  try {
    const fresh = make(1);
    // The first job also makes the code ready (esbuild): not part of a process's first run.
    await timedRuns(fresh, { runs: 1, pauseMs: PAUSE_MS, from: 0 });
    const first = await timedRuns(fresh, { runs: options.runs, pauseMs: PAUSE_MS, from: 1 });
    await fresh.close();
    const kept = make(500);
    await timedRuns(kept, { runs: 2, pauseMs: 0, from: 100 });
    const reused = await timedRuns(kept, { runs: options.runs, pauseMs: 0, from: 200 });
    await kept.close();
    return { first, reused };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function firstRunLine(f: FirstRunFigures): string {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  return (
    `a job's first run in a pre-started process (p50): start -> handler ${ms(f.first.toHandlerMs)}, ` +
    `-> outcome ${ms(f.first.totalMs)}; in a reused process: ${ms(f.reused.toHandlerMs)}, ${ms(f.reused.totalMs)}`
  );
}

if (process.argv[1]?.endsWith("first-run.ts")) {
  const runs = Number(process.env.BENCH_FIRST_RUNS ?? 8);
  console.log(firstRunLine(await runFirstRun({ runs })));
}
