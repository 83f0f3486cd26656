// client.realtime.executionLogs: a job's console lines arrive live, for its owner only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecutionLogLine } from "../../src-sdk/index.ts";
import { realtimeClients } from "../helpers/realtime.ts";
import { startTestStack, waitFor, type TestStack } from "../helpers/stack.ts";

const jobs = {
  "chatty.ts": `export async function handler(req, fluxbase, fluxbaseService, job) {
  for (let i = 1; i <= 5; i++) {
    console.log("line " + i);
    await new Promise((r) => setTimeout(r, 150));
  }
  return { ok: true };
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

describe("executionLogs", () => {
  it("streams the owner's job log lines as they are written", async () => {
    const ann = await clients.user("ann@example.com");
    const { data: job } = await ann.jobs.submit(
      "chatty",
      {},
      { scheduled_at: new Date(Date.now() + 1500).toISOString() },
    );
    const lines: ExecutionLogLine[] = [];
    let subscribed = false;
    ann.realtime
      .channel(`execution:${job!.id}`)
      .onExecutionLog(job!.id, (l) => lines.push(l))
      .subscribe((status) => {
        if (status === "SUBSCRIBED") subscribed = true;
      });
    await waitFor(() => (subscribed ? true : undefined), { what: "the logs subscription" });
    await waitFor(() => (lines.length >= 5 ? true : undefined), { what: "five log lines" });
    expect(lines.slice(0, 5).map((l) => l.message)).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "line 4",
      "line 5",
    ]);
    expect(lines.every((l) => l.execution_id === job!.id)).toBe(true);
  });
});
