// The secret store end to end: the HTTP API (admin system secrets, a user's own), Deno jobs
// reading them through the `secrets` global and upstream's variables, masking in logs,
// isolation between users, validation, and no plaintext anywhere in the database.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDenoRuntime } from "../../src-server/jobs/sandbox/index.ts";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import {
  api,
  chargeJob,
  hashJob,
  sha256Hex,
  tablesContaining,
  type ApiResponse,
} from "../helpers/secrets.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const value = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;
const SYSTEM_TOKEN = value("system");
const ANN_TOKEN = value("ann");
const STRIPE_KEY = value("sk_test");
const ADMIN = "/api/v1/admin/settings/custom";
const USER = "/api/v1/settings";

let t: TestStack;
let ann: FluxbaseClient;
let bob: FluxbaseClient;
const tokens: Record<"ann" | "bob" | "carol" | "service", string> = {
  ann: "",
  bob: "",
  carol: "",
  service: "",
};
let received: { authorization?: string; body: string }[] = [];
let stripe: http.Server;
let stripeUrl: string;
let runtimeDir: string;

const call = (
  who: keyof typeof tokens | null,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> => api(t.url, path, { method, body, token: who ? tokens[who] : undefined });

async function tokenOf(client: FluxbaseClient): Promise<string> {
  return (await client.auth.getSession()).data!.session!.access_token;
}

async function finished(client: FluxbaseClient, id: string) {
  return waitFor(async () => {
    const { data } = await client.jobs.get(id);
    return data && ["completed", "failed"].includes(data.status) ? data : undefined;
  });
}

beforeAll(async () => {
  stripe = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      received.push({ authorization: req.headers.authorization, body });
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ id: "ch_1" }));
    });
  });
  await new Promise<void>((resolve) => stripe.listen(0, "127.0.0.1", resolve));
  stripeUrl = `http://127.0.0.1:${(stripe.address() as AddressInfo).port}`;
  // The stand-in for the external API listens on this machine, which jobs may not reach
  // unless the server names it.
  runtimeDir = mkdtempSync(path.join(tmpdir(), "fluxbase-secrets-runtime-"));
  const runtime = createDenoRuntime({
    cacheDir: runtimeDir,
    allowedHosts: [new URL(stripeUrl).host],
  });
  t = await startTestStack({
    runtime,
    jobs: {
      "read-secret.ts": hashJob,
      // Without allow_env the secrets' variables are still on the job's allow-list.
      "read-secret-no-env.ts": `// @fluxbase:allow-env false\n${hashJob}`,
      "charge.ts": chargeJob,
      "require-missing.ts": `// @fluxbase:max-retries 0\nexport function handler() { secrets.getRequired("missing"); return {}; }`,
    },
  });
  ann = await t.signUp("ann@example.com");
  bob = await t.signUp("bob@example.com");
  const carol = await t.signUp("carol@example.com");
  await t.stack.db.query("UPDATE auth.users SET role = 'admin' WHERE email = 'carol@example.com'");
  Object.assign(tokens, {
    ann: await tokenOf(ann),
    bob: await tokenOf(bob),
    carol: await tokenOf(carol),
    service: t.stack.keys.serviceKey,
  });
});

