// Holding only the public anon key: an anonymous caller may submit a job and learns its
// id, but cannot list, read, cancel or retry jobs, nor subscribe to them or their logs
// over realtime, so nobody's anonymous jobs (results included) reach other anon holders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJobReceipt } from "../../src-server/auth/job-receipt.ts";
import { signJwt } from "../../src-server/auth/jwt.ts";
import { createClient } from "../../src-sdk/index.ts";
import { openRawSocket, refusedUpgrade, type RawSocket } from "../helpers/realtime.ts";
import { api } from "../helpers/secrets.ts";
import { isChangeOf, subscribeQueue } from "../helpers/sessions.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  t = await startTestStack({
    jobs: { "private.ts": "export function handler() { return { secret_result: 'only mine' }; }" },
  });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe("the anon key", () => {
  it("submits and gets its job's id and nothing else; reads no job over HTTP", async () => {
    const anon = t.stack.keys.anonKey;
    const submitted = await api(t.url, "/api/v1/jobs/submit", {
      method: "POST",
      token: anon,
      body: { job_name: "private" },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toEqual({
      id: expect.any(String),
      status: "pending",
      receipt: expect.any(String),
    });
    const id = submitted.body.id as string;
    const done = await waitFor(async () => {
      const { data } = await t.service.jobs.get(id);
      return data?.status === "completed" ? data : undefined;
    });
    expect(done.result).toEqual({ secret_result: "only mine" });

    for (const [method, path] of [
      ["GET", "/api/v1/jobs"],
      ["GET", `/api/v1/jobs/${id}`],
      ["GET", `/api/v1/jobs/${id}/logs`],
      ["POST", `/api/v1/jobs/${id}/cancel`],
      ["POST", `/api/v1/jobs/${id}/retry`],
    ] as const) {
      const res = await api(t.url, path, { method, token: anon });
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(res.body.error).toMatch(/Authentication required/);
      expect(res.text).not.toContain("only mine");
    }
    expect((await t.anon.jobs.list()).error?.status).toBe(403);
  });

  it("cannot subscribe to jobs or their logs over realtime, with or without the key", async () => {
    const barrier = await openRawSocket(t.url, t.stack.keys.serviceKey);
    sockets.push(barrier);
    await subscribeQueue(barrier);
    for (const token of [undefined, t.stack.keys.anonKey]) {
      const socket = await openRawSocket(t.url, token);
      sockets.push(socket);
      socket.send({ type: "subscribe", channel: "table:jobs.queue" });
      expect((await socket.next((m) => m.type === "error", "refusal")).error).toBe(
        "authentication required for subscriptions",
      );
      const submitted = await api(t.url, "/api/v1/jobs/submit", {
        method: "POST",
        token: t.stack.keys.anonKey,
        body: { job_name: "private" },
      });
      const id = submitted.body.id as string;
      socket.send({
        type: "subscribe_logs",
        channel: `execution:${id}`,
        config: { execution_id: id, type: "job" },
      });
      expect(
        (
          await socket.next(
            (m) => m.type === "error" && m !== socket.messages[0],
            "logs refusal",
            1,
          )
        ).error,
      ).toBe("authentication required for subscriptions");
      await barrier.next(
        (m) => isChangeOf(id)(m) && m.payload.record.status === "completed",
        "the job's completion",
      );
      expect(
        socket.messages.some((m) => m.type === "postgres_changes" || m.type === "execution_log"),
      ).toBe(false);
    }
  });

  it("with a job's receipt reads that job with GET /api/v1/jobs/:id and nothing else", async () => {
    const anonKey = t.stack.keys.anonKey;
    const secret = t.stack.keys.jwtSecret;
    const submit = async () =>
      (
        await api(t.url, "/api/v1/jobs/submit", {
          method: "POST",
          token: anonKey,
          body: { job_name: "private" },
        })
      ).body as { id: string; receipt: string };
    const a = await submit();
    const b = await submit();
    const get = (id: string, receipt?: string, token: string = anonKey) =>
      fetch(`${t.url}/api/v1/jobs/${id}`, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(receipt ? { "x-job-receipt": receipt } : {}),
        },
      });
    const done = await waitFor(async () => {
      const res = await get(a.id, a.receipt);
      const body = (await res.json()) as { status?: string; result?: unknown };
      expect(res.status).toBe(200);
      return body.status === "completed" ? body : undefined;
    });
    expect(done.result).toEqual({ secret_result: "only mine" });

    // Job A's receipt does not open job B; B's own does.
    expect((await get(b.id, a.receipt)).status).toBe(403);
    expect((await get(b.id)).status).toBe(403);
    expect((await get(b.id, b.receipt)).status).toBe(200);

    // Forged, tampered, expired or foreign-signed receipts are refused.
    const [head, , sig] = a.receipt.split(".");
    const claimsForB = Buffer.from(
      JSON.stringify({ scope: "job-receipt", token_type: "job-receipt", job_id: b.id }),
    ).toString("base64url");
    const day = 24 * 60 * 60 * 1000;
    const refused = {
      tampered: `${head}.${claimsForB}.${sig}`,
      expired: signJobReceipt({ secret, jobId: b.id, now: Date.now() - 2 * day }),
      foreign: signJobReceipt({ secret: "not the server's secret", jobId: b.id }),
      "a user token": signJwt({ role: "anon", job_id: b.id }, { secret, expiresIn: 60 }),
      garbage: "not-a-token",
    };
    for (const [name, receipt] of Object.entries(refused)) {
      const res = await get(b.id, receipt);
      expect([name, res.status]).toEqual([name, 403]);
      expect(await res.text()).not.toContain("only mine");
    }

    // No other route reads it.
    for (const [method, path] of [
      ["GET", "/api/v1/jobs"],
      ["GET", `/api/v1/jobs/${a.id}/logs`],
      ["POST", `/api/v1/jobs/${a.id}/cancel`],
      ["POST", `/api/v1/jobs/${a.id}/retry`],
    ] as const) {
      const res = await fetch(t.url + path, {
        method,
        headers: { authorization: `Bearer ${anonKey}`, "x-job-receipt": a.receipt },
      });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }

    // It is no credential: not as a Bearer token, not as the apikey, not on realtime.
    expect((await get(a.id, undefined, a.receipt)).status).toBe(401);
    expect((await get(a.id, a.receipt, a.receipt)).status).toBe(401);
    const asKey = await fetch(`${t.url}/api/v1/jobs/${a.id}`, { headers: { apikey: a.receipt } });
    expect(asKey.status).toBe(401);
    expect((await refusedUpgrade(t.url, a.receipt)).status).toBe(401);

    // Browsers may send it: the CORS preflight allows the header.
    const preflight = await fetch(`${t.url}/api/v1/jobs/${a.id}`, {
      method: "OPTIONS",
      headers: { origin: "http://app.example", "access-control-request-headers": "x-job-receipt" },
    });
    expect(preflight.headers.get("access-control-allow-headers")).toContain("x-job-receipt");

    // A signed-in user holding someone's receipt sees no more than before: the job is not theirs.
    const user = await createClient(t.url, { apiKey: anonKey }).auth.signUp({
      email: "receipt@example.com",
      password: "correct horse battery",
    });
    const userToken = user.data!.session!.access_token;
    expect((await get(a.id, a.receipt, userToken)).status).toBe(404);
  });
});
