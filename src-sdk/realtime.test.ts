import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient, type RealtimeChangePayload, type SubscribeStatus } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

/** Scripted WebSocket: tests open, feed and close it by hand. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
  }
}

const last = (): FakeSocket => {
  const socket = FakeSocket.instances.at(-1);
  if (!socket) throw new Error("no socket opened");
  return socket;
};

function realtimeClient(key = "anon-key", fetch = fakeFetch()) {
  return createClient(
    "https://example.test:8443/base",
    { apiKey: key },
    { fetch, WebSocket: FakeSocket },
  );
}

const change = (over: Record<string, unknown> = {}) => ({
  type: "postgres_changes",
  payload: {
    type: "UPDATE",
    schema: "jobs",
    table: "queue",
    record: { id: "j1", status: "running", progress: { percent: 40, message: "2/5" } },
    old_record: { id: "j1", status: "pending" },
    ...over,
  },
});

beforeEach(() => {
  FakeSocket.instances = [];
});

afterEach(() => {
  vi.useRealTimers();
});

describe("connection", () => {
  it("connects to wss://origin/realtime with the key as token", () => {
    realtimeClient()
      .realtime.channel("table:jobs.queue")
      .on("UPDATE", () => undefined)
      .subscribe();
    expect(last().url).toBe("wss://example.test:8443/realtime?token=anon-key");
  });

  it("uses the signed-in user's token and pushes new tokens to open sockets", async () => {
    const fetch = fakeFetch(() =>
      jsonResponse({
        user: { id: "u1" },
        access_token: "user-at",
        refresh_token: "r",
        expires_in: 60,
      }),
    );
    const client = realtimeClient("anon-key", fetch);
    const channel = client.realtime
      .channel("c")
      .on("*", () => undefined)
      .subscribe();
    last().open();
    await client.auth.signIn({ email: "a@b.c", password: "pw" });
    expect(last().sent.at(-1)).toEqual({ type: "access_token", token: "user-at" });
    await channel.unsubscribe();
    client.realtime.channel("d").subscribe();
    expect(last().url).toBe("wss://example.test:8443/realtime?token=user-at");
  });

  it("throws a clear error when there is no WebSocket", () => {
    vi.stubGlobal("WebSocket", undefined);
    try {
      const client = createClient("http://localhost:8080", "anon", { fetch: fakeFetch() });
      expect(() => client.realtime.channel("x")).toThrow(/no WebSocket implementation/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/** The statuses a channel reports, with the error's message after a colon. */
function statusLog() {
  const statuses: string[] = [];
  const record = (status: SubscribeStatus, error?: Error) =>
    statuses.push(error ? `${status}:${error.message}` : status);
  return { statuses, record };
}

