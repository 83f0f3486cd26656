// The data API as upstream SDKs call it, on the wire: writes answer the written rows unless
// `Prefer: return=minimal`, and long queries go to POST …/query with the query as JSON.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppTables } from "../helpers/app-tables.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
  await createAppTables(t.database.url);
});
afterAll(async () => {
  await t?.stop();
});

function call(method: string, path: string, init: { body?: unknown; prefer?: string } = {}) {
  const headers: Record<string, string> = { apikey: t.stack.keys.serviceKey };
  if (init.prefer) headers.Prefer = init.prefer;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return fetch(`${t.url}/api/v1/tables/${path}`, { method, headers, body });
}

type Rec = { id: number; note: string; user_id: string | null };

describe("data API writes answer the written rows", () => {
  it("insert of an object answers the row, of an array the rows (201)", async () => {
    const one = await call("POST", "app/old_records", { body: { note: "solo" } });
    expect(one.status).toBe(201);
    const row = (await one.json()) as Rec;
    expect(row).toMatchObject({ note: "solo", user_id: null });
    expect(typeof row.id).toBe("number");

    const many = await call("POST", "app/old_records", { body: [{ note: "a" }, { note: "b" }] });
    expect(many.status).toBe(201);
    expect(((await many.json()) as Rec[]).map((r) => r.note)).toEqual(["a", "b"]);
  });

  it("PATCH answers 200 with the updated rows", async () => {
    await call("POST", "app/old_records", { body: { note: "to-patch" } });
    const res = await call("PATCH", "app/old_records?note=eq.to-patch", {
      body: { note: "patched" },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Rec[]).map((r) => r.note)).toEqual(["patched"]);
  });

  it("upsert with on_conflict and resolution=merge-duplicates answers the merged row", async () => {
    const first = (await (
      await call("POST", "app/old_records", { body: { note: "v1" } })
    ).json()) as Rec;
    const res = await call("POST", "app/old_records?on_conflict=id", {
      body: { id: first.id, note: "v2" },
      prefer: "resolution=merge-duplicates",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id: first.id, note: "v2" });
    const arr = await call("POST", "app/old_records?on_conflict=id", {
      body: [{ id: first.id, note: "v3" }],
      prefer: "resolution=merge-duplicates",
    });
    expect(((await arr.json()) as Rec[]).map((r) => [r.id, r.note])).toEqual([[first.id, "v3"]]);
  });

  it("Prefer: return=minimal answers no body; return=representation always an array", async () => {
    const quiet = await call("POST", "app/old_records", {
      body: { note: "q" },
      prefer: "return=minimal",
    });
    expect(quiet.status).toBe(201);
    expect(await quiet.text()).toBe("");
    const patched = await call("PATCH", "app/old_records?note=eq.q", {
      body: { note: "q2" },
      prefer: "return=minimal",
    });
    expect(patched.status).toBe(204);
    const rep = await call("POST", "app/old_records", {
      body: { note: "r" },
      prefer: "return=representation",
    });
    expect(((await rep.json()) as Rec[]).map((r) => r.note)).toEqual(["r"]);
  });
});

describe("POST …/query (long queries)", () => {
  it("answers the same rows as the query string, with a large in() and a count", async () => {
    await call("POST", "app/old_records", {
      body: ["lq1", "lq2", "lq3"].map((note) => ({ note })),
      prefer: "return=minimal",
    });
    const wanted = ["lq1", "lq3", ...Array.from({ length: 1500 }, (_, i) => `missing-${i}`)];
    const res = await call("POST", "app/old_records/query", {
      body: {
        select: "note, id",
        filters: [{ column: "note", operator: "in", value: wanted }],
        orFilters: ["note.eq.lq1,note.eq.lq3"],
        order: [{ column: "note", direction: "desc" }],
        limit: 10,
        count: "exact",
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-range")).toBe("0-1/2");
    const rows = (await res.json()) as Rec[];
    expect(rows.map((r) => r.note)).toEqual(["lq3", "lq1"]);
    expect(Object.keys(rows[0]!).sort()).toEqual(["id", "note"]);

    const dotted = await call("POST", "app.old_records/query", {
      body: { filters: [{ column: "note", operator: "eq", value: "lq2" }] },
    });
    expect(((await dotted.json()) as Rec[]).map((r) => r.note)).toEqual(["lq2"]);
  });

  it("refuses a bad body with a 400 naming the field", async () => {
    const res = await call("POST", "app/old_records/query", {
      body: { filters: [{ column: "note", operator: "in", value: "x" }] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe("filters[0]");
    const unknown = await call("POST", "app/old_records/query", {
      body: { filters: [{ column: "nope", operator: "eq", value: 1 }] },
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { field: string }).field).toBe("nope");
  });

  it("this repo's SDK sends a read past 4 KB of query string the same way", async () => {
    const notes = ["sdk, one", "sdk (two)", 'sdk "three"'];
    await t.service.from("app.old_records").insert(notes.map((note) => ({ note })));
    const many = [...notes, ...Array.from({ length: 2000 }, (_, i) => `absent-${i}`)];
    const { data, error, count } = await t.service
      .from("app.old_records")
      .select("note", { count: "exact" })
      .in("note", many)
      .neq("note", "sdk (two)")
      .order("id", { ascending: false });
    expect(error).toBeNull();
    expect(count).toBe(2);
    expect(data!.map((r) => r.note)).toEqual(['sdk "three"', "sdk, one"]);
  });
});
