import { describe, expect, it } from "vitest";
import type { Queryable } from "../db/connections.ts";
import { AppError } from "../errors.ts";
import { createCatalogue } from "./catalogue.ts";

/** A fake connection whose table gains columns between calls; counts the lookups. */
function fakeDb(columns: string[][]) {
  let calls = 0;
  const q: Queryable = {
    async query<R extends object>() {
      const names = columns[Math.min(calls++, columns.length - 1)]!;
      return names.map((name) => ({
        name,
        type: "text",
        is_array: false,
        is_json: false,
        primary_key: name === "id",
      })) as R[];
    },
  };
  return { q, calls: () => calls };
}

const ref = { schema: "app", name: "t" };

describe("createCatalogue", () => {
  it("caches a table per role until the time to live runs out", async () => {
    let now = 0;
    const catalogue = createCatalogue({ ttlMs: 1000, now: () => now });
    const db = fakeDb([["id", "value"]]);
    const info = await catalogue.table(db.q, "authenticated", ref, ["value"]);
    expect([...info.columns.keys()]).toEqual(["id", "value"]);
    expect(info.primaryKey).toEqual(["id"]);
    await catalogue.table(db.q, "authenticated", ref, ["id"]);
    expect(db.calls()).toBe(1);
    await catalogue.table(db.q, "anon", ref, []);
    expect(db.calls()).toBe(2);
    now = 1001;
    await catalogue.table(db.q, "authenticated", ref, []);
    expect(db.calls()).toBe(3);
  });

  it("reloads at once when a request names a column the cached table lacks", async () => {
    const catalogue = createCatalogue({ ttlMs: 60_000 });
    const db = fakeDb([["id"], ["id", "added"]]);
    await catalogue.table(db.q, "authenticated", ref, []);
    const info = await catalogue.table(db.q, "authenticated", ref, ["added"]);
    expect(info.columns.has("added")).toBe(true);
  });

  it("answers 404 naming schema.table, and never caches a miss", async () => {
    const catalogue = createCatalogue({ ttlMs: 60_000 });
    const db = fakeDb([[], ["id"]]);
    const err = await catalogue.table(db.q, "authenticated", ref, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(404);
    expect((err as AppError).message).toBe("Table 'app.t' not found");
    expect((await catalogue.table(db.q, "authenticated", ref, [])).columns.has("id")).toBe(true);
  });
});
