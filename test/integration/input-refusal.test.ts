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

  it("refuses a path that is not UTF-8 (an encoded lone surrogate), naming the path", async () => {
    expectRefused(await call("POST", "/api/v1/storage/buckets/a%ED%A0%80b"), "path");
    expectRefused(await call("GET", "/api/v1/secrets/by-name/A%ED%A0%80"), "path");
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

describe("values that are not what their field says", () => {
  it.each([
    ["scheduled_at", "%00"],
    ["scheduled_at", -1],
    ["scheduled_at", 1_700_000_000_000],
    ["scheduled_at", "garbage"],
    ["scheduled_at", "+275760-09-13T00:00:00.000Z"],
    ["scheduled_at", "2026-02-31T00:00:00Z"],
    ["scheduled_at", "2030-01-02T03:04:05"],
    ["scheduled", "%00"],
    ["scheduled", -1],
  ])("submit refuses %s = %j", async (field, value) => {
    const before = await queueCount();
    expectRefused(
      await call("POST", "/api/v1/jobs/submit", { job_name: "noop", [field]: value }),
      field,
    );
    expect(await queueCount()).toBe(before);
  });

  it("submit takes an RFC 3339 scheduled_at (and the upstream spelling scheduled)", async () => {
    const at = "2030-01-02T03:04:05Z";
    for (const field of ["scheduled_at", "scheduled"]) {
      const res = await call("POST", "/api/v1/jobs/submit", { job_name: "noop", [field]: at });
      expect(res.status).toBe(201);
      expect(res.body!.scheduled_at).toBe("2030-01-02T03:04:05.000Z");
    }
  });
});

const FUNCTIONS = "/api/v1/admin/jobs/functions";
const handler = "export function handler() { return null; }";

async function functionRow(name: string) {
  const [row] = await t.stack.db.query<{
    memory_limit_mb: number;
    schedule: string | null;
    enabled: boolean;
  }>("SELECT memory_limit_mb, schedule, enabled FROM jobs.functions WHERE name = $1", [name]);
  return row;
}

describe("annotations and schedules out of range", () => {
  it.each([
    ["memory", "999999999"],
    ["timeout", "99999999999"],
    ["max-retries", "1000"],
    ["progress-timeout", "0"],
    ["schedule", "0 0 31 2 *"],
    ["schedule", "*/0 * * * *"],
    ["schedule", "@every 1s"],
  ])("create refuses @fluxbase:%s %s, naming it, and stores nothing", async (name, value) => {
    const code = `// @fluxbase:description ok\n// @fluxbase:${name} ${value}\n${handler}`;
    const res = await call("POST", FUNCTIONS, { name: "bad-annotation", code });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ field: "code", annotation: `@fluxbase:${name}`, line: 2 });
    expect(res.body!.error as string).toContain(`@fluxbase:${name}`);
    expect(await functionRow("bad-annotation")).toBeUndefined();
  });

  it.each(["0 0 31 2 *", "*/0 * * * *", "@every 1s", "0 2 * * *|[1]", "0 2 * * *|{bad"])(
    "create refuses the schedule field %s",
    async (schedule) => {
      const res = await call("POST", FUNCTIONS, { name: "bad-schedule", code: handler, schedule });
      expectRefused(res, "schedule");
      expect(await functionRow("bad-schedule")).toBeUndefined();
    },
  );

  it("update refuses new code with a bad annotation and keeps the function as it was", async () => {
    expect((await call("POST", FUNCTIONS, { name: "kept", code: handler })).status).toBe(201);
    const res = await call("PUT", `${FUNCTIONS}/default/kept`, {
      code: `// @fluxbase:memory 999999999\n${handler}`,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ annotation: "@fluxbase:memory", field: "code" });
    expect(await functionRow("kept")).toMatchObject({ memory_limit_mb: 256 });
  });

  it("sync lists a definition with a bad annotation as an error and does not create it", async () => {
    const res = await call("POST", "/api/v1/admin/jobs/sync", {
      namespace: "default",
      jobs: [
        { name: "synced-bad", code: `// @fluxbase:schedule */0 * * * *\n${handler}` },
        { name: "synced-good", code: handler },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body!.errors).toEqual([
      { job: "synced-bad", error: expect.stringContaining("@fluxbase:schedule"), action: "create" },
    ]);
    expect(await functionRow("synced-bad")).toBeUndefined();
    expect(await functionRow("synced-good")).toMatchObject({ enabled: true, memory_limit_mb: 256 });
  });

  it("a jobs-folder file with an out-of-range annotation is a load error; the other files still load", async () => {
    await t.writeJob(
      "huge.ts",
      `// @fluxbase:timeout 99999999999\n// @fluxbase:memory 999999999\n${handler}`,
    );
    await t.writeJob("fine.ts", handler);
    const res = await call("POST", "/api/v1/admin/jobs/sync", { namespace: "default" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const errors = res.body!.errors as { job: string; error: string }[];
    expect(errors.find((e) => e.job === "huge")?.error).toMatch(
      /@fluxbase:timeout .*@fluxbase:memory/s,
    );
    expect(await functionRow("fine")).toMatchObject({ enabled: true, memory_limit_mb: 256 });
    expect(await functionRow("huge")).toMatchObject({ memory_limit_mb: 256 });
  });
});

describe("sizes", () => {
  it("refuses select= with 5,000 columns", async () => {
    const res = await call(
      "GET",
      `/api/v1/tables/jobs.functions?select=${Array(5000).fill("id").join(",")}`,
    );
    expectRefused(res, "select");
  });

  it("answers a request line too long to read with a JSON 431", async () => {
    const select = Array.from({ length: 5000 }, (_, i) => `column_${i}`).join(",");
    const res = await call("GET", `/api/v1/tables/jobs.functions?select=${select}`);
    expect(res.status).toBe(431);
    expect(typeof res.body?.error).toBe("string");
  });

  it("refuses a 500-character job-file name on every file route", async () => {
    const long = `${"a".repeat(497)}.ts`;
    const files = "/api/v1/admin/jobs/files";
    for (const [method, path, body] of [
      ["PUT", `${files}/${long}`, { content: handler }],
      ["GET", `${files}/${long}`, undefined],
      ["DELETE", `${files}/${long}`, undefined],
      ["POST", `${files}/rename`, { from: "fine.ts", to: long }],
      ["PUT", `${files}/${"d".repeat(300)}/x.ts`, { content: handler }],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, `${method} ${path.slice(0, 60)}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(["path", "to"]).toContain(res.body!.field);
    }
  });
});

describe("storage object names the file system cannot take", () => {
  async function upload(name: string) {
    const res = await fetch(`${t.url}/api/v1/storage/fs-names/${name}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${t.stack.keys.serviceKey}`, "content-type": "text/plain" },
      body: "hello",
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it("refuses a 500-character name, and an object where another's folder is (and the reverse)", async () => {
    expect((await upload("dir/file.txt")).status).toBe(201);
    expect(await upload(`${"n".repeat(496)}.txt`)).toMatchObject({
      status: 400,
      body: { field: "path" },
    });
    expect(await upload("dir")).toMatchObject({ status: 409, body: { field: "path" } });
    expect(await upload("dir/file.txt/x")).toMatchObject({ status: 409, body: { field: "path" } });
    const anon = await fetch(`${t.url}/api/v1/storage/fs-names/dir/file.txt`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${t.stack.keys.anonKey}` },
    });
    expect(anon.status).toBe(403);
    const [row] = await t.stack.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM storage.objects WHERE bucket_id = 'fs-names'",
    );
    expect(row!.n).toBe(1);
  });
});
