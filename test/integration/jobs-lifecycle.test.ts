// A job's life end to end: real PostgreSQL, real Deno, through the SDK.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "process-data.ts": `
/**
 * @fluxbase:timeout 60
 * @fluxbase:description Processes items
 */
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { items } = job.getJobContext().payload;
  for (let i = 0; i < items.length; i++) {
    await new Promise((r) => setTimeout(r, 30));
    job.reportProgress(Math.floor(((i + 1) / items.length) * 100), \`Processed \${i + 1}/\${items.length}\`, { done: i + 1 });
  }
  return { success: true, processed: items.length, sum: items.reduce((a, b) => a + b, 0) };
}`,
  "always-fails.ts": `
// @fluxbase:max-retries 2
export async function handler(req, fluxbase, fluxbaseService, job) {
  console.log("attempt", job.getJobContext().retry_count + 1);
  throw new Error("database exploded on purpose");
}`,
  "slow.ts": `
// @fluxbase:timeout 1
// @fluxbase:max-retries 0
export async function handler() {
  await new Promise((r) => setTimeout(r, 60_000));
  return "never";
}`,
  "cooperative.ts": `
// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  for (let i = 0; i < 600; i++) {
    if (job.checkCancellation()) { console.log("saw cancellation at", i); return { cancelled: true }; }
    job.reportProgress(Math.min(99, i), "working");
    await new Promise((r) => setTimeout(r, 50));
  }
  return { finished: true };
}`,
  "stubborn.ts": `
// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(1, "ignoring cancellation");
  await new Promise((r) => setTimeout(r, 120_000));
  return { finished: true };
}`,
  "array-result.ts": `
export function handler() { return [1, "two", { three: 3 }]; }`,
};

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ jobs });
});
afterAll(async () => {
  await t?.stop();
});

async function waitForStatus(
  id: string,
  statuses: Job["status"][],
  timeoutMs = 20_000,
): Promise<Job> {
  return waitFor(
    async () => {
      const { data } = await t.service.jobs.get(id);
      return data && statuses.includes(data.status) ? data : undefined;
    },
    { timeoutMs, what: `job ${id} to reach ${statuses.join("/")}` },
  );
}

