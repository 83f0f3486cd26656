import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

const URL_ = "http://localhost:8080";

function client(respond?: Parameters<typeof fakeFetch>[0]) {
  const fetch = fakeFetch(respond);
  return { fetch, client: createClient(URL_, { apiKey: "anon" }, { fetch }) };
}

const job = {
  id: "j1",
  namespace: "default",
  job_name: "process-data",
  status: "running",
  priority: 0,
};

describe("client.jobs", () => {
  it("submit sends job_name, payload and options, scheduled as scheduled_at", async () => {
    const { fetch, client: c } = client(() => jsonResponse({ ...job, status: "pending" }, 201));
    const when = new Date("2030-01-02T03:04:05.000Z");
    const { data } = await c.jobs.submit(
      "process-data",
      { items: [1, 2] },
      {
        namespace: "ns",
        priority: 5,
        scheduled: when,
        onBehalfOf: { user_id: "u2" },
      },
    );
    expect(data?.id).toBe("j1");
    const [req] = fetch.requests;
    expect(`${req?.method} ${req?.url.pathname}`).toBe("POST /api/v1/jobs/submit");
    expect(req?.json).toEqual({
      job_name: "process-data",
      payload: { items: [1, 2] },
      namespace: "ns",
      priority: 5,
      scheduled_at: "2030-01-02T03:04:05.000Z",
      on_behalf_of: { user_id: "u2" },
    });
  });

  it("submit with no payload or options sends only job_name", async () => {
    const { fetch, client: c } = client(() => jsonResponse(job, 201));
    await c.jobs.submit("x", undefined, { scheduled_at: "2030-01-01T00:00:00Z" });
    expect(fetch.requests[0]?.json).toEqual({
      job_name: "x",
      scheduled_at: "2030-01-01T00:00:00Z",
    });
  });

  it("parses string-encoded payload, result and progress (upstream encoding)", async () => {
    const upstream = {
      ...job,
      payload: '{"items":[1,2,3]}',
      result: '{"ok":true}',
      progress: '{"percent":40,"message":"2/5"}',
    };
    const { client: c } = client(() => jsonResponse(upstream));
    const { data } = await c.jobs.get("j1");
    expect(data?.payload).toEqual({ items: [1, 2, 3] });
    expect(data?.result).toEqual({ ok: true });
    expect(data?.progress?.percent).toBe(40);
  });

  it("leaves JSON values and plain string results alone", async () => {
    const ours = { ...job, payload: { a: 1 }, result: "42", progress: { percent: 10 } };
    const { client: c } = client(() => jsonResponse(ours));
    const { data } = await c.jobs.get("j1");
    expect(data).toEqual(ours);
  });

  it("list unwraps the envelope, a bare array or jobs:null, and builds the query", async () => {
    const { fetch, client: c } = client();
    fetch.queue.push(
      jsonResponse({
        jobs: [{ ...job, progress: '{"percent":5}' }],
        limit: 20,
        offset: 0,
        total: 1,
      }),
    );
    fetch.queue.push(jsonResponse([job]));
    fetch.queue.push(jsonResponse({ jobs: null, limit: 50, offset: 0 }));
    const first = await c.jobs.list({
      status: "running",
      jobName: "process-data",
      limit: 20,
      offset: 0,
      includeResult: true,
    });
    expect(first.data?.[0]?.progress?.percent).toBe(5);
    expect((await c.jobs.list()).data).toEqual([job]);
    expect((await c.jobs.list()).data).toEqual([]);
    const query = Object.fromEntries(fetch.requests[0]?.url.searchParams ?? []);
    expect(query).toEqual({
      status: "running",
      job_name: "process-data",
      limit: "20",
      offset: "0",
      include_result: "true",
    });
    expect(fetch.requests[1]?.url.search).toBe("");
  });

  it("cancel posts {} and returns the message; retry returns the new job", async () => {
    const { fetch, client: c } = client();
    fetch.queue.push(jsonResponse({ message: "Job cancelled" }));
    fetch.queue.push(
      jsonResponse({ ...job, id: "j2", status: "pending", retried_from: "j1" }, 201),
    );
    const cancelled = await c.jobs.cancel("j1");
    const retried = await c.jobs.retry("j1");
    expect(cancelled).toEqual({ data: { message: "Job cancelled" }, error: null });
    expect(retried.data?.id).toBe("j2");
    expect(
      fetch.requests.map((r) => `${r.method} ${r.url.pathname} ${JSON.stringify(r.json)}`),
    ).toEqual(["POST /api/v1/jobs/j1/cancel {}", "POST /api/v1/jobs/j1/retry {}"]);
  });

  it("getLogs passes after_line and unwraps {logs}", async () => {
    const line = { id: "l1", line_number: 3, message: "hi", level: "info" };
    const { fetch, client: c } = client(() => jsonResponse({ logs: [line], count: 1 }));
    const { data } = await c.jobs.getLogs("j1", 2);
    expect(data).toEqual([line]);
    expect(fetch.requests[0]?.url.toString()).toBe(`${URL_}/api/v1/jobs/j1/logs?after_line=2`);
  });
});

