// The Runs list at 100,000 jobs (embedded PostgreSQL, the real list SQL of the server):
//   1. search: a value found in one payload, a value in one result, a value in one error,
//      a common value (11,000 matches) with and without a status filter — median of 7;
//      and the plan of the rare search (the trigram index or not); 0.2% of the rows are
//      pending and 0.02% running (they are searched without the trigram index);
//   2. paging and sorting: the newest page, a page 49,000 rows down, sort by duration;
//   3. the write cost of the search index: 20,000 inserts with it and without it.
// Figures are printed, never asserted. Knob: BENCH_SEARCH_JOBS (100000).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { migrate } from "../src-server/db/migrate.ts";
import { createDb, type Db } from "../src-server/db/connections.ts";
import { ALL_JOBS } from "../src-server/auth/job-viewer.ts";
import {
  likePattern,
  listJobPage,
  searchSql,
  type JobListFilter,
} from "../src-server/db/queries/job-list.ts";
import { fmt, percentile, runBenchmark } from "./stats.ts";

const JOBS = Number(process.env.BENCH_SEARCH_JOBS ?? 100_000);
const SAMPLES = 7;

async function fill(db: Db, from: number, count: number): Promise<number> {
  const started = performance.now();
  await db.query(
    `INSERT INTO jobs.queue (namespace, job_name, status, payload, result, error_message, created_at,
                             started_at, completed_at)
     SELECT 'default', 'job-' || (i % 9),
            CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 500 = 1 THEN 'pending'
                 WHEN i % 5000 = 2 THEN 'running' ELSE 'completed' END,
            jsonb_build_object('customer', 'c-' || i, 'order', i, 'tags', jsonb_build_array('t' || (i % 13), 'bulk')),
            CASE WHEN i % 50 = 0 THEN NULL ELSE jsonb_build_object('invoice', 'inv-' || i, 'total', i * 3) END,
            CASE WHEN i % 50 = 0 THEN 'upstream said code-' || i ELSE NULL END,
            now() - i * interval '1 second', now() - i * interval '1 second',
            now() - i * interval '1 second' + (i % 1000) * interval '1 millisecond'
     FROM generate_series($1::int, $2::int) AS i`,
    [from, from + count - 1],
  );
  return performance.now() - started;
}

async function median(
  db: Db,
  filter: Partial<JobListFilter>,
): Promise<{ ms: number; total: number }> {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const page = await listJobPage(db, {
      limit: 1000,
      offset: 0,
      includeResult: false,
      viewer: ALL_JOBS,
      ...filter,
    });
    times.push(performance.now() - started);
    total = page.total;
  }
  return { ms: percentile(times, 50), total };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "fluxbase-bench-search-"));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), database: "bench" });
  const db = createDb({ connectionString: pg.connectionString, max: 2 });
  try {
    await migrate({ db });
    const fillMs = await fill(db, 1, JOBS);
    await db.query("VACUUM ANALYZE jobs.queue");
    console.log(
      `${JOBS.toLocaleString()} jobs inserted in ${fmt(fillMs / 1000)} s (search index on)`,
    );

    const cases: [string, Partial<JobListFilter>][] = [
      ["search a payload value (1 match)", { search: 'c-77777"' }],
      ["search a result value (1 match)", { search: 'inv-45678"' }],
      ["search an error value (1 match)", { search: "code-45650" }],
      ["search a common value", { search: "c-1" }],
      ["search a common value + status failed", { search: "c-1", status: "failed" }],
      ["no search, newest 1,000", {}],
      ["no search, rows 49,000–50,000", { offset: 49_000 }],
      ["sort by duration, longest 1,000", { sort: "duration", order: "desc" }],
    ];
    for (const [label, filter] of cases) {
      const { ms, total } = await median(db, filter);
      console.log(
        `${label.padEnd(40)} ${fmt(ms).padStart(8)} ms  (${total.toLocaleString()} matches)`,
      );
    }
    const plan = await db.query<{ "QUERY PLAN": string }>(
      `EXPLAIN SELECT id FROM jobs.queue q
       WHERE ${searchSql("$1")} ORDER BY created_at DESC LIMIT 1000`,
      [likePattern('c-77777"')],
    );
    const uses = plan.some((r) => r["QUERY PLAN"].includes("queue_search_trgm_idx"));
    console.log(`rare search plan uses queue_search_trgm_idx: ${uses ? "yes" : "no"}`);

    const withIndex = await fill(db, JOBS + 1, 20_000);
    await db.query("DROP INDEX jobs.queue_search_trgm_idx");
    const withoutIndex = await fill(db, JOBS + 20_001, 20_000);
    console.log(
      `20,000 inserts: ${fmt(withIndex)} ms with the search index, ${fmt(withoutIndex)} ms without`,
    );
  } finally {
    await db.end();
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runBenchmark(main);
