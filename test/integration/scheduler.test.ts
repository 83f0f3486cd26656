// The cron scheduler end to end: two stacks share one database; exactly one leads and
// fires each instant once; stopping it hands leadership over; overlap, pause, resume and
// trigger through the SDK. Counts come from the database, not from either stack.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

// Line comments: `*/1` would close a JSDoc block.
const jobs = {
  "tick.ts": `// @fluxbase:schedule */1 * * * * *
// @fluxbase:schedule-params {"source": "test"}
export function handler() { return { ok: true }; }`,
  "bad-cron.ts": `// @fluxbase:schedule 61 * * * *
export function handler() { return 1; }`,
};

const slowCode = (extra: string) => `// @fluxbase:schedule */1 * * * * *
${extra}
export async function handler() {
  await new Promise((r) => setTimeout(r, 2500));
  return { done: true };
}`;

let database: TestDatabase;
let stacks: TestStack[] = [];
let client: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  const first = await startTestStack({ jobs, database });
  const second = await startTestStack({ jobs, database });
  stacks = [first, second];
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  for (const s of stacks) await s.stop();
  await database?.drop();
});

interface FireRow {
  at: string;
  trigger: string;
  status: string;
  created_by: string | null;
  user_role: string | null;
  source: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

async function fires(jobName: string, trigger = "cron"): Promise<FireRow[]> {
  const res = await client.query<FireRow>(
    `SELECT payload->>'_scheduled_at' AS at, payload->>'_trigger' AS trigger, status, created_by, user_role,
            payload->>'source' AS source, created_at, started_at, completed_at
     FROM jobs.queue WHERE job_name = $1 AND payload->>'_trigger' = $2 ORDER BY created_at`,
    [jobName, trigger],
  );
  return res.rows;
}

function expectNoDuplicates(rows: FireRow[]): void {
  const instants = rows.map((r) => r.at);
  expect(new Set(instants).size).toBe(instants.length);
  for (const at of instants) expect(Date.parse(at) % 1000).toBe(0);
}

const leaders = () => stacks.filter((s) => s.stack.scheduler.isLeader());

describe("cron scheduler across two instances", () => {
  it("fires a */1 * * * * * schedule once per second, each instant once, as the service role", async () => {
    await waitFor(() => (leaders().length === 1 ? true : undefined), {
      what: "exactly one leader",
    });
    const rows = await waitFor(
      async () => {
        const r = await fires("tick");
        return r.length >= 11 ? r : undefined;
      },
      { what: "eleven cron fires", timeoutMs: 60_000 },
    );
    expectNoDuplicates(rows);
    const times = rows.map((r) => Date.parse(r.at)).sort((x, y) => x - y);
    // Every second: instants one or more whole seconds apart, and at least two of them back to
    // back (a tick late on a busy machine skips an instant, by design; it never fires between).
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.every((gap) => gap >= 1000 && gap % 1000 === 0)).toBe(true);
    expect(gaps).toContain(1000);
    expect(rows[0]).toMatchObject({ created_by: null, user_role: "service_role", source: "test" });
    expect(leaders()).toHaveLength(1);
  });

  it("hands leadership over when the leader's stack stops, and keeps firing", async () => {
    const leader = leaders()[0]!;
    const other = stacks.find((s) => s !== leader)!;
    await leader.stop();
    stacks = [other];
    const stoppedAt = Date.now();
    await waitFor(() => (other.stack.scheduler.isLeader() ? true : undefined), {
      what: "the follower to lead",
    });
    await waitFor(
      async () => {
        const after = (await fires("tick")).filter((r) => Date.parse(r.at) > stoppedAt);
        return after.length >= 3 ? after : undefined;
      },
      { what: "fires from the new leader" },
    );
    expectNoDuplicates(await fires("tick"));
  });

  it("skips a fire while the previous run is still going, unless allow-overlap", async () => {
    const admin = stacks[0]!.service.admin.jobs;
    expect((await admin.create({ name: "slow", code: slowCode("") })).error).toBeNull();
    expect(
      (await admin.create({ name: "slow-overlap", code: slowCode("// @fluxbase:allow-overlap") }))
        .error,
    ).toBeNull();
    const slow = await waitFor(
      async () => {
        const r = await fires("slow");
        return r.filter((x) => x.status === "completed").length >= 2 ? r : undefined;
      },
      { what: "two completed runs of slow", timeoutMs: 30_000 },
    );
    const overlapping = await waitFor(
      async () => {
        const r = await fires("slow-overlap");
        return r.filter((x) => x.status === "pending" || x.status === "running").length >= 2
          ? r
          : undefined;
      },
      { what: "two concurrent runs of slow-overlap", timeoutMs: 30_000 },
    );
    await admin.pauseSchedule("default", "slow");
    await admin.pauseSchedule("default", "slow-overlap");
    // Without overlap, each run starts only after the previous one ended.
    for (let i = 1; i < slow.length; i++) {
      const previous = slow[i - 1]!;
      expect(previous.completed_at).not.toBeNull();
      if (slow[i]!.started_at) {
        expect(slow[i]!.started_at!.getTime()).toBeGreaterThanOrEqual(
          previous.completed_at!.getTime(),
        );
      }
    }
    expectNoDuplicates(slow);
    expectNoDuplicates(overlapping);
  });

  it("lists, pauses, resumes and triggers schedules through the SDK", async () => {
    const s = stacks[0]!;
    const admin = s.service.admin.jobs;
    const { data: list } = await admin.listSchedules();
    const tick = list!.find((x) => x.name === "tick")!;
    expect(tick).toMatchObject({
      namespace: "default",
      schedule: "*/1 * * * * *",
      paused: false,
      allow_overlap: false,
    });
    expect(tick.next_runs).toHaveLength(5);
    expect(Date.parse(tick.next_runs[1]!) - Date.parse(tick.next_runs[0]!)).toBe(1000);
    expect(tick.last_job_id).toBeTruthy();

    const { data: paused } = await admin.pauseSchedule("default", "tick");
    expect(paused?.paused).toBe(true);
    const pausedAt = Date.now();

    const { data: job, error } = await admin.triggerSchedule("default", "tick");
    expect(error).toBeNull();
    expect(job?.payload).toMatchObject({ _trigger: "manual", source: "test" });
    await waitFor(
      async () =>
        (await s.service.jobs.get(job!.id)).data?.status === "completed" ? true : undefined,
      { what: "the manual run", timeoutMs: 60_000 },
    );
    // While paused nothing fires: watch the table for 2 s (an instant in flight at pause time is allowed).
    await waitFor(() => (Date.now() > pausedAt + 2000 ? true : undefined), {
      what: "two quiet seconds",
    });
    expect((await fires("tick")).filter((r) => Date.parse(r.at) > pausedAt + 1000)).toEqual([]);

    const { data: resumed } = await admin.resumeSchedule("default", "tick");
    expect(resumed?.paused).toBe(false);
    const resumedAt = Date.now();
    await waitFor(
      async () =>
        (await fires("tick")).some((r) => Date.parse(r.at) > resumedAt) ? true : undefined,
      {
        what: "a fire after resume",
      },
    );
    // No catch-up of the instants missed while paused.
    const gap = (await fires("tick")).filter(
      (r) => Date.parse(r.at) > pausedAt + 1000 && Date.parse(r.at) < resumedAt - 1000,
    );
    expect(gap).toEqual([]);
    expect(await fires("tick", "manual")).toHaveLength(1);
  });

  it("rejects an invalid cron expression, naming it", async () => {
    const admin = stacks[0]!.service.admin.jobs;
    const { error } = await admin.update("default", "tick", { schedule: "bad" });
    expect(error?.message).toContain('"bad"');
    const { data: fn } = await admin.getFunction("default", "bad-cron");
    expect(fn?.enabled).toBe(false);
    expect(fn?.bundle_error).toContain('"61 * * * *"');
    expect((await fires("bad-cron")).length).toBe(0);
  });
});