afterAll(async () => {
  await new Promise((resolve) => stripe?.close(resolve));
  await t?.stop();
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe("secrets in jobs", () => {
  it("gives a user's job the user's value and another user's job the system value", async () => {
    const made = await call("carol", "POST", `${ADMIN}/secret`, {
      key: "api_token",
      value: SYSTEM_TOKEN,
      description: "shared",
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ key: "api_token", description: "shared", version: 1 });
    expect(made.body.user_id).toBeUndefined();
    expect(made.text).not.toContain(SYSTEM_TOKEN);
    expect(
      (await call("service", "POST", `${ADMIN}/secret`, { key: "api_token", value: "other" }))
        .status,
    ).toBe(409);
    const own = await call("ann", "POST", `${USER}/secret`, { key: "api_token", value: ANN_TOKEN });
    expect(own.status).toBe(201);
    expect(own.body.user_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );

    const [annJob, bobJob, serviceJob, noEnvJob] = await Promise.all(
      [ann, bob, t.service, ann].map(
        async (c, i) =>
          (await c.jobs.submit(i < 3 ? "read-secret" : "read-secret-no-env", {})).data!,
      ),
    );
    const [system, annHash] = [await sha256Hex(SYSTEM_TOKEN), await sha256Hex(ANN_TOKEN)];
    expect((await finished(ann, annJob!.id)).result).toEqual({
      get: annHash,
      user: annHash,
      system,
      env_user: annHash,
      env_system: system,
    });
    expect((await finished(ann, noEnvJob!.id)).result).toMatchObject({
      env_user: annHash,
      env_system: system,
    });
    const forOthers = { get: system, user: null, system, env_user: null, env_system: system };
    expect((await finished(bob, bobJob!.id)).result).toEqual(forOthers);
    expect((await finished(t.service, serviceJob!.id)).result).toEqual(forOthers);

    const logs = await waitFor(async () => {
      const { data } = await ann.jobs.getLogs(annJob!.id);
      return data?.some((l) => l.message.includes("token is")) ? data : undefined;
    });
    expect(logs.map((l) => l.message)).toContain("token is ***");
    expect(JSON.stringify(logs)).not.toContain(ANN_TOKEN);
  });

  it("fails a job whose getRequired secret is missing, with the upstream message", async () => {
    const { data: job } = await ann.jobs.submit("require-missing", {});
    const done = await finished(ann, job!.id);
    expect(done.status).toBe("failed");
    expect(done.error_message).toBe("Required secret 'missing' not found. Set it via SDK or CLI.");
  });

  it("runs the guide's external API call with the secret as the Bearer token", async () => {
    expect(
      (
        await call("service", "POST", `${ADMIN}/secret`, {
          key: "stripe_api_key",
          value: STRIPE_KEY,
        })
      ).status,
    ).toBe(201);
    received = [];
    const { data: job } = await ann.jobs.submit("charge", { api: stripeUrl });
    const done = await finished(ann, job!.id);
    expect(done.status, done.error_message).toBe("completed");
    expect(done.result).toEqual({ success: true });
    expect(received).toEqual([
      { authorization: `Bearer ${STRIPE_KEY}`, body: "amount=1000&currency=usd" },
    ]);
  });
});

describe("the secrets API", () => {
  it("lists and describes metadata only; admins alone may reveal a system value", async () => {
    const list = await call("carol", "GET", `${ADMIN}/secrets`);
    expect(list.status).toBe(200);
    expect(list.body.map((s: { key: string }) => s.key)).toEqual(["api_token", "stripe_api_key"]);
    for (const res of [
      list,
      await call("service", "GET", `${ADMIN}/secret/api_token`),
      await call("ann", "GET", `${USER}/secrets`),
    ]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toMatch(/"value"/);
      for (const v of [SYSTEM_TOKEN, ANN_TOKEN, STRIPE_KEY]) expect(res.text).not.toContain(v);
    }
    const revealed = await call("carol", "GET", `${ADMIN}/secret/api_token/value`);
    expect([revealed.status, revealed.body]).toEqual([200, { value: SYSTEM_TOKEN }]);
    expect((await call("ann", "GET", `${ADMIN}/secret/api_token/value`)).status).toBe(403);
    expect((await call("ann", "GET", `${ADMIN}/secrets`)).status).toBe(403);
    expect((await call(null, "GET", `${ADMIN}/secrets`)).status).toBe(401);
    expect((await call("service", "GET", `${USER}/secrets`)).status).toBe(401);
  });

  it("keeps each user's secrets to that user (404 for anyone else)", async () => {
    for (const [method, body] of [["GET"], ["PUT", { value: "stolen" }], ["DELETE"]] as const) {
      expect((await call("bob", method, `${USER}/secret/api_token`, body)).status).toBe(404);
    }
    expect((await call("bob", "GET", `${USER}/secrets`)).body).toEqual([]);
    const still = await call("ann", "GET", `${USER}/secret/api_token`);
    expect(still.body).toMatchObject({ key: "api_token", version: 1 });
  });

  it("updates value and description, deletes, and answers 404 for missing secrets", async () => {
    await call("bob", "POST", `${USER}/secret`, { key: "scratch", value: "first-value" });
    const v2 = await call("bob", "PUT", `${USER}/secret/scratch`, { value: "second-value" });
    expect(v2.body).toMatchObject({ key: "scratch", version: 2 });
    const described = await call("bob", "PUT", `${USER}/secret/scratch`, { description: "notes" });
    expect(described.body).toMatchObject({ version: 2, description: "notes" });
    expect((await call("bob", "PUT", `${USER}/secret/nope`, { value: "x-value" })).status).toBe(
      404,
    );
    expect(
      (await call("service", "PUT", `${ADMIN}/secret/nope`, { value: "x-value" })).status,
    ).toBe(404);
    expect((await call("bob", "DELETE", `${USER}/secret/scratch`)).status).toBe(204);
    expect((await call("bob", "DELETE", `${USER}/secret/scratch`)).status).toBe(404);
    expect((await call("service", "DELETE", `${ADMIN}/secret/nope`)).status).toBe(404);
  });

  it("refuses bad names (400), oversized values (413) and bad bodies, naming the field", async () => {
    const cases: [unknown, number, string][] = [
      [{ key: "1bad", value: "v-value" }, 400, "key"],
      [{ key: "has space", value: "v-value" }, 400, "key"],
      [{ value: "v-value" }, 400, "key"],
      [{ key: "ok_name" }, 400, "value"],
      [{ key: "ok_name", value: 5 }, 400, "value"],
      [{ key: "ok_name", value: "v".repeat(64 * 1024 + 1) }, 413, "value"],
      [{ key: "ok_name", value: "sk_\u0000_live" }, 400, "value"],
      [{ key: "ok_name", value: "v-value", description: 7 }, 400, "description"],
      [["not", "an", "object"], 400, "body"],
    ];
    for (const [body, status, field] of cases) {
      const res = await call("service", "POST", `${ADMIN}/secret`, body);
      expect([res.status, res.body.field], JSON.stringify(body).slice(0, 80)).toEqual([
        status,
        field,
      ]);
    }
    const big = await call("ann", "PUT", `${USER}/secret/api_token`, {
      value: "v".repeat(64 * 1024 + 1),
    });
    expect([big.status, big.body.field]).toEqual([413, "value"]);
    const nul = await call("ann", "PUT", `${USER}/secret/api_token`, { value: "sk_\u0000_live" });
    expect([nul.status, nul.body.field]).toEqual([400, "value"]);
    expect((await call("ann", "GET", `${USER}/secret/bad%20name`)).body.field).toBe("key");
  });
});

describe("secrets at rest", () => {
  it("never grants the table to the API roles", async () => {
    for (const role of ["anon", "authenticated", "service_role"]) {
      const attempt = t.stack.db.withTransaction(async (tx) => {
        await tx.query(`SET LOCAL ROLE ${role}`);
        return tx.query("SELECT * FROM secrets.secrets");
      });
      await expect(attempt).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("refuses a ciphertext moved to another row", async () => {
    await call("service", "POST", `${ADMIN}/secret`, { key: "moved", value: "moved-value" });
    await t.stack.db.query(`UPDATE secrets.secrets s SET ciphertext = o.ciphertext, nonce = o.nonce
      FROM secrets.secrets o WHERE s.name = 'moved' AND o.name = 'api_token' AND o.user_id IS NULL`);
    expect((await call("service", "GET", `${ADMIN}/secret/moved/value`)).status).toBe(500);
  });

  it("stores no plaintext anywhere in the database", async () => {
    expect(await tablesContaining(t.stack.db, "carol@example.com")).toContain("auth.users");
    const rows = await t.stack.db.query<{ ciphertext: Buffer; nonce: Buffer }>(
      "SELECT ciphertext, nonce FROM secrets.secrets",
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const v of [SYSTEM_TOKEN, ANN_TOKEN, STRIPE_KEY, "second-value", "moved-value"]) {
      for (const row of rows)
        expect(Buffer.concat([row.ciphertext, row.nonce]).includes(Buffer.from(v))).toBe(false);
      expect(await tablesContaining(t.stack.db, v)).toEqual([]);
    }
  });
});
