// The memory of a warm Deno process: one the sandbox runtime starts ahead of time for the
// next job (its warm pool, jobs/sandbox/warm-processes.ts), read once it has started and
// warmed up and waits on stdin (asleep, its CPU time no longer moving). Each sample is a
// runtime of its own, so each is a fresh process, set up as the server's are; one start
// before them makes the runtime's bundle and Deno's code cache, which a running server has
// (so its processes read the cache rather than compile and write it). Alone:
// `tsx bench/warm-rss.ts` (BENCH_WARM_SAMPLES, default 3). docs/architecture.md,
// "Sandbox memory".
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDenoRuntime } from "../src-server/jobs/sandbox/index.ts";
import { silentLogger } from "../src-server/logger.ts";
import { denoPids, ownCpuMs, readStatFields } from "./cpu.ts";
import { statusMb } from "./startup.ts";
import { fmt, until } from "./stats.ts";

export interface WarmProcessMemory {
  rssMb: number;
  anonMb: number;
  fileMb: number;
}

const POLL_MS = 100;
/** Polls in a row with the same CPU time that count as settled. */
const STILL_POLLS = 5;

async function settledProcess(): Promise<WarmProcessMemory> {
  let pid: number | undefined;
  await until(async () => (pid = denoPids()[0]) !== undefined, POLL_MS, 30_000);
  const stat = `/proc/${pid!}/stat`;
  let last = -1;
  let still = 0;
  await until(
    async () => {
      const fields = readStatFields(stat) ?? [];
      const cpu = ownCpuMs(fields);
      // Asleep ("S"), not waiting for a core: on a busy machine a sandbox (SCHED_IDLE) can go
      // without CPU time for a while before it has finished its warm-up.
      still = cpu === last && fields[0] === "S" ? still + 1 : 0;
      last = cpu;
      return still >= STILL_POLLS;
    },
    POLL_MS,
    30_000,
  );
  return {
    rssMb: statusMb(pid!, "VmRSS"),
    anonMb: statusMb(pid!, "RssAnon"),
    fileMb: statusMb(pid!, "RssFile"),
  };
}

export async function runWarmRss(options: { samples: number }): Promise<WarmProcessMemory[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-warm-rss-"));
  const samples: WarmProcessMemory[] = [];
  try {
    for (let i = -1; i < options.samples; i++) {
      const runtime = createDenoRuntime({
        cacheDir: dir,
        logger: silentLogger,
        serverUrl: "http://127.0.0.1:9",
        warmProcessCount: 1,
      });
      try {
        const memory = await settledProcess();
        if (i >= 0) samples.push(memory);
      } finally {
        await runtime.close();
      }
    }
    return samples;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function warmRssLine(samples: WarmProcessMemory[]): string {
  const each = samples.map((s) => fmt(s.rssMb, 1)).join(" ");
  const mean = (pick: (s: WarmProcessMemory) => number) =>
    fmt(samples.reduce((sum, s) => sum + pick(s), 0) / Math.max(1, samples.length), 1);
  return (
    `a warm Deno process (pre-started, waiting for its first job), ${samples.length} starts: ` +
    `RSS ${each} MB (anon ${mean((s) => s.anonMb)}, file ${mean((s) => s.fileMb)} on average)`
  );
}

if (process.argv[1]?.endsWith("warm-rss.ts")) {
  const samples = Number(process.env.BENCH_WARM_SAMPLES ?? 3);
  console.log(warmRssLine(await runWarmRss({ samples })));
}
