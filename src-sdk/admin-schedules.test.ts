import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

const schedule = {
  namespace: "default",
  name: "nightly report",
  schedule: "0 2 * * *",
  timezone: "Europe/Paris",
  paused: false,
  enabled: true,
  next_runs: ["2030-01-01T01:00:00.000Z"],
  last_fired_at: null,
  last_job_id: null,
  allow_overlap: false,
};

function admin(respond: Parameters<typeof fakeFetch>[0]) {
  const fetch = fakeFetch(respond);
  return {
    fetch,
    client: createClient(
      "http://localhost:8080",
      { serviceKey: "sk_test_0123456789abcdef" },
      { fetch },
    ),
  };
}

describe("client.admin.jobs schedules", () => {
  it("listSchedules GETs /schedules and accepts a bare array or a wrapped one", async () => {
    const { fetch, client } = admin(() => jsonResponse([schedule]));
    expect((await client.admin.jobs.listSchedules()).data).toEqual([schedule]);
    expect(`${fetch.requests[0]?.method} ${fetch.requests[0]?.url.pathname}`).toBe(
      "GET /api/v1/admin/jobs/schedules",
    );
    fetch.queue.push(jsonResponse({ schedules: [schedule] }));
    expect((await client.admin.jobs.listSchedules()).data).toEqual([schedule]);
  });

  it("pauseSchedule and resumeSchedule POST to the encoded path and give the schedule", async () => {
    const { fetch, client } = admin(() => jsonResponse({ ...schedule, paused: true }));
    const { data } = await client.admin.jobs.pauseSchedule("default", "nightly report");
    expect(data?.paused).toBe(true);
    await client.admin.jobs.resumeSchedule("default", "nightly report");
    expect(fetch.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      "POST /api/v1/admin/jobs/schedules/default/nightly%20report/pause",
      "POST /api/v1/admin/jobs/schedules/default/nightly%20report/resume",
    ]);
  });

  it("triggerSchedule gives the new job with its payload parsed", async () => {
    const job = {
      id: "j1",
      job_name: "nightly",
      status: "pending",
      payload: '{"_trigger":"manual"}',
    };
    const { fetch, client } = admin(() => jsonResponse(job, 201));
    const { data, error } = await client.admin.jobs.triggerSchedule("default", "nightly");
    expect(error).toBeNull();
    expect(data?.payload).toEqual({ _trigger: "manual" });
    expect(fetch.requests[0]?.url.pathname).toBe(
      "/api/v1/admin/jobs/schedules/default/nightly/trigger",
    );
  });

  it("passes server errors through", async () => {
    const { client } = admin(() => jsonResponse({ error: "Job function not found" }, 404));
    const { data, error } = await client.admin.jobs.pauseSchedule("default", "missing");
    expect(data).toBeNull();
    expect(error?.message).toContain("Job function not found");
  });
});
