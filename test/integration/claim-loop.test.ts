// The claim loop (claim-loop.ts) on a real PostgreSQL, running jobs through execute.ts with
// the in-process runtime: how many jobs a worker runs, when it claims again, and which
// statement carries each completion. No listener and no poll here: every claim comes
// from a wake the test makes or from the loop itself.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue } from "../../src-sdk/types.ts";
import { defaultJobsConfig } from "../../src-server/config/index.ts";
import type { JobsConfig } from "../../src-server/config/types.ts";
import { createDb, type Db, type QueryOptions } from "../../src-server/db/connections.ts";
import {
  createPipelinedConnection,
  type PipelinedConnection,
} from "../../src-server/db/pipelined-connection.ts";
import type { JobRow, NewJob } from "../../src-server/db/queries/queue.ts";
import { createJobInserter } from "../../src-server/jobs/api/insert-batcher.ts";
import { createLocalWake } from "../../src-server/jobs/local-wake.ts";
import { createFunctionCache } from "../../src-server/jobs/functions/function-cache.ts";
import { createClaimLoop, type ClaimLoop } from "../../src-server/jobs/worker/claim-loop.ts";
import type { ClaimTurnsOptions } from "../../src-server/jobs/worker/claim-turns.ts";
import { createCompletionWriter } from "../../src-server/jobs/worker/completion-writer.ts";
import { executeAttempt } from "../../src-server/jobs/worker/execute.ts";
import {
  createInProcessRuntime,
  type InProcessHandler,
} from "../../src-server/jobs/worker/in-process-runtime.ts";
import { silentLogger } from "../../src-server/logger.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import {
  createJobFunction,
  jobRows,
  observeStatements,
  queueJob,
  registerTestWorker,
  type ObservedDb,
} from "../helpers/queue-statements.ts";
import { createTestFunction } from "../helpers/queue-database.ts";
import { waitFor } from "../helpers/wait.ts";

let database: TestDatabase;
let db: Db;
const functions = new Map<string, string>();
const loops: ClaimLoop[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 8 });
  for (const name of ["work", "held", "unserialisable"])
    functions.set(name, await createJobFunction(db, name));
  // One function whose jobs' log lines are stored.
  functions.set("logged", (await createTestFunction(db, { name: "logged" })).id);
});
afterEach(async () => {
  for (const loop of loops.splice(0)) {
    loop.stop();
    await loop.settled();
  }
  // Each test starts from an empty queue.
  await db.query("DELETE FROM jobs.queue");
});
afterAll(async () => {
  await db.end();
  await database.drop();
});

/** A latch the `held` jobs wait on, one per job id. */
function latches() {
  const open = new Map<string, () => void>();
  const waiting = new Map<string, Promise<void>>();
  const of = (id: string) => {
    if (!waiting.has(id)) waiting.set(id, new Promise<void>((r) => open.set(id, r)));
    return waiting.get(id)!;
  };
  return {
    wait: of,
    release: (...ids: string[]) => {
      for (const id of ids) {
        void of(id);
        open.get(id)!();
      }
    },
  };
}

interface Setup {
  loop: ClaimLoop;
  observed: ObservedDb;
  /** Completions handed to the completion path so far. */
  completionsQueued(): number;
}

