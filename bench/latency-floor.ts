// The floor under the full path's submit -> handler latency (full-path.ts): the round trips
// a submit makes on its way to a job's handler, each timed alone with nothing of the server
// in it, one at a time at the latency test's pace (20/s, the machine idle between them):
// - an HTTP POST answered at once by a bare Node server, sent by the client process the
//   full path's latency test uses (paced-submits.ts);
// - a one-row INSERT into a bare table, committed durably (the submit's insert);
// - SELECT 1 (a claim's round trip, without its work);
// - a line written to a bare Deno process's stdin, to its reading of it by Deno's clock
//   (a job's context: the runtime reads stdin the same way, sandbox-alone.ts ECHO).
// Their sum is what a design with these round trips pays on this machine before any of its
// own work. Alone: npx tsx bench/latency-floor.ts
import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import pg from "pg";
import { resolveDenoPath } from "../src-server/jobs/sandbox/deno-binary.ts";
import { withBenchPostgres } from "./bench-postgres.ts";
import { runInChild } from "./fork-client.ts";
import type { PacedSubmit, PacedSubmitCommand } from "./paced-submits.ts";
import { ECHO } from "./sandbox-alone.ts";
import { atRate, fmt, percentile, runBenchmark, wallClock } from "./stats.ts";

export interface LatencyFloor {
  /** p50 of each part, in milliseconds. */
  httpMs: number;
  durableInsertMs: number;
  roundTripMs: number;
  toDenoMs: number;
  /** Their sum. */
  totalMs: number;
}

export interface LatencyFloorOptions {
  url: string;
  /** Round trips timed per part (default 100). */
  count?: number;
  /** Their pace (default 20 a second, as the full path's latency test). */
  perSecond?: number;
}

async function httpRoundTrips(count: number, perSecond: number): Promise<number[]> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: String(n++) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const submits = await runInChild<PacedSubmitCommand, PacedSubmit[]>(
      new URL("./paced-submits.ts", import.meta.url),
      {
        url: `http://127.0.0.1:${port}`,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ job_name: "noop", payload: {} }),
        count,
        perSecond,
      },
    );
    return submits.map((s) => s.answeredAt - s.sentAt);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function pacedQueries(
  count: number,
  perSecond: number,
  query: () => Promise<unknown>,
): Promise<number[]> {
  await query();
  const times: number[] = [];
  await atRate(count, perSecond, async () => {
    const t0 = performance.now();
    await query();
    times.push(performance.now() - t0);
  });
  return times;
}

async function linesToDeno(count: number, perSecond: number): Promise<number[]> {
  const child = spawn(resolveDenoPath(), ["eval", "--quiet", ECHO], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const send = async (id: number) => {
    const sentAt = wallClock();
    child.stdin!.write(JSON.stringify({ id }) + "\n");
    const { value } = await answers.next();
    return (JSON.parse(String(value)) as { at: number }).at - sentAt;
  };
  try {
    for (let i = 0; i < 10; i++) await send(-1);
    const times: number[] = [];
    await atRate(count, perSecond, async (i) => {
      times.push(await send(i));
    });
    return times;
  } finally {
    child.kill();
  }
}

export async function runLatencyFloor(options: LatencyFloorOptions): Promise<LatencyFloor> {
  const count = options.count ?? 100;
  const perSecond = options.perSecond ?? 20;
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS public.bench_floor;
      CREATE TABLE public.bench_floor (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`);
    const insert = await pacedQueries(count, perSecond, () =>
      client.query({
        name: "bench_floor_insert",
        text: "INSERT INTO public.bench_floor (payload) VALUES ($1) RETURNING id",
        values: ["{}"],
      }),
    );
    const select = await pacedQueries(count, perSecond, () =>
      client.query({ name: "bench_floor_select", text: "SELECT 1" }),
    );
    await client.query("DROP TABLE public.bench_floor");
    const httpMs = percentile(await httpRoundTrips(count, perSecond), 50);
    const toDenoMs = percentile(await linesToDeno(count, perSecond), 50);
    const durableInsertMs = percentile(insert, 50);
    const roundTripMs = percentile(select, 50);
    return {
      httpMs,
      durableInsertMs,
      roundTripMs,
      toDenoMs,
      totalMs: httpMs + durableInsertMs + roundTripMs + toDenoMs,
    };
  } finally {
    await client.end();
  }
}

/** The line npm run bench prints under the full path's latency. */
export function floorLine(f: LatencyFloor): string {
  return (
    `  its floor @20/s, the same round trips with no server code (p50 each): HTTP ${fmt(f.httpMs, 2)} + ` +
    `durable INSERT ${fmt(f.durableInsertMs, 2)} + SELECT 1 ${fmt(f.roundTripMs, 2)} + ` +
    `a line to Deno ${fmt(f.toDenoMs, 2)} = ${fmt(f.totalMs, 1)} ms`
  );
}

if (process.argv[1]?.endsWith("latency-floor.ts")) {
  runBenchmark(() =>
    withBenchPostgres(async (pgServer) => {
      console.log(floorLine(await runLatencyFloor({ url: pgServer.connectionString })));
    }),
  );
}
