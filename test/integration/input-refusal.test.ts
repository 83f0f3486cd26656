// Text PostgreSQL cannot store (NUL bytes, unpaired surrogates), numbers JSON cannot carry
// (1e999), bodies nested too deep and values that are not what their field says get a 400
// naming the field, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "noop.ts": "export function handler() { return null; }" },
    jobsConfig: { embeddedWorkerCount: 0 },
  });
});
afterAll(async () => {
  await t?.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

async function call(
  method: string,
  path: string,
  body?: string | object,
  token?: string,
): Promise<Answer> {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token ?? t.stack.keys.serviceKey}`,
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

function expectRefused(res: Answer, field: string, status = 400) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(typeof res.body?.error).toBe("string");
  expect(res.body!.field).toBe(field);
  expect(res.body!.error as string).toContain(field);
}

async function queueCount(): Promise<number> {
  const [row] = await t.stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs.queue");
  return row!.n;
}

describe("text PostgreSQL cannot store", () => {
  it.each([
    [
      "a NUL in a payload array item",
      { job_name: "noop", payload: { items: ["a", "b", "x\u0000y"] } },
      "payload.items[2]",
    ],
    [
      "a lone surrogate in a payload",
      { job_name: "noop", payload: { text: "\ud800" } },
      "payload.text",
    ],
    ["a NUL in a payload key", { job_name: "noop", payload: { "a\u0000": 1 } }, "payload"],
    ["a NUL in job_name", { job_name: "no\u0000op" }, "job_name"],
    ["a lone low surrogate in namespace", { job_name: "noop", namespace: "x\udc00" }, "namespace"],
    ["an infinite number in a payload", '{"job_name":"noop","payload":{"n":1e999}}', "payload.n"],
    ["a negative infinite priority", '{"job_name":"noop","priority":-1e999}', "priority"],
  ])("submit refuses %s", async (_what, body, field) => {
    const before = await queueCount();
    expectRefused(await call("POST", "/api/v1/jobs/submit", body), field);
    expect(await queueCount()).toBe(before);
  });

  it("refuses a payload nested 5,000 levels deep", async () => {
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const res = await call(
      "POST",
      "/api/v1/jobs/submit",
      `{"job_name":"noop","payload":{"d":${deep}}}`,
    );
    expect(res.status).toBe(400);
    expect(res.body!.error as string).toMatch(/nested deeper than/);
  });

  it("refuses a NUL in a query parameter and in a path parameter", async () => {
    expectRefused(await call("GET", "/api/v1/jobs?status=%00"), "status");
    expectRefused(await call("GET", "/api/v1/admin/jobs/functions/de%00fault/noop"), "namespace");
  });

  it("refuses a sign-up email with a NUL or a lone surrogate", async () => {
    const users = async () =>
      (await t.stack.db.query<{ n: number }>("SELECT count(*)::int AS n FROM auth.users"))[0]!.n;
    const before = await users();
    for (const email of ["a\u0000b@example.com", "a\ud800@example.com"]) {
      const res = await call(
        "POST",
        "/api/v1/auth/signup",
        { email, password: "correct horse" },
        t.stack.keys.anonKey,
      );
      expectRefused(res, "email");
    }
    expect(await users()).toBe(before);
  });

  it("refuses secrets whose name or value holds a NUL, and stores none", async () => {
    const base = "/api/v1/admin/settings/custom";
    expectRefused(
      await call("POST", `${base}/secret`, { key: "API_KEY", value: "se\u0000cret" }),
      "value",
    );
    expectRefused(
      await call("POST", `${base}/secret`, { key: "A\u0000B", value: "secret" }),
      "key",
    );
    expectRefused(
      await call("POST", `${base}/secret`, { key: "API_KEY", value: "\udfff" }),
      "value",
    );
    expect((await call("POST", `${base}/secret`, { key: "API_KEY", value: "ok" })).status).toBe(
      201,
    );
    expectRefused(await call("PUT", `${base}/secret/API_KEY`, { value: "x\u0000" }), "value");
    expectRefused(await call("PUT", `${base}/secret/API%00KEY`, { value: "x" }), "key");
    const listed = await call("GET", `${base}/secrets`);
    expect((listed.body as unknown as { key: string }[]).map((s) => s.key)).toEqual(["API_KEY"]);
  });
});
