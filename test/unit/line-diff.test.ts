import { describe, expect, it } from "vitest";
import { differs, diffLines } from "../../src-renderer/lib/line-diff.ts";

describe("diffLines", () => {
  it("pairs equal lines and shows a changed line side by side", () => {
    const rows = diffLines('{\n  "greeting": "hello Ann"\n}', '{\n  "greeting": "howdy Ann"\n}');
    expect(rows).toEqual([
      { kind: "same", left: "{", right: "{" },
      { kind: "changed", left: '  "greeting": "hello Ann"', right: '  "greeting": "howdy Ann"' },
      { kind: "same", left: "}", right: "}" },
    ]);
    expect(differs(rows)).toBe(true);
  });

  it("shows lines only one side has", () => {
    expect(diffLines("a\nb\nc", "a\nc\nd")).toEqual([
      { kind: "same", left: "a", right: "a" },
      { kind: "removed", left: "b" },
      { kind: "same", left: "c", right: "c" },
      { kind: "added", right: "d" },
    ]);
    expect(diffLines("", "x")).toEqual([{ kind: "added", right: "x" }]);
    expect(differs(diffLines("same", "same"))).toBe(false);
  });
});