describe("subscribe messages", () => {
  const forEvent = (
    event: string,
    channel = "table:jobs.queue",
    schema = "jobs",
    table = "queue",
  ) => ({
    type: "subscribe",
    channel,
    config: { event, schema, table },
  });

  it("asks a table channel whose plain listeners take one event for just that event", () => {
    realtimeClient()
      .realtime.channel("table:jobs.queue")
      .on("UPDATE", () => undefined)
      .on("UPDATE", () => undefined)
      .subscribe();
    last().open();
    expect(last().sent).toEqual([forEvent("UPDATE")]);
  });

  it("subscribes once for several events, so its one ack (SUBSCRIBED) means every listener is live", () => {
    const statuses: SubscribeStatus[] = [];
    realtimeClient()
      .realtime.channel("table:jobs.queue")
      .on("INSERT", () => undefined)
      .on("UPDATE", () => undefined)
      .subscribe((status) => statuses.push(status));
    last().open();
    expect(last().sent).toEqual([forEvent("*")]);
    last().receive({ type: "ack", payload: { subscribed: true, subscription_id: "s1" } });
    expect(statuses).toEqual(["SUBSCRIBED"]);
  });

  it("asks for every event once a plain listener takes them all; schema public when unnamed", () => {
    realtimeClient()
      .realtime.channel("table:orders")
      .on("UPDATE", () => undefined)
      .on("*", () => undefined)
      .subscribe();
    last().open();
    expect(last().sent).toEqual([forEvent("*", "table:orders", "public", "orders")]);
  });

  it("asks the open socket for an event a listener added later needs, once", () => {
    const channel = realtimeClient()
      .realtime.channel("table:jobs.queue")
      .on("UPDATE", () => undefined)
      .subscribe();
    last().open();
    channel.on("UPDATE", () => undefined);
    expect(last().sent).toEqual([forEvent("UPDATE")]);
    channel.on("INSERT", () => undefined).on("DELETE", () => undefined);
    channel.on("*", () => undefined);
    expect(last().sent).toEqual([forEvent("UPDATE"), forEvent("*")]);
  });

  it("sends a bare subscribe for a channel not named for a table", () => {
    realtimeClient()
      .realtime.channel("room-1")
      .on("UPDATE", () => undefined)
      .subscribe();
    last().open();
    expect(last().sent).toEqual([{ type: "subscribe", channel: "room-1" }]);
  });

  it("sends one subscribe with config per postgres_changes entry", () => {
    realtimeClient()
      .realtime.channel("jobs:running")
      .on(
        "postgres_changes",
        { event: "UPDATE", schema: "jobs", table: "queue", filter: "status=eq.running" },
        () => undefined,
      )
      .on("postgres_changes", { event: "*", schema: "jobs", table: "workers" }, () => undefined)
      .on("DELETE", () => undefined)
      .subscribe();
    last().open();
    expect(last().sent).toEqual([
      {
        type: "subscribe",
        channel: "jobs:running",
        config: { event: "UPDATE", schema: "jobs", table: "queue", filter: "status=eq.running" },
      },
      {
        type: "subscribe",
        channel: "jobs:running",
        config: { event: "*", schema: "jobs", table: "workers" },
      },
    ]);
  });

  describe("SUBSCRIBED waits for every table subscription's ack", () => {
    /** A channel with two postgres_changes entries, not yet subscribed. */
    const twoEntries = () => ({
      ch: realtimeClient()
        .realtime.channel("jobs:watch")
        .on("postgres_changes", { event: "UPDATE", schema: "jobs", table: "queue" }, () => {})
        .on("postgres_changes", { event: "*", schema: "jobs", table: "workers" }, () => {}),
      ...statusLog(),
    });
    const ack = (id: string, extra: Record<string, unknown> = {}) =>
      last().receive({ type: "ack", payload: { subscribed: true, subscription_id: id, ...extra } });

    it("of several postgres_changes entries, not the first", () => {
      const { ch, statuses, record } = twoEntries();
      ch.subscribe(record);
      last().open();
      ack("s1", { schema: "jobs", table: "queue", event: "UPDATE" });
      expect(statuses).toEqual([]);
      ack("s2", { schema: "jobs", table: "workers", event: "*" });
      expect(statuses).toEqual(["SUBSCRIBED"]);
    });

    it("and reports only CHANNEL_ERROR when one entry is refused", () => {
      const { ch, statuses, record } = twoEntries();
      ch.subscribe(record);
      last().open();
      ack("s1", { schema: "jobs", table: "queue", event: "UPDATE" });
      last().receive({ type: "error", error: "table jobs.workers not enabled for realtime" });
      expect(statuses).toEqual(["CHANNEL_ERROR:table jobs.workers not enabled for realtime"]);
    });

    it("not for a log subscription beside them; a channel of logs alone reports its first ack", () => {
      const { ch, statuses, record } = twoEntries();
      ch.onExecutionLog("00000000-0000-4000-8000-000000000001", () => {}).subscribe(record);
      last().open();
      ack("l1", { type: "logs" });
      ack("s1", { schema: "jobs", table: "queue", event: "UPDATE" });
      expect(statuses).toEqual([]);
      ack("s2", { schema: "jobs", table: "workers", event: "*" });
      expect(statuses).toEqual(["SUBSCRIBED"]);

      const logsOnly: SubscribeStatus[] = [];
      realtimeClient()
        .realtime.channel("execution:1")
        .onExecutionLog("00000000-0000-4000-8000-000000000001", () => {})
        .subscribe((s) => logsOnly.push(s));
      last().open();
      ack("l2", { type: "logs" });
      expect(logsOnly).toEqual(["SUBSCRIBED"]);
    });

    it("counting an entry added while the first acks are pending", () => {
      const { ch, statuses, record } = twoEntries();
      ch.subscribe(record);
      last().open();
      ch.on("postgres_changes", { event: "INSERT", schema: "jobs", table: "queue" }, () => {});
      ack("s1");
      ack("s2");
      expect(statuses).toEqual([]);
      ack("s3");
      expect(statuses).toEqual(["SUBSCRIBED"]);
    });
  });

  it("reports SUBSCRIBED once per connection and errors as CHANNEL_ERROR", () => {
    const { statuses, record } = statusLog();
    realtimeClient()
      .realtime.channel("c")
      .on("*", () => undefined)
      .subscribe(record);
    last().open();
    last().receive({ type: "ack", payload: { subscribed: true, subscription_id: "s1" } });
    last().receive({ type: "ack", payload: { subscribed: true, subscription_id: "s2" } });
    last().receive({ type: "error", error: "table jobs.x not enabled for realtime" });
    expect(statuses).toEqual(["SUBSCRIBED", "CHANNEL_ERROR:table jobs.x not enabled for realtime"]);
  });
});

