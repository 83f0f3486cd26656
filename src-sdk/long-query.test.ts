import { describe, expect, it } from "vitest";
import { groupItem, longQueryBody } from "./long-query.ts";

describe("long-query body", () => {
  it("turns the query string into upstream's POST …/query body", () => {
    const search = new URLSearchParams([
      ["select", "id,note"],
      ["note", 'in.("a,b",c)'],
      ["n", "gt.3"],
      ["title", "eq.x, y"],
      ["done", "not.is.null"],
      ["or", "(n.eq.1,n.eq.2)"],
      ["order", "n.desc.nullslast,id.asc"],
      ["limit", "10"],
      ["offset", "5"],
      ["count", "exact"],
    ]);
    expect(longQueryBody(search)).toEqual({
      select: "id,note",
      andFilters: ['note.in.("a,b",c),n.gt.3,title.eq."x, y",done.not.is.null,or(n.eq.1,n.eq.2)'],
      order: [
        { column: "n", direction: "desc", nulls: "last" },
        { column: "id", direction: "asc" },
      ],
      limit: 10,
      offset: 5,
      count: "exact",
    });
  });

  it("quotes compare values that would break a group", () => {
    expect(groupItem("a", 'eq.say "hi"')).toBe('a.eq."say \\"hi\\""');
    expect(groupItem("a", "not.eq.(x)")).toBe('a.not.eq."(x)"');
    expect(groupItem("not.or", "(a.eq.1)")).toBe("not.or(a.eq.1)");
  });
});
