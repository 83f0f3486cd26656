// Malformed input gets a 4xx with a JSON body naming the field, never a 500.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "noop.ts": "export function handler() { return null; }" },
    jobsConfig: { maxPayloadBytes: 10_000, embeddedWorkerCount: 0 },
  });
});
afterAll(async () => {
  await t?.stop();
});

async function call(method: string, path: string, body?: string | object) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${t.stack.keys.serviceKey}`,
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

describe("submit validation", () => {
  const cases: [string, string | object, number, string][] = [
    ["unparsable JSON", "{not json", 400, "body"],
    ["an array body", [1, 2], 400, "body"],
    ["no job_name", { payload: {} }, 400, "job_name"],
    ["a numeric job_name", { job_name: 42 }, 400, "job_name"],
    ["an array payload", { job_name: "noop", payload: [1] }, 400, "payload"],
    ["a string payload", { job_name: "noop", payload: "x" }, 400, "payload"],
    ["a fractional priority", { job_name: "noop", priority: 1.5 }, 400, "priority"],
    ["a bad scheduled_at", { job_name: "noop", scheduled_at: "tomorrow-ish" }, 400, "scheduled_at"],
    [
      "an oversized payload",
      { job_name: "noop", payload: { blob: "x".repeat(20_000) } },
      413,
      "payload",
    ],
    [
      "a bad on_behalf_of user",
      { job_name: "noop", on_behalf_of: { user_id: "nope" } },
      400,
      "on_behalf_of.user_id",
    ],
  ];
  for (const [what, body, status, field] of cases) {
    it(`answers ${status} naming ${field} for ${what}`, async () => {
      const res = await call("POST", "/api/v1/jobs/submit", body);
      expect(res.status).toBe(status);
      expect(typeof res.body!.error).toBe("string");
      expect(res.body!.field).toBe(field);
    });
  }

  it("answers 404 for an unknown function and stores nothing", async () => {
    const res = await call("POST", "/api/v1/jobs/submit", { job_name: "no-such-job" });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "Job function not found", job: "no-such-job" });
    const list = await call("GET", "/api/v1/jobs");
    expect(list.body!.jobs).toEqual([]);
    expect(list.body!.total).toBe(0);
  });
});

describe("other routes", () => {
  it.each([
    ["GET", "/api/v1/jobs/not-a-uuid", 400, "id"],
    ["GET", "/api/v1/jobs?status=exploded", 400, "status"],
    ["GET", "/api/v1/jobs?limit=-1", 400, "limit"],
    ["GET", "/api/v1/jobs?limit=abc", 400, "limit"],
    ["GET", "/api/v1/jobs?offset=1.5", 400, "offset"],
    [
      "GET",
      "/api/v1/jobs/00000000-0000-4000-8000-000000000000/logs?after_line=x",
      400,
      "after_line",
    ],
    ["POST", "/api/v1/admin/jobs/queue/zzz/cancel", 400, "id"],
  ])("%s %s → %i naming %s", async (method, path, status, field) => {
    const res = await call(method, path);
    expect(res.status).toBe(status);
    expect(res.body!.field).toBe(field);
  });

  it("answers 404 for a job that does not exist, on every job route", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [method, path] of [
      ["GET", `/api/v1/jobs/${id}`],
      ["GET", `/api/v1/jobs/${id}/logs`],
      ["POST", `/api/v1/jobs/${id}/cancel`],
      ["POST", `/api/v1/jobs/${id}/retry`],
      ["POST", `/api/v1/admin/jobs/queue/${id}/terminate`],
      ["POST", `/api/v1/admin/jobs/queue/${id}/resubmit`],
    ] as const) {
      const res = await call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body!.error).toBe("Job not found");
    }
  });

  it("answers 404 for deleting a missing function and 405 for a wrong method", async () => {
    expect((await call("DELETE", "/api/v1/admin/jobs/functions/default/nope")).status).toBe(404);
    expect((await call("DELETE", "/api/v1/jobs/submit")).status).toBe(405);
  });

  it("refuses to retry a job that has not failed, naming its status", async () => {
    const submitted = await call("POST", "/api/v1/jobs/submit", { job_name: "noop" });
    const res = await call("POST", `/api/v1/jobs/${submitted.body!.id as string}/retry`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: "pending" });
  });

  it("validates sign-up input", async () => {
    const res = await call("POST", "/api/v1/auth/signup", {
      email: "not-an-email",
      password: "secret123",
    });
    expect(res).toMatchObject({ status: 400, body: { field: "email" } });
    const short = await call("POST", "/api/v1/auth/signup", { email: "a@b.co", password: "1" });
    expect(short).toMatchObject({ status: 400, body: { field: "password" } });
  });
});
