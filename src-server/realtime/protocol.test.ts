import { describe, expect, it } from "vitest";
import { changeMessage, parseClientMessage, subscribeTarget } from "./protocol.ts";

describe("subscribeTarget", () => {
  it("reads config, applying defaults", () => {
    expect(
      subscribeTarget({
        config: { table: "queue", schema: "jobs", event: "update", filter: "status=eq.running" },
      }),
    ).toEqual({
      schema: "jobs",
      table: "queue",
      event: "UPDATE",
      filter: "status=eq.running",
    });
    expect(subscribeTarget({ config: { table: "orders" } })).toEqual({
      schema: "public",
      table: "orders",
      event: "*",
    });
  });

  it("reads the legacy flat form and table: channel names", () => {
    expect(
      subscribeTarget({ channel: "c", schema: "jobs", table: "workers", event: "DELETE" }),
    ).toMatchObject({
      schema: "jobs",
      table: "workers",
      event: "DELETE",
    });
    expect(subscribeTarget({ channel: "table:jobs.queue" })).toEqual({
      schema: "jobs",
      table: "queue",
      event: "*",
    });
    expect(subscribeTarget({ channel: "table:orders" })).toEqual({
      schema: "public",
      table: "orders",
      event: "*",
    });
  });

  it("rejects a missing table or an unknown event", () => {
    expect(subscribeTarget({ channel: "jobs:running" })).toEqual({
      error: "table is required for subscribe",
    });
    expect(subscribeTarget({ config: { table: "queue", event: "TRUNCATE" } })).toHaveProperty(
      "error",
    );
  });
});

describe("parseClientMessage", () => {
  it("parses each message type", () => {
    expect(parseClientMessage('{"type":"heartbeat"}')).toEqual({ type: "heartbeat" });
    expect(
      parseClientMessage('{"type":"unsubscribe","channel":"c","subscription_id":"s"}'),
    ).toEqual({
      type: "unsubscribe",
      channel: "c",
      subscriptionId: "s",
    });
    expect(
      parseClientMessage(
        '{"type":"subscribe_logs","channel":"execution:1","config":{"execution_id":"1","type":"job"}}',
      ),
    ).toEqual({
      type: "subscribe_logs",
      channel: "execution:1",
      executionId: "1",
      executionType: "job",
    });
    expect(parseClientMessage('{"type":"access_token","token":"t"}')).toEqual({
      type: "access_token",
      token: "t",
    });
    expect(parseClientMessage('{"type":"presence"}')).toEqual({
      type: "unknown",
      name: "presence",
    });
  });

  it("returns undefined for garbage", () => {
    expect(parseClientMessage("nope")).toBeUndefined();
    expect(parseClientMessage("[1]")).toBeUndefined();
    expect(parseClientMessage('{"no":"type"}')).toBeUndefined();
  });
});

describe("changeMessage", () => {
  it("wraps a serialised payload, with ids only when given", () => {
    const json = JSON.stringify({ type: "UPDATE", record: { id: "j" } });
    expect(JSON.parse(changeMessage(json))).toEqual({
      type: "postgres_changes",
      payload: { type: "UPDATE", record: { id: "j" } },
    });
    expect(JSON.parse(changeMessage(json, ["a", "b"])).payload.ids).toEqual(["a", "b"]);
  });
});
