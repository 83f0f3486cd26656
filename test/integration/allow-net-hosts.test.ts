// `@fluxbase:allow-net <host[:port]>, …`: the named machine destinations become reachable
// to that function's jobs, end to end (annotation → jobs.functions → sandbox), and nothing
// else private opens with them; the admin API's allow_net_hosts is validated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import { api } from "../helpers/secrets.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";
import { startTestServer, type TestServer } from "./sandbox-harness.ts";

let t: TestStack;
let user: FluxbaseClient;
let named: TestServer;
let other: TestServer;

const probe = (targets: string[]) => `
export async function handler() {
  const denied = (error) =>
    error.name === "NotCapable" || /Requires net access/.test(String(error.cause?.message ?? error.cause));
  const out = {};
  for (const target of ${JSON.stringify(targets)}) {
    try { out[target] = (await fetch("http://" + target + "/x", { signal: AbortSignal.timeout(3000) })).status; }
    catch (error) { out[target] = denied(error) ? "denied" : error.name; }
  }
  return out;
}`;

beforeAll(async () => {
  named = await startTestServer();
  other = await startTestServer();
  const namedHost = new URL(named.url).host;
  const otherHost = new URL(other.url).host;
  const targets = [namedHost, otherHost, `localhost:${new URL(named.url).port}`, "10.0.0.1:80"];
  t = await startTestStack({
    jobs: {
      "named.ts": `// @fluxbase:allow-net ${namedHost}\n// @fluxbase:max-retries 0\n${probe(targets)}`,
      "plain.ts": `// @fluxbase:max-retries 0\n${probe([namedHost])}`,
    },
  });
  user = await t.signUp("net@example.com");
});

afterAll(async () => {
  await t?.stop();
  await named?.close();
  await other?.close();
});

async function resultOf(name: string): Promise<Record<string, unknown>> {
  const { data: job, error } = await user.jobs.submit(name, {});
  expect(error).toBeNull();
  const done = await waitFor(async () => {
    const { data } = await user.jobs.get(job!.id);
    return data && ["completed", "failed"].includes(data.status) ? data : undefined;
  });
  expect(done.error_message ?? null).toBeNull();
  return done.result as Record<string, unknown>;
}

describe("@fluxbase:allow-net with hosts", () => {
  it("stores the hosts with allow_net on", async () => {
    const res = await api(t.url, "/api/v1/admin/jobs/functions/default/named", {
      token: t.stack.keys.serviceKey,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      allow_net: true,
      allow_net_hosts: [new URL(named.url).host],
    });
  });

  it("a job of the function reaches the named host:port and no other local port or address", async () => {
    const namedHost = new URL(named.url).host;
    const result = await resultOf("named");
    expect(result).toEqual({
      [namedHost]: 200,
      [new URL(other.url).host]: "denied",
      // Named by address: the name localhost is the same address, on the same port.
      [`localhost:${new URL(named.url).port}`]: 200,
      "10.0.0.1:80": "denied",
    });
    expect(other.requests).toHaveLength(0);
    expect(named.requests.length).toBeGreaterThan(0);
  });

  it("a function that does not name it is denied", async () => {
    const before = named.requests.length;
    expect(await resultOf("plain")).toEqual({ [new URL(named.url).host]: "denied" });
    expect(named.requests).toHaveLength(before);
  });
});

describe("admin API", () => {
  const create = (body: Record<string, unknown>) =>
    api(t.url, "/api/v1/admin/jobs/functions", {
      method: "POST",
      token: t.stack.keys.serviceKey,
      body: { name: "hosts", code: "export function handler() {}", ...body },
    });

  it("a bad allow_net_hosts is a 400 naming the field", async () => {
    for (const hosts of [["db.internal", "10.0.0.5:99999"], "db.internal", [42]]) {
      const res = await create({ allow_net_hosts: hosts });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: expect.stringContaining("allow_net_hosts") });
    }
  });

  it("a bad host in the annotation is a 400 naming the annotation and line", async () => {
    const res = await create({
      code: "// x\n// @fluxbase:allow-net db.internal, http://x\nexport function handler() {}",
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: expect.stringMatching(/@fluxbase:allow-net .*"http:\/\/x".*line 2/),
    });
  });

  it("allow_net_hosts is stored, turns allow_net on, and an update can clear it", async () => {
    const created = await create({ allow_net_hosts: ["10.0.0.5:5432", "DB.internal"] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      allow_net: true,
      allow_net_hosts: ["10.0.0.5:5432", "db.internal"],
    });
    const updated = await api(t.url, "/api/v1/admin/jobs/functions/default/hosts", {
      method: "PUT",
      token: t.stack.keys.serviceKey,
      body: { allow_net_hosts: [] },
    });
    expect(updated.status).toBe(200);
    expect((updated.body as Record<string, unknown>).allow_net_hosts).toBeUndefined();
  });
});
