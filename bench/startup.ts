// Start time and memory of a real `serve` process (run through tsx, as `npm run cli`):
// a first run on an empty data dir (initdb, migrations) to "ready", a second start on
// the same data dir to "ready", then the server's resident memory once idle. Linux only
// for the memory figure (/proc). Run alone (`npx tsx bench/startup.ts`) it also prints the
// RSS's anonymous and file-backed parts, and the RSS again once V8's memory reducer has had
// time to hand back the start's young generation (it waits for a quiet spell of its own).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ownCpuMs, readStatFields } from "./cpu.ts";
import { sleep } from "./stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface StartupFigures {
  firstRunMs: number;
  restartMs: number;
  /** CPU (user + system) the server process used from its start to "ready", on the existing data dir. */
  restartCpuMs: number;
  /**
   * The server process (Node, every thread), after it has been idle a while; embedded
   * PostgreSQL and the warm Deno processes are processes of their own, not counted.
   */
  idleServerRssMb: number;
  /** Its anonymous (heaps, malloc) and file-backed (the node binary's pages) parts. */
  idleServerRssAnonMb: number;
  idleServerRssFileMb: number;
  /** VmRSS after `settledSeconds` of idle in all (when asked for). */
  settledServerRssMb?: number;
}

/** CPU time (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  const fields = readStatFields(`/proc/${pid}/stat`);
  return fields ? ownCpuMs(fields) : NaN;
}

export function statusMb(pid: number, field: string, file = "status"): number {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function startServer(dataDir: string, jobsDir: string) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "src-server/cli/main.ts", "serve", "--port", "0"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        FLUXBASE_DATA_DIR: dataDir,
        FLUXBASE_JOBS_DIR: jobsDir,
        FLUXBASE_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" in 60 s:\n${output}`)), 60_000);
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => (output += d));
    child.stdout!.on("data", (d: string) => {
      output += d;
      if (output.includes("ready at")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}):\n${output}`)));
  });
  return { child, readyMs: performance.now() - t0, cpuMs: processCpuMs(child.pid!) };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export async function runStartup(options: {
  idleSeconds: number;
  /** Also read VmRSS once the server has been idle this long in all. */
  settledSeconds?: number;
}): Promise<StartupFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-start-"));
  const dataDir = path.join(dir, "data");
  const jobsDir = path.join(dir, "jobs");
  await mkdir(jobsDir);
  try {
    const first = await startServer(dataDir, jobsDir);
    await stop(first.child);
    const second = await startServer(dataDir, jobsDir);
    await sleep(options.idleSeconds * 1000);
    const pid = second.child.pid!;
    const figures: StartupFigures = {
      firstRunMs: first.readyMs,
      restartMs: second.readyMs,
      restartCpuMs: second.cpuMs,
      idleServerRssMb: statusMb(pid, "VmRSS"),
      idleServerRssAnonMb: statusMb(pid, "RssAnon"),
      idleServerRssFileMb: statusMb(pid, "RssFile"),
    };
    if (options.settledSeconds !== undefined) {
      const rest = Math.max(0, options.settledSeconds - options.idleSeconds);
      await sleep(rest * 1000);
      figures.settledServerRssMb = statusMb(pid, "VmRSS");
    }
    await stop(second.child);
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const f = await runStartup({ idleSeconds: 5, settledSeconds: 60 });
  const mb = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(0));
  console.log(
    `existing data dir -> ready ${(f.restartMs / 1000).toFixed(2)} s (server CPU ${(f.restartCpuMs / 1000).toFixed(2)} s); ` +
      `idle server RSS ${mb(f.idleServerRssMb)} MB (anon ${mb(f.idleServerRssAnonMb)}, file ${mb(f.idleServerRssFileMb)}) after 5 s, ` +
      `${mb(f.settledServerRssMb)} MB after 60 s`,
  );
}
