// Realtime delivery under load: 200 sockets on table:jobs.queue (100 users, one socket each,
// and 100 admin sockets with the service key) in a separate process, against the real
// local stack on an embedded PostgreSQL. Two writers:
//   1. the pool path: 20 jobs (in-process runtime, no Deno start-up), each reporting
//      progress 50 times/s for 10 s; the pool coalesces each job's writes to <= 4/s;
//   2. direct SQL: 1,000 progress updates/s over 100 jobs (one per user), each its own
//      transaction, from a separate writer process: this measures the hub itself.
// Prints commit -> client callback latency (commit_timestamp vs receive time, one clock),
// messages delivered per second, and lost / duplicated / leaked messages per socket.
// Knobs: BENCH_RT_SECONDS (10), BENCH_RT_RATES ("1000,250"), BENCH_RT_ADMINS (100),
// BENCH_RT_ONLY ("pool" | "direct").
import { fork, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signJwt } from "../src-server/auth/jwt.ts";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { createDb, type Db } from "../src-server/db/connections.ts";
import { createInProcessRuntime } from "../src-server/jobs/worker/in-process-runtime.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack, type LocalStack } from "../src-server/main.ts";
import { writeCalls } from "./load-cpu.ts";
import { createBenchFunction } from "./functions.ts";
import type { ClientCommand, ClientFigures } from "./realtime-clients.ts";
import type { WriteCommand } from "./realtime-writer.ts";
import { fmt, until, runBenchmark, sleep } from "./stats.ts";

const SECONDS = Number(process.env.BENCH_RT_SECONDS ?? 10);
/** Direct-SQL update rates to run, per second: the target load, then a lighter one for reference. */
const RATES = (process.env.BENCH_RT_RATES ?? "1000,250").split(",").map(Number);
const USERS = 100;
const ADMINS = Number(process.env.BENCH_RT_ADMINS ?? 100);
const JOBS = 20;
const TICKS_PER_SECOND = 50;

/** Sends a command to the clients process and waits for its answer. */
function ask<T>(child: ChildProcess, command: ClientCommand | WriteCommand): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (message) => resolve(message as T));
    child.send(command);
  });
}

/** Waits until the clients have received nothing new for a while (the writes are done). */
async function settle(child: ChildProcess, quietMs = 1500): Promise<void> {
  let last = -1;
  let quietSince = Date.now();
  for (;;) {
    const { received } = await ask<{ received: number }>(child, { type: "count" });
    if (received !== last) [last, quietSince] = [received, Date.now()];
    if (Date.now() - quietSince >= quietMs) return;
    await sleep(250);
  }
}

/** CPU seconds of this process (the server) and of the whole machine, since `start`. */
function cpuSince(start: { process: NodeJS.CpuUsage; machine: number[]; writes: number }) {
  const own = process.cpuUsage(start.process);
  const now = machineTimes();
  return {
    server: (own.user + own.system) / 1e6,
    writes: writeCalls() - start.writes,
    busy: (now[0]! - start.machine[0]!) / 1000,
    idle: (now[1]! - start.machine[1]!) / 1000,
  };
}

function machineTimes(): number[] {
  let busy = 0;
  let idle = 0;
  for (const { times } of os.cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return [busy, idle];
}

const cpuStart = () => ({
  process: process.cpuUsage(),
  machine: machineTimes(),
  writes: writeCalls(),
});

function print(label: string, f: ClientFigures, cpu: ReturnType<typeof cpuSince>) {
  const seconds = (f.lastAt - f.firstAt) / 1000;
  console.log(
    `${label}: ${fmt(f.received, 0)} messages delivered, ${fmt(f.received / seconds, 0)} msg/s; ` +
      `commit -> callback p50 ${fmt(f.p50Ms, 1)} ms, p99 ${fmt(f.p99Ms, 1)} ms, max ${fmt(f.maxMs, 1)} ms; ` +
      `lost ${f.lost}, duplicated ${f.duplicated}, leaked to other users ${f.leaked}, reconnects ${f.reconnects}`,
  );
  const share = (x: number) => `${fmt((100 * x) / (cpu.busy + cpu.idle), 0)}%`;
  console.log(
    `  CPU (${os.cpus().length} cores): server ${fmt(cpu.server, 1)} s, clients ${fmt(f.cpuSeconds, 1)} s, ` +
      `machine busy ${share(cpu.busy)} (PostgreSQL, writer and the rest ${fmt(Math.max(0, cpu.busy - cpu.server - f.cpuSeconds), 1)} s)`,
  );
  console.log(
    `  server per message delivered: CPU ${fmt((1e6 * cpu.server) / Math.max(1, f.received), 1)} µs, ` +
      `write calls ${fmt(cpu.writes / Math.max(1, f.received), 3)}`,
  );
}

async function createUsers(db: Db, secret: string): Promise<{ ids: string[]; tokens: string[] }> {
  const rows = await db.query<{ id: string; email: string }>(
    `INSERT INTO auth.users (email, password_hash)
     SELECT 'bench-' || i || '@example.com', 'x' FROM generate_series(1, $1) i RETURNING id, email`,
    [USERS],
  );
  const tokens = rows.map((r) =>
    signJwt(
      { sub: r.id, role: "authenticated", email: r.email, token_type: "access" },
      { secret, expiresIn: 3600 },
    ),
  );
  return { ids: rows.map((r) => r.id), tokens };
}

async function poolPath(stack: LocalStack, db: Db, child: ChildProcess, tokens: string[]) {
  await ask(child, { type: "reset" });
  const cpu = cpuStart();
  const ids: string[] = [];
  for (const token of tokens.slice(0, JOBS)) {
    const res = await fetch(`${stack.url}/api/v1/jobs/submit`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ job_name: "ticker", payload: {} }),
    });
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  await until(async () => {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM jobs.queue WHERE id = any($1) AND status = 'completed'",
      [ids],
    );
    return row!.n === ids.length;
  }, 250);
  await settle(child);
  const owners = tokens.map((_, i) => ids[i] ?? null);
  const { figures } = await ask<{ figures: ClientFigures }>(child, { type: "report", owners });
  console.log(
    `pool path: ${JOBS} jobs x ${TICKS_PER_SECOND} reports/s x ${SECONDS} s, written as ${fmt(figures.expectedKeys / JOBS, 1)} updates per job (coalesced)`,
  );
  print("  delivered", figures, cpuSince(cpu));
}

