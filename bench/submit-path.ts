// HTTP submit alone: `clients` concurrent clients, in a process of their own
// (submit-clients.ts), each submitting back to back over the real stack (no worker claims
// the jobs), beside its floor: the same number of connections each inserting one row at a
// time into a bare table. Besides throughput and latency it prints what one submit costs:
// CPU milliseconds of the server process and of PostgreSQL, and the statements the server
// sent, per submit. CPU per submit is the figure that stays meaningful on a loaded machine.
// Alone: npx tsx bench/submit-path.ts  (BENCH_SUBMITS, BENCH_SUBMIT_CLIENTS, BENCH_LOG_LEVEL,
// BENCH_PROFILE=<dir> for a .cpuprofile of the server per run)
import { withBenchPostgres } from "./bench-postgres.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "node:inspector/promises";
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { createDb } from "../src-server/db/connections.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack } from "../src-server/main.ts";
import { cpuSince, cpuSnapshot } from "./cpu.ts";
import { createBenchFunction } from "./functions.ts";
import { runInChild } from "./fork-client.ts";
import { fmt, percentile, runBenchmark } from "./stats.ts";
import type { SubmitLoadCommand, SubmitLoadResult } from "./submit-clients.ts";

export interface SubmitRun {
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** Server process CPU (every thread) per submit, in milliseconds. */
  serverCpuMs: number;
  /** The part of it spent in the kernel (sockets). */
  serverSystemMs: number;
  /** PostgreSQL CPU per submit (only when it runs embedded under this process). */
  postgresCpuMs: number;
  /** Statements the server process sent to PostgreSQL, per submit. */
  queriesPerSubmit: number;
}

export interface SubmitFigures extends SubmitRun {
  /** The same run with a signed-in user's access token instead of the service key. */
  user: SubmitRun;
  insertPerSecond: number;
}

async function bareInsertLoop(url: string, clients: number, total: number): Promise<number> {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(`DROP TABLE IF EXISTS public.bench_inserts;
    CREATE TABLE public.bench_inserts (id bigserial PRIMARY KEY, payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let left = total;
  const t0 = performance.now();
  await Promise.all(
    conns.map(async (c) => {
      while (left-- > 0) {
        await c.query("INSERT INTO public.bench_inserts (payload) VALUES ($1)", ['{"job":"noop"}']);
      }
    }),
  );
  const perSecond = total / ((performance.now() - t0) / 1000);
  await Promise.all(conns.map((c) => c.end()));
  await setup.query("DROP TABLE public.bench_inserts");
  await setup.end();
  return perSecond;
}

/** Counts the statements every pg client of this process sends while `fn` runs. */
async function countingQueries<T>(fn: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let queries = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
  try {
    return { value: await fn(), queries };
  } finally {
    proto.query = original;
  }
}

function runClients(command: SubmitLoadCommand): Promise<SubmitLoadResult> {
  return runInChild(new URL("./submit-clients.ts", import.meta.url), command);
}

/** With BENCH_PROFILE=<dir>: a .cpuprofile of this process (the server) while `fn` runs. */
async function profiling<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await fn();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(path.join(dir, `submit-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function timedRun(
  name: string,
  command: Omit<SubmitLoadCommand, "warmup">,
): Promise<SubmitRun> {
  const cpu0 = cpuSnapshot();
  const usage0 = process.cpuUsage();
  const { value: load, queries } = await profiling(name, () =>
    countingQueries(() => runClients({ ...command, warmup: command.clients * 10 })),
  );
  const cpu = cpuSince(cpu0);
  const usage = process.cpuUsage(usage0);
  // The warm-up ran inside the same window: it is counted out by its share of the requests.
  const submits = command.total + command.clients * 10;
  return {
    perSecond: command.total / (load.elapsedMs / 1000),
    p50Ms: percentile(load.latencies, 50),
    p95Ms: percentile(load.latencies, 95),
    serverCpuMs: cpu.serverMs / submits,
    serverSystemMs: usage.system / 1000 / submits,
    postgresCpuMs: cpu.postgresMs / submits,
    queriesPerSubmit: queries / submits,
  };
}

export async function runSubmitPath(options: {
  url: string;
  clients: number;
  total: number;
}): Promise<SubmitFigures> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-"));
  const defaults = defaultServerConfig(dir);
  const stack = await startLocalStack({
    config: {
      ...defaults,
      port: 0,
      databaseUrl: options.url,
      dataDir: path.join(dir, "data"),
      // BENCH_LOG_LEVEL=info: request logs on, as `serve` has them by default (to stderr).
      logLevel: (process.env.BENCH_LOG_LEVEL ?? "silent") as "silent",
      jobs: { ...defaults.jobs, workerMode: "disabled" as const, autoLoadOnBoot: false },
    },
    logger: silentLogger,
  });
  const db = createDb({ connectionString: options.url, max: 2 });
  await db.query("TRUNCATE jobs.queue, logging.entries CASCADE");
  await createBenchFunction(db);
  const body = JSON.stringify({ job_name: "noop", payload: {} });
  const json = { "content-type": "application/json" };
  const service = await timedRun("service-key", {
    url: stack.url,
    headers: { ...json, authorization: `Bearer ${stack.keys.serviceKey}` },
    body,
    clients: options.clients,
    total: options.total,
  });
  const signUp = await fetch(`${stack.url}/api/v1/auth/signup`, {
    method: "POST",
    headers: { ...json, apikey: stack.keys.anonKey },
    body: JSON.stringify({
      email: `bench-${Date.now()}@example.com`,
      password: "correct horse battery",
    }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${await signUp.text()}`);
  const { access_token: token } = (await signUp.json()) as { access_token: string };
  const user = await timedRun("user-token", {
    url: stack.url,
    headers: { ...json, authorization: `Bearer ${token}` },
    body,
    clients: options.clients,
    total: options.total,
  });
  await db.query("TRUNCATE jobs.queue CASCADE");
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  const insertPerSecond = await bareInsertLoop(options.url, options.clients, options.total);
  return { ...service, user, insertPerSecond };
}

/** The bench lines of one run (also printed by `npm run bench`). */
export function submitLines(clients: number, f: SubmitFigures): string[] {
  const cost = (r: SubmitRun) =>
    `CPU per submit: server ${fmt(r.serverCpuMs, 3)} ms (kernel ${fmt(r.serverSystemMs, 3)}), PostgreSQL ${fmt(r.postgresCpuMs, 3)} ms; ${fmt(r.queriesPerSubmit, 2)} statements`;
  return [
    `HTTP submit alone, ${clients} clients: ${fmt(f.perSecond, 0)} jobs/s, p50 ${fmt(f.p50Ms, 1)} ms, p95 ${fmt(f.p95Ms, 1)} ms  (bare INSERT loop, ${clients} connections: ${fmt(f.insertPerSecond, 0)}/s)`,
    `  service key: ${cost(f)}`,
    `  user token:  ${fmt(f.user.perSecond, 0)} jobs/s, p50 ${fmt(f.user.p50Ms, 1)} ms, p95 ${fmt(f.user.p95Ms, 1)} ms; ${cost(f.user)}`,
  ];
}

async function main() {
  const clients = Number(process.env.BENCH_SUBMIT_CLIENTS ?? 20);
  const total = Number(process.env.BENCH_SUBMITS ?? 3_000);
  await withBenchPostgres(async (server) => {
    const figures = await runSubmitPath({ url: server.connectionString, clients, total });
    for (const line of submitLines(clients, figures)) console.log(line);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBenchmark(main);
}
