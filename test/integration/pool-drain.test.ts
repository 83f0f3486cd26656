// The worker pool on a real PostgreSQL with the in-process runtime: many single-slot workers
// racing for the head of the queue, where each worker's completion travels with its next
// claim. Every job must complete exactly once and no claim may fail (a lock cycle between
// two workers would show up as a "deadlock detected" claim failure).
import { describe, expect, it } from "vitest";
import { defaultJobsConfig } from "../../src-server/config/index.ts";
import { createLogger } from "../../src-server/logger.ts";
import {
  createInProcessPool,
  createTestFunction,
  useQueueDatabase,
} from "../helpers/queue-database.ts";
import { waitFor } from "../helpers/wait.ts";

const queue = useQueueDatabase({ maxConnections: 12 });

describe("worker pool drain", () => {
  it("ten single-slot workers complete 3,000 jobs once each, with no claim failing", async () => {
    const { db } = queue;
    const fn = await createTestFunction(db, { name: "noop" });
    await db.query(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload, max_retries)
       SELECT 'default', $1, 'noop', jsonb_build_object('n', n), 0 FROM generate_series(1, 3000) n`,
      [fn.id],
    );
    const runs = new Map<number, number>();
    const warnings: string[] = [];
    const pool = createInProcessPool({
      db,
      handlers: {
        noop: (job) => {
          const n = Number(job.spec.payload.n);
          runs.set(n, (runs.get(n) ?? 0) + 1);
          return { n };
        },
      },
      config: {
        ...defaultJobsConfig(process.cwd()),
        embeddedWorkerCount: 10,
        maxConcurrentPerWorker: 1,
      },
      logger: createLogger("warn", (line) => warnings.push(line)),
    });
    await pool.start();
    try {
      await waitFor(
        async () => {
          const [row] = await db.query<{ left: number }>(
            "SELECT count(*) AS left FROM jobs.queue WHERE status IN ('pending', 'running')",
          );
          return row!.left === 0 ? true : undefined;
        },
        { timeoutMs: 60_000, what: "the queue to drain" },
      );
    } finally {
      await pool.stop();
    }
    const byStatus = await db.query<{ status: string; n: number; right: number }>(
      "SELECT status, count(*) AS n, count(*) FILTER (WHERE result = jsonb_build_object('n', payload -> 'n')) AS right FROM jobs.queue GROUP BY status",
    );
    expect(byStatus).toEqual([{ status: "completed", n: 3000, right: 3000 }]);
    expect(runs.size).toBe(3000);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(warnings).toEqual([]);
  });
});
