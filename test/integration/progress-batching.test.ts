// Progress reports of concurrent jobs share commits (each notifying commit waits for the
// one before it to be flushed); each write stays guarded by its attempt.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { registerWorker } from "../../src-server/db/queries/workers.ts";
import { storableJson } from "../../src-server/db/storable.ts";
import { createProgressWriter } from "../../src-server/jobs/worker/progress-writer.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

describe("progress writer", () => {
  it("writes the reports of concurrent jobs together, each only while its attempt runs", async () => {
    const worker = await registerWorker(db, {
      name: "w",
      hostname: "h",
      maxConcurrentJobs: 20,
      metadata: {},
    });
    const rows = await db.query<{ id: string }>(
      `INSERT INTO jobs.queue (job_name, status, worker_id, started_at, retry_count)
       SELECT 'p', 'running', $1, now(), 0 FROM generate_series(1, 20) RETURNING id`,
      [worker.id],
    );
    const ids = rows.map((r) => r.id);
    const writer = createProgressWriter({ db });
    // One report PostgreSQL could not store as it is (a NUL): stored escaped, in the batch.
    const report = (i: number) => ({ percent: i, message: i === 3 ? "x\u0000y" : `#${i}` });
    const key = (id: string, retryCount = 0) => ({ id, workerId: worker.id, retryCount });
    const written = await Promise.all([
      ...ids.map((id, i) => writer.write(key(id), report(i))),
      // A stale attempt of the first job writes nothing.
      writer.write(key(ids[0]!, 5), { percent: 99, message: "stale" }),
    ]);
    expect(written).toEqual([...ids.map(() => true), false]);
    const after = await db.query<{
      id: string;
      progress: { percent: number; message: string };
      tx: string;
    }>("SELECT id, progress, xmin::text AS tx FROM jobs.queue WHERE id = any($1::uuid[])", [ids]);
    const byId = new Map(after.map((r) => [r.id, r]));
    ids.forEach((id, i) => expect(byId.get(id)!.progress).toEqual(storableJson(report(i))));
    expect(new Set(after.map((r) => r.tx)).size).toBeLessThan(10);
  });
});