async function directJobs(db: Db, userIds: string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO jobs.queue (job_name, status, started_at, created_by, user_role)
     SELECT 'direct', 'running', now(), u, 'authenticated' FROM unnest($1::uuid[]) u RETURNING id`,
    [userIds],
  );
  return rows.map((r) => r.id);
}

async function directPath(db: Db, child: ChildProcess, ids: string[], rate: number) {
  await ask(child, { type: "reset" });
  const cpu = cpuStart();
  const total = rate * SECONDS;
  const expected: Record<string, string[]> = Object.fromEntries(
    ids.map((id) => [id, [] as string[]]),
  );
  for (let k = 0; k < total; k++) expected[ids[k % ids.length]!]!.push(`running#${k}`);
  const writer = fork(fileURLToPath(new URL("./realtime-writer.ts", import.meta.url)));
  const { achieved } = await ask<{ achieved: number }>(writer, {
    url: db.connectionString,
    ids,
    rate,
    count: total,
  });
  await settle(child);
  const owners = ids;
  const { figures } = await ask<{ figures: ClientFigures }>(child, {
    type: "report",
    owners,
    expected,
  });
  console.log(
    `direct SQL: ${fmt(total, 0)} updates at ${fmt(rate, 0)}/s requested (${fmt(achieved, 0)}/s achieved) over ${ids.length} jobs; expected ${fmt(total * (ADMINS + 1), 0)} messages`,
  );
  print("  delivered", figures, cpuSince(cpu));
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-rt-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "bench" });
  let stack: LocalStack | undefined;
  let child: ChildProcess | undefined;
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
        embeddedWorkerCount: 2,
        maxConcurrentPerWorker: JOBS,
        maxConcurrentPerNamespace: JOBS * 2,
      },
    };
    const runtime = createInProcessRuntime({
      async ticker(job) {
        const ticks = TICKS_PER_SECOND * SECONDS;
        for (let i = 0; i < ticks; i++) {
          job.reportProgress(Math.floor((i * 100) / ticks), `#${i}`);
          await sleep(1000 / TICKS_PER_SECOND);
        }
        return { ticks };
      },
    });
    stack = await startLocalStack({ config, logger: silentLogger, runtime });
    const db = createDb({ connectionString: pg.connectionString, max: 16 });
    await createBenchFunction(db, { name: "ticker" });
    const users = await createUsers(db, stack.keys.jwtSecret);
    console.log(
      `realtime: ${USERS} user sockets + ${ADMINS} admin sockets (clients in a separate process); PostgreSQL ${pg.port} embedded, default durability`,
    );

    child = fork(fileURLToPath(new URL("./realtime-clients.ts", import.meta.url)));
    const connect = {
      url: stack.url,
      anonKey: stack.keys.anonKey,
      owners: users.tokens,
      serviceKey: stack.keys.serviceKey,
      admins: ADMINS,
    };
    await ask(child, { type: "connect", ...connect });

    if (process.env.BENCH_RT_ONLY !== "direct") await poolPath(stack, db, child, users.tokens);
    // The direct writer's rows are nobody's: stop the pool so its reaper leaves them running.
    await stack.pool.stop();
    if (process.env.BENCH_RT_ONLY !== "pool") {
      const ids = await directJobs(db, users.ids);
      for (const rate of RATES) await directPath(db, child, ids, rate);
    }
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.send({ type: "stop" } satisfies ClientCommand);
    await exited;
    await db.end();
  } finally {
    child?.kill();
    await stack?.stop();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
