// npm run bench:load — is the API responsive under load? The real local stack (embedded
// PostgreSQL, the Deno sandbox unless BENCH_LOAD_RUNTIME=in-process) in this process; in
// separate processes: 300 realtime sockets on table:jobs.queue (the README's live-progress
// example; 200 of users, two per user, and 100 with the service key), and the HTTP traffic:
// 50 submitters (each its own user) submitting back to back for 20 s, while two probes time
// GET /health (20/s) and a submit (5/s). The probes run first alone (idle), then under the
// load; p50/p95/p99 are printed side by side, with the server's event-loop delay.
// Knobs: BENCH_LOAD_SECONDS (20), BENCH_LOAD_IDLE_SECONDS (5), BENCH_LOAD_SUBMITTERS (50),
// BENCH_LOAD_SOCKETS (300), BENCH_LOAD_ADMINS (100), BENCH_LOAD_PAUSE_MS (0),
// BENCH_LOAD_RUNTIME ("deno" | "in-process"), BENCH_LOAD_TRACE=1 (what PostgreSQL's backends
// wait on under load, sampled every 100 ms), BENCH_LOAD_CLIENT_NICE (10): the load generators
// (realtime clients, submitters) run this much below the server, standing in for clients on
// other machines; the probes run at the server's priority, so their figures are the server's.
// BENCH_LOAD_PG="name=value,…": PostgreSQL settings, for diagnosis (e.g. synchronous_commit=off).
// BENCH_LOAD_PROFILE=DIR: samples the server's main thread during the load phase, writes the
// .cpuprofile into DIR and prints where its time went (bench/load-profile.ts).
import { fork, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { signJwt } from "../src-server/auth/jwt.ts";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { createDb, type Db } from "../src-server/db/connections.ts";
import { createInProcessRuntime } from "../src-server/jobs/worker/in-process-runtime.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack, type LocalStack } from "../src-server/main.ts";
import { meterPhase, type PhaseCost } from "./load-cpu.ts";
import { saveProfile, startMainThreadProfile, summariseProfile } from "./load-profile.ts";
import type { ClientCommand } from "./realtime-clients.ts";
import type { LatencyFigures, TrafficCommand, TrafficFigures } from "./load-traffic.ts";
import { createBenchFunction } from "./functions.ts";
import { fmt, runBenchmark, sleep } from "./stats.ts";

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_LOAD_IDLE_SECONDS ?? 5);
const SUBMITTERS = Number(process.env.BENCH_LOAD_SUBMITTERS ?? 50);
const SOCKETS = Number(process.env.BENCH_LOAD_SOCKETS ?? 300);
const ADMINS = Math.min(SOCKETS, Number(process.env.BENCH_LOAD_ADMINS ?? 100));
const PAUSE_MS = Number(process.env.BENCH_LOAD_PAUSE_MS ?? 0);
const RUNTIME = process.env.BENCH_LOAD_RUNTIME === "in-process" ? "in-process" : "deno";
const TRACE = process.env.BENCH_LOAD_TRACE === "1";
const CLIENT_NICE = Number(process.env.BENCH_LOAD_CLIENT_NICE ?? 10);
const PROFILE_DIR = process.env.BENCH_LOAD_PROFILE;
const SOCKETS_PER_USER = 2;
const JOB = "progress";
/** The job: four progress reports 50 ms apart, as a job showing live progress would. */
const JOB_CODE = `export async function handler(req, fluxbase, fluxbaseService, job) {
  for (let i = 1; i <= 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    job.reportProgress(i * 25, "#" + i);
  }
  return { steps: 4 };
}`;

function ask<T>(child: ChildProcess, command: ClientCommand | TrafficCommand): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(command);
  });
}

async function createUsers(db: Db, secret: string, count: number): Promise<string[]> {
  const rows = await db.query<{ id: string; email: string }>(
    `INSERT INTO auth.users (email, password_hash)
     SELECT 'load-' || i || '@example.com', 'x' FROM generate_series(1, $1) i RETURNING id, email`,
    [count],
  );
  return rows.map((r) =>
    signJwt(
      { sub: r.id, role: "authenticated", email: r.email, token_type: "access" },
      { secret, expiresIn: 3600 },
    ),
  );
}

/** Samples pg_stat_activity until `done`; returns "state/wait event" counts, most common first. */
async function sampleWaits(db: Db, done: Promise<unknown>): Promise<string> {
  const counts = new Map<string, number>();
  let finished = false;
  void done.finally(() => (finished = true));
  let samples = 0;
  while (!finished) {
    const rows = await db.query<{ key: string; n: number }>(
      `SELECT coalesce(state, '?') || ' ' || coalesce(wait_event_type || ':' || wait_event, 'cpu') || ' ' || left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 50) AS key, count(*) AS n
       FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state <> 'idle' GROUP BY 1`,
    );
    for (const r of rows) counts.set(r.key, (counts.get(r.key) ?? 0) + r.n);
    samples++;
    await sleep(100);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15)
    .map(([k, n]) => `  ${fmt(n / samples, 2).padStart(6)}  ${k}`)
    .join("\n");
}

