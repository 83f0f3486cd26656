// The realtime wire protocol (compatibility §3) spoken by hand against the real server: refusing
// bad tokens before the upgrade, acks and errors, one message per change per socket,
// execution log streaming, identity swaps and the per-user connection limit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRawSocket, refusedUpgrade, type Json, type RawSocket } from "../helpers/realtime.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "console-lines.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 1; i <= 5; i++) {
    console.log("line " + i);
    await new Promise((r) => setTimeout(r, 120));
  }
  console.error("done with " + "z".repeat(9000));
  return { lines: 6 };
}`,
  "steps.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  for (let i = 1; i <= 4; i++) {
    job.reportProgress(i * 20, "step " + i);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { ok: true };
}`,
};

let t: TestStack;
const sockets: RawSocket[] = [];

async function open(token?: string): Promise<RawSocket> {
  const socket = await openRawSocket(t.url, token);
  sockets.push(socket);
  return socket;
}

async function userToken(email: string): Promise<string> {
  const client = await t.signUp(email);
  return (await client.auth.getSession()).data!.session!.access_token;
}

const isAck = (m: Json) => m.type === "ack";
const isError = (m: Json) => m.type === "error";

beforeAll(async () => {
  t = await startTestStack({ jobs });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

describe("connection", () => {
  it("refuses an invalid token with HTTP 401 and a JSON body before the upgrade", async () => {
    const refused = await refusedUpgrade(t.url, "not-a-token");
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("Invalid or expired Bearer token");
  });

  it("accepts no token (anon), the anon key, the service key and a user token; only the last two subscribe", async () => {
    for (const token of [undefined, t.stack.keys.anonKey]) {
      const s = await open(token);
      s.send({ type: "subscribe", channel: "table:jobs.queue" });
      expect((await s.next(isError, "refusal")).error).toBe(
        "authentication required for subscriptions",
      );
    }
    for (const token of [t.stack.keys.serviceKey, await userToken("tok@example.com")]) {
      const s = await open(token);
      s.send({ type: "subscribe", channel: "table:jobs.queue" });
      expect((await s.next(isAck, "ack")).payload).toMatchObject({
        subscribed: true,
        schema: "jobs",
        table: "queue",
        event: "*",
      });
    }
  });

  it("answers bad subscriptions with errors and unsubscribe with an ack", async () => {
    const s = await open(t.stack.keys.serviceKey);
    s.send({
      type: "subscribe",
      channel: "c",
      config: { event: "*", schema: "jobs", table: "functions" },
    });
    expect((await s.next(isError, "table error")).error).toBe(
      "table jobs.functions not enabled for realtime",
    );
    s.send({
      type: "subscribe",
      channel: "c",
      config: { schema: "jobs", table: "queue", filter: "status=like" },
    });
    expect(
      (await s.next((m) => isError(m) && m.error.startsWith("invalid filter"), "filter error"))
        .error,
    ).toMatch(/missing value/);
    s.send({ type: "subscribe", channel: "no-table" });
    await s.next((m) => m.error === "table is required for subscribe", "table required");
    s.send({ type: "subscribe", channel: "c", event: "UPDATE", schema: "jobs", table: "workers" });
    const ack = await s.next(isAck, "legacy flat ack");
    expect(ack.payload).toMatchObject({ schema: "jobs", table: "workers", event: "UPDATE" });
    s.send({ type: "unsubscribe", channel: "c", subscription_id: ack.payload.subscription_id });
    await s.next((m) => isAck(m) && m.payload.unsubscribed === true, "unsubscribe ack");
  });

  it("refuses the eleventh socket of one user with 1008", async () => {
    const token = await userToken("many@example.com");
    for (let i = 0; i < 10; i++) await open(token);
    const extra = await open(token);
    expect(await extra.closed).toEqual({ code: 1008, reason: "max_connections_reached" });
    expect(extra.messages).toContainEqual({ type: "error", error: "max_connections_reached" });
    for (const s of sockets.splice(-11)) s.close();
  });
});

describe("row changes", () => {
  it("sends each change once per socket, naming every matching subscription", async () => {
    const s = await open(t.stack.keys.serviceKey);
    s.send({
      type: "subscribe",
      channel: "c",
      config: { event: "UPDATE", schema: "jobs", table: "queue" },
    });
    s.send({
      type: "subscribe",
      channel: "c",
      config: { event: "*", schema: "jobs", table: "queue", filter: "status=in.(pending,running)" },
    });
    await s.next(
      (m) => isAck(m) && m.payload.filter === "status=in.(pending,running)",
      "second ack",
    );
    const ids = s.messages.filter(isAck).map((m) => m.payload.subscription_id as string);
    const { data: job } = await t.service.jobs.submit("steps", {});
    await s.next(
      (m) => m.payload?.record?.id === job!.id && m.payload.record.status === "completed",
      "completion",
    );
    const changes = s.messages.filter(
      (m) => m.type === "postgres_changes" && m.payload.record?.id === job!.id,
    );
    const keys = changes.map(
      (m) => `${m.payload.type}:${m.payload.record.status}:${m.payload.record.progress_percent}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.some((k) => k.startsWith("INSERT"))).toBe(true);
    for (const m of changes) {
      const { type, record } = m.payload;
      const expected =
        type === "INSERT" ? [ids[1]] : record.status === "completed" ? [ids[0]] : ids;
      expect([...m.payload.ids].sort()).toEqual([...expected].sort());
      expect(m.payload.record.payload).toBeUndefined();
      expect(typeof m.payload.commit_timestamp).toBe("string");
    }
  });

  it("follows access_token: a swapped identity sees only its own jobs", async () => {
    const s = await open(await userToken("yan@example.com"));
    s.send({ type: "subscribe", channel: "table:jobs.queue" });
    await s.next(isAck, "ack");
    s.send({ type: "access_token", token: "garbage" });
    await s.next((m) => m.error === "invalid token", "invalid token");
    const zed = await t.signUp("zed@example.com");
    s.send({
      type: "access_token",
      token: (await zed.auth.getSession()).data!.session!.access_token,
    });
    await s.next((m) => isAck(m) && m.payload.updated === true, "token ack");
    const { data: theirs } = await t.service.jobs.submit("steps", {});
    await waitFor(async () =>
      (await t.service.jobs.get(theirs!.id)).data?.status === "completed" ? true : undefined,
    );
    // Committed after every change of theirs: once it arrives, theirs would have too.
    const { data: mine } = await zed.jobs.submit("steps", {});
    await s.next(
      (m) => m.payload?.record?.id === mine!.id && m.payload.record.status === "completed",
      "own job",
    );
    expect(s.messages.some((m) => m.payload?.record?.id === theirs!.id)).toBe(false);
  });
});

describe("execution logs", () => {
  it("streams a job's console lines as they are written", async () => {
    const user = await t.signUp("logs@example.com");
    const owner = await open((await user.auth.getSession()).data!.session!.access_token);
    const stranger = await open(await userToken("nosy@example.com"));
    const { data: job } = await user.jobs.submit("console-lines", {});
    const subscribe = {
      type: "subscribe_logs",
      channel: `execution:${job!.id}`,
      config: { execution_id: job!.id, type: "job" },
    };
    owner.send(subscribe);
    await owner.next(isAck, "owner's logs ack");
    stranger.send(subscribe);
    expect((await stranger.next(isError, "refusal")).error).toBe("execution not found");
    const admin = await open(t.stack.keys.serviceKey);
    admin.send(subscribe);
    expect((await admin.next(isAck, "logs ack")).payload).toMatchObject({
      subscribed: true,
      execution_id: job!.id,
    });
    await admin.next(
      (m) => m.type === "execution_log" && m.payload.message.startsWith("done with"),
      "last line",
    );
    await owner.next(
      (m) => m.type === "execution_log" && m.payload.message.startsWith("done with"),
      "owner's last line",
    );
    const lines = owner.messages.filter((m) => m.type === "execution_log").map((m) => m.payload);
    expect(admin.messages.filter((m) => m.type === "execution_log").map((m) => m.payload)).toEqual(
      lines,
    );
    expect(lines.slice(0, 5).map((l) => l.message)).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "line 4",
      "line 5",
    ]);
    expect(lines.map((l) => l.line_number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines[5]).toMatchObject({
      execution_id: job!.id,
      execution_type: "job",
      level: "error",
    });
    expect(lines[5].message).toHaveLength("done with ".length + 9000);
    expect(typeof lines[0].timestamp).toBe("string");
    owner.send({
      type: "subscribe_logs",
      channel: "x",
      config: { execution_id: "not-a-uuid", type: "job" },
    });
    expect((await owner.next(isError, "bad id")).error).toBe("execution not found");
  });
});
