// The sandbox alone: jobs handed straight to the Deno runtime (no database, no HTTP),
// 20 at a time, with the context a worker builds (tokens, secrets, environment), beside
// the floor of a bare Deno process echoing newline-JSON. CPU per job, server and Deno.
// Alone: `tsx bench/sandbox-alone.ts` (BENCH_SANDBOX_JOBS, BENCH_SANDBOX_LANES: default
// 2,000 jobs over 20 lanes; BENCH_SANDBOX_MAX_JOBS: jobs per process before it is
// retired, default the runtime's 500; BENCH_NO_ECHO=1 skips the floor).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { createDenoRuntime } from "../src-server/jobs/sandbox/index.ts";
import { resolveDenoPath } from "../src-server/jobs/sandbox/deno-binary.ts";
import { signJobTokens } from "../src-server/jobs/worker/job-tokens.ts";
import type { JobRunSpec } from "../src-server/jobs/worker/runtime.ts";
import { silentLogger } from "../src-server/logger.ts";
import { cpuSince, cpuSnapshot } from "./cpu.ts";

export interface SandboxAloneFigures {
  jobsPerSecond: number;
  serverMsPerJob: number;
  denoMsPerJob: number;
}

/** The i-th no-op job as a worker would hand it to the sandbox (tokens, permissions, context). */
export function noopJobSpec(
  i: number,
  serverUrl: string,
  code = "export function handler() { return null; }",
): JobRunSpec {
  const key = { id: `job-${i}`, workerId: "bench", retryCount: 0 };
  const tokens = signJobTokens({
    secret: "x".repeat(32),
    attempt: key,
    user: null,
    ttlSeconds: 360,
  });
  return {
    jobId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    jobName: "noop",
    namespace: "default",
    functionId: "f1",
    functionVersion: 1,
    code,
    payload: {},
    retryCount: 0,
    user: null,
    permissions: {
      allowNet: true,
      allowEnv: true,
      allowRead: false,
      allowWrite: false,
      memoryLimitMb: 256,
    },
    env: {},
    serverUrl,
    userToken: tokens.userToken,
    serviceToken: tokens.serviceToken,
    secrets: { user: {}, system: {} },
  };
}

export async function runSandboxAlone(options: {
  jobs: number;
  concurrency: number;
  /** Jobs per process before it is retired (default the runtime's). */
  maxJobsPerProcess?: number;
}): Promise<SandboxAloneFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-sandbox-"));
  const serverUrl = "http://127.0.0.1:9";
  const runtime = createDenoRuntime({
    cacheDir: dir,
    logger: silentLogger,
    serverUrl,
    maxJobsPerProcess: options.maxJobsPerProcess,
  });
  let next = 0;
  const lane = async () => {
    while (next < options.jobs) {
      const outcome = await runtime.start(noopJobSpec(next++, serverUrl), {
        onProgress() {},
        onLog() {},
      }).done;
      if (!outcome.ok) throw new Error(`job failed: ${outcome.error}`);
    }
  };
  // Warm up: each lane's process has run a job before the clock starts.
  const warm = Math.min(options.jobs, options.concurrency * 2);
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < warm) {
        await runtime.start(noopJobSpec(next++, serverUrl), { onProgress() {}, onLog() {} }).done;
      }
    }),
  );
  next = 0;
  const cpu0 = cpuSnapshot();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(cpu0);
  await runtime.close();
  await rm(dir, { recursive: true, force: true });
  return {
    jobsPerSecond: options.jobs / seconds,
    serverMsPerJob: cpu.serverMs / options.jobs,
    denoMsPerJob: cpu.denoMs / options.jobs,
  };
}

// The floor: what a Deno process costs that reads newline-JSON from stdin the way the
// sandbox's runtime does (Deno.stdin.read into one buffer, src-runtime/stdin.ts) and
// answers each line on stdout, doing nothing else. The answer carries when the line was
// read, on the wall clock (latency-floor.ts).
export const ECHO = `
const buffer = new Uint8Array(16384); const decoder = new TextDecoder(); const encoder = new TextEncoder();
let rest = "";
for (;;) {
  const n = await Deno.stdin.read(buffer);
  if (n === null) break;
  const lines = (rest + decoder.decode(buffer.subarray(0, n), { stream: true })).split("\\n"); rest = lines.pop();
  for (const line of lines) { const m = JSON.parse(line); const at = performance.timeOrigin + performance.now(); Deno.stdout.writeSync(encoder.encode(JSON.stringify({ id: m.id, ok: true, at }) + "\\n")); }
}`;

/** One bare Deno process answering newline-JSON, one message in flight at a time per process. */
export async function runDenoEcho(options: {
  messages: number;
  processes: number;
}): Promise<SandboxAloneFigures> {
  const children = Array.from({ length: options.processes }, () =>
    spawn(resolveDenoPath(), ["eval", "--quiet", ECHO], { stdio: ["pipe", "pipe", "inherit"] }),
  );
  // One line reader per process for the whole run: a second reader on the same stream
  // would see the same lines, and the first one, left unread, pauses the stream once its
  // buffer fills.
  const answers = children.map((child) =>
    createInterface({ input: child.stdout! })[Symbol.asyncIterator](),
  );
  const roundTrips = async (count: number) =>
    Promise.all(
      children.map(async (child, c) => {
        for (let i = 0; i < count; i++) {
          child.stdin!.write(JSON.stringify({ id: i, payload: {} }) + "\n");
          await answers[c]!.next();
        }
      }),
    );
  await roundTrips(10);
  const per = Math.ceil(options.messages / options.processes);
  const cpu0 = cpuSnapshot();
  const t0 = performance.now();
  await roundTrips(per);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(cpu0);
  for (const child of children) child.kill();
  const total = per * options.processes;
  return {
    jobsPerSecond: total / seconds,
    serverMsPerJob: cpu.serverMs / total,
    denoMsPerJob: cpu.denoMs / total,
  };
}

if (process.argv[1]?.endsWith("sandbox-alone.ts")) {
  const jobs = Number(process.env.BENCH_SANDBOX_JOBS ?? 2000);
  const lanes = Number(process.env.BENCH_SANDBOX_LANES ?? 20);
  const maxJobs = process.env.BENCH_SANDBOX_MAX_JOBS;
  const figures = await runSandboxAlone({
    jobs,
    concurrency: lanes,
    maxJobsPerProcess: maxJobs ? Number(maxJobs) : undefined,
  });
  console.log(
    `sandbox alone, ${lanes} lanes: ${figures.jobsPerSecond.toFixed(0)} jobs/s; CPU per job: server ${figures.serverMsPerJob.toFixed(2)} ms, Deno ${figures.denoMsPerJob.toFixed(2)} ms`,
  );
  if (process.env.BENCH_NO_ECHO) process.exit(0);
  const echo = await runDenoEcho({ messages: jobs * 2, processes: 20 });
  console.log(
    `Deno echo floor, 20 processes: ${echo.jobsPerSecond.toFixed(0)} round trips/s; CPU per round trip: server ${echo.serverMsPerJob.toFixed(2)} ms, Deno ${echo.denoMsPerJob.toFixed(2)} ms`,
  );
}
