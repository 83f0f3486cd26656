// One warm Deno sandbox's memory (docs/architecture.md, "Sandbox memory"): a runtime as the
// server builds it runs JOBS no-op jobs (default 3) in one reused process, then the idle
// process's /proc status and smaps_rollup are read (what `npm run bench` prints as "Deno
// processes kept after the drain", for one process). Knobs: JOB_CODE (the job's code),
// PRINT=1 (each outcome), CACHE_DIR (a lasting sandbox cache, as a server has: Deno's
// code cache is then read, not written), ENTRY / DENO_PATH (another entry or deno, e.g. a
// wrapper script adding flags), SMAPS=<script taking a pid> (a per-mapping breakdown),
// MAX_JOBS (jobs per process before it is retired; default the runtime's 500, so JOBS=500
// or more leaves no process to read unless MAX_JOBS is raised), WARM=1 (also start a
// process ahead of time, as the server's warm pool does: with JOBS=0 it is the only one
// read, a pre-started process that has run no job yet; give it time to start with
// SETTLE_MS, the wait before reading, default 300).
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDenoRuntime } from "../src-server/jobs/sandbox/index.ts";
import { noopJobSpec } from "./sandbox-alone.ts";
import { silentLogger } from "../src-server/logger.ts";
import { denoPids } from "./cpu.ts";
import { statusMb } from "./startup.ts";
import { sleep } from "./stats.ts";

const serverUrl = "http://127.0.0.1:9";

const spec = (i: number, code: string) => noopJobSpec(i, serverUrl, code);

const jobs = Number(process.env.JOBS ?? 3);
const code = process.env.JOB_CODE ?? "export function handler() { return null; }";
const dir = process.env.CACHE_DIR ?? (await mkdtemp(path.join(tmpdir(), "fluxbase-deno-rss-")));
const runtime = createDenoRuntime({
  cacheDir: dir,
  logger: silentLogger,
  serverUrl,
  warmProcessCount: Number(process.env.WARM ?? 0),
  maxJobsPerProcess: process.env.MAX_JOBS ? Number(process.env.MAX_JOBS) : undefined,
  entryPath: process.env.ENTRY,
  denoPath: process.env.DENO_PATH,
});
for (let i = 0; i < jobs; i++) {
  const outcome = await runtime.start(spec(i, code), { onProgress() {}, onLog() {} }).done;
  if (!outcome.ok) throw new Error(`job failed: ${JSON.stringify(outcome)}`);
  if (process.env.PRINT) console.log(JSON.stringify(outcome));
}
await sleep(Number(process.env.SETTLE_MS ?? 300));
const pids = denoPids();
if (pids.length === 0)
  console.log("no Deno process left: the last job's process was retired (raise MAX_JOBS)");
for (const pid of pids) {
  const mb = (v: number) => v.toFixed(1);
  const s = (n: string) => mb(statusMb(pid, n));
  const rollup = (n: string) => statusMb(pid, n, "smaps_rollup");
  console.log(
    `pid ${pid}: RSS ${s("VmRSS")} (anon ${s("RssAnon")} file ${s("RssFile")}) PSS ${mb(rollup("Pss"))} private ${mb(rollup("Private_Clean") + rollup("Private_Dirty"))} HWM ${s("VmHWM")}`,
  );
  if (process.env.SMAPS)
    console.log(execFileSync("python3", [process.env.SMAPS, String(pid)], { encoding: "utf8" }));
}
await runtime.close();
if (!process.env.CACHE_DIR) await rm(dir, { recursive: true, force: true });