describe("delivery", () => {
  it("builds the §3.4 payload and calls matching listeners", () => {
    vi.useFakeTimers({ now: new Date("2025-03-01T10:00:00Z") });
    const got: string[] = [];
    let payload: RealtimeChangePayload | undefined;
    realtimeClient()
      .realtime.channel("mix")
      .on("UPDATE", (p) => {
        payload = p;
        got.push("update");
      })
      .on("INSERT", () => got.push("insert"))
      .on("*", () => got.push("star"))
      .on("postgres_changes", { event: "UPDATE", schema: "jobs", table: "queue" }, () =>
        got.push("pg-queue"),
      )
      .on("postgres_changes", { event: "*", schema: "jobs", table: "workers" }, () =>
        got.push("pg-workers"),
      )
      .on("postgres_changes", { event: "INSERT", schema: "jobs", table: "queue" }, () =>
        got.push("pg-insert"),
      )
      .subscribe();
    last().open();
    last().receive(change());
    expect(got).toEqual(["update", "star", "pg-queue"]);
    expect(payload).toEqual({
      eventType: "UPDATE",
      schema: "jobs",
      table: "queue",
      commit_timestamp: "2025-03-01T10:00:00.000Z",
      new: { id: "j1", status: "running", progress: { percent: 40, message: "2/5" } },
      old: { id: "j1", status: "pending" },
      errors: null,
    });
  });

  it("parses string progress/result, keeps a server commit_timestamp, maps null records to {}", () => {
    const seen: RealtimeChangePayload[] = [];
    realtimeClient()
      .realtime.channel("c")
      .on("*", (p) => seen.push(p))
      .subscribe();
    last().open();
    last().receive(
      change({
        record: { id: "j1", progress: '{"percent":75}', result: '{"n":1}' },
        commit_timestamp: "2025-01-01T00:00:00Z",
      }),
    );
    last().receive(change({ type: "DELETE", record: null, old_record: { id: "j1" } }));
    expect(seen[0]?.new.progress.percent).toBe(75);
    expect(seen[0]?.new.result).toEqual({ n: 1 });
    expect(seen[0]?.commit_timestamp).toBe("2025-01-01T00:00:00Z");
    expect(seen[1]).toMatchObject({ eventType: "DELETE", new: {}, old: { id: "j1" } });
  });

  it("ignores heartbeats and garbage", () => {
    const cb = vi.fn();
    realtimeClient().realtime.channel("c").on("*", cb).subscribe();
    last().open();
    last().receive({ type: "heartbeat" });
    last().onmessage?.({ data: "not json" });
    expect(cb).not.toHaveBeenCalled();
  });
});

describe("keepalive and reconnect", () => {
  it("sends a heartbeat every 30 s", () => {
    vi.useFakeTimers();
    realtimeClient()
      .realtime.channel("c")
      .on("*", () => undefined)
      .subscribe();
    last().open();
    vi.advanceTimersByTime(60_000);
    expect(last().sent.filter((m) => m.type === "heartbeat")).toHaveLength(2);
  });

  it("reconnects with 1 s·2^n backoff (max 30 s) and resubscribes", () => {
    vi.useFakeTimers();
    realtimeClient()
      .realtime.channel("table:jobs.queue")
      .on("UPDATE", () => undefined)
      .subscribe();
    last().open();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const before = FakeSocket.instances.length;
      last().drop();
      let waited = 0;
      while (FakeSocket.instances.length === before) {
        vi.advanceTimersByTime(500);
        waited += 500;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    last().open();
    expect(last().sent).toEqual([
      {
        type: "subscribe",
        channel: "table:jobs.queue",
        config: { event: "UPDATE", schema: "jobs", table: "queue" },
      },
    ]);
    // A successful open resets the backoff.
    const before = FakeSocket.instances.length;
    last().drop();
    vi.advanceTimersByTime(1_000);
    expect(FakeSocket.instances.length).toBe(before + 1);
  });

  it("unsubscribe sends unsubscribe, closes, and stops reconnecting", async () => {
    vi.useFakeTimers();
    const client = realtimeClient();
    const statuses: string[] = [];
    const channel = client.realtime
      .channel("c")
      .on("*", () => undefined)
      .subscribe((s) => statuses.push(s));
    last().open();
    await channel.unsubscribe();
    expect(last().sent.at(-1)).toEqual({ type: "unsubscribe", channel: "c" });
    expect(last().closed).toBe(true);
    vi.advanceTimersByTime(120_000);
    expect(FakeSocket.instances).toHaveLength(1);
    expect(statuses).toEqual(["CLOSED"]);
    expect(client.realtime.getChannels()).toHaveLength(0);
  });

  it("removeAllChannels closes every channel", async () => {
    const client = realtimeClient();
    client.realtime.channel("a").subscribe();
    client.realtime.channel("b").subscribe();
    await client.realtime.removeAllChannels();
    expect(FakeSocket.instances.every((s) => s.closed)).toBe(true);
    expect(client.realtime.getChannels()).toEqual([]);
  });
});
