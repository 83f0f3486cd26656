// Secrets as upstream's SDK calls them, on the wire: a user lists their own with
// GET /api/v1/settings/secret/, an admin decrypts a user's, and the function-secrets API
// (/api/v1/secrets, scope global or namespace) whose values jobs receive as
// FLUXBASE_SECRET_<NAME>, the namespace's over the global one, masked in logs.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import { api, tablesContaining, type ApiResponse } from "../helpers/secrets.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const value = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;
const GLOBAL_TOKEN = value("global");
const BILLING_TOKEN = value("billing");
const SHARED = value("shared");

// Prints one secret (the log must mask it) and returns what the job sees.
const readEnv = `// @fluxbase:max-retries 0
export async function handler() {
  const token = Deno.env.get("FLUXBASE_SECRET_API_TOKEN") ?? null;
  console.log("token is " + token);
  return { token, shared: Deno.env.get("FLUXBASE_SECRET_SHARED_ONLY") ?? null, expired: Deno.env.get("FLUXBASE_SECRET_OLD") ?? null };
}`;

let t: TestStack;
let ann: FluxbaseClient;
let annToken = "";
let annId = "";

const service = (method: string, path: string, body?: unknown): Promise<ApiResponse> =>
  api(t.url, path, { method, body, token: t.stack.keys.serviceKey });

async function finished(id: string) {
  return waitFor(async () => {
    const { data } = await t.service.jobs.get(id);
    return data && ["completed", "failed"].includes(data.status) ? data : undefined;
  });
}

beforeAll(async () => {
  t = await startTestStack({ jobs: { "read-env.ts": readEnv } });
  ann = await t.signUp("ann-upstream@example.com");
  const session = (await ann.auth.getSession()).data!.session!;
  annToken = session.access_token;
  annId = session.user!.id;
});
afterAll(async () => {
  await t?.stop();
});

describe("settings secrets, upstream routes", () => {
  it("lists the caller's own secrets at GET /api/v1/settings/secret/", async () => {
    const made = await api(t.url, "/api/v1/settings/secret/", {
      method: "POST",
      token: annToken,
      body: { key: "my_key", value: "ann-secret-value" },
    });
    expect(made.status).toBe(201);
    const list = await api(t.url, "/api/v1/settings/secret/", { token: annToken });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([expect.objectContaining({ key: "my_key", user_id: annId })]);
    expect(list.text).not.toContain("ann-secret-value");
  });

  it("lets an admin decrypt a user's secret, and nobody else", async () => {
    const path = `/api/v1/admin/settings/user/${annId}/secret/my_key/decrypt`;
    const res = await service("GET", path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ value: "ann-secret-value" });
    expect((await api(t.url, path, { token: annToken })).status).toBe(403);
    expect(
      (await service("GET", `/api/v1/admin/settings/user/${annId}/secret/nope/decrypt`)).status,
    ).toBe(404);
    const badId = await service("GET", "/api/v1/admin/settings/user/x/secret/my_key/decrypt");
    expect(badId.status).toBe(400);
    expect(badId.body.field).toBe("id");
  });
});

