import { describe, expect, it } from "vitest";
import { matches, noteSubscriptionId, type Binding } from "./realtime-bindings.ts";
import type { RealtimeChangePayload } from "./realtime-channel.ts";

const change: RealtimeChangePayload = {
  eventType: "UPDATE",
  schema: "jobs",
  table: "queue",
  commit_timestamp: "2025-01-01T00:00:00Z",
  new: { id: "j1", status: "completed" },
  old: {},
  errors: null,
};

const noop = () => undefined;

function bindings(): Binding[] {
  return [
    {
      kind: "postgres_changes",
      filter: { event: "UPDATE", schema: "jobs", table: "queue", filter: "status=eq.running" },
      callback: noop,
    },
    {
      kind: "postgres_changes",
      filter: { event: "*", schema: "jobs", table: "queue" },
      callback: noop,
    },
    { kind: "event", event: "UPDATE", callback: noop },
  ];
}

describe("subscription ids", () => {
  it("pairs acks with bindings by echoed config and routes by the change's ids", () => {
    const list = bindings();
    noteSubscriptionId(list, {
      subscribed: true,
      subscription_id: "s2",
      schema: "jobs",
      table: "queue",
      event: "*",
    });
    noteSubscriptionId(list, {
      subscribed: true,
      subscription_id: "s1",
      schema: "jobs",
      table: "queue",
      event: "UPDATE",
      filter: "status=eq.running",
    });
    expect(list.map((b) => (b.kind === "postgres_changes" ? b.id : "-"))).toEqual([
      "s1",
      "s2",
      "-",
    ]);
    expect(list.map((b) => matches(b, change, ["s2"]))).toEqual([false, true, true]);
    expect(list.map((b) => matches(b, change, ["s1", "s2"]))).toEqual([true, true, true]);
  });

  it("falls back to schema/table/event when the server sends no ids", () => {
    const list = bindings();
    expect(list.map((b) => matches(b, change))).toEqual([true, true, true]);
  });
});
