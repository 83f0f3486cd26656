// Realtime through the SDK against the real server: the guide's three snippets as
// written, row-level security, filters, large rows and reconnecting.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient, RealtimeChangePayload } from "../../src-sdk/index.ts";
import { realtimeClients, trackedWebSocket, type Json } from "../helpers/realtime.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const processData = await readFile(
  fileURLToPath(new URL("../../jobs/process-data.ts", import.meta.url)),
  "utf8",
);

const jobs = {
  "process-data.ts": processData,
  "always-fails.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  console.log("loading the input");
  console.log("connecting to the database");
  throw new Error("database exploded on purpose");
}`,
  "chatty.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  const steps = job.getJobContext().payload.steps ?? 25;
  for (let i = 1; i <= steps; i++) {
    job.reportProgress(Math.round((i * 100) / steps), "step " + i);
    await new Promise((r) => setTimeout(r, 60));
  }
  return { steps };
}`,
  "big-result.ts": `// @fluxbase:max-retries 0
export async function handler(req, fluxbase, fluxbaseService, job) {
  await new Promise((r) => setTimeout(r, 300));
  job.reportProgress(50, "y".repeat(10_000));
  await new Promise((r) => setTimeout(r, 300));
  return { blob: "x".repeat(100_000), size: 100_000 };
}`,
};

let t: TestStack;
let clients: ReturnType<typeof realtimeClients>;

beforeAll(async () => {
  t = await startTestStack({ jobs });
  clients = realtimeClients(t.url, t.stack.keys.anonKey);
});
afterAll(async () => {
  await clients?.closeAll();
  await t?.stop();
});

/** Subscribes; `times(n)` resolves once the channel has reported SUBSCRIBED n times (reconnects). */
function subscribeCounting(channel: { subscribe(cb: (status: string) => void): unknown }) {
  let seen = 0;
  channel.subscribe((status) => {
    if (status === "SUBSCRIBED") seen++;
  });
  return {
    times: (n: number) =>
      waitFor(() => (seen >= n ? true : undefined), { what: `SUBSCRIBED x${n}` }),
  };
}

const subscribed = (channel: { subscribe(cb: (status: string) => void): unknown }) =>
  subscribeCounting(channel).times(1);

/** The guide's "Real-time progress updates" snippet, verbatim apart from the job name and `console`. */
async function guideProgressSnippet(
  client: FluxbaseClient,
  name: string,
  console: Pick<Console, "log" | "error">,
) {
  // Submit job
  const { data: job } = await client.jobs.submit(name, {
    items: [1, 2, 3],
  });
  // Subscribe to realtime updates
  const channel = client.realtime.channel("table:jobs.queue");
  channel
    .on("UPDATE", (payload) => {
      const updatedJob = payload.new;
      // Filter for our specific job
      if (updatedJob.id === job!.id) {
        console.log(`[${updatedJob.progress.percent}%] ${updatedJob.progress.message}`);
        // Handle completion
        if (updatedJob.status === "completed") {
          console.log("Result:", updatedJob.result);
          channel.unsubscribe();
        }
        // Handle failure
        if (updatedJob.status === "failed") {
          console.error("Error:", updatedJob.error_message);
          console.error("Logs:", updatedJob.logs);
          channel.unsubscribe();
        }
      }
    })
    .subscribe();
  return job!;
}

function capture() {
  const lines: unknown[][] = [];
  const push = (...args: unknown[]) => void lines.push(args);
  return { lines, console: { log: push, error: push } };
}

