// Concurrent submits share commits: each commit that notifies (every insert into
// jobs.queue does) waits for the one before it to be flushed, so one commit per submit
// made 50 concurrent submitters wait seconds. A bad job in a batch fails alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import type { NewJob } from "../../src-server/db/queries/queue.ts";
import { createJobInserter } from "../../src-server/jobs/api/insert-batcher.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";
import { waitFor } from "../helpers/wait.ts";

let t: TestStack;
let db: Db;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "noop.ts": "export function handler() { return null; }" },
    jobsConfig: { workerMode: "disabled" },
  });
  db = createDb({ connectionString: t.database.url, max: 4 });
});

afterAll(async () => {
  await db?.end();
  await t?.stop();
});

/** Rows inserted by one transaction share its xmin. */
async function transactionsOf(ids: string[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(DISTINCT xmin::text) AS n FROM jobs.queue WHERE id = any($1::uuid[])",
    [ids],
  );
  return row!.n;
}

async function noopJob(i: number, extra: Partial<NewJob> = {}): Promise<NewJob> {
  const [fn] = await db.query<{ id: string }>("SELECT id FROM jobs.functions WHERE name = 'noop'");
  return {
    namespace: "default",
    functionId: fn!.id,
    jobName: "noop",
    payload: { i },
    priority: 0,
    maxDurationSeconds: 60,
    progressTimeoutSeconds: null,
    maxRetries: 1,
    createdBy: null,
    userRole: "service_role",
    userEmail: null,
    scheduledAt: null,
    ...extra,
  };
}

describe("submitting", () => {
  it("answers concurrent HTTP submits each with its own job, as submitted", async () => {
    const headers = {
      Authorization: `Bearer ${t.stack.keys.serviceKey}`,
      "content-type": "application/json",
    };
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${t.url}/api/v1/jobs/submit`, {
          method: "POST",
          headers,
          body: JSON.stringify({ job_name: "noop", payload: { i }, priority: i % 3 }),
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { id: string; payload: { i: number }; priority: number },
        })),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
    replies.forEach((r, i) => expect(r.body).toMatchObject({ payload: { i }, priority: i % 3 }));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(40);
  });

  // How many submits share a commit over HTTP depends on when requests arrive; the inserter
  // is driven directly so the batching itself is checked without timing.
  it("inserts the submits that arrive during an insert together, in one transaction", async () => {
    const inserter = createJobInserter({ db });
    const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => noopJob(i)));
    const rows = await Promise.all(jobs.map((job) => inserter.insert(job)));
    expect(rows.map((r) => r.payload)).toEqual(jobs.map((j) => j.payload));
    // The first goes alone at once; the 39 that arrived while it was in flight go together.
    expect(await transactionsOf(rows.map((r) => r.id))).toBe(2);
  });

  it("fails only the job PostgreSQL refuses, with its own error", async () => {
    const inserter = createJobInserter({ db });
    const [user] = await db.query<{ id: string }>(
      "INSERT INTO auth.users (email, password_hash) VALUES ('batch@example.com', 'x') RETURNING id",
    );
    const asUser = {
      createdBy: user!.id,
      userRole: "authenticated",
      userEmail: "batch@example.com",
    };
    const job = (i: number, extra: Partial<NewJob> = {}) => noopJob(i, { ...asUser, ...extra });
    const at = new Date(Date.now() + 3_600_000);
    // Built first, so that every insert is handed over at once and each promise has its
    // handler before the refused one can reject.
    const jobs = await Promise.all([
      job(0),
      job(1, { payload: { text: "x\u0000y" } }),
      job(2, { createdBy: "00000000-0000-4000-8000-000000000000", scheduledAt: at }),
      job(3),
    ]);
    const results = await Promise.allSettled(jobs.map((j) => inserter.insert(j)));
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const rows = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(rows.map((r) => r.payload)).toEqual([{ i: 0 }, { i: 2 }, { i: 3 }]);
    expect(rows[0]).toMatchObject({
      created_by: user!.id,
      user_role: "authenticated",
      max_duration_seconds: 60,
      status: "pending",
    });
    // An unknown user is stored as nobody, as a single insert does.
    expect(rows[1]!.created_by).toBeNull();
    expect(rows[1]!.scheduled_at?.getTime()).toBe(at.getTime());
  });

  // The local wake (local-wake.ts) knows a commit's NOTIFY by its sender: the backend pid an
  // insert reports must be the one its notification names.
  it("tells the local wake of each commit by the backend whose NOTIFY will echo it", async () => {
    const listener = await db.connect();
    const senders: number[] = [];
    listener.on("notification", (msg) => {
      if (msg.channel === "jobs_wake") senders.push(msg.processId);
    });
    await listener.query("LISTEN jobs_wake");
    try {
      const committed: number[] = [];
      const inserter = createJobInserter({
        db,
        wake: { committed: (backendPid) => void committed.push(backendPid) },
      });
      const jobs = await Promise.all(Array.from({ length: 5 }, (_, i) => noopJob(i)));
      const rows = await Promise.all(jobs.map((job) => inserter.insert(job)));
      // One commit alone, then the four that waited for it together.
      expect(committed).toHaveLength(2);
      await waitFor(() => (senders.length >= 2 ? true : undefined), { what: "the NOTIFYs" });
      expect(senders).toEqual(committed);
      // The pid is not part of the row the submit answers with.
      expect(rows.every((r) => !("inserted_by_backend" in r))).toBe(true);
      // A wake that fails leaves the stored job's submit answered.
      const failing = createJobInserter({
        db,
        wake: {
          committed: () => {
            throw new Error("wake failed");
          },
        },
      });
      const row = await failing.insert(await noopJob(9));
      expect(row.payload).toEqual({ i: 9 });
    } finally {
      await listener.query("UNLISTEN *");
      listener.release();
    }
  });
});
