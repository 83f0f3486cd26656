// The completion path alone (completion-writer.ts) on a real PostgreSQL: completions ride
// the claim they are handed to, or go in batched statements of their own; a failed claim
// loses none; one completion that cannot be written fails alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { claimJobs } from "../../src-server/db/queries/claim.ts";
import type { AttemptKey } from "../../src-server/db/queries/queue.ts";
import {
  createCompletionWriter,
  type WaitingCompletion,
} from "../../src-server/jobs/worker/completion-writer.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import {
  createJobFunction,
  jobRows,
  observeStatements,
  queueJob,
  registerTestWorker,
} from "../helpers/queue-statements.ts";

let database: TestDatabase;
let db: Db;
let functionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 4 });
  functionId = await createJobFunction(db, "work");
});
afterAll(async () => {
  await db.end();
  await database.drop();
});

/** A worker running `count` jobs: their attempt keys. */
async function runningJobs(count: number): Promise<{ workerId: string; keys: AttemptKey[] }> {
  const workerId = await registerTestWorker(db, "writer-test");
  for (let i = 0; i < count; i++) await queueJob(db, functionId, "work");
  const { claimed } = await claimJobs(db, { workerId, limit: count, namespaceLimit: 100 });
  expect(claimed).toHaveLength(count);
  return { workerId, keys: claimed.map((r) => ({ id: r.id, workerId, retryCount: 0 })) };
}

describe("the completion path", () => {
  it("with no claim due, writes completions alone, those arriving during a write together in the next", async () => {
    const observed = observeStatements(db);
    const writer = createCompletionWriter({ db: observed.db, joinClaim: () => false });
    const { keys } = await runningJobs(3);
    const written = await Promise.all(keys.map((k, i) => writer.complete(k, { n: i }, undefined)));
    expect(written).toEqual([true, true, true]);
    const rows = await jobRows(
      db,
      keys.map((k) => k.id),
    );
    expect(rows.map((r) => [r.status, r.result])).toEqual([
      ["completed", { n: 0 }],
      ["completed", { n: 1 }],
      ["completed", { n: 2 }],
    ]);
    expect(observed.sent).toEqual([
      { kind: "complete", completed: [keys[0]!.id] },
      { kind: "complete", completed: [keys[1]!.id, keys[2]!.id] },
    ]);
  });

  it("rides the claim it is handed to: one statement completes it and claims the next job", async () => {
    const observed = observeStatements(db);
    const handed: WaitingCompletion[] = [];
    const writer = createCompletionWriter({
      db: observed.db,
      joinClaim: (w) => (handed.push(w), true),
    });
    const { workerId, keys } = await runningJobs(1);
    const next = await queueJob(db, functionId, "work");
    const written = writer.complete(keys[0]!, "done", { percent: 100 });
    expect(handed).toHaveLength(1);
    const answer = await writer.ride(handed, (completions) =>
      claimJobs(observed.db, { workerId, limit: 1, namespaceLimit: 100, completions }),
    );
    expect(await written).toBe(true);
    expect(answer.claimed.map((r) => r.id)).toEqual([next]);
    const [row] = await jobRows(db, [keys[0]!.id]);
    expect(row).toMatchObject({ status: "completed", result: "done", progress: { percent: 100 } });
    expect(observed.sent).toEqual([{ kind: "claim", completed: [keys[0]!.id] }]);
  });

  it("writes the completions of a claim that failed alone, and throws the claim's error on", async () => {
    const observed = observeStatements(db);
    const handed: WaitingCompletion[] = [];
    const writer = createCompletionWriter({
      db: observed.db,
      joinClaim: (w) => (handed.push(w), true),
    });
    const { keys } = await runningJobs(2);
    const written = keys.map((k) => writer.complete(k, "done", undefined));
    // PostgreSQL refuses the claim itself (its worker id is no uuid).
    await expect(
      writer.ride(handed, (completions) =>
        claimJobs(observed.db, {
          workerId: "not-a-worker",
          limit: 1,
          namespaceLimit: 100,
          completions,
        }),
      ),
    ).rejects.toThrow(/uuid/);
    expect(await Promise.all(written)).toEqual([true, true]);
    const rows = await jobRows(
      db,
      keys.map((k) => k.id),
    );
    expect(rows.map((r) => r.status)).toEqual(["completed", "completed"]);
    expect(observed.sent.at(-1)).toEqual({
      kind: "complete",
      completed: keys.map((k) => k.id),
    });
  });

  it("fails a completion JSON cannot hold at once, before it joins a claim", async () => {
    const handed: WaitingCompletion[] = [];
    const writer = createCompletionWriter({ db, joinClaim: (w) => (handed.push(w), true) });
    const { keys } = await runningJobs(1);
    await expect(writer.complete(keys[0]!, { n: 10n }, undefined)).rejects.toThrow(/BigInt/);
    expect(handed).toEqual([]);
    expect((await jobRows(db, [keys[0]!.id]))[0]!.status).toBe("running");
  });

  it("fails a completion the database refuses alone: the others of its batch are written", async () => {
    const writer = createCompletionWriter({ db, joinClaim: () => false });
    const { keys } = await runningJobs(2);
    const refused: AttemptKey = { ...keys[0]!, id: "not-a-job" };
    const outcomes = await Promise.allSettled([
      writer.complete(keys[0]!, 1, undefined),
      writer.complete(refused, 2, undefined),
      writer.complete(keys[1]!, 3, undefined),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/uuid/);
    const rows = await jobRows(
      db,
      keys.map((k) => k.id),
    );
    expect(rows.map((r) => [r.status, r.result])).toEqual([
      ["completed", 1],
      ["completed", 3],
    ]);
  });

  it("reports a completion whose row is no longer its attempt's as not written", async () => {
    const writer = createCompletionWriter({ db, joinClaim: () => false });
    const { keys } = await runningJobs(1);
    const stale = { ...keys[0]!, retryCount: 1 };
    expect(await writer.complete(stale, "late", undefined)).toBe(false);
    expect((await jobRows(db, [keys[0]!.id]))[0]!.status).toBe("running");
  });
});