describe("the guide's realtime snippets", () => {
  it("streams progress and the result of a completed job", async () => {
    const out = capture();
    // The snippet subscribes after it submits: switch the table's realtime triggers on
    // first (a fresh server's first subscription does), so its early updates are not lost.
    await subscribed(
      clients
        .service(t.stack.keys.serviceKey)
        .realtime.channel("table:jobs.queue")
        .on("UPDATE", () => undefined),
    );
    // The anon key alone may not subscribe (issue 12 item 9): the guide's client, signed in.
    await guideProgressSnippet(
      await clients.user("progress@example.com"),
      "process-data",
      out.console,
    );
    const result = await waitFor(() => out.lines.find((l) => l[0] === "Result:"), {
      what: "the Result: line",
    });
    expect(result[1]).toEqual({ success: true, processed: 3 });
    const progress = out.lines
      .map((l) => l[0])
      .filter((l) => typeof l === "string" && l.startsWith("[")) as string[];
    expect(progress).toContain("[33%] Processed 1/3");
    expect(progress.at(-1)).toBe("[100%] Processed 3/3");
  });

  it("reports error_message and logs of a failed job", async () => {
    const out = capture();
    await guideProgressSnippet(
      await clients.user("failure@example.com"),
      "always-fails",
      out.console,
    );
    const logs = await waitFor(() => out.lines.find((l) => l[0] === "Logs:"), {
      what: "the Logs: line",
    });
    expect(out.lines.find((l) => l[0] === "Error:")?.[1]).toBe("database exploded on purpose");
    expect(logs[1]).toContain("loading the input\nconnecting to the database");
    expect(logs[1]).toContain("Attempt 1 failed: database exploded on purpose");
  });

  it("shows users only their own jobs while admins see all", async () => {
    const userA = await clients.user("rt-a@example.com");
    const userB = await clients.user("rt-b@example.com");
    const admin = clients.service(t.stack.keys.serviceKey);
    const seen = { a: [] as Json[], b: [] as Json[], admin: [] as Json[] };
    // The guide's two RLS snippets, with console.log replaced by collecting payload.new.
    const channelA = userA.realtime
      .channel("table:jobs.queue")
      .on("UPDATE", (payload) => seen.a.push(payload.new));
    const channelB = userB.realtime
      .channel("table:jobs.queue")
      .on("UPDATE", (payload) => seen.b.push(payload.new));
    const channelAdmin = admin.realtime
      .channel("table:jobs.queue")
      .on("UPDATE", (payload) => seen.admin.push(payload.new));
    await Promise.all([subscribed(channelA), subscribed(channelB), subscribed(channelAdmin)]);

    const { data: jobA } = await userA.jobs.submit("chatty", { steps: 25 });
    const doneA = await waitFor(
      () => seen.a.find((j) => j.id === jobA!.id && j.status === "completed"),
      { what: "A's job" },
    );
    expect(doneA.user_email).toBe("rt-a@example.com");
    expect(seen.a.filter((j) => j.id === jobA!.id).length).toBeGreaterThanOrEqual(4);
    // B's own job commits after A's last update; once B sees it, B has been sent all that came before.
    const { data: jobB } = await userB.jobs.submit("chatty", { steps: 2 });
    await waitFor(() => seen.b.find((j) => j.id === jobB!.id && j.status === "completed"), {
      what: "B's job",
    });
    await waitFor(() => seen.admin.find((j) => j.id === jobB!.id && j.status === "completed"), {
      what: "admin sees B",
    });

    expect(seen.b.filter((j) => j.id === jobA!.id)).toEqual([]);
    expect(seen.b.every((j) => j.created_by === seen.b[0]!.created_by)).toBe(true);
    expect(seen.a.filter((j) => j.id === jobB!.id)).toEqual([]);
    const adminIds = new Set(seen.admin.map((j) => j.id));
    expect(adminIds.has(jobA!.id) && adminIds.has(jobB!.id)).toBe(true);
    // Every update A received also reached the admin, once.
    const key = (j: Json) => `${j.id}:${j.status}:${j.progress_percent}`;
    const adminKeys = seen.admin.map(key);
    expect(new Set(adminKeys).size).toBe(adminKeys.length);
    for (const j of seen.a) expect(adminKeys).toContain(key(j));
  });

  it("filters with status=eq.running", async () => {
    const client = await clients.user("filter@example.com");
    const running: Json[] = [];
    const all: Json[] = [];
    // The guide's filter snippet, plus an unfiltered entry on the same socket as the barrier.
    const channel = client.realtime
      .channel("jobs:running")
      .on(
        "postgres_changes",
        { event: "UPDATE", schema: "jobs", table: "queue", filter: "status=eq.running" },
        (payload) => {
          running.push(payload.new);
        },
      )
      .on("postgres_changes", { event: "UPDATE", schema: "jobs", table: "queue" }, (payload) =>
        all.push(payload.new),
      );
    await subscribed(channel);
    const { data: job } = await client.jobs.submit("process-data", { items: [1, 2, 3] });
    const done = await waitFor(
      () => all.find((j) => j.id === job!.id && j.status === "completed"),
      { what: "completion" },
    );
    const mine = running.filter((j) => j.id === job!.id);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(mine.every((j) => j.status === "running")).toBe(true);
    expect(mine.map((j) => j.progress.percent)).toContain(33);
    // The last report is written with the completion, which the filter excludes.
    expect(done.progress.percent).toBe(100);
    expect(running.find((j) => j.id === job!.id && j.status === "completed")).toBeUndefined();
  });
});

describe("delivery", () => {
  it("delivers a 100 KB result and an oversized progress message", async () => {
    const admin = clients.service(t.stack.keys.serviceKey);
    const updates: RealtimeChangePayload[] = [];
    const channel = admin.realtime.channel("table:jobs.queue").on("UPDATE", (p) => updates.push(p));
    await subscribed(channel);
    const { data: job } = await admin.jobs.submit("big-result", {});
    const done = await waitFor(
      () => updates.find((u) => u.new.id === job!.id && u.new.status === "completed"),
      {
        what: "the completed update",
      },
    );
    expect(done.new.result.blob).toHaveLength(100_000);
    expect(done.new.payload).toBeUndefined();
    const big = updates.find((u) => u.new.id === job!.id && u.new.progress.percent === 50);
    expect(big?.new.progress.message).toHaveLength(10_000);
    await channel.unsubscribe();
  });

  it("reconnects after the connection is killed and keeps receiving", async () => {
    const tracked = trackedWebSocket();
    const client = await clients.user("reconnect@example.com", tracked.WebSocket);
    const updates: Json[] = [];
    const channel = client.realtime
      .channel("table:jobs.queue")
      .on("UPDATE", (p) => updates.push(p.new));
    const status = subscribeCounting(channel);
    await status.times(1);
    tracked.sockets[0]!.terminate();
    await status.times(2);
    expect(tracked.sockets).toHaveLength(2);
    const { data: job } = await client.jobs.submit("process-data", { items: [1] });
    await waitFor(() => updates.find((j) => j.id === job!.id && j.status === "completed"), {
      what: "completion after reconnect",
    });
    await client.realtime.removeAllChannels();
    expect(client.realtime.getChannels()).toEqual([]);
  });
});