async function startLoop(
  handlers: Record<string, InProcessHandler>,
  options: {
    workers?: number;
    config?: Partial<JobsConfig>;
    /** Called as each completion is queued, before its worker's claim can take it. */
    onCompletionQueued?: () => void;
    turns?: ClaimTurnsOptions;
    /** Awaited before each log write (and any other write through `persist`). */
    beforeWrite?: () => Promise<void>;
  } = {},
): Promise<Setup> {
  const observed = observeStatements(db);
  const config: JobsConfig = {
    ...defaultJobsConfig(process.cwd()),
    maxConcurrentPerWorker: 2,
    ...options.config,
  };
  let queued = 0;
  const completions = createCompletionWriter({
    db: observed.db,
    joinClaim: (waiting) => loop.joinClaim(waiting),
  });
  const ctx = {
    db,
    runtime: createInProcessRuntime(handlers),
    config,
    functions: createFunctionCache(db),
    completions: {
      complete: (...args: Parameters<typeof completions.complete>) => {
        queued++;
        const written = completions.complete(...args);
        options.onCompletionQueued?.();
        return written;
      },
    },
    jwtSecret: "x".repeat(32),
    serverUrl: () => "http://127.0.0.1:1",
    jobEnv: {},
    persist: async <T>(write: () => Promise<T>) => {
      await options.beforeWrite?.();
      return write();
    },
    logger: silentLogger,
  };
  const loop = createClaimLoop({
    db: observed.db,
    config,
    completions,
    run: (row, job) => executeAttempt(ctx, row, job),
    logger: silentLogger,
    turns: options.turns,
  });
  loops.push(loop);
  for (let i = 0; i < (options.workers ?? 1); i++) {
    const name = `loop-test-${i}`;
    loop.addWorker(await registerTestWorker(db, name), name);
  }
  return { loop, observed, completionsQueued: () => queued };
}

const queue = (name: string) => queueJob(db, functions.get(name)!, name);

const untilStatuses = (ids: string[], status: string, what: string) =>
  waitFor(
    async () => {
      const rows = await jobRows(db, ids);
      return rows.every((r) => r.status === status) ? rows : undefined;
    },
    { timeoutMs: 15_000, what },
  );

/**
 * Waits until the loop itself runs these jobs: their claim's answer has reached it. The
 * rows read `running` as soon as the claim commits, which can be before the loop has that
 * answer; a claim held from then on would be that first claim, not the next one.
 */
const untilRunningHere = (loop: ClaimLoop, ids: string[], what: string) =>
  waitFor(() => (ids.every((id) => loop.running.has(id)) ? true : undefined), { what });

/**
 * The `work` job ran, claimed by the one claim sent so far; its completion then rode a claim
 * of its own, and no other claim went out.
 */
async function expectRunByTheOneClaim(id: string, claims: () => { completed: string[] }[]) {
  const [row] = await untilStatuses([id], "completed", "the job");
  expect(row!.result).toBe("ran");
  await waitFor(() => (claims().length >= 2 ? true : undefined), { what: "the second claim" });
  expect(claims().map((c) => c.completed)).toEqual([[], [id]]);
}

const untilHeld = (observed: ObservedDb, count: number) =>
  waitFor(() => (observed.heldClaims() === count ? true : undefined), {
    what: `${count} claim(s) to be held`,
  });

