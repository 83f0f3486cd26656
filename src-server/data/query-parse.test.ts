import { describe, expect, it } from "vitest";
import type { HttpClient } from "../../src-sdk/http.ts";
import { QueryBuilder } from "../../src-sdk/query-builder.ts";
import { AppError } from "../errors.ts";
import {
  parsePrefer,
  parseQuery,
  QUERY_LIMITS,
  referencedColumns,
  splitTopLevel,
} from "./query-parse.ts";

/** The query string our SDK sends for a builder chain. */
const sdk = (chain: (q: QueryBuilder) => QueryBuilder) =>
  chain(new QueryBuilder({} as HttpClient, "/api/v1/tables/t")).toSearchParams();

const parse = (qs: string) => parseQuery(new URLSearchParams(qs));

function badRequest(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    return err as AppError;
  }
  throw new Error("expected a 400");
}

describe("parseQuery with what the SDK sends", () => {
  it("reads select, every filter operator, order, range and count", () => {
    const q = parseQuery(
      sdk((b) =>
        b
          .select("id, value", { count: "exact" })
          .eq("user_id", "u1")
          .neq("value", "x")
          .gt("id", 1)
          .gte("id", 2)
          .lt("created_at", new Date("2024-01-02T03:04:05Z"))
          .lte("id", 9)
          .like("value", "a%")
          .ilike("value", "*B*")
          .is("value", null)
          .in("id", [1, "two words", 'q"uote'])
          .order("created_at", { ascending: false, nullsFirst: true })
          .order("id")
          .range(10, 19),
      ),
    );
    expect(q.select).toEqual([
      { kind: "column", column: "id", alias: undefined },
      { kind: "column", column: "value", alias: undefined },
    ]);
    expect(q.filters).toEqual([
      { kind: "compare", column: "user_id", op: "eq", value: "u1", negate: false },
      { kind: "compare", column: "value", op: "neq", value: "x", negate: false },
      { kind: "compare", column: "id", op: "gt", value: "1", negate: false },
      { kind: "compare", column: "id", op: "gte", value: "2", negate: false },
      {
        kind: "compare",
        column: "created_at",
        op: "lt",
        value: "2024-01-02T03:04:05.000Z",
        negate: false,
      },
      { kind: "compare", column: "id", op: "lte", value: "9", negate: false },
      { kind: "compare", column: "value", op: "like", value: "a%", negate: false },
      { kind: "compare", column: "value", op: "ilike", value: "%B%", negate: false },
      { kind: "is", column: "value", value: "null", negate: false },
      { kind: "in", column: "id", values: ["1", "two words", 'q"uote'], negate: false },
    ]);
    expect(q.order).toEqual([
      { column: "created_at", descending: true, nulls: "first" },
      { column: "id", descending: false },
    ]);
    expect([q.offset, q.limit, q.count]).toEqual([10, 10, true]);
  });

  it("reads not. and or= groups, nested and quoted", () => {
    const q = parseQuery(
      sdk((b) =>
        b
          .not("status", "in", ["a", "b,c"])
          .not("value", "is", null)
          .or('status.eq.failed,and(n.gt.2,v.eq."x,y")'),
      ),
    );
    expect(q.filters).toEqual([
      { kind: "in", column: "status", values: ["a", "b,c"], negate: true },
      { kind: "is", column: "value", value: "null", negate: true },
      {
        kind: "group",
        join: "or",
        negate: false,
        items: [
          { kind: "compare", column: "status", op: "eq", value: "failed", negate: false },
          {
            kind: "group",
            join: "and",
            negate: false,
            items: [
              { kind: "compare", column: "n", op: "gt", value: "2", negate: false },
              { kind: "compare", column: "v", op: "eq", value: "x,y", negate: false },
            ],
          },
        ],
      },
    ]);
    expect(parse("not.and=(a.eq.1,b.eq.2)").filters[0]).toMatchObject({
      kind: "group",
      join: "and",
      negate: true,
    });
  });

  it("reads upsert's on_conflict and keeps values after the first dot whole", () => {
    const q = parseQuery(
      sdk((b) => b.upsert({ id: 1 }, { onConflict: "id,user_id" }).eq("email", "a.b@c.d")),
    );
    expect(q.onConflict).toEqual(["id", "user_id"]);
    expect(q.filters).toEqual([
      { kind: "compare", column: "email", op: "eq", value: "a.b@c.d", negate: false },
    ]);
  });

  it("reads aliases, count() and the bare select", () => {
    expect(parse("select=*,n:count()").select).toEqual([
      { kind: "star" },
      { kind: "count", alias: "n" },
    ]);
    expect(parse("select=label:value").select).toEqual([
      { kind: "column", column: "value", alias: "label" },
    ]);
    expect(parse("select=").select).toEqual([{ kind: "star" }]);
    expect(parse("id=eq.1").select).toBeNull();
  });

  it("lists the columns a query names (not a selected count)", () => {
    const q = parse("select=a,count&b=eq.1&or=(c.eq.1,d.is.null)&order=e.desc&on_conflict=f");
    expect(referencedColumns(q).sort()).toEqual(["a", "b", "c", "d", "e", "f"]);
  });
});

