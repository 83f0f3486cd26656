// The queue statements against a real PostgreSQL: claim order, scheduling, namespace
// limits, the stale-write guard and orphan recovery.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db, Queryable } from "../../src-server/db/connections.ts";
import { claimJobs, type ClaimOptions } from "../../src-server/db/queries/claim.ts";
import {
  completeJobs,
  failJob,
  findJob,
  insertJob,
  recoverOrphanedJobs,
  serializeCompletion,
} from "../../src-server/db/queries/queue.ts";
import { registerWorker, setWorkerStatus } from "../../src-server/db/queries/workers.ts";
import { createTestFunction, useQueueDatabase } from "../helpers/queue-database.ts";
import { waitFor } from "../helpers/wait.ts";

const queue = useQueueDatabase({ maxConnections: 4 });
let db: Db;
let functionId: string;

beforeAll(async () => {
  db = queue.db;
  functionId = (await createTestFunction(db, { name: "f", maxRetries: 1 })).id;
});
beforeEach(async () => {
  await db.query("DELETE FROM jobs.queue");
});

function submit(
  overrides: {
    namespace?: string;
    priority?: number;
    scheduledAt?: Date | null;
    maxRetries?: number;
  } = {},
) {
  return insertJob(db, {
    namespace: overrides.namespace ?? "default",
    functionId,
    jobName: "f",
    payload: {},
    priority: overrides.priority ?? 0,
    maxDurationSeconds: 60,
    progressTimeoutSeconds: 60,
    maxRetries: overrides.maxRetries ?? 1,
    createdBy: null,
    userRole: "service_role",
    userEmail: null,
    scheduledAt: overrides.scheduledAt ?? null,
  });
}

/** The rows a claim takes (no completions). */
async function claim(options: ClaimOptions) {
  return (await claimJobs(db, options)).claimed;
}

async function worker() {
  return (
    await registerWorker(db, { name: "w", hostname: "h", maxConcurrentJobs: 5, metadata: {} })
  ).id;
}

describe("claim", () => {
  it("takes higher priority first, then the oldest, and skips jobs scheduled for later", async () => {
    const older = await submit();
    const later = await submit({ scheduledAt: new Date(Date.now() + 60_000) });
    const urgent = await submit({ priority: 5 });
    const newer = await submit();
    const w = await worker();
    const claimed = await claim({ workerId: w, limit: 2, namespaceLimit: 20 });
    expect(claimed.map((r) => r.id).sort()).toEqual([urgent.id, older.id].sort());
    const [last] = await claim({ workerId: w, limit: 10, namespaceLimit: 20 });
    expect(last?.id).toBe(newer.id);
    expect(claimed.every((r) => r.function_version === 1)).toBe(true);
    const stored = await Promise.all(claimed.map((r) => findJob(db, r.id)));
    expect(stored.every((r) => r?.status === "running" && r.worker_id === w)).toBe(true);
    expect(await claim({ workerId: w, limit: 10, namespaceLimit: 20 })).toEqual([]);
    expect((await findJob(db, later.id))?.status).toBe("pending");
  });

  it("never hands one job to two concurrent claimers", async () => {
    for (let i = 0; i < 40; i++) await submit();
    const workers = await Promise.all(Array.from({ length: 8 }, worker));
    const results = await Promise.all(
      workers.map((w) => claim({ workerId: w, limit: 5, namespaceLimit: 100 })),
    );
    const ids = results.flat().map((r) => r.id);
    expect(ids.length).toBe(40);
    expect(new Set(ids).size).toBe(40);
  });

  it("respects the per-namespace limit, within one claim and across claims", async () => {
    for (let i = 0; i < 5; i++) await submit({ namespace: "busy" });
    const other = await submit({ namespace: "quiet" });
    const w = await worker();
    const first = await claim({ workerId: w, limit: 3, namespaceLimit: 2 });
    expect(first.filter((r) => r.namespace === "busy").length).toBe(2);
    const second = await claim({ workerId: w, limit: 10, namespaceLimit: 2 });
    expect(second.filter((r) => r.namespace === "busy").length).toBe(0);
    expect([...first, ...second].map((r) => r.id)).toContain(other.id);
  });

  it("counts jobs still running under a stopped worker against the namespace limit", async () => {
    for (let i = 0; i < 4; i++) await submit({ namespace: "busy" });
    const small = () =>
      registerWorker(db, { name: "w", hostname: "h", maxConcurrentJobs: 2, metadata: {} });
    const gone = (await small()).id;
    expect(await claim({ workerId: gone, limit: 2, namespaceLimit: 2 })).toHaveLength(2);
    // Declared dead, its jobs not yet handed on: the live workers' slots alone (2) are
    // within the limit, but the namespace is full.
    await setWorkerStatus(db, [gone], "stopped");
    const live = (await small()).id;
    expect(await claim({ workerId: live, limit: 2, namespaceLimit: 2 })).toEqual([]);
  });

  it("claims nothing for a worker that is not active", async () => {
    await submit();
    const w = await worker();
    await setWorkerStatus(db, [w], "draining");
    expect(await claim({ workerId: w, limit: 1, namespaceLimit: 20 })).toEqual([]);
  });
});

