import { describe, expect, it } from "vitest";
import { createClient } from "./index.ts";
import { fakeFetch, jsonResponse } from "../test/helpers/fake-fetch.ts";

const URL_ = "http://localhost:8080";

function setup(respond: Parameters<typeof fakeFetch>[0] = () => jsonResponse([])) {
  const fetch = fakeFetch(respond);
  return { fetch, client: createClient(URL_, { apiKey: "anon" }, { fetch }) };
}

const query = (url: URL | undefined): [string, string][] => [...(url?.searchParams ?? [])];

describe("paths", () => {
  it("maps from(t), from(schema.t) and schema(s).from(t)", async () => {
    const { fetch, client } = setup();
    await client.from("orders").select();
    await client.from("app.my_table").select("*");
    await client.schema("jobs").from("queue").select("id,status");
    expect(fetch.requests.map((r) => r.url.pathname)).toEqual([
      "/api/v1/tables/orders",
      "/api/v1/tables/app.my_table",
      "/api/v1/tables/jobs/queue",
    ]);
    expect(query(fetch.requests[2]?.url)).toEqual([["select", "id,status"]]);
  });
});

describe("query string", () => {
  it("encodes every filter operator PostgREST-style", async () => {
    const { fetch, client } = setup();
    await client
      .from("t")
      .select("id, name")
      .eq("a", 1)
      .neq("b", "x")
      .gt("c", 2)
      .gte("d", 3)
      .lt("e", new Date("2024-01-01T00:00:00Z"))
      .lte("f", 5)
      .like("g", "*abc*")
      .ilike("h", "%Abc%")
      .is("i", null)
      .in("j", ["x", "y,z", 3])
      .not("k", "eq", true)
      .or("l.eq.1,m.eq.2")
      .order("created_at", { ascending: false })
      .order("id", { nullsFirst: false })
      .range(10, 19);
    expect(query(fetch.requests[0]?.url)).toEqual([
      ["select", "id,name"],
      ["a", "eq.1"],
      ["b", "neq.x"],
      ["c", "gt.2"],
      ["d", "gte.3"],
      ["e", "lt.2024-01-01T00:00:00.000Z"],
      ["f", "lte.5"],
      ["g", "like.*abc*"],
      ["h", "ilike.%Abc%"],
      ["i", "is.null"],
      ["j", 'in.(x,"y,z",3)'],
      ["k", "not.eq.true"],
      ["or", "(l.eq.1,m.eq.2)"],
      ["offset", "10"],
      ["limit", "10"],
      ["order", "created_at.desc,id.asc.nullslast"],
    ]);
    expect(fetch.requests[0]?.method).toBe("GET");
  });

  it("limit replaces an earlier limit", async () => {
    const { fetch, client } = setup();
    await client.from("t").select().limit(5).limit(7);
    expect(fetch.requests[0]?.url.search).toBe("?select=*&limit=7");
  });
});

describe("writes", () => {
  it("insert posts the rows; .select() asks for them back", async () => {
    const { fetch, client } = setup(() => jsonResponse([{ id: 1 }], 201));
    await client.from("app.imports").insert([{ a: 1 }, { a: 2 }]);
    const { data } = await client.from("app.imports").insert({ a: 3 }).select();
    const [plain, withSelect] = fetch.requests;
    expect(plain?.method).toBe("POST");
    expect(plain?.json).toEqual([{ a: 1 }, { a: 2 }]);
    expect(plain?.headers.get("prefer")).toBe("return=minimal");
    expect(withSelect?.headers.get("prefer")).toBe("return=representation");
    expect(withSelect?.url.search).toBe("?select=*");
    expect(data).toEqual([{ id: 1 }]);
  });

  it("update patches with filters; upsert sets resolution and on_conflict", async () => {
    const { fetch, client } = setup(() => jsonResponse([]));
    await client.from("t").update({ done: true }).eq("id", 4);
    await client.from("t").upsert({ id: 1 }, { onConflict: "id" }).select("id");
    await client.from("t").upsert([{ id: 2 }], { ignoreDuplicates: true });
    const [update, upsert, ignore] = fetch.requests;
    expect(update?.method).toBe("PATCH");
    expect(update?.url.search).toBe("?id=eq.4");
    expect(update?.json).toEqual({ done: true });
    expect(upsert?.method).toBe("POST");
    expect(upsert?.url.search).toBe("?select=id&on_conflict=id");
    expect(upsert?.headers.get("prefer")).toBe("resolution=merge-duplicates,return=representation");
    expect(ignore?.headers.get("prefer")).toBe("resolution=ignore-duplicates,return=minimal");
  });

  it("delete().lt().select() returns the deleted rows (guide cleanup example)", async () => {
    const { fetch, client } = setup(() => jsonResponse([{ id: 1 }, { id: 2 }]));
    const { data: deleted } = await client
      .from("app.old_records")
      .delete()
      .lt("created_at", "2024-01-01")
      .select();
    expect(deleted?.length).toBe(2);
    expect(fetch.requests[0]?.method).toBe("DELETE");
    expect(fetch.requests[0]?.url.search).toBe("?select=*&created_at=lt.2024-01-01");
    expect(fetch.requests[0]?.headers.get("prefer")).toBe("return=representation");
  });

  it("delete without select gives data null on 204", async () => {
    const { client } = setup(() => new Response(null, { status: 204 }));
    expect(await client.from("t").delete().eq("id", 1)).toMatchObject({
      data: null,
      error: null,
      status: 204,
    });
  });
});

describe("results", () => {
  it("reads count from Content-Range", async () => {
    const { fetch, client } = setup(() =>
      jsonResponse([{ id: 1 }], 200, { "content-range": "0-0/42" }),
    );
    const { count, data } = await client.from("t").select("*", { count: "exact" }).limit(1);
    expect(count).toBe(42);
    expect(data).toHaveLength(1);
    expect(fetch.requests[0]?.url.searchParams.get("count")).toBe("exact");
    const head = await client.from("t").select("*", { count: "exact", head: true });
    expect(fetch.requests[1]?.method).toBe("HEAD");
    expect(head.data).toBeNull();
  });

  it("single and maybeSingle pick one row or fail with 406", async () => {
    const { fetch, client } = setup();
    fetch.queue.push(
      jsonResponse([{ id: 1 }]),
      jsonResponse([]),
      jsonResponse([]),
      jsonResponse([{ id: 1 }, { id: 2 }]),
    );
    expect((await client.from("t").select().eq("id", 1).single()).data).toEqual({ id: 1 });
    expect(await client.from("t").select().maybeSingle()).toMatchObject({
      data: null,
      error: null,
    });
    expect((await client.from("t").select().single()).error).toMatchObject({
      status: 406,
      code: "PGRST116",
    });
    expect((await client.from("t").select().maybeSingle()).error?.status).toBe(406);
  });

  it("maps HTTP errors like every other call", async () => {
    const { client } = setup(() => jsonResponse({ error: "Table 'public.x' not found" }, 404));
    const res = await client.from("x").select();
    expect(res).toMatchObject({ data: null, status: 404, count: null });
    expect(res.error?.message).toBe("Table 'public.x' not found");
  });
});
