// reachableBy reads the permission bits of every directory on the way down, on real
// directories: the owner's, the group's or everyone else's search bit decides.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reachableBy } from "./reachable-dir.ts";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A 0700 directory with a world-searchable one inside it. */
function privateTree(): { outer: string; inner: string } {
  root = mkdtempSync(path.join(tmpdir(), "fluxbase-reach-"));
  chmodSync(root, 0o755);
  const outer = path.join(root, "private");
  const inner = path.join(outer, "open");
  mkdirSync(inner, { recursive: true, mode: 0o755 });
  chmodSync(outer, 0o700);
  return { outer, inner };
}

describe("reachableBy", () => {
  const stranger = { uid: 54_321, gid: 54_321 };

  it("refuses a directory below one the user may not search, however open it is itself", () => {
    const { outer, inner } = privateTree();
    expect(reachableBy(inner, stranger)).toBe(false);
    expect(reachableBy(outer, stranger)).toBe(false);
    chmodSync(outer, 0o701);
    expect(reachableBy(inner, stranger)).toBe(true);
  });

  it("uses the owner's bit for the owner and the group's bit for the group", () => {
    const { outer, inner } = privateTree();
    const { uid, gid } = statSync(outer);
    expect(reachableBy(inner, { uid, gid: 54_321 })).toBe(true);
    chmodSync(outer, 0o070);
    expect(reachableBy(outer, { uid, gid })).toBe(false);
    expect(reachableBy(outer, { uid: 54_321, gid })).toBe(true);
    expect(reachableBy(outer, stranger)).toBe(false);
  });
});
