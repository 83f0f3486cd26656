// A job that reports a secret as progress: the value is masked in the progress message
// and data before anything is written, so neither the database, GET /jobs/:id nor a
// realtime frame ever holds it in clear. A job failing with a secret in its error and a log
// line gets it masked there too.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, tablesContaining } from "../helpers/secrets.ts";
import { openRawSocket, type RawSocket } from "../helpers/realtime.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const SECRET = `leak-${randomBytes(12).toString("hex")}`;

const leakJob = `export async function handler(req, fluxbase, fluxbaseService, job) {
  const value = secrets.get("leak_me");
  job.reportProgress(40, value, { value, [value]: true, list: ["x " + value] });
  await new Promise((resolve) => setTimeout(resolve, 400));
  job.reportProgress(90, "still " + value, { again: value });
  return { done: true };
}
`;

// Fails with the secret in its message (and so in its stack) and in a log line.
const failJob = `// @fluxbase:max-retries 0
export async function handler() {
  const value = secrets.get("leak_me");
  console.error("calling with", value);
  throw new Error("upstream refused key " + value);
}
`;

let t: TestStack;
let token: string;
let socket: RawSocket | undefined;

beforeAll(async () => {
  t = await startTestStack({ jobs: { "leak.ts": leakJob, "fail.ts": failJob } });
  const ann = await t.signUp("ann@example.com");
  token = (await ann.auth.getSession()).data!.session!.access_token;
  const set = await api(t.url, "/api/v1/settings/secret", {
    method: "POST",
    token,
    body: { key: "leak_me", value: SECRET },
  });
  expect(set.status).toBe(201);
});
afterAll(async () => {
  socket?.close();
  await t?.stop();
});

/** Submits the job as the user and waits for GET /jobs/:id to answer it in `status`. */
async function submitUntil(jobName: string, status: string) {
  const submitted = await api(t.url, "/api/v1/jobs/submit", {
    method: "POST",
    token,
    body: { job_name: jobName },
  });
  const id = submitted.body.id as string;
  const done = await waitFor(async () => {
    const res = await api(t.url, `/api/v1/jobs/${id}`, { token });
    return res.body.status === status ? res : undefined;
  });
  return { id, done };
}

describe("a job reporting a secret as progress", () => {
  it("gets it masked in the database, over HTTP and in realtime frames", async () => {
    socket = await openRawSocket(t.url, token);
    socket.send({ type: "subscribe", channel: "table:jobs.queue" });
    await socket.next((m) => m.type === "ack", "subscribe ack");
    const { id, done } = await submitUntil("leak", "completed");
    await socket.next(
      (m) => m.payload?.record?.id === id && m.payload.record.status === "completed",
      "completed frame",
    );

    expect(done.body.progress).toMatchObject({
      percent: 90,
      message: "still ***",
      data: { again: "***" },
    });
    expect(done.text).not.toContain(SECRET);
    const frames = socket.messages.filter((m) => m.payload?.record?.id === id);
    const first = frames.find((m) => m.payload.record.progress?.percent === 40);
    expect(first?.payload.record.progress).toEqual({
      percent: 40,
      message: "***",
      data: { value: "***", "***": true, list: ["x ***"] },
    });
    expect(JSON.stringify(socket.messages)).not.toContain(SECRET);
    expect(await tablesContaining(t.stack.db, SECRET)).toEqual([]);
  });
});

describe("a job failing with a secret in its error", () => {
  it("gets it masked in the stored error, its logs and over HTTP", async () => {
    const { id, done } = await submitUntil("fail", "failed");
    expect(done.body.error_message).toMatch(/upstream refused key \*\*\*/);
    expect(done.text).not.toContain(SECRET);
    const logs = await waitFor(async () => {
      const res = await api(t.url, `/api/v1/jobs/${id}/logs`, { token });
      return res.text.includes("calling with") ? res : undefined;
    });
    expect(logs.text).toContain("calling with ***");
    expect(logs.text).not.toContain(SECRET);
    expect(await tablesContaining(t.stack.db, SECRET)).toEqual([]);
  });
});