describe("completing and claiming in one call", () => {
  it("records the worker's finished attempts and claims the next jobs together", async () => {
    const first = await submit();
    const w = await worker();
    const [claimed] = await claim({ workerId: w, limit: 1, namespaceLimit: 20 });
    const next = await submit();
    const stale = {
      key: { id: first.id, workerId: w, retryCount: claimed!.retry_count + 1 },
      result: { stale: true },
      progress: undefined,
    };
    const fresh = {
      key: { id: first.id, workerId: w, retryCount: claimed!.retry_count },
      result: { n: 1 },
      progress: { percent: 100 },
    };
    const out = await claimJobs(db, {
      workerId: w,
      limit: 2,
      namespaceLimit: 20,
      completions: [stale, fresh].map(serializeCompletion),
    });
    expect([...out.completed]).toEqual([first.id]);
    expect(out.claimed.map((r) => r.id)).toEqual([next.id]);
    expect(await findJob(db, first.id)).toMatchObject({
      status: "completed",
      result: { n: 1 },
      progress: { percent: 100 },
    });
  });

  it("writes its completions before it claims, so it never waits for a row while holding a claimed one", async () => {
    const finished = await submit();
    const a = await worker();
    const b = await worker();
    const [x] = await claim({ workerId: a, limit: 1, namespaceLimit: 20 });
    const pendingJob = await submit();
    // Another session holds the finished job's row (as a claim whose snapshot predates the
    // job's own claim can): worker A's completion has to wait for it.
    const holder = await db.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT id FROM jobs.queue WHERE id = $1 FOR UPDATE", [finished.id]);
    const completion = {
      key: { id: finished.id, workerId: a, retryCount: x!.retry_count },
      result: 1,
      progress: undefined,
    };
    const aCall = claimJobs(db, {
      workerId: a,
      limit: 1,
      namespaceLimit: 20,
      completions: [completion].map(serializeCompletion),
    });
    try {
      await waitFor(
        async () => {
          const [row] = await db.query<{ n: number }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%completed AS%'",
          );
          return row!.n > 0 ? true : undefined;
        },
        { what: "worker A's call to wait for the row" },
      );
      // While A waits it holds no pending row: B can claim it.
      const bClaim = await claim({ workerId: b, limit: 1, namespaceLimit: 20 });
      expect(bClaim.map((r) => r.id)).toEqual([pendingJob.id]);
    } finally {
      await holder.query("COMMIT");
      holder.release();
    }
    const aResult = await aCall;
    expect([...aResult.completed]).toEqual([finished.id]);
    expect(aResult.claimed).toEqual([]);
  });

  it("does not complete another worker's job", async () => {
    const job = await submit();
    const owner = await worker();
    const other = await worker();
    const [claimed] = await claim({ workerId: owner, limit: 1, namespaceLimit: 20 });
    const forged = {
      key: { id: job.id, workerId: other, retryCount: claimed!.retry_count },
      result: null,
      progress: undefined,
    };
    const out = await claimJobs(db, {
      workerId: other,
      limit: 1,
      namespaceLimit: 20,
      completions: [forged].map(serializeCompletion),
    });
    expect(out.completed.size).toBe(0);
    expect((await findJob(db, job.id))?.status).toBe("running");
  });

  it("counts the slots its own completions free when a namespace is at its limit", async () => {
    for (let i = 0; i < 3; i++) await submit({ namespace: "busy" });
    const w = await worker();
    const running = await claim({ workerId: w, limit: 2, namespaceLimit: 2 });
    expect(running).toHaveLength(2);
    const done = {
      key: { id: running[0]!.id, workerId: w, retryCount: 0 },
      result: 1,
      progress: undefined,
    };
    const out = await claimJobs(db, {
      workerId: w,
      limit: 2,
      namespaceLimit: 2,
      completions: [done].map(serializeCompletion),
    });
    expect([...out.completed]).toEqual([running[0]!.id]);
    // One slot of "busy" freed by the completion: the same claim takes exactly one more.
    expect(out.claimed).toHaveLength(1);
    expect(out.claimed[0]!.namespace).toBe("busy");
  });
});

