import { describe, expect, it } from "vitest";
import { effectVerb, rowsPhrase, summarizeEffects } from "../../src-shared/effects-summary.ts";

describe("summarizeEffects", () => {
  it("adds up writes per operation and target, objects by path, jobs by count", () => {
    expect(
      summarizeEffects([
        { operation: "insert", kind: "table", target: "app.notes", row_count: 2 },
        { operation: "insert", kind: "table", target: "app.notes", row_count: 1 },
        { operation: "update", kind: "table", target: "app.notes", row_count: 1 },
        { operation: "remove", kind: "object", target: "avatars/u1.png", row_count: 1 },
        { operation: "submit", kind: "job", target: "default/send", row_count: 1 },
        { operation: "submit", kind: "job", target: "default/send", row_count: 1 },
      ]),
    ).toBe(
      "inserted 3 rows into app.notes, updated 1 row in app.notes, deleted avatars/u1.png, submitted 2 jobs",
    );
  });

  it("says so when a run wrote nothing", () => {
    expect(summarizeEffects([])).toBe("no writes");
  });

  it("words one write as the run's list does", () => {
    expect(effectVerb("remove")).toBe("deleted");
    expect(rowsPhrase({ operation: "delete", row_count: 1 })).toBe("1 row from");
    expect(rowsPhrase({ operation: "upsert", row_count: 4 })).toBe("4 rows into");
  });
});
