// PostgreSQL's CPU per job for the queue's own statements, without HTTP or the sandbox:
// jobs are inserted as the server submits them (one multi-row INSERT per batch), then one
// connection drains them with the server's claim statement carrying the previous claim's
// completions (claim.ts), `BENCH_CLAIM_SLOTS` at a time. Prints PostgreSQL CPU (every
// process of the embedded cluster: backends, WAL writer, autovacuum) per job for the submit
// and for the drain, and the drain's statements per job. `tsx bench/claim-cost.ts`;
// knobs BENCH_CLAIM_JOBS (4000), BENCH_CLAIM_SLOTS (4). Run twice: with the statistics the
// burst of inserts left (autovacuum has not analyzed yet) and after an ANALYZE. Figures are
// printed, never asserted.
import { createDb } from "../src-server/db/connections.ts";
import { claimJobs } from "../src-server/db/queries/claim.ts";
import { serializeCompletion, type SerializedCompletion } from "../src-server/db/queries/queue.ts";
import { registerWorker } from "../src-server/db/queries/workers.ts";
import { withBenchPostgres } from "./bench-postgres.ts";
import { cpuSince, cpuSnapshot } from "./cpu.ts";
import { createBenchFunction } from "./functions.ts";
import { fmt, runBenchmark } from "./stats.ts";

export interface ClaimCostFigures {
  submitPostgresMsPerJob: number;
  drainPostgresMsPerJob: number;
  statementsPerJob: number;
}

export async function runClaimCost(options: {
  url: string;
  jobs: number;
  slots: number;
  /** ANALYZE after the inserts (as autovacuum would, later); else the plans see stale statistics. */
  analyze?: boolean;
}): Promise<ClaimCostFigures> {
  const db = createDb({ connectionString: options.url, max: 1 });
  try {
    const functionId = await createBenchFunction(db);
    const worker = await registerWorker(db, {
      name: "claim-cost",
      hostname: "bench",
      maxConcurrentJobs: options.slots,
      metadata: {},
    });
    const before = cpuSnapshot();
    for (let done = 0; done < options.jobs; done += 100) {
      const n = Math.min(100, options.jobs - done);
      await db.query(
        `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
         SELECT 'default', $1, 'noop', jsonb_build_object('n', i, 'note', 'a bench job'), 0
         FROM generate_series(1, $2::int) AS i`,
        [functionId, n],
      );
    }
    const submit = cpuSince(before);
    if (options.analyze) await db.query("ANALYZE jobs.queue");
    let statements = 0;
    let completions: SerializedCompletion[] = [];
    const drainStart = cpuSnapshot();
    for (;;) {
      const { claimed } = await claimJobs(db, {
        workerId: worker.id,
        limit: options.slots,
        namespaceLimit: 1000,
        completions,
      });
      statements++;
      completions = claimed.map((row) =>
        serializeCompletion({
          key: { id: row.id, workerId: worker.id, retryCount: row.retry_count },
          result: { ok: true },
          progress: undefined,
        }),
      );
      if (claimed.length === 0) break;
    }
    const drain = cpuSince(drainStart);
    return {
      submitPostgresMsPerJob: submit.postgresMs / options.jobs,
      drainPostgresMsPerJob: drain.postgresMs / options.jobs,
      statementsPerJob: statements / options.jobs,
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  await withBenchPostgres(async (pg) => {
    const jobs = Number(process.env.BENCH_CLAIM_JOBS ?? 4_000);
    const slots = Number(process.env.BENCH_CLAIM_SLOTS ?? 4);
    for (const analyze of [false, true]) {
      const db = createDb({ connectionString: pg.connectionString, max: 1 });
      await db.query("TRUNCATE jobs.queue CASCADE");
      await db.end();
      const f = await runClaimCost({ url: pg.connectionString, jobs, slots, analyze });
      console.log(
        `queue statements alone (${jobs} jobs, ${slots} a claim, ${analyze ? "after ANALYZE" : "stale statistics"}): PostgreSQL CPU per job: submit ${fmt(f.submitPostgresMsPerJob, 3)} ms, claim + completion ${fmt(f.drainPostgresMsPerJob, 3)} ms (${fmt(f.statementsPerJob, 2)} statements a job)`,
      );
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) runBenchmark(main);
