// The guide's "parallel items" and "chained batch jobs" handlers, as written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "parallel-items.ts": `async function processItem(item) {
  await new Promise((r) => setTimeout(r, 20));
  return item * 10;
}
export async function handler(req, fluxbase, fluxbaseService, job) {
  const { items } = job.getJobPayload();
  // Process items in parallel
  const results = await Promise.all(
    items.map(async (item, index) => {
      const result = await processItem(item);
      // Update progress
      const progress = Math.floor(((index + 1) / items.length) * 100);
      job.reportProgress(progress, \`Processed \${index + 1}/\${items.length}\`);
      return result;
    })
  );
  return { success: true, results };
}`,
  "process-batch.ts": `async function processBatch(batch, fluxbase) {
  await new Promise((r) => setTimeout(r, 10));
}
export async function handler(req, fluxbase, fluxbaseService, job) {
  const context = job.getJobContext();
  const { total_batches, current_batch = 0 } = context.payload;
  job.reportProgress(0, \`Processing batch \${current_batch + 1}/\${total_batches}\`);
  // Process current batch
  await processBatch(current_batch, fluxbase);
  job.reportProgress(100, \`Batch \${current_batch + 1} complete\`);
  // Submit next batch job if not done
  if (current_batch + 1 < total_batches) {
    await fluxbase.jobs.submit("process-batch", {
      total_batches,
      current_batch: current_batch + 1,
    });
  }
  return { batch: current_batch, remaining: total_batches - current_batch - 1 };
}`,
};

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ jobs });
});
afterAll(async () => {
  await t?.stop();
});

async function completed(client: TestStack["service"], id: string): Promise<Job> {
  return waitFor(async () => {
    const { data } = await client.jobs.get(id);
    if (data?.status === "failed") throw new Error(data.error_message);
    return data?.status === "completed" ? data : undefined;
  });
}

describe("guide handlers", () => {
  it("processes items in parallel and returns every result", async () => {
    const { data: job } = await t.service.jobs.submit("parallel-items", { items: [1, 2, 3, 4] });
    const done = await completed(t.service, job!.id);
    expect(done.result).toEqual({ success: true, results: [10, 20, 30, 40] });
    expect(done.progress?.percent).toBe(100);
  });

  it("chains batch jobs as the same user until the last batch", async () => {
    const ann = await t.signUp("ann@example.com");
    const { data: first } = await ann.jobs.submit("process-batch", { total_batches: 3 });
    await completed(ann, first!.id);
    const chain = await waitFor(async () => {
      const { data } = await ann.jobs.list({ job_name: "process-batch", include_result: true });
      const done = (data ?? []).filter((j) => j.status === "completed");
      return done.length === 3 ? done : undefined;
    });
    const results = chain
      .map((j) => j.result as { batch: number; remaining: number })
      .sort((a, b) => a.batch - b.batch);
    expect(results).toEqual([
      { batch: 0, remaining: 2 },
      { batch: 1, remaining: 1 },
      { batch: 2, remaining: 0 },
    ]);
    expect(chain.every((j) => j.user_email === "ann@example.com")).toBe(true);
  });
});
