// The runs list on the server: search over payload/result/error together with the other
// filters, sorting, creation-time ranges, paging with a total, and a job's attempts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient, Job } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "echo.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  return { echoed: job.getJobContext().payload };
}`,
  "fails.ts": `// @fluxbase:max-retries 0
export async function handler() { throw new Error("upstream said Quokka-503"); }`,
  "other.ts": `export async function handler() { return { ok: true }; }`,
  "waits.ts": `export async function handler() { await new Promise((r) => setTimeout(r, 120000)); }`,
  "flaky.ts": `// @fluxbase:max-retries 2
export async function handler(req, fluxbase, fluxbaseService, job) {
  const attempt = job.getJobContext().retry_count + 1;
  if (attempt < 3) throw new Error("boom on attempt " + attempt);
  return { recovered: attempt };
}`,
};

let t: TestStack;
let ann: FluxbaseClient;
const later = () => new Date(Date.now() + 3600_000);

beforeAll(async () => {
  t = await startTestStack({ jobs });
  ann = await t.signUp("ann@example.com");
});
afterAll(async () => {
  await t?.stop();
});

async function page(filters: Parameters<FluxbaseClient["admin"]["jobs"]["listJobsPage"]>[0]) {
  const { data, error } = await t.service.admin.jobs.listJobsPage(filters);
  if (error) throw error;
  return data!;
}

async function finished(client: FluxbaseClient, id: string): Promise<void> {
  await waitFor(
    async () => ((await client.jobs.get(id)).data?.status === "completed" ? true : undefined),
    {
      what: `job ${id} to complete`,
    },
  );
}

async function submit(
  name: string,
  payload: Record<string, unknown>,
  scheduled = true,
): Promise<Job> {
  const { data, error } = await t.service.jobs.submit(
    name,
    payload,
    scheduled ? { scheduled_at: later() } : {},
  );
  if (error) throw error;
  return data!;
}

describe("runs list search", () => {
  it("finds a job by a value deep in its payload, never opened, with the other filters", async () => {
    const target = await submit("echo", { order: { customer: "Zebulon-4417", lines: [1, 2] } });
    await submit("echo", { order: { customer: "someone else" } });
    await submit("other", { note: "zebulon-4417 mentioned here too" });

    const found = await page({ search: "zebulon-4417" });
    expect(found.total).toBe(2);
    const withName = await page({ search: "ZEBULON-4417", job_name: "echo" });
    expect(withName.jobs.map((j) => j.id)).toEqual([target.id]);
    expect(withName.total).toBe(1);
    expect((await page({ search: "zebulon-4417", status: "running" })).total).toBe(0);
    expect((await page({ search: "no such value anywhere" })).jobs).toEqual([]);
  });

  it("finds values in results and errors, and takes % and _ literally", async () => {
    const done = await submit("echo", { marker: "result-only-7781" }, false);
    await finished(t.service, done.id);
    // The payload also holds it; search a key that appears only in the result.
    expect((await page({ search: '"echoed"', job_name: "echo" })).jobs.map((j) => j.id)).toContain(
      done.id,
    );

    const failed = await submit("fails", {}, false);
    await waitFor(async () =>
      (await t.service.jobs.get(failed.id)).data?.status === "failed" ? true : undefined,
    );
    expect((await page({ search: "quokka-503", status: "failed" })).jobs.map((j) => j.id)).toEqual([
      failed.id,
    ]);
    const pct = await submit("echo", { discount: "50%_off" });
    expect((await page({ search: "50%_" })).jobs.map((j) => j.id)).toEqual([pct.id]);
    expect((await page({ search: "5_%" })).total).toBe(0);
  });

  it("finds a value in a job of every status: pending, running, completed, failed, cancelled", async () => {
    // Finished rows are searched through the trigram index, pending and running ones
    // without it (migration 0021): one search must still find them all.
    const marker = { tag: "kiwi-2718" };
    const statusOf = async (id: string) => (await t.service.jobs.get(id)).data?.status;
    const pending = await submit("echo", marker);
    const running = await submit("waits", marker, false);
    const completed = await submit("echo", marker, false);
    const failed = await submit("fails", marker, false);
    const cancelled = await submit("echo", marker);
    await t.service.jobs.cancel(cancelled.id);
    for (const [job, status] of [
      [running, "running"],
      [completed, "completed"],
      [failed, "failed"],
      [cancelled, "cancelled"],
    ] as const) {
      await waitFor(async () => ((await statusOf(job.id)) === status ? true : undefined), {
        what: `job ${job.id} to be ${status}`,
      });
    }
    const ids = [pending, running, completed, failed, cancelled].map((j) => j.id).sort();
    expect((await page({ search: "KIWI-2718" })).jobs.map((j) => j.id).sort()).toEqual(ids);
    expect((await page({ search: "kiwi-2718" })).total).toBe(5);
    expect((await page({ search: "kiwi-2718", status: "running" })).jobs.map((j) => j.id)).toEqual([
      running.id,
    ]);
    expect((await page({ search: "kiwi-2718", status: "pending" })).jobs.map((j) => j.id)).toEqual([
      pending.id,
    ]);
    await t.service.jobs.cancel(running.id);
  });

  it("shows a user only their own jobs in a search", async () => {
    const { data: mine } = await ann.jobs.submit(
      "echo",
      { shared: "needle-991" },
      { scheduled_at: later() },
    );
    await submit("echo", { shared: "needle-991" });
    const { data, error } = await ann.jobs.listPage({ search: "needle-991" });
    expect(error).toBeNull();
    expect(data!.jobs.map((j) => j.id)).toEqual([mine!.id]);
    expect(data!.total).toBe(1);
    expect((await page({ search: "needle-991" })).total).toBe(2);
  });
});

describe("runs list sorting, ranges and paging", () => {
  it("sorts by a column either way and pages with a total", async () => {
    const asc = await page({ sort: "job_name", order: "asc", limit: 1000 });
    const names = asc.jobs.map((j) => j.job_name);
    expect(names).toEqual([...names].sort());
    const desc = await page({ sort: "job_name", order: "desc", limit: 1000 });
    expect(desc.jobs[0]!.job_name).toBe([...names].sort().at(-1));

    const all = await page({ limit: 1000 });
    const first = await page({ limit: 2, offset: 0 });
    const second = await page({ limit: 2, offset: 2 });
    expect(first.total).toBe(all.jobs.length);
    expect(second.total).toBe(all.jobs.length);
    expect([...first.jobs, ...second.jobs].map((j) => j.id)).toEqual(
      all.jobs.slice(0, 4).map((j) => j.id),
    );
    const beyond = await page({ limit: 10, offset: 5000 });
    expect(beyond.jobs).toEqual([]);
    expect(beyond.total).toBe(all.jobs.length);
    const oldestFirst = await page({ order: "asc", limit: 1000 });
    expect(oldestFirst.jobs.map((j) => j.id)).toEqual([...all.jobs].reverse().map((j) => j.id));
  });

  it("filters by a creation-time range", async () => {
    const before = new Date();
    await new Promise((r) => setTimeout(r, 20));
    const job = await submit("other", { range: 1 });
    const after = await page({ created_after: before, job_name: "other" });
    expect(after.jobs.map((j) => j.id)).toEqual([job.id]);
    expect((await page({ created_before: before, search: job.id })).total).toBe(0);
  });

  it("refuses a bad sort, order or date with a 400 naming the field", async () => {
    for (const [query, field] of [
      ["sort=payload", "sort"],
      ["order=sideways", "order"],
      ["created_after=yesterday", "created_after"],
    ] as const) {
      const res = await fetch(`${t.url}/api/v1/admin/jobs/queue?${query}`, {
        headers: {
          authorization: `Bearer ${t.stack.keys.serviceKey}`,
          apikey: t.stack.keys.serviceKey,
        },
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: string };
      expect(body.error).toContain(field);
    }
  });
});

describe("attempts", () => {
  it("lists one row per attempt of a retried job: two retried failures, then the success", async () => {
    const job = await submit("flaky", { trace: true }, false);
    await finished(t.service, job.id);
    const { data: attempts, error } = await t.service.admin.jobs.getAttempts(job.id);
    expect(error).toBeNull();
    expect(attempts!.map((a) => [a.attempt, a.status])).toEqual([
      [1, "retried"],
      [2, "retried"],
      [3, "completed"],
    ]);
    expect(attempts![0]!.error_message).toContain("boom on attempt 1");
    expect(attempts![1]!.error_message).toContain("boom on attempt 2");
    for (const a of attempts!) {
      expect(Number.isNaN(Date.parse(a.started_at!))).toBe(false);
      expect(Number.isNaN(Date.parse(a.ended_at!))).toBe(false);
      expect(a.worker_id).toMatch(/\S/);
      expect(Date.parse(a.ended_at!)).toBeGreaterThanOrEqual(Date.parse(a.started_at!));
    }
    expect(Date.parse(attempts![0]!.next_run_at!)).toBeGreaterThanOrEqual(
      Date.parse(attempts![0]!.ended_at!),
    );
    // The submitter sees them too.
    const { data: own } = await ann.jobs.submit("flaky", {});
    await finished(ann, own!.id);
    expect((await ann.jobs.getAttempts(own!.id)).data!.length).toBe(3);
    // Anyone else, as for the job itself, is refused.
    const anonGet = (await t.anon.jobs.get(own!.id)).error?.status;
    expect([403, 404]).toContain(anonGet);
    expect((await t.anon.jobs.getAttempts(own!.id)).error?.status).toBe(anonGet);
  });

  it("lists nothing for a job that has not started", async () => {
    const job = await submit("echo", {});
    expect((await t.service.admin.jobs.getAttempts(job.id)).data).toEqual([]);
  });
});
