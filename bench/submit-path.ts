// HTTP submit alone: `clients` concurrent clients each submitting back to back over the
// real stack (no worker claims the jobs), beside its floor: the same number of
// connections each inserting one row at a time into a bare table.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { defaultServerConfig } from "../src-server/config/index.ts";
import { createDb } from "../src-server/db/connections.ts";
import { silentLogger } from "../src-server/logger.ts";
import { startLocalStack } from "../src-server/main.ts";
import { createNoopFunction } from "./queue-path.ts";
import { percentile } from "./stats.ts";

export interface SubmitFigures {
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
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
      logLevel: "silent" as const,
      jobs: { ...defaults.jobs, workerMode: "disabled" as const, autoLoadOnBoot: false },
    },
    logger: silentLogger,
  });
  const db = createDb({ connectionString: options.url, max: 2 });
  await db.query("TRUNCATE jobs.queue, logging.entries CASCADE");
  await createNoopFunction(db);
  const headers = {
    Authorization: `Bearer ${stack.keys.serviceKey}`,
    "content-type": "application/json",
  };
  const body = JSON.stringify({ job_name: "noop", payload: {} });
  const submit = async () => {
    const res = await fetch(`${stack.url}/api/v1/jobs/submit`, { method: "POST", headers, body });
    if (res.status !== 201) throw new Error(`submit failed: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  // Warm up (connections, caches), then time.
  await Promise.all(Array.from({ length: options.clients }, submit));
  const latencies: number[] = [];
  let left = options.total;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (left-- > 0) {
        const t = performance.now();
        await submit();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const perSecond = options.total / ((performance.now() - t0) / 1000);
  await db.query("TRUNCATE jobs.queue CASCADE");
  await db.end();
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  const insertPerSecond = await bareInsertLoop(options.url, options.clients, options.total);
  return {
    perSecond,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    insertPerSecond,
  };
}
