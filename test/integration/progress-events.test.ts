// Each progress report of a job is kept as an event of its attempt (migration 0015's
// trigger) and returned with the attempts; the events go with the job when it is deleted.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "three-steps.ts": `
export async function handler(req, fluxbase, fluxbaseService, job) {
  for (const [percent, message] of [[10, "fetching"], [50, "crunching"], [90, "saving"]]) {
    job.reportProgress(percent, message);
    // Reports are coalesced (about one a second per job): wait so each is written.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  return { ok: true };
}`,
};

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobs });
});
afterAll(async () => {
  await t?.stop();
});

describe("progress events", () => {
  it("returns each of a job's three progress reports with its attempt", async () => {
    const { data: job, error } = await t.service.jobs.submit("three-steps", {});
    expect(error).toBeNull();
    const attempts = await waitFor(
      async () => {
        const { data } = await t.service.jobs.getAttempts(job!.id);
        const last = data?.at(-1);
        return last?.status === "completed" ? data : undefined;
      },
      { timeoutMs: 30_000, what: "the job to complete" },
    );
    expect(attempts).toHaveLength(1);
    const events = attempts![0]!.progress!;
    expect(events.map((e) => [e.percent, e.message])).toEqual([
      [10, "fetching"],
      [50, "crunching"],
      [90, "saving"],
    ]);
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Deleted with the job.
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      await client.query("DELETE FROM jobs.queue WHERE id = $1", [job!.id]);
      const left = await client.query("SELECT 1 FROM jobs.progress_events WHERE job_id = $1", [
        job!.id,
      ]);
      expect(left.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it("keeps at most the newest 200 events of a job", async () => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      const [row] = (
        await client.query<{ id: string }>(
          "INSERT INTO jobs.queue (job_name) VALUES ('p') RETURNING id",
        )
      ).rows;
      await client.query(`DO $$ BEGIN
        FOR i IN 1..205 LOOP
          UPDATE jobs.queue SET progress = jsonb_build_object('percent', i) WHERE id = '${row!.id}';
        END LOOP; END $$`);
      const kept = await client.query<{ n: number; low: number; high: number }>(
        `SELECT count(*)::int AS n, min(percent) AS low, max(percent) AS high
         FROM jobs.progress_events WHERE job_id = $1`,
        [row!.id],
      );
      expect(kept.rows[0]).toEqual({ n: 200, low: 6, high: 205 });
    } finally {
      await client.end();
    }
  });
});
