// The data API on the wire (compatibility §7.8), without the SDK: paths, statuses, headers, bodies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppTables, ownerQuery } from "../helpers/app-tables.ts";
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
  const headers: Record<string, string> = { "X-Service-Key": t.stack.keys.serviceKey };
  if (init.prefer) headers.Prefer = init.prefer;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return fetch(`${t.url}/api/v1/tables/${path}`, { method, headers, body });
}

describe("data API wire format", () => {
  it("answers writes 201/200/204 and reads with Content-Range", async () => {
    const rows = [1, 2, 3].map((n) => ({ user_id: crypto.randomUUID(), note: `n${n}` }));
    const quiet = await call("POST", "app/old_records", { body: rows, prefer: "return=minimal" });
    expect(quiet.status).toBe(201);
    expect(await quiet.text()).toBe("");

    const read = await call("GET", "app.old_records?select=note&order=id.desc&limit=2&offset=1", {
      prefer: "count=exact",
    });
    expect(read.status).toBe(200);
    expect(read.headers.get("content-range")).toBe("1-2/3");
    expect(await read.json()).toEqual([{ note: "n2" }, { note: "n1" }]);
    expect((await call("GET", "app.old_records?limit=0")).headers.get("content-range")).toBe("*/*");

    const head = await call("HEAD", "app/old_records?count=exact&note=neq.n1");
    expect(head.headers.get("content-range")).toBe("0-1/2");
    expect(await head.text()).toBe("");

    const patched = await call("PATCH", "app/old_records?note=eq.n1", {
      body: { note: "one" },
      prefer: "return=minimal",
    });
    expect(patched.status).toBe(204);
    const deleted = await call("DELETE", "app/old_records?note=in.(one,n2)", {
      prefer: "return=representation,count=exact",
    });
    expect(deleted.status).toBe(200);
    expect(deleted.headers.get("content-range")).toBe("*/2");
    expect(((await deleted.json()) as { note: string }[]).map((r) => r.note).sort()).toEqual([
      "n2",
      "one",
    ]);
  });

  it("answers errors as JSON with error, code and field", async () => {
    const unknown = await call("GET", "app.old_records?nope=eq.1");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: "Column 'nope' does not exist in table 'app.old_records'",
      code: "VALIDATION_FAILED",
      field: "nope",
    });
    const badBody = await call("POST", "app.old_records", { body: [1, 2] });
    expect(badBody.status).toBe(400);
    expect(((await badBody.json()) as { field: string }).field).toBe("body");
    const missing = await call("GET", "app/nope");
    expect(await missing.json()).toEqual({
      error: "Table 'app.nope' not found",
      code: "NOT_FOUND",
    });
    const noAuth = await fetch(`${t.url}/api/v1/tables/app.old_records`);
    expect(noAuth.status).toBe(401);
  });

  it("names the column of a value of the wrong type (insert, update, filters, long query)", async () => {
    const cases: [string, Response][] = [
      ["user_id", await call("POST", "app/old_records", { body: { note: "x", user_id: "zz" } })],
      ["id", await call("POST", "app/old_records", { body: [{ note: "a" }, { id: "1.5" }] })],
      ["id", await call("PATCH", "app/old_records?note=eq.x", { body: { id: "zz" } })],
      ["id", await call("GET", "app/old_records?id=eq.zz")],
      ["created_at", await call("GET", "app/old_records?note=eq.x&created_at=gt.someday")],
      [
        "id",
        await call("POST", "app/old_records/query", {
          body: { filters: [{ column: "id", operator: "in", value: [1, "two"] }] },
        }),
      ],
      [
        "id",
        await call("POST", "app/old_records?on_conflict=id", {
          body: { id: "99999999999", note: "big" },
          prefer: "resolution=merge-duplicates",
        }),
      ],
    ];
    for (const [field, res] of cases) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: expect.stringMatching(/^Invalid value: /),
        code: expect.stringMatching(/^22/),
        field,
      });
    }
    const noUnique = await call("POST", "app/old_records?on_conflict=note", {
      body: { note: "x" },
      prefer: "resolution=merge-duplicates",
    });
    expect(noUnique.status).toBe(400);
    expect(await noUnique.json()).toMatchObject({ code: "42P10", field: "on_conflict" });
  });

  it("compares and writes typed columns without truncating values", async () => {
    await ownerQuery(
      t.database.url,
      "CREATE TABLE app.codes (code char(3) PRIMARY KEY, bits bit(3), price numeric(5,2), v varchar(3))",
    );
    const row = { code: "abc", bits: "101", price: 12.5, v: "xyz" };
    expect((await call("POST", "app.codes", { body: row })).status).toBe(201);
    const read = await call("GET", "app.codes?code=eq.abc&bits=eq.101&price=gte.12.50&v=in.(xyz)");
    expect(await read.json()).toEqual([row]);
    expect(await (await call("GET", "app.codes?code=eq.abcd")).json()).toEqual([]);
    const long = await call("POST", "app.codes", { body: { code: "xyz", v: "wxyz" } });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: string }).error).toMatch(/too long/);
  });

  it("serves auth.users to the service key without password hashes", async () => {
    expect((await call("GET", "auth/users?select=id,email,role")).status).toBe(200);
    for (const path of ["auth/users", "auth/users?select=password_hash"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/permission denied/);
    }
  });
});
