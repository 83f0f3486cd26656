// Holding only the public anon key: an anonymous caller may submit a job and learns its
// id, but cannot list, read, cancel or retry jobs, nor subscribe to them or their logs
// over realtime, so nobody's anonymous jobs (results included) reach other anon holders.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket, type RawSocket } from "../helpers/realtime.ts";
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
    expect(submitted.body).toEqual({ id: expect.any(String), status: "pending" });
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
});
