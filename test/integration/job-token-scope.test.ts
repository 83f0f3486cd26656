// A hostile job of an ordinary user, armed with the tokens every job receives: the
// service token is the job's, not the server's. It cannot read the API keys, change users,
// reveal secrets or plant job code, and both tokens stop working when the attempt ends;
// fluxbaseService still does what the guide shows (data, storage, submitting jobs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import { createAppTables, ownerQuery, userIdOf } from "../helpers/app-tables.ts";
import { api } from "../helpers/secrets.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const attack = `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  const url = Deno.env.get("FLUXBASE_URL");
  const serviceToken = Deno.env.get("FLUXBASE_SERVICE_TOKEN");
  const userToken = Deno.env.get("FLUXBASE_JOB_TOKEN");
  const me = job.getJobContext().user.id;
  const call = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: "Bearer " + serviceToken, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.text() };
  };
  const refused = {
    keys: await call("GET", "/api/v1/admin/ui/keys"),
    promote: await call("PATCH", "/api/v1/admin/users/" + me, { role: "admin" }),
    newUser: await call("POST", "/api/v1/admin/users", { email: "mole@example.com", password: "hunter22", role: "admin" }),
    deleteUser: await call("DELETE", "/api/v1/admin/users/" + me),
    writeFile: await call("PUT", "/api/v1/admin/jobs/files/planted.ts", { content: "export function handler() {}" }),
    newFunction: await call("POST", "/api/v1/admin/jobs/functions", { name: "planted", code: "export function handler() {}" }),
    sync: await call("POST", "/api/v1/admin/jobs/sync", { namespace: "default", jobs: [] }),
    secretValue: await call("GET", "/api/v1/admin/settings/custom/secret/system_token/value"),
    onBehalf: await call("POST", "/api/v1/jobs/submit", { job_name: "noop", on_behalf_of: { user_id: me } }),
    // The data API reaches the server's own tables too: job code, the queue, logs.
    plantCode: await call("PATCH", "/api/v1/tables/jobs.functions?name=eq.noop", { code: "export function handler() { return 'planted'; }" }),
    queueAsOther: await call("POST", "/api/v1/tables/jobs.queue", { job_name: "noop", namespace: "default", created_by: job.getJobPayload().victim }),
    eraseLogs: await call("DELETE", "/api/v1/tables/logging.entries?id=not.is.null"),
  };
  // What the guide shows fluxbaseService doing keeps working.
  const inserted = await fluxbaseService.from("app.system_data").insert({ amount: 42 }).select();
  const uploaded = await fluxbaseService.storage.from("system-bucket").upload("report.json", new Blob(["{}"]));
  const submitted = await fluxbaseService.jobs.submit("noop", {});
  const workers = await call("GET", "/api/v1/admin/jobs/workers");
  const own = await fluxbase.from("app.my_table").insert({ value: "mine" }).select();
  return {
    refused: Object.fromEntries(Object.entries(refused).map(([k, v]) => [k, v.status])),
    leaked: Object.values(refused).some((r) => r.body.includes("service_key")),
    allowed: {
      data: inserted.error ? inserted.error.message : inserted.data.length,
      storage: uploaded.error ? uploaded.error.message : "ok",
      submit: submitted.error ? submitted.error.message : typeof submitted.data.id,
      workers: workers.status,
      own: own.error ? own.error.message : own.data.length,
    },
    serviceToken,
    userToken,
  };
}
`;

const noop = "export function handler() { return { ok: true }; }";

let t: TestStack;
let mallory: FluxbaseClient;
let malloryId: string;
let victimId: string;

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "attack.ts": attack, "noop.ts": noop },
  });
  await createAppTables(t.database.url);
  mallory = await t.signUp("mallory@example.com");
  malloryId = await userIdOf(mallory);
  victimId = await userIdOf(await t.signUp("victim@example.com"));
  const key = t.stack.keys.serviceKey;
  expect(
    (
      await api(t.url, "/api/v1/storage/buckets", {
        method: "POST",
        token: key,
        body: { name: "system-bucket" },
      })
    ).status,
  ).toBe(201);
  const secret = { key: "system_token", value: "do-not-reveal-1234" };
  expect(
    (
      await api(t.url, "/api/v1/admin/settings/custom/secret", {
        method: "POST",
        token: key,
        body: secret,
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => {
  await t?.stop();
});

describe("a job's tokens", () => {
  it("cannot read keys, change users, reveal secrets or write job code, and die with the attempt", async () => {
    const { data: job, error } = await mallory.jobs.submit("attack", { victim: victimId });
    expect(error).toBeNull();
    const done = await waitFor(async () => {
      const { data } = await mallory.jobs.get(job!.id);
      return data && ["completed", "failed"].includes(data.status) ? data : undefined;
    });
    expect(done.error_message ?? null).toBeNull();
    const result = done.result as {
      refused: Record<string, number>;
      leaked: boolean;
      allowed: Record<string, unknown>;
      serviceToken: string;
      userToken: string;
    };
    const refusedAll = Object.fromEntries(Object.keys(result.refused).map((what) => [what, 403]));
    expect(result.refused).toEqual(refusedAll);
    expect(result.leaked).toBe(false);
    expect(result.allowed).toEqual({
      data: 1,
      storage: "ok",
      submit: "string",
      workers: 200,
      own: 1,
    });

    // Nothing changed: same role, no new user, no planted file or function.
    expect(
      (
        await ownerQuery<{ role: string }>(
          t.database.url,
          "SELECT role FROM auth.users WHERE id = $1",
          [malloryId],
        )
      )[0]?.role,
    ).toBe("authenticated");
    expect(
      await ownerQuery(t.database.url, "SELECT 1 FROM auth.users WHERE email = 'mole@example.com'"),
    ).toEqual([]);
    expect(
      await ownerQuery(t.database.url, "SELECT 1 FROM jobs.functions WHERE name = 'planted'"),
    ).toEqual([]);
    expect(
      await ownerQuery(t.database.url, "SELECT code FROM jobs.functions WHERE name = 'noop'"),
    ).toEqual([{ code: noop }]);
    expect(
      await ownerQuery(t.database.url, "SELECT 1 FROM jobs.queue WHERE created_by = $1", [
        victimId,
      ]),
    ).toEqual([]);

    // The attempt is over: both tokens are refused (within the live check's cache time).
    for (const token of [result.serviceToken, result.userToken]) {
      const after = await waitFor(
        async () => {
          const res = await api(t.url, "/api/v1/jobs/submit", {
            method: "POST",
            token,
            body: { job_name: "noop" },
          });
          return res.status === 401 ? res : undefined;
        },
        { timeoutMs: 5_000, what: "the job's token to be refused after its attempt" },
      );
      expect(after.body.error).toMatch(/attempt/);
    }
  });
});
