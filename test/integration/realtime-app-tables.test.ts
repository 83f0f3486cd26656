// Realtime on an application table, as upstream apps use it: an admin enables the table
// (POST /api/v1/admin/realtime/tables, the SDK's admin.realtime.enableRealtime), then
// `postgres_changes` subscriptions on it deliver only the rows each socket's identity may
// read under the table's RLS policies; disabling it refuses new subscriptions again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppTables } from "../helpers/app-tables.ts";
import { openRawSocket, type Json, type RawSocket } from "../helpers/realtime.ts";
import { api } from "../helpers/secrets.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
const sockets: RawSocket[] = [];
const tokens = { ann: "", bob: "" };

beforeAll(async () => {
  t = await startTestStack();
  await createAppTables(t.database.url);
  for (const who of ["ann", "bob"] as const) {
    const client = await t.signUp(`${who}-rt@example.com`);
    tokens[who] = (await client.auth.getSession()).data!.session!.access_token;
  }
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.stop();
});

const admin = (method: string, path: string, body?: unknown) =>
  api(t.url, `/api/v1/admin/realtime/tables${path}`, {
    method,
    body,
    token: t.stack.keys.serviceKey,
  });

const subscribeMsg = (filter?: string) => ({
  type: "subscribe",
  channel: "notes",
  config: { event: "*", schema: "app", table: "my_table", ...(filter ? { filter } : {}) },
});

async function subscribed(token: string, filter?: string): Promise<RawSocket> {
  const s = await openRawSocket(t.url, token);
  sockets.push(s);
  s.send(subscribeMsg(filter));
  await s.next((m) => m.type === "ack" && m.payload.subscribed === true, "subscribe ack");
  return s;
}

const insertAs = (token: string, value: string) =>
  api(t.url, "/api/v1/tables/app/my_table", { method: "POST", token, body: { value, score: 7 } });

const changeWith = (value: string) => (m: Json) =>
  m.type === "postgres_changes" && m.payload.record?.value === value;

describe("postgres_changes on app tables", () => {
  it("refuses a table until an admin enables it; only admins may", async () => {
    const s = await openRawSocket(t.url, tokens.ann);
    sockets.push(s);
    s.send(subscribeMsg());
    expect((await s.next((m) => m.type === "error", "refusal")).error).toBe(
      "table app.my_table not enabled for realtime",
    );
    const refused = await api(t.url, "/api/v1/admin/realtime/tables", {
      method: "POST",
      token: tokens.ann,
      body: { schema: "app", table: "my_table" },
    });
    expect(refused.status).toBe(403);
    const bad = await admin("POST", "", { schema: "jobs", table: "queue" });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("schema");
    expect((await admin("POST", "", { schema: "app", table: "nope" })).status).toBe(404);
    const noId = await admin("POST", "", { schema: "app", table: "my_table", exclude: ["id"] });
    expect(noId.status).toBe(400);
    expect(noId.body.field).toBe("exclude");

    const enabled = await admin("POST", "", { schema: "app", table: "my_table" });
    expect(enabled.status).toBe(201);
    expect(enabled.body).toEqual({
      schema: "app",
      table: "my_table",
      events: ["INSERT", "UPDATE", "DELETE"],
      trigger_name: "fluxbase_realtime_notify",
      exclude: [],
    });
    const status = await admin("GET", "/app/my_table");
    expect(status.body).toMatchObject({ realtime_enabled: true, schema: "app", table: "my_table" });
    const all = await admin("GET", "?enabled=false");
    expect(all.body.tables).toContainEqual(
      expect.objectContaining({ schema: "app", table: "reports", realtime_enabled: false }),
    );
  });

  it("delivers each change to the sockets whose identity may read the row (RLS)", async () => {
    const patched = await admin("PATCH", "/app/my_table", { exclude: ["score"] });
    expect(patched.body).toEqual({ success: true, message: "Realtime configuration updated" });
    const ann = await subscribed(tokens.ann);
    const bob = await subscribed(tokens.bob);
    const filtered = await subscribed(tokens.ann, "value=eq.ann-2");
    const service = await subscribed(t.stack.keys.serviceKey);

    expect((await insertAs(tokens.bob, "bob-1")).status).toBe(201);
    expect((await insertAs(tokens.ann, "ann-1")).status).toBe(201);
    expect((await insertAs(tokens.ann, "ann-2")).status).toBe(201);

    const annChange = await ann.next(changeWith("ann-2"), "ann's second row");
    expect(annChange.payload).toMatchObject({ type: "INSERT", schema: "app", table: "my_table" });
    expect(annChange.payload.record).toHaveProperty("user_id");
    expect(annChange.payload.record).not.toHaveProperty("score");
    await bob.next(changeWith("bob-1"), "bob's row");
    await service.next(changeWith("ann-2"), "service sees ann's row");
    await filtered.next(changeWith("ann-2"), "filtered row");
    // Commit order per table: by the time the later change arrived, an earlier visible one had.
    expect(ann.messages.some(changeWith("ann-1"))).toBe(true);
    expect(ann.messages.some(changeWith("bob-1"))).toBe(false);
    expect(filtered.messages.some(changeWith("ann-1"))).toBe(false);
    expect(service.messages.some(changeWith("bob-1"))).toBe(true);
    // A later row of bob's: by its arrival, ann's rows would have reached bob if visible.
    await insertAs(tokens.bob, "bob-2");
    await bob.next(changeWith("bob-2"), "bob's later row");
    expect(bob.messages.some(changeWith("ann-1"))).toBe(false);
    expect(bob.messages.some(changeWith("ann-2"))).toBe(false);
  });

  it("stops accepting subscriptions once disabled", async () => {
    const off = await admin("DELETE", "/app/my_table");
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ success: true, message: "Realtime disabled" });
    const s = await openRawSocket(t.url, tokens.ann);
    sockets.push(s);
    s.send(subscribeMsg());
    expect((await s.next((m) => m.type === "error", "refusal")).error).toBe(
      "table app.my_table not enabled for realtime",
    );
    expect((await admin("DELETE", "/app/my_table")).status).toBe(404);
  });
});