/** The server's event-loop delay and utilisation, and what `fn` cost (CPU, write calls). */
async function observed<T>(generators: Record<string, number | undefined>, fn: () => Promise<T>) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const elu = performance.eventLoopUtilization();
  const meter = meterPhase(generators);
  const started = performance.now();
  loop.enable();
  try {
    const result = await fn();
    loop.disable();
    const cost = meter.stop();
    return {
      result,
      cost,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
      loopUtilisation: performance.eventLoopUtilization(elu).utilization,
      serverCpuShare: cost.stack.serverMs / (performance.now() - started),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    loop.disable();
  }
}

/** "name a.b ms" for each cost, per job. */
function perJob(cost: PhaseCost, jobs: number): string {
  const per = (ms: number) => fmt(ms / Math.max(1, jobs), 2);
  const s = cost.stack;
  return (
    `server ${per(s.serverMs)} (main thread ${per(cost.mainThreadMs)}, other threads ${per(s.serverMs - cost.mainThreadMs)}), ` +
    `PostgreSQL ${per(s.postgresMs)}, Deno ${per(s.denoMs)}; load generators: ` +
    Object.entries(cost.generatorsMs)
      .map(([name, ms]) => `${name} ${per(ms)}`)
      .join(", ") +
    ` ms; server write calls ${fmt(cost.serverWriteCalls / Math.max(1, jobs), 1)}`
  );
}