describe("client.admin.jobs", () => {
  it("hits the admin paths with the right methods", async () => {
    const { fetch, client: c } = client(() => jsonResponse({}));
    const a = c.admin.jobs;
    await a.listJobs({ status: "running", namespace: "default", worker_id: "w1" });
    await a.getJob("j1");
    await a.cancel("j1");
    await a.terminate("j1");
    await a.retry("j1");
    await a.resubmit("j1", { payload: { x: 1 } });
    await a.getLogs("j1");
    await a.getStats("default");
    await a.listWorkers();
    await a.listFunctions("default");
    await a.getFunction("default", "send report");
    await a.create({
      name: "process-data",
      namespace: "default",
      code: "export function handler() {}",
      enabled: true,
    });
    await a.update("default", "process-data", { enabled: false });
    await a.delete("default", "process-data");
    await a.listNamespaces();
    expect(fetch.requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      "GET /api/v1/admin/jobs/queue?status=running&namespace=default&worker_id=w1",
      "GET /api/v1/admin/jobs/queue/j1",
      "POST /api/v1/admin/jobs/queue/j1/cancel",
      "POST /api/v1/admin/jobs/queue/j1/terminate",
      "POST /api/v1/admin/jobs/queue/j1/retry",
      "POST /api/v1/admin/jobs/queue/j1/resubmit",
      "GET /api/v1/admin/jobs/queue/j1/logs",
      "GET /api/v1/admin/jobs/stats?namespace=default",
      "GET /api/v1/admin/jobs/workers",
      "GET /api/v1/admin/jobs/functions?namespace=default",
      "GET /api/v1/admin/jobs/functions/default/send%20report",
      "POST /api/v1/admin/jobs/functions",
      "PUT /api/v1/admin/jobs/functions/default/process-data",
      "DELETE /api/v1/admin/jobs/functions/default/process-data",
      "GET /api/v1/admin/jobs/namespaces",
    ]);
    expect(fetch.requests[5]?.json).toEqual({ payload: { x: 1 } });
    expect(fetch.requests[12]?.json).toEqual({ enabled: false });
  });

  it("unwraps lists: queue envelope, workers, functions null, namespaces, admin logs entries", async () => {
    const { fetch, client: c } = client();
    fetch.queue.push(
      jsonResponse({
        jobs: [{ ...job, progress: '{"percent":1}' }],
        limit: 50,
        offset: 0,
        total: 1,
      }),
    );
    fetch.queue.push(
      jsonResponse([{ id: "w1", status: "active", current_job_count: 2, max_concurrent_jobs: 5 }]),
    );
    fetch.queue.push(jsonResponse(null));
    fetch.queue.push(jsonResponse({ namespaces: ["default", "reports"] }));
    fetch.queue.push(jsonResponse({ entries: [{ id: "l1" }], count: 1 }));
    const a = c.admin.jobs;
    expect((await a.listJobs()).data?.[0]?.progress?.percent).toBe(1);
    const workers = (await a.listWorkers()).data;
    expect(workers?.[0]).toMatchObject({
      current_job_count: 2,
      current_jobs: 2,
      max_concurrent: 5,
    });
    expect((await a.listFunctions()).data).toEqual([]);
    expect((await a.listNamespaces()).data).toEqual(["default", "reports"]);
    expect((await a.getLogs("j1")).data).toEqual([{ id: "l1" }]);
  });

  it("getStats fills both spellings", async () => {
    const { fetch, client: c } = client();
    fetch.queue.push(
      jsonResponse({
        total_jobs: 9,
        pending_jobs: 1,
        running_jobs: 2,
        completed_jobs: 3,
        failed_jobs: 2,
      }),
    );
    const { data } = await c.admin.jobs.getStats();
    expect(data).toMatchObject({
      pending: 1,
      running: 2,
      completed: 3,
      failed: 2,
      total: 9,
      cancelled: 0,
    });
    expect(data?.cancelled_jobs).toBe(0);
    expect(data?.jobs_by_day).toEqual([]);
    expect(fetch.requests[0]?.url.search).toBe("");
  });

  it("sync sends functions as jobs, with options; a bare sync reloads the folder", async () => {
    const summary = { created: 1, updated: 0, deleted: 0, unchanged: 0, errors: 0 };
    const { fetch, client: c } = client(() =>
      jsonResponse({ message: "Jobs synced successfully", summary }),
    );
    const fn = { name: "a", code: "export function handler() {}" };
    const { data } = await c.admin.jobs.sync({
      namespace: "reports",
      functions: [fn],
      options: { delete_missing: true, dry_run: false },
    });
    await c.admin.jobs.sync({ namespace: "default", path: "./jobs" });
    expect(data?.summary.created).toBe(1);
    expect(fetch.requests[0]?.url.pathname).toBe("/api/v1/admin/jobs/sync");
    expect(fetch.requests[0]?.json).toEqual({
      namespace: "reports",
      jobs: [fn],
      options: { delete_missing: true, dry_run: false },
    });
    expect(fetch.requests[1]?.json).toEqual({ namespace: "default" });
  });

  it("delete returns data null on 204", async () => {
    const { client: c } = client(() => new Response(null, { status: 204 }));
    expect(await c.admin.jobs.delete("default", "x")).toEqual({ data: null, error: null });
  });
});