describe("function secrets (/api/v1/secrets)", () => {
  it("creates, reads, updates, versions, rolls back and deletes by name and by id", async () => {
    const made = await service("POST", "/api/v1/secrets", {
      name: "API_TOKEN",
      value: GLOBAL_TOKEN,
      description: "global one",
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "API_TOKEN", scope: "global", version: 1 });
    expect(made.text).not.toContain(GLOBAL_TOKEN);
    expect(
      (await service("POST", "/api/v1/secrets", { name: "api_token", value: "x" })).status,
    ).toBe(409);
    const ns = await service("POST", "/api/v1/secrets", {
      name: "API_TOKEN",
      value: "first-billing",
      scope: "namespace",
      namespace: "billing",
    });
    expect(ns.status).toBe(201);
    expect(ns.body).toMatchObject({ scope: "namespace", namespace: "billing" });

    const updated = await service("PUT", "/api/v1/secrets/by-name/API_TOKEN?namespace=billing", {
      value: BILLING_TOKEN,
    });
    expect(updated.body).toMatchObject({ version: 2, namespace: "billing" });
    const versions = await service(
      "GET",
      "/api/v1/secrets/by-name/API_TOKEN/versions?namespace=billing",
    );
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const rolled = await service("POST", `/api/v1/secrets/${ns.body.id}/rollback/1`);
    expect(rolled.body.version).toBe(3);
    await service("PUT", `/api/v1/secrets/${ns.body.id}`, { value: BILLING_TOKEN });

    const list = await service("GET", "/api/v1/secrets?scope=namespace");
    expect(
      list.body.map((s: { name: string; namespace: string }) => [s.name, s.namespace]),
    ).toEqual([["API_TOKEN", "billing"]]);
    expect((await service("GET", "/api/v1/secrets/by-name/API_TOKEN")).body.description).toBe(
      "global one",
    );
    expect((await service("GET", "/api/v1/secrets/stats")).body).toEqual({
      total: 2,
      expiring_soon: 0,
      expired: 0,
    });

    const temp = await service("POST", "/api/v1/secrets", { name: "TEMP", value: "t-value" });
    expect((await service("DELETE", `/api/v1/secrets/by-name/TEMP`)).body).toEqual({
      message: "Secret deleted successfully",
    });
    expect((await service("GET", `/api/v1/secrets/${temp.body.id}`)).status).toBe(404);
    expect(await tablesContaining(t.stack.db, GLOBAL_TOKEN)).toEqual([]);
    expect(await tablesContaining(t.stack.db, BILLING_TOKEN)).toEqual([]);
  });

  it("refuses bad input with a 400 naming the field, and non-admins", async () => {
    const cases: [unknown, string][] = [
      [{ name: "bad-name", value: "v" }, "name"],
      [{ name: "OK", value: "" }, "value"],
      // Not valid text: a job could not be given it as an environment variable.
      [{ name: "OK", value: "sk_\u0000_live" }, "value"],
      [{ name: "OK", value: "v", scope: "team" }, "scope"],
      [{ name: "OK", value: "v", scope: "namespace" }, "namespace"],
      [{ name: "OK", value: "v", expires_at: "soon" }, "expires_at"],
    ];
    for (const [body, field] of cases) {
      const res = await service("POST", "/api/v1/secrets", body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
    }
    expect((await api(t.url, "/api/v1/secrets", { token: annToken })).status).toBe(403);
  });

  it("passes global and namespace secrets to jobs as FLUXBASE_SECRET_<NAME>, masked in logs", async () => {
    await service("POST", "/api/v1/secrets", { name: "shared_only", value: SHARED });
    await service("POST", "/api/v1/secrets", {
      name: "OLD",
      value: "expired-value",
      expires_at: new Date(Date.now() - 60_000).toISOString(),
    });
    const sync = await service("POST", "/api/v1/admin/jobs/sync", {
      namespace: "billing",
      jobs: [{ name: "read-env", code: readEnv }],
    });
    expect(sync.status).toBe(200);
    const inDefault = (await ann.jobs.submit("read-env", {})).data!;
    const inBilling = (await ann.jobs.submit("read-env", {}, { namespace: "billing" })).data!;
    expect((await finished(inDefault.id)).result).toEqual({
      token: GLOBAL_TOKEN,
      shared: SHARED,
      expired: null,
    });
    expect((await finished(inBilling.id)).result).toEqual({
      token: BILLING_TOKEN,
      shared: SHARED,
      expired: null,
    });
    const logs = await waitFor(async () => {
      const { data } = await t.service.jobs.getLogs(inBilling.id);
      return data?.some((l) => l.message.includes("token is")) ? data : undefined;
    });
    expect(logs.map((l) => l.message)).toContain("token is ***");
    expect(JSON.stringify(logs)).not.toContain(BILLING_TOKEN);
  });
});
