// The product guide's client examples, run as written against the real server.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const processData = await readFile(
  fileURLToPath(new URL("../../jobs/process-data.ts", import.meta.url)),
  "utf8",
);
const longImport = await readFile(
  fileURLToPath(new URL("../../jobs/long-import.ts", import.meta.url)),
  "utf8",
);

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({
    jobs: { "process-data.ts": processData, "long-import.ts": longImport },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe("the guide's examples", () => {
  it("submits with the anon key and polls until completed, reading progress.percent", async () => {
    // The guide's code as written: the anon key alone reads back the job it submitted
    // (through the receipt the client keeps), though it may read no other job.
    const client = createClient(t.url, { apiKey: t.stack.keys.anonKey });
    const { data: job, error } = await client.jobs.submit("process-data", {
      items: [1, 2, 3, 4, 5],
    });
    expect(error).toBeNull();
    expect(job!.status).toBe("pending");
    const lines: string[] = [];
    const final = await waitFor(async () => {
      const { data: current } = await client.jobs.get(job!.id);
      if (current!.progress)
        lines.push(`Progress: ${current!.progress.percent}% - ${current!.progress.message}`);
      return ["completed", "failed", "cancelled"].includes(current!.status) ? current : undefined;
    });
    expect(final!.status).toBe("completed");
    expect(final!.result).toEqual({ success: true, processed: 5 });
    expect(lines.at(-1)).toBe("Progress: 100% - Processed 5/5");
  });

  it("lists, cancels and retries through client.jobs as the guide shows", async () => {
    const client = createClient(t.url, { serviceKey: t.stack.keys.serviceKey });
    const { data: job } = await client.jobs.submit("long-import", { batches: 200, batch_ms: 50 });
    await waitFor(async () =>
      (await client.jobs.get(job!.id)).data?.status === "running" ? true : undefined,
    );
    const { data: jobs } = await client.jobs.list({ status: "running", limit: 20, offset: 0 });
    const seen: string[] = [];
    jobs?.forEach((j) => seen.push(`${j.job_name}: ${j.status} (${j.progress?.percent}%)`));
    expect(seen.some((s) => s.startsWith("long-import: running"))).toBe(true);

    const { error } = await client.jobs.cancel(job!.id);
    expect(error).toBeNull();
    const { data: newJob, error: retryError } = await client.jobs.retry(job!.id);
    expect(retryError).toBeNull();
    expect(typeof newJob!.id).toBe("string");
    await client.jobs.cancel(newJob!.id);
  });

  it("runs the admin examples: listJobs, getStats, listWorkers, terminate", async () => {
    const client = createClient(t.url, { serviceKey: t.stack.keys.serviceKey });
    const { data: job } = await client.jobs.submit("long-import", { batches: 200, batch_ms: 50 });
    await waitFor(async () =>
      (await client.jobs.get(job!.id)).data?.status === "running" ? true : undefined,
    );
    const { data: allJobs } = await client.admin.jobs.listJobs({
      status: "running",
      namespace: "default",
    });
    expect(allJobs!.map((j) => j.id)).toContain(job!.id);
    const { data: stats } = await client.admin.jobs.getStats("default");
    expect(stats!.running).toBeGreaterThanOrEqual(1);
    expect(typeof stats!.pending).toBe("number");
    expect(typeof stats!.completed).toBe("number");
    expect(typeof stats!.failed).toBe("number");
    const { data: workers } = await client.admin.jobs.listWorkers();
    const lines: string[] = [];
    workers?.forEach((worker) => {
      lines.push(
        `${worker.name} ${worker.status} ${worker.current_job_count}/${worker.max_concurrent_jobs} ${worker.last_heartbeat_at}`,
      );
    });
    expect(lines.length).toBe(2);
    expect(lines.every((l) => l.includes("active"))).toBe(true);
    const { error } = await client.admin.jobs.terminate(job!.id);
    expect(error).toBeNull();
    expect((await client.jobs.get(job!.id)).data!.status).toBe("cancelled");
  });

  it("creates a job function from code with admin.jobs.create, then runs it", async () => {
    const client = createClient(t.url, { serviceKey: t.stack.keys.serviceKey });
    const code = `/**
 * @fluxbase:timeout 30
 * @fluxbase:description Doubles a number
 */
export async function handler(req, fluxbase, fluxbaseService, job) { return { doubled: job.getJobPayload().n * 2 }; }`;
    const { data, error } = await client.admin.jobs.create({
      name: "double-it",
      namespace: "default",
      code,
      enabled: true,
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      name: "double-it",
      source: "api",
      timeout_seconds: 30,
      description: "Doubles a number",
      enabled: true,
    });

    const { data: job } = await client.jobs.submit("double-it", { n: 21 });
    const done = await waitFor(async () => {
      const { data: j } = await client.jobs.get(job!.id);
      return j?.status === "completed" ? j : undefined;
    });
    expect(done.result).toEqual({ doubled: 42 });

    const { data: updated } = await client.admin.jobs.update("default", "double-it", {
      enabled: false,
      max_retries: 1,
    });
    expect(updated).toMatchObject({ enabled: false, max_retries: 1, version: 2 });
    const denied = await client.jobs.submit("double-it", { n: 1 });
    expect(denied.error?.status).toBe(403);
    expect(denied.error?.message).toBe("Job function is disabled");

    const bad = await client.admin.jobs.create({ name: "../evil", code });
    expect(bad.error?.status).toBe(400);
    const badCron = await client.admin.jobs.create({
      name: "cron-bad",
      code,
      schedule: "every day",
    });
    expect(badCron.error?.status).toBe(400);
    expect(badCron.error?.message).toContain("every day");

    expect((await client.admin.jobs.delete("default", "double-it")).error).toBeNull();
    expect((await client.admin.jobs.getFunction("default", "double-it")).error?.status).toBe(404);
  });
});