describe("the claim loop", () => {
  it("never runs more jobs on a worker than its slots, however often it is woken", async () => {
    const latch = latches();
    const runningNow = new Set<string>();
    let peak = 0;
    const { loop } = await startLoop(
      {
        held: async (job) => {
          runningNow.add(job.spec.jobId);
          peak = Math.max(peak, runningNow.size);
          // Wakes arriving while the worker is full change nothing.
          loop.wakeAll();
          loop.wakeOne();
          await latch.wait(job.spec.jobId);
          runningNow.delete(job.spec.jobId);
          return null;
        },
      },
      { config: { maxConcurrentPerWorker: 3 } },
    );
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await queue("held"));
    loop.wakeAll();
    // Round by round: the worker fills its three slots (one in the last round), and the
    // jobs are let go only then.
    const released = new Set<string>();
    while (released.size < ids.length) {
      const full = Math.min(3, ids.length - released.size);
      const round = await waitFor(
        () => {
          const now = [...runningNow].filter((id) => !released.has(id));
          return now.length === full ? now : undefined;
        },
        { what: `${full} jobs running at once` },
      );
      for (const id of round) released.add(id);
      latch.release(...round);
    }
    await untilStatuses(ids, "completed", "every job to complete");
    expect(peak).toBe(3);
    expect([...released].sort()).toEqual([...ids].sort());
  });

  it("claims again when woken during a claim, so a job announced meanwhile does not wait", async () => {
    const { loop, observed } = await startLoop({ work: () => "ran" });
    const release = observed.holdClaims();
    loop.wakeOne();
    // The claim has run (the queue was empty) and its answer is on its way back.
    await untilHeld(observed, 1);
    const id = await queue("work");
    loop.wakeOne();
    release();
    const [row] = await untilStatuses([id], "completed", "the job announced during the claim");
    expect(row!.result).toBe("ran");
  });

  it("claims at once when a submit of this process wakes it; a wake due at the turn's end adds no claim", async () => {
    const { loop, observed } = await startLoop({ work: () => "ran" });
    const id = await queue("work");
    const claims = () => observed.sent.filter((s) => s.kind === "claim");
    loop.wakeOne();
    loop.wakeOneNow();
    // Sent before this turn goes on (it would answer the submit).
    expect(claims()).toHaveLength(1);
    await expectRunByTheOneClaim(id, claims);
  });

  it("hurries a claim due at the turn's end, and claims nothing when none is due", async () => {
    const { loop, observed } = await startLoop({ work: () => "ran" });
    const claims = () => observed.sent.filter((s) => s.kind === "claim");
    loop.hurry();
    expect(claims()).toHaveLength(0);
    const id = await queue("work");
    loop.wakeOne();
    loop.hurry();
    expect(claims()).toHaveLength(1);
    await expectRunByTheOneClaim(id, claims);
  });

  it("wakes a sibling when its claim comes back full", async () => {
    const latch = latches();
    const { loop } = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => null) },
      { workers: 2, config: { maxConcurrentPerWorker: 2 } },
    );
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await queue("held"));
    loop.wakeOne();
    const rows = await untilStatuses(ids, "running", "all four jobs to run");
    const perWorker = new Map<string, number>();
    for (const r of rows) perWorker.set(r.worker_id!, (perWorker.get(r.worker_id!) ?? 0) + 1);
    expect([...perWorker.values()]).toEqual([2, 2]);
    latch.release(...ids);
    await untilStatuses(ids, "completed", "the jobs to complete");
  });

  /**
   * Each of the loop's two workers runs two `held` jobs (of its three slots); the first two
   * ids are one of each worker's.
   */
  async function twoRunningEach(loop: ClaimLoop): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(await queue("held"));
      // The least busy worker claims: the jobs alternate between the two.
      loop.wakeOne();
      await untilRunningHere(loop, ids, `job ${i + 1} to run`);
    }
    return ids;
  }

  it("sends its workers' claims one at a time; the next carries what was queued meanwhile", async () => {
    const latch = latches();
    const setup = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => "held"), work: () => "ran" },
      { workers: 2, config: { maxConcurrentPerWorker: 3 } },
    );
    const { loop, observed } = setup;
    const held = await twoRunningEach(loop);
    const running = held.slice(0, 2);
    const claims = () => observed.sent.filter((s) => s.kind === "claim").length;
    const before = claims();
    const release = observed.holdClaims();
    // A job of each worker ends: each has a slot free and a completion to carry, and a job
    // still running. The first claim is answered and its answer held; the other worker
    // waits for its turn, unsent.
    latch.release(...running);
    await waitFor(() => (setup.completionsQueued() === 2 ? true : undefined));
    await untilHeld(observed, 1);
    expect(claims() - before).toBe(1);
    const queued = [await queue("work"), await queue("work")];
    release();
    await untilStatuses(running, "completed", "both completions");
    // The waiting worker's claim, sent once the first answered, found the jobs queued
    // while it waited.
    await untilStatuses(queued, "completed", "the jobs queued while the first claim was out");
    latch.release(...held.slice(2));
  });

  it("claims at once for a worker with every slot free: it has nothing to wait for", async () => {
    const { loop, observed } = await startLoop(
      { work: () => "ran" },
      // No turn ends early here: the three claims are out together or not at all.
      { workers: 3, config: { maxConcurrentPerWorker: 1 }, turns: { holdMs: 60_000 } },
    );
    const release = observed.holdClaims();
    loop.wakeAll();
    await untilHeld(observed, 3);
    release();
  });

  it("lets the next worker claim when a claim holds its turn too long", async () => {
    const latch = latches();
    const setup = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => "held") },
      { workers: 2, config: { maxConcurrentPerWorker: 3 }, turns: { holdMs: 20 } },
    );
    const { loop, observed } = setup;
    const held = await twoRunningEach(loop);
    const release = observed.holdClaims();
    latch.release(...held.slice(0, 2));
    // The first claim's answer is held for good; the second goes out once its turn passed.
    await untilHeld(observed, 2);
    release();
    latch.release(...held.slice(2));
    await untilStatuses(held, "completed", "every completion");
  });

  it("sends the completions of jobs that finish together in one claim", async () => {
    const latch = latches();
    const started = new Set<string>();
    const setup = await startLoop(
      {
        held: (job) => {
          started.add(job.spec.jobId);
          return latch.wait(job.spec.jobId).then(() => job.spec.jobId);
        },
      },
      { config: { maxConcurrentPerWorker: 3 } },
    );
    const { loop, observed } = setup;
    const [a, b, c] = [await queue("held"), await queue("held"), await queue("held")];
    loop.wakeOne();
    await waitFor(() => (started.size === 3 ? true : undefined), {
      what: "the three handlers to start",
    });
    latch.release(a!, b!, c!);
    const rows = await untilStatuses([a!, b!, c!], "completed", "the three completions");
    expect(rows.map((r) => r.result)).toEqual([a, b, c]);
    const carriers = observed.sent.filter((s) => s.completed.length > 0);
    expect(carriers).toEqual([{ kind: "claim", completed: expect.arrayContaining([a, b, c]) }]);
  });

  it("carries completions queued during a claim together in the next claim", async () => {
    const latch = latches();
    const setup = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => job.spec.jobId) },
      { config: { maxConcurrentPerWorker: 3 } },
    );
    const { loop, observed } = setup;
    const [a, b, c] = [await queue("held"), await queue("held"), await queue("held")];
    loop.wakeOne();
    await untilRunningHere(loop, [a!, b!, c!], "the three jobs to run");
    const release = observed.holdClaims();
    latch.release(a!);
    await untilHeld(observed, 1);
    latch.release(b!, c!);
    await waitFor(() => (setup.completionsQueued() === 3 ? true : undefined));
    release();
    const rows = await untilStatuses([a!, b!, c!], "completed", "the three completions");
    expect(rows.map((r) => r.result)).toEqual([a, b, c]);
    const carriers = observed.sent.filter((s) => s.completed.length > 0);
    expect(carriers).toEqual([
      { kind: "claim", completed: [a] },
      { kind: "claim", completed: expect.arrayContaining([b, c]) },
    ]);
  });

  it("stores a completed job's log lines before its row says completed", async () => {
    let open!: () => void;
    const logsHeld = new Promise<void>((resolve) => (open = resolve));
    let writesAsked = 0;
    const setup = await startLoop(
      {
        logged: (job) => {
          job.log("the last line");
          return "ran";
        },
      },
      {
        beforeWrite: () => {
          writesAsked++;
          return logsHeld;
        },
      },
    );
    const id = await queue("logged");
    setup.loop.wakeOne();
    try {
      // The handler has returned and its log line is on its way to the table, held there.
      await waitFor(() => (writesAsked > 0 ? true : undefined), { what: "the log write" });
      // A round trip later, a completion queued alongside would have gone out in a claim.
      expect((await jobRows(db, [id]))[0]!.status).toBe("running");
      expect(setup.observed.sent.filter((s) => s.completed.includes(id))).toEqual([]);
    } finally {
      open();
    }
    const [row] = await untilStatuses([id], "completed", "the job");
    expect(row!.result).toBe("ran");
    const lines = await db.query<{ message: string }>(
      "SELECT message FROM logging.entries WHERE execution_id = $1",
      [id],
    );
    expect(lines.map((l) => l.message)).toEqual(["the last line"]);
  });

  it("writes the completions of a failed claim alone", async () => {
    const latch = latches();
    const { loop, observed } = await startLoop({
      held: (job) => latch.wait(job.spec.jobId).then(() => "kept"),
    });
    const id = await queue("held");
    loop.wakeOne();
    await untilStatuses([id], "running", "the job to run");
    observed.refuseNextClaim();
    latch.release(id);
    const [row] = await untilStatuses([id], "completed", "the completion written alone");
    expect(row!.result).toBe("kept");
    expect(observed.sent.slice(-2)).toEqual([
      { kind: "claim", completed: [id] },
      { kind: "complete", completed: [id] },
    ]);
  });

  it("once stopped, writes the completions still queued and those that come after without claiming", async () => {
    const latch = latches();
    const setup = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => "done") },
      { config: { maxConcurrentPerWorker: 3 } },
    );
    const { loop, observed } = setup;
    const [a, b, c] = [await queue("held"), await queue("held"), await queue("held")];
    loop.wakeOne();
    await untilRunningHere(loop, [a!, b!, c!], "the three jobs to run");
    const release = observed.holdClaims();
    latch.release(a!);
    await untilHeld(observed, 1);
    const pending = await queue("work");
    latch.release(b!);
    await waitFor(() => (setup.completionsQueued() === 2 ? true : undefined));
    loop.stop();
    const claimsBeforeStop = observed.sent.filter((s) => s.kind === "claim").length;
    release();
    await untilStatuses([a!, b!], "completed", "the completions queued before the stop");
    latch.release(c!);
    await untilStatuses([c!], "completed", "the completion that came after the stop");
    await loop.settled();
    expect(observed.sent.filter((s) => s.kind === "claim")).toHaveLength(claimsBeforeStop);
    expect(observed.sent.filter((s) => s.kind === "complete")).toEqual([
      { kind: "complete", completed: [b] },
      { kind: "complete", completed: [c] },
    ]);
    expect((await jobRows(db, [pending]))[0]!.status).toBe("pending");
  });

  it("fails a completion that cannot be written alone: its sibling's rides the claim, which goes on claiming", async () => {
    const latch = latches();
    const { loop } = await startLoop({
      held: async (job) => {
        await latch.wait(job.spec.jobId);
        return "fine";
      },
      unserialisable: async (job) => {
        await latch.wait(job.spec.jobId);
        return { n: 10n } as unknown as JsonValue;
      },
      work: () => "next",
    });
    const bad = await queue("unserialisable");
    const good = await queue("held");
    loop.wakeOne();
    await untilStatuses([bad, good], "running", "both jobs to run");
    const next = await queue("work");
    latch.release(bad, good);
    await untilStatuses([next], "completed", "the next job, claimed by the worker itself");
    const [badRow, goodRow] = await jobRows(db, [bad, good]);
    expect(badRow).toMatchObject({ status: "failed" });
    expect(badRow!.error_message).toMatch(/^The job's result could not be recorded: .*BigInt/);
    expect(goodRow).toMatchObject({ status: "completed", result: "fine" });
  });
});

