import { describe, expect, it } from "vitest";
import type { AppError } from "../errors.ts";
import { parsePostQuery } from "./post-query.ts";

describe("parsePostQuery", () => {
  it("reads upstream's body into the same query as the query-string form", () => {
    const q = parsePostQuery({
      select: "id, note",
      filters: [
        { column: "note", operator: "in", value: ["a,b", "c"] },
        { column: "done", operator: "is", value: null },
        { column: "n", operator: "not", value: "eq.3" },
      ],
      orFilters: ["n.eq.1,n.eq.2"],
      betweenFilters: [{ column: "n", min: 1, max: 9, negated: true }],
      order: [{ column: "n", direction: "desc", nulls: "last" }],
      limit: 10,
      offset: 5,
      count: "exact",
    });
    expect(q.select).toEqual([
      { kind: "column", column: "id", alias: undefined },
      { kind: "column", column: "note", alias: undefined },
    ]);
    expect(q.filters[0]).toEqual({
      kind: "in",
      column: "note",
      values: ["a,b", "c"],
      negate: false,
    });
    expect(q.filters[1]).toMatchObject({ kind: "is", value: "null" });
    expect(q.filters[2]).toMatchObject({ kind: "compare", op: "eq", value: "3", negate: true });
    expect(q.filters[3]).toMatchObject({ kind: "group", join: "or" });
    expect(q.filters[4]).toMatchObject({
      kind: "group",
      join: "or",
      items: [{ op: "lt" }, { op: "gt" }],
    });
    expect(q.order).toEqual([{ column: "n", descending: true, nulls: "last" }]);
    expect([q.limit, q.offset, q.count]).toEqual([10, 5, true]);
  });

  it("names the field of a bad body", () => {
    const field = (body: unknown) => {
      try {
        parsePostQuery(body);
      } catch (err) {
        return (err as AppError).extra.field;
      }
      return "accepted";
    };
    expect(field([])).toBe("body");
    expect(field({ filters: {} })).toBe("filters");
    expect(field({ filters: [{ column: "a", operator: "in", value: 1 }] })).toBe("filters[0]");
    expect(field({ filters: [{ operator: "eq", value: 1 }] })).toBe("filters[0].column");
    expect(field({ limit: -1 })).toBe("limit");
    expect(field({ count: "all" })).toBe("count");
    expect(field({ groupBy: ["a"] })).toBe("groupBy");
    expect(field({ order: [{ column: "a", nulls: "middle" }] })).toBe("order[0].nulls");
    expect(field({})).toBe("accepted");
  });
});