describe("job lifecycle", () => {
  it("runs a submitted job to completion with progress and result", async () => {
    const user = await t.signUp("lifecycle@example.com");
    const { data: job, error } = await user.jobs.submit("process-data", { items: [1, 2, 3, 4, 5] });
    expect(error).toBeNull();
    expect(job!.status).toBe("pending");
    const seen = new Set<number>();
    const done = await waitFor(
      async () => {
        const { data } = await user.jobs.get(job!.id);
        if (data?.progress) seen.add(data.progress.percent);
        return data?.status === "completed" ? data : undefined;
      },
      { intervalMs: 10, what: "completion" },
    );
    expect(done.result).toEqual({ success: true, processed: 5, sum: 15 });
    expect(done.progress).toMatchObject({
      percent: 100,
      message: "Processed 5/5",
      data: { done: 5 },
    });
    expect(Number.isNaN(Date.parse(done.started_at!))).toBe(false);
    expect(Date.parse(done.completed_at!)).toBeGreaterThanOrEqual(Date.parse(done.started_at!));
    expect(seen.has(100)).toBe(true);
  });

  it("retries a throwing job with backoff and records the thrown message", async () => {
    const { data: job } = await t.service.jobs.submit("always-fails", {});
    const failed = await waitForStatus(job!.id, ["failed"]);
    expect(failed.error_message).toBe("database exploded on purpose");
    expect(failed.retry_count).toBe(2);
    expect(failed.max_retries).toBe(2);
    const { data: logs } = await t.service.jobs.getLogs(job!.id);
    const messages = logs!.map((l) => l.message);
    expect(messages.filter((m) => m.startsWith("attempt "))).toEqual([
      "attempt 1",
      "attempt 2",
      "attempt 3",
    ]);
    expect(messages.filter((m) => m.startsWith("Retrying in")).length).toBe(2);
    // Backoff: the attempts are spread out, not immediate.
    const times = logs!
      .filter((l) => l.message.startsWith("attempt "))
      .map((l) => Date.parse(l.timestamp));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(50);
  });

  it("kills a job that runs past its timeout", async () => {
    const { data: job } = await t.service.jobs.submit("slow", {});
    const failed = await waitForStatus(job!.id, ["failed"]);
    expect(failed.error_message).toMatch(/timed out after 1s/);
  });

  it("accepts any JSON value as a result", async () => {
    const { data: job } = await t.service.jobs.submit("array-result", {});
    const done = await waitForStatus(job!.id, ["completed"]);
    expect(done.result).toEqual([1, "two", { three: 3 }]);
  });

  it("cancels a running job cooperatively: checkCancellation turns true", async () => {
    const { data: job } = await t.service.jobs.submit("cooperative", {});
    await waitFor(async () =>
      (await t.service.jobs.get(job!.id)).data?.progress ? true : undefined,
    );
    const { error } = await t.service.jobs.cancel(job!.id);
    expect(error).toBeNull();
    expect((await t.service.jobs.get(job!.id)).data!.status).toBe("cancelled");
    const logs = await waitFor(async () => {
      const { data } = await t.service.jobs.getLogs(job!.id);
      return data?.some((l) => l.message === "Job cancelled") ? data : undefined;
    });
    expect(logs.some((l) => l.message.startsWith("saw cancellation at"))).toBe(true);
    const after = (await t.service.jobs.get(job!.id)).data!;
    expect(after.status).toBe("cancelled");
    expect(after.result).toBeUndefined();
  });

  it("kills a running job that ignores cancellation after the grace period", async () => {
    const { data: job } = await t.service.jobs.submit("stubborn", {});
    await waitFor(async () =>
      (await t.service.jobs.get(job!.id)).data?.progress ? true : undefined,
    );
    await t.service.jobs.cancel(job!.id);
    await waitFor(() => (t.stack.pool.runningCount() === 0 ? true : undefined), {
      what: "the sandbox to be killed",
    });
    expect((await t.service.jobs.get(job!.id)).data!.status).toBe("cancelled");
  });

  it("cancels a pending job at once and refuses to cancel it twice", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const { data: job } = await t.service.jobs.submit(
      "process-data",
      { items: [1] },
      { scheduled_at: future },
    );
    const { error } = await t.service.jobs.cancel(job!.id);
    expect(error).toBeNull();
    expect((await t.service.jobs.get(job!.id)).data!.status).toBe("cancelled");
    const again = await t.service.jobs.cancel(job!.id);
    expect(again.error?.status).toBe(400);
    expect(again.error?.message).toBe("Job cannot be cancelled");
  });

  it("terminates a running job immediately (admin)", async () => {
    const { data: job } = await t.service.jobs.submit("stubborn", {});
    await waitForStatus(job!.id, ["running"]);
    await waitFor(async () =>
      (await t.service.jobs.get(job!.id)).data?.progress ? true : undefined,
    );
    const { error } = await t.service.admin.jobs.terminate(job!.id);
    expect(error).toBeNull();
    const row = (await t.service.jobs.get(job!.id)).data!;
    expect(row.status).toBe("cancelled");
    expect(row.error_message).toBe("Terminated by an administrator");
    await waitFor(() => (t.stack.pool.runningCount() === 0 ? true : undefined), {
      timeoutMs: 900,
      what: "terminate to kill before the cancel grace",
    });
  });

  it("retries a failed job as a new job with the same payload", async () => {
    const { data: job } = await t.service.jobs.submit("always-fails", { n: 7 });
    await waitForStatus(job!.id, ["failed"]);
    const { data: newJob, error } = await t.service.jobs.retry(job!.id);
    expect(error).toBeNull();
    expect(newJob!.id).not.toBe(job!.id);
    expect(newJob!.retried_from).toBe(job!.id);
    expect(newJob!.payload).toEqual({ n: 7 });
    expect(newJob!.retry_count).toBe(0);
  });

  it("honours priority: higher first", async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const low = (
      await t.service.jobs.submit("process-data", { items: [1] }, { scheduled_at: at, priority: 0 })
    ).data!;
    const high = (
      await t.service.jobs.submit(
        "process-data",
        { items: [1] },
        { scheduled_at: at, priority: 10 },
      )
    ).data!;
    const [a, b] = await Promise.all([
      waitForStatus(low.id, ["completed"]),
      waitForStatus(high.id, ["completed"]),
    ]);
    expect(Date.parse(a.started_at!)).toBeGreaterThanOrEqual(Date.parse(at) - 50);
    expect(Date.parse(b.started_at!)).toBeLessThanOrEqual(Date.parse(a.started_at!));
  });

  it("runs 50 concurrent submissions exactly once each", async () => {
    const submitted = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.service.jobs.submit("process-data", { items: [i] })),
    );
    const ids = submitted.map((s) => s.data!.id);
    expect(new Set(ids).size).toBe(50);
    const done = await Promise.all(ids.map((id) => waitForStatus(id, ["completed"], 60_000)));
    done.forEach((job, i) => {
      expect(job.result).toEqual({ success: true, processed: 1, sum: i });
      expect(job.retry_count).toBe(0);
    });
  });
});