describe("client.jobs receipts", () => {
  it("an anonymous submit's receipt is kept in the client and sent by get for that job only", async () => {
    const { fetch, client: c } = client((req) =>
      req.method === "POST"
        ? jsonResponse({ id: "j1", status: "pending", receipt: "rcpt-j1" }, 201)
        : jsonResponse({ ...job, status: "completed" }),
    );
    const { data } = await c.jobs.submit("process-data", { items: [1] });
    expect(data).toMatchObject({ id: "j1", status: "pending" });
    await c.jobs.get("j1");
    await c.jobs.get("j2");
    await c.jobs.list();
    await c.jobs.getLogs("j1");
    const sent = fetch.requests
      .slice(1)
      .map((r) => [r.url.pathname, r.headers.get("x-job-receipt")]);
    expect(sent).toEqual([
      ["/api/v1/jobs/j1", "rcpt-j1"],
      ["/api/v1/jobs/j2", null],
      ["/api/v1/jobs", null],
      ["/api/v1/jobs/j1/logs", null],
    ]);

    // Another client instance knows nothing of it; a signed-in client sends its token instead.
    const other = client(() => jsonResponse(job));
    await other.client.jobs.get("j1");
    expect(other.fetch.requests[0]?.headers.get("x-job-receipt")).toBeNull();
    await c.auth.setSession({ access_token: "user-token" });
    await c.jobs.get("j1");
    const last = fetch.requests.at(-1);
    expect([last?.url.pathname, last?.headers.get("x-job-receipt")]).toEqual([
      "/api/v1/jobs/j1",
      null,
    ]);
  });
});