const cell = (f: LatencyFigures) =>
  `p50 ${fmt(f.p50Ms, 1).padStart(7)}  p95 ${fmt(f.p95Ms, 1).padStart(7)}  p99 ${fmt(f.p99Ms, 1).padStart(7)} ms` +
  ` (n ${f.count}${f.errors ? `, ${f.errors} errors` : ""})`;

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-load-"));
  await chmod(dir, 0o755);
  // BENCH_LOAD_PG="synchronous_commit=off,…" (diagnosis only: how much is waiting for the disk).
  const settings = Object.fromEntries(
    (process.env.BENCH_LOAD_PG ?? "")
      .split(",")
      .filter(Boolean)
      .map((kv) => kv.split("=") as [string, string]),
  );
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(dir, "pg"),
    database: "bench",
    settings,
  });
  let stack: LocalStack | undefined;
  const children: ChildProcess[] = [];
  const spawn = (file: string, nice = 0) => {
    const child = fork(fileURLToPath(new URL(file, import.meta.url)));
    children.push(child);
    if (nice > 0 && child.pid) os.setPriority(child.pid, Math.min(19, os.getPriority() + nice));
    return child;
  };
  try {
    const defaults = defaultServerConfig(dir);
    const config = {
      ...defaults,
      port: 0,
      databaseUrl: pg.connectionString,
      dataDir: path.join(dir, "data"),
      logLevel: "silent" as const,
      jobs: {
        ...defaults.jobs,
        autoLoadOnBoot: false,
        defaultMaxRetries: 0,
        gracefulShutdownTimeoutMs: 1_000,
      },
    };
    const runtime =
      RUNTIME === "in-process"
        ? createInProcessRuntime({
            async [JOB](job) {
              for (let i = 1; i <= 4; i++) {
                await sleep(50);
                job.reportProgress(i * 25, `#${i}`);
              }
              return { steps: 4 };
            },
          })
        : undefined;
    stack = await startLocalStack({
      config,
      logger: silentLogger,
      ...(runtime ? { runtime } : {}),
    });
    const db = createDb({ connectionString: pg.connectionString, max: 4 });
    await createBenchFunction(db, { name: JOB, code: JOB_CODE });
    const userSockets = SOCKETS - ADMINS;
    const userCount = Math.max(SUBMITTERS + 1, Math.ceil(userSockets / SOCKETS_PER_USER));
    const tokens = await createUsers(db, stack.keys.jwtSecret, userCount);
    const [probeToken] = tokens.splice(tokens.length - 1, 1);
    const w = config.jobs;
    console.log(
      `load: ${SUBMITTERS} submitters x ${SECONDS} s (pause ${PAUSE_MS} ms), ${SOCKETS} realtime sockets ` +
        `(${userSockets} of users, ${ADMINS} admin); probes /health 20/s, submit 5/s; runtime ${RUNTIME}; ` +
        `${w.embeddedWorkerCount} workers x ${w.maxConcurrentPerWorker} slots; ${os.cpus().length} cores, load average ${os
          .loadavg()
          .map((x) => fmt(x, 1))
          .join(" ")}`,
    );

    const traffic = spawn("./load-traffic.ts");
    const submitters = spawn("./load-traffic.ts", CLIENT_NICE);
    const probes = {
      type: "run",
      url: stack.url,
      jobName: JOB,
      probeToken: probeToken!,
      healthPerSecond: 20,
      submitPerSecond: 5,
    } as const;
    const idle = await observed({ probes: traffic.pid }, () =>
      ask<{ figures: TrafficFigures }>(traffic, {
        ...probes,
        seconds: IDLE_SECONDS,
        submitterTokens: [],
        pauseMs: 0,
      }),
    );

    const clients = spawn("./realtime-clients.ts", CLIENT_NICE);
    const owners = Array.from({ length: userSockets }, (_, i) => tokens[i % tokens.length]!);
    await ask(clients, {
      type: "connect",
      url: stack.url,
      anonKey: stack.keys.anonKey,
      owners,
      serviceKey: stack.keys.serviceKey,
      admins: ADMINS,
    });
    const received = async () =>
      (await ask<{ received: number }>(clients, { type: "count" })).received;
    const [before] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM jobs.queue WHERE status = 'completed'",
    );
    const loading = ask<{ figures: TrafficFigures }>(submitters, {
      ...probes,
      healthPerSecond: 0,
      submitPerSecond: 0,
      seconds: SECONDS,
      submitterTokens: tokens.slice(0, SUBMITTERS),
      pauseMs: PAUSE_MS,
    });
    const probing = ask<{ figures: TrafficFigures }>(traffic, {
      ...probes,
      seconds: SECONDS,
      submitterTokens: [],
      pauseMs: 0,
    });
    const running = Promise.all([probing, loading]).then(([p, s]) => ({
      figures: { ...p.figures, submitters: s.figures.submitters },
    }));
    const waits = TRACE ? sampleWaits(db, running) : undefined;
    const profiler = PROFILE_DIR ? await startMainThreadProfile() : undefined;
    const load = await observed(
      { "realtime clients": clients.pid, submitters: submitters.pid, probes: traffic.pid },
      () => running,
    );
    const profile = await profiler?.stop();
    const [after] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM jobs.queue WHERE status = 'completed'",
    );
    const [sent] = await db.query<{ n: number }>("SELECT count(*) AS n FROM jobs.queue");

    const i = idle.result.figures;
    const l = load.result.figures;
    console.log(
      `                      idle                                                  under load`,
    );
    console.log(`/health             ${cell(i.health)}   ${cell(l.health)}`);
    console.log(`submit (probe)      ${cell(i.submitProbe)}   ${cell(l.submitProbe)}`);
    console.log(`submit (submitters) ${" ".repeat(56)}   ${cell(l.submitters)}`);
    console.log(
      `server event loop delay p99 ${fmt(idle.loopP99Ms, 1)} ms idle, ${fmt(load.loopP99Ms, 1)} ms under load ` +
        `(max ${fmt(load.loopMaxMs, 1)} ms); event loop busy ${fmt(100 * idle.loopUtilisation, 0)}% idle, ${fmt(100 * load.loopUtilisation, 0)}% under load; ` +
        `server CPU ${fmt(100 * idle.serverCpuShare, 0)}% idle, ${fmt(100 * load.serverCpuShare, 0)}% under load (100% = one core)`,
    );
    const submitted = l.submitters.count + l.submitProbe.count;
    console.log(`CPU per submitted job under load (ms): ${perJob(load.cost, submitted)}`);
    // What the server spends with no submitters (probes, heartbeats, pings): part of each
    // figure above when few jobs are submitted, as on a machine busy with other work.
    // Per second of the phase as it ran (a loaded machine stretches it past its nominal length).
    const perSecond = (ms: number, seconds: number) => fmt(ms / seconds, 0);
    console.log(
      `server main thread CPU: ${perSecond(idle.cost.mainThreadMs, idle.seconds)} ms/s idle (probes only), ` +
        `${perSecond(load.cost.mainThreadMs, load.seconds)} ms/s under load; waited for a CPU while runnable: ` +
        `${perSecond(idle.cost.mainThreadWaitedMs, idle.seconds)} ms/s idle, ${perSecond(load.cost.mainThreadWaitedMs, load.seconds)} ms/s under load`,
    );
    console.log(
      `under load: ${fmt(l.submitters.count / SECONDS, 0)} submits/s, ${after!.n - before!.n} jobs completed ` +
        `(${fmt((after!.n - before!.n) / SECONDS, 1)}/s), ${sent!.n} jobs in all, ${await received()} realtime messages delivered`,
    );
    if (profile && PROFILE_DIR) {
      console.log(
        `server main thread under load, sampled (${await saveProfile(profile, PROFILE_DIR)}):`,
      );
      console.log(summariseProfile(profile));
    }
    if (waits) {
      console.log(
        `PostgreSQL backends busy, average per sample (state, wait event, query):\n${await waits}`,
      );
    }
    const exited = new Promise((resolve) => clients.once("exit", resolve));
    clients.send({ type: "stop" } satisfies ClientCommand);
    await Promise.race([exited, sleep(5_000)]);
    await db.end();
  } finally {
    for (const child of children) child.kill();
    await stack?.stop();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