// A submit of this process carries a worker's claim behind its insert (insert-batcher.ts,
// local-wake.ts): one round trip on a pipelined connection, the insert committed without
// waiting for its flush, the submit answered once the WAL is flushed.
describe("a claim behind a submit's insert", () => {
  const pipes: PipelinedConnection[] = [];
  afterAll(async () => {
    for (const pipe of pipes) await pipe.end();
  });

  /** The pipelined connection, each statement's sending and answer logged in order. */
  async function loggedPipe() {
    const real = createPipelinedConnection({ connectionString: database.url });
    pipes.push(real);
    await waitFor(() => (real.canFlush() ? true : undefined), { what: "the connection" });
    const log: string[] = [];
    const answers = new Map<string, unknown[]>();
    const pipe: PipelinedConnection = {
      backendPid: () => real.backendPid(),
      canFlush: () => real.canFlush(),
      end: () => real.end(),
      query<R extends object>(text: string, values?: unknown[], options?: QueryOptions) {
        const name = (options?.prepare ?? text).replace(/^fluxbase_claim_\d+/, "claim");
        log.push(`sent ${name}`);
        return real.query<R>(text, values, options).then((rows) => {
          log.push(`answered ${name}`);
          answers.set(name, rows);
          return rows;
        });
      },
    };
    return { pipe, log, answers };
  }

  function newJob(name: string): NewJob {
    return {
      namespace: "default",
      functionId: functions.get(name)!,
      jobName: name,
      payload: {},
      priority: 0,
      maxDurationSeconds: 60,
      progressTimeoutSeconds: null,
      maxRetries: 0,
      createdBy: null,
      userRole: "service_role",
      userEmail: null,
      scheduledAt: null,
    };
  }

  async function submitter(loop: ClaimLoop, pipe: PipelinedConnection) {
    const wake = createLocalWake();
    wake.subscribe({ wake: loop.wakeOneNow, hurry: loop.hurry, claimBehind: loop.claimBehind });
    return createJobInserter({ db, wake, pipelined: pipe });
  }

  it("claims the job in its insert's round trip, and answers the submit once flushed", async () => {
    const { loop, observed } = await startLoop({ work: () => "ran" });
    const { pipe, log, answers } = await loggedPipe();
    const inserter = await submitter(loop, pipe);
    const row = await inserter.insert(newJob("work"));
    expect(log).toEqual([
      "sent fluxbase_insert_jobs_unflushed",
      "sent claim",
      "sent fluxbase_flush_wal",
      "answered fluxbase_insert_jobs_unflushed",
      "answered claim",
      "answered fluxbase_flush_wal",
    ]);
    expect((answers.get("claim") as { id: string }[]).map((r) => r.id)).toEqual([row.id]);
    expect(row).not.toHaveProperty("unflushed");
    expect(row).not.toHaveProperty("inserted_by_backend");
    const [done] = await untilStatuses([row.id], "completed", "the job");
    expect(done!.result).toBe("ran");
    // The pool's own connection carried only the claim its completion rode.
    expect(observed.sent.filter((s) => s.kind === "claim").map((c) => c.completed)).toEqual([
      [row.id],
    ]);
  });

  it("carries no completion behind the insert; the worker's next claim on the pool does", async () => {
    const latch = latches();
    const submitting: { start?: () => Promise<JobRow> } = {};
    let submitted: Promise<JobRow> | undefined;
    const { loop, observed } = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => "held ran"), work: () => "ran" },
      // The submit goes out while the held job's completion waits for its worker's claim.
      { onCompletionQueued: () => void (submitted ??= submitting.start?.()) },
    );
    const held = await queue("held");
    loop.wakeAll();
    await untilRunningHere(loop, [held], "the held job");
    const { pipe, log } = await loggedPipe();
    const inserter = await submitter(loop, pipe);
    submitting.start = () => inserter.insert(newJob("work"));
    latch.release(held);
    await waitFor(() => submitted, { what: "the submit" });
    const row = await submitted!;
    expect(log.filter((l) => l.startsWith("sent"))).toEqual([
      "sent fluxbase_insert_jobs_unflushed",
      "sent claim",
      "sent fluxbase_flush_wal",
    ]);
    await untilStatuses([held, row.id], "completed", "both jobs");
    const carried = observed.sent.filter((c) => c.kind === "claim").flatMap((c) => c.completed);
    expect(carried).toContain(held);
  });

  it("inserts durably on the pool, sending nothing behind, when no worker has room", async () => {
    const latch = latches();
    const { loop } = await startLoop(
      { held: (job) => latch.wait(job.spec.jobId).then(() => null) },
      { config: { maxConcurrentPerWorker: 1 } },
    );
    const first = await queue("held");
    loop.wakeAll();
    await untilRunningHere(loop, [first], "the first job");
    const { pipe, log } = await loggedPipe();
    const inserter = await submitter(loop, pipe);
    const row = await inserter.insert(newJob("held"));
    expect(log).toEqual([]);
    expect((await jobRows(db, [row.id]))[0]!.status).toBe("pending");
    // Woken as before: the worker takes it once its slot is free.
    latch.release(first, row.id);
    await untilStatuses([first, row.id], "completed", "both jobs");
  });
});