describe("parseQuery refuses malformed input with a reason", () => {
  it.each([
    ["id=5", /<operator>\.<value>/],
    ["id=foo.5", /Unknown operator "foo"/],
    ["id=in.1,2", /parenthesised list/],
    ["id=is.maybe", /null, true, false or unknown/],
    ["or=a.eq.1", /parenthesised list/],
    ["or=(a.eq.1", /parenthesised list/],
    ["or=(a)", /column\.operator\.value/],
    ['or=(a.eq."x)', /Unterminated quote/],
    ["order=id.up", /Unknown order modifier "up"/],
    ["limit=-1", /non-negative integer/],
    ["offset=abc", /non-negative integer/],
    ["count=some", /exact, planned or estimated/],
    ["select=id,owner(*)", /Embedding related tables/],
    ["select=id::text", /Casts/],
    ["select=a,,b", /Empty column name/],
    ["on_conflict=a,,b", /comma-separated/],
  ])("%s", (qs, reason) => {
    expect(badRequest(() => parse(qs)).message).toMatch(reason);
  });

  it("names the parameter at fault", () => {
    expect(badRequest(() => parse("created_at=lt")).extra.field).toBe("created_at");
  });
});

describe("query limits", () => {
  const many = (n: number, item: string) => Array(n).fill(item).join(",");

  it("takes a query at each limit and refuses one past it, naming the parameter", () => {
    expect(parse(`select=${many(QUERY_LIMITS.selectItems, "id")}`).select).toHaveLength(500);
    expect(badRequest(() => parse(`select=${many(5000, "id")}`)).extra.field).toBe("select");
    expect(badRequest(() => parse(`order=${many(51, "id")}`)).extra.field).toBe("order");
    expect(badRequest(() => parse(`on_conflict=${many(51, "id")}`)).extra.field).toBe(
      "on_conflict",
    );
    expect(badRequest(() => parse(`or=(${many(501, "a.eq.1")})`)).extra.field).toBe("or");
    const filters = Array.from({ length: 501 }, (_, i) => `c${i}=eq.1`).join("&");
    expect(badRequest(() => parse(filters)).extra.field).toBe("query");
  });

  it("refuses and/or groups nested deeper than the limit without walking them all", () => {
    const nest = (depth: number) => "and(".repeat(depth - 1) + "a.eq.1" + ")".repeat(depth - 1);
    expect(parse(`or=(${nest(QUERY_LIMITS.groupDepth)})`).filters).toHaveLength(1);
    expect(badRequest(() => parse(`or=(${nest(5000)})`)).message).toMatch(/deeper than 16/);
  });
});

describe("splitTopLevel", () => {
  it("splits on commas outside parentheses and quotes", () => {
    expect(splitTopLevel('a,(b,c),"d,e",f', "x")).toEqual(["a", "(b,c)", '"d,e"', "f"]);
  });
});

describe("parsePrefer", () => {
  it("reads return, count and resolution, ignoring the rest", () => {
    expect(parsePrefer("resolution=merge-duplicates,return=representation,count=exact")).toEqual({
      returnRepresentation: true,
      returnMinimal: false,
      count: true,
      resolution: "merge",
    });
    expect(parsePrefer("resolution=ignore-duplicates, tx=rollback")).toEqual({
      returnRepresentation: false,
      returnMinimal: false,
      count: false,
      resolution: "ignore",
    });
    expect(parsePrefer(undefined)).toEqual({
      returnRepresentation: false,
      returnMinimal: false,
      count: false,
    });
    expect(parsePrefer("return=minimal")).toEqual({
      returnRepresentation: false,
      returnMinimal: true,
      count: false,
    });
  });
});