describe("claim plans", () => {
  // Statistics that do not know of a backlog: the planner must still
  // walk queue_claim_idx in order (not read and sort every pending row) and count running
  // jobs with a plain scan of queue_running_idx (a bitmap scan never drops the dead entries
  // completions leave there). Migration 0022; the plans are read with auto_explain.
  it("walks the claim's indexes in order whatever the last ANALYZE saw", async () => {
    // The template's statistics of jobs.queue were taken while it was empty.
    await db.query(
      `INSERT INTO jobs.queue (namespace, function_id, job_name, payload)
       SELECT 'default', $1, 'f', '{}' FROM generate_series(1, 4000)`,
      [functionId],
    );
    const w = await worker();
    const client = await db.connect();
    const plans: string[] = [];
    const onNotice = (n: { message?: string }) => plans.push(n.message ?? "");
    try {
      const tx = {
        query: async (text: string, values?: unknown[]) => (await client.query(text, values)).rows,
      } as Queryable;
      client.on("notice", onNotice);
      await client.query(
        `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0;
         SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
      );
      const first = await claimJobs(tx, { workerId: w, limit: 20, namespaceLimit: 50 });
      const completions = first.claimed.map((row) =>
        serializeCompletion({
          key: { id: row.id, workerId: w, retryCount: row.retry_count },
          result: null,
          progress: undefined,
        }),
      );
      const next = await claimJobs(tx, { workerId: w, limit: 4, namespaceLimit: 20, completions });
      expect(next.completed.size).toBe(20);
      expect(next.claimed).toHaveLength(4);
    } finally {
      client.off("notice", onNotice);
      await client.query("RESET ALL");
      client.release();
    }
    const text = plans.join("\n");
    expect(text).toMatch(/Index Scan using queue_claim_idx/);
    expect(text).toMatch(/Index Scan using queue_running_idx/);
    expect(text).not.toMatch(/Bitmap Index Scan on queue_(claim|running)_idx/);
    expect(text).not.toMatch(/Seq Scan on queue/);
  });
});

describe("claim durability", () => {
  /**
   * How the claim's transaction commits: PostgreSQL's synchronous_commit as it stood at its
   * end, starting from a server's default (the test cluster runs with it off).
   */
  async function commitModeOf(options: ClaimOptions) {
    return db.withTransaction(async (tx) => {
      await tx.query("SET LOCAL synchronous_commit = on");
      const answer = await claimJobs(tx, options);
      const [row] = await tx.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
      return { answer, mode: row!.synchronous_commit };
    });
  }

  it("commits a bare claim without waiting for the WAL flush, and a claim carrying completions durably", async () => {
    const w = await worker();
    const first = await submit();
    const second = await submit();
    const [before] = await db.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    const bare = await commitModeOf({ workerId: w, limit: 1, namespaceLimit: 20 });
    expect(bare.answer.claimed.map((r) => r.id)).toEqual([first.id]);
    expect(bare.mode).toBe("off");

    const completion = {
      key: { id: first.id, workerId: w, retryCount: bare.answer.claimed[0]!.retry_count },
      result: { done: true },
      progress: undefined,
    };
    const carrying = await commitModeOf({
      workerId: w,
      limit: 1,
      namespaceLimit: 20,
      completions: [completion].map(serializeCompletion),
    });
    expect([...carrying.answer.completed]).toEqual([first.id]);
    expect(carrying.answer.claimed.map((r) => r.id)).toEqual([second.id]);
    expect(carrying.mode).toBe("on");
    // The setting is the claim's transaction's own: the connection keeps its own.
    const [after] = await db.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
    expect(after!.synchronous_commit).toBe(before!.synchronous_commit);
  });
});

describe("writes after claiming", () => {
  it("rejects a late write from a stale attempt", async () => {
    const job = await submit();
    const w = await worker();
    const [claimed] = await claim({ workerId: w, limit: 1, namespaceLimit: 20 });
    const key = { id: job.id, workerId: w, retryCount: claimed!.retry_count };
    expect(await failJob(db, key, { error: "boom", retryDelayMs: 0 })).toBe("pending");
    // The attempt that already failed cannot complete the row any more.
    expect(
      (
        await completeJobs(db, [
          serializeCompletion({ key, result: { late: true }, progress: undefined }),
        ])
      ).size,
    ).toBe(0);
    const w2 = await worker();
    const [again] = await claim({ workerId: w2, limit: 1, namespaceLimit: 20 });
    expect(again!.retry_count).toBe(1);
    expect(
      (
        await completeJobs(db, [
          serializeCompletion({
            key: { id: job.id, workerId: w2, retryCount: 1 },
            result: { ok: 1 },
            progress: undefined,
          }),
        ])
      ).size,
    ).toBe(1);
  });

  it("puts back a stopped worker's running jobs, counting the attempt, and fails them when out of attempts", async () => {
    const retryable = await submit({ maxRetries: 1 });
    const last = await submit({ maxRetries: 0 });
    const w = await worker();
    await claim({ workerId: w, limit: 2, namespaceLimit: 20 });
    await setWorkerStatus(db, [w], "stopped");
    const recovered = await recoverOrphanedJobs(db, "worker gone");
    const byId = new Map(recovered.map((r) => [r.id, r]));
    expect(byId.get(retryable.id)).toMatchObject({
      status: "pending",
      retry_count: 1,
      worker_id: null,
    });
    expect(byId.get(last.id)).toMatchObject({
      status: "failed",
      retry_count: 0,
      error_message: "worker gone",
    });
  });
});
