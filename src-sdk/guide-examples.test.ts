// The product guide's SDK snippets ("Background Jobs"), run against a scripted
// server that answers like ours. Kept close to the guide's text on purpose.
import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse, type RecordedRequest } from "../test/helpers/fake-fetch.ts";

const job = {
  id: "7d0c",
  namespace: "default",
  job_name: "process-data",
  status: "pending",
  payload: { items: [1, 2, 3, 4, 5] },
  priority: 0,
  max_retries: 3,
  retry_count: 0,
  created_at: "2025-03-01T10:00:00Z",
};

function route(req: RecordedRequest): Response {
  const path = `${req.method} ${req.url.pathname}`;
  switch (path) {
    case "POST /api/v1/jobs/submit":
      return jsonResponse(job, 201);
    case "GET /api/v1/jobs/7d0c":
      return jsonResponse({
        ...job,
        status: "completed",
        progress: { percent: 100, message: "done" },
        result: { ok: 1 },
      });
    case "GET /api/v1/jobs":
      return jsonResponse({
        jobs: [{ ...job, status: "running", progress: { percent: 40 } }],
        limit: 20,
        offset: 0,
        total: 1,
      });
    case "POST /api/v1/jobs/7d0c/cancel":
      return jsonResponse({ message: "Job cancelled" });
    case "POST /api/v1/jobs/7d0c/retry":
      return jsonResponse({ ...job, id: "8e1d", retried_from: "7d0c" }, 201);
    case "GET /api/v1/admin/jobs/queue":
      return jsonResponse({ jobs: [], limit: 50, offset: 0, total: 0 });
    case "GET /api/v1/admin/jobs/stats":
      return jsonResponse({
        total_jobs: 6,
        pending_jobs: 1,
        running_jobs: 2,
        completed_jobs: 3,
        failed_jobs: 0,
        total: 6,
        pending: 1,
        running: 2,
        completed: 3,
        failed: 0,
      });
    case "GET /api/v1/admin/jobs/workers":
      return jsonResponse([
        {
          id: "w1",
          name: "worker-1@host",
          status: "active",
          current_job_count: 1,
          max_concurrent_jobs: 5,
          last_heartbeat_at: "now",
          started_at: "then",
        },
      ]);
    case "POST /api/v1/admin/jobs/queue/7d0c/terminate":
      return jsonResponse({ message: "Job terminated" });
    case "POST /api/v1/admin/jobs/functions":
      return jsonResponse({ id: "f1", name: "process-data", namespace: "default" }, 201);
    case "POST /api/v1/admin/jobs/sync":
      return jsonResponse({
        message: "Jobs synced from filesystem",
        namespace: "default",
        summary: { created: 2, updated: 1, deleted: 0, unchanged: 0, errors: 0 },
      });
    default:
      return jsonResponse({ error: `unexpected ${path}` }, 404);
  }
}

describe("guide examples", () => {
  const fetch = fakeFetch(route);
  const client = createClient("http://localhost:8080", { apiKey: "your-anon-key" }, { fetch });
  const admin = createClient("http://localhost:8080", { serviceKey: "service-key" }, { fetch });

  it("submit, poll, list, cancel, retry", async () => {
    const { data: submitted, error } = await client.jobs.submit("process-data", {
      items: [1, 2, 3, 4, 5],
    });
    expect(error).toBeNull();
    expect(submitted?.status).toBe("pending");

    const { data: polled } = await client.jobs.get(submitted!.id);
    expect(polled!.progress!.percent).toBe(100);
    expect(polled!.result).toEqual({ ok: 1 });

    const { data: jobs } = await client.jobs.list({ status: "running", limit: 20, offset: 0 });
    const lines: string[] = [];
    jobs?.forEach((j) => lines.push(`${j.job_name}: ${j.status} (${j.progress?.percent}%)`));
    expect(lines).toEqual(["process-data: running (40%)"]);

    const { error: cancelError } = await client.jobs.cancel("7d0c");
    expect(cancelError).toBeNull();

    const { data: newJob } = await client.jobs.retry("7d0c");
    expect(newJob!.id).toBe("8e1d");
  });

  it("admin: listJobs, getStats, listWorkers, terminate, create, sync", async () => {
    const { data: allJobs } = await admin.admin.jobs.listJobs({
      status: "running",
      namespace: "default",
    });
    expect(allJobs).toEqual([]);

    const { data: stats } = await admin.admin.jobs.getStats("default");
    expect([stats!.pending, stats!.running, stats!.completed, stats!.failed]).toEqual([1, 2, 3, 0]);

    const { data: workers } = await admin.admin.jobs.listWorkers();
    const lines: string[] = [];
    workers?.forEach((worker) => {
      lines.push(
        `${worker.name} ${worker.status} ${worker.current_job_count}/${worker.max_concurrent_jobs}`,
      );
      lines.push(`Worker ${worker.id}: ${worker.current_jobs} jobs`);
    });
    expect(lines).toEqual(["worker-1@host active 1/5", "Worker w1: 1 jobs"]);

    expect((await admin.admin.jobs.terminate("7d0c")).error).toBeNull();

    const { error: createError } = await admin.admin.jobs.create({
      name: "process-data",
      namespace: "default",
      code: "export async function handler() {}",
      enabled: true,
    });
    expect(createError).toBeNull();

    const { data } = await admin.admin.jobs.sync({ namespace: "default", path: "./jobs" });
    expect([data!.summary.created, data!.summary.updated, data!.summary.deleted]).toEqual([
      2, 1, 0,
    ]);
  });
});
