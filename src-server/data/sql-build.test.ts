import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import type { ColumnInfo, TableInfo } from "./catalogue.ts";
import { parseQuery } from "./query-parse.ts";
import {
  buildCount,
  buildDelete,
  buildInsert,
  buildSelect,
  buildUpdate,
  chunkRows,
  quoteIdent,
  toParam,
} from "./sql-build.ts";

const col = (name: string, type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  type,
  isArray: false,
  isJson: false,
  ...extra,
});

const table: TableInfo = {
  schema: "app",
  name: "my_table",
  primaryKey: ["id"],
  columns: new Map(
    [
      col("id", "integer"),
      col("user_id", "uuid"),
      col("value", "text"),
      col("tags", "text[]", { isArray: true }),
      col("meta", "jsonb", { isJson: true }),
      col("created_at", "timestamp with time zone"),
      col('we"ird', "text"),
    ].map((c) => [c.name, c]),
  ),
};

const q = (qs: string) => parseQuery(new URLSearchParams(qs));

function fails(fn: () => unknown, status = 400): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(status);
    return err as AppError;
  }
  throw new Error("expected an error");
}

describe("buildSelect", () => {
  it("casts every value to its column's type and quotes every identifier", () => {
    const sql = buildSelect(
      table,
      q(
        "select=id,label:value&created_at=lt.2024-01-01T00:00:00Z&id=in.(1,2)&value=ilike.*a*&order=id.desc.nullslast&limit=5&offset=10",
      ),
    );
    expect(sql.text).toBe(
      `SELECT (SELECT coalesce(json_agg(_r.*), '[]'::json) FROM (SELECT "id", "value" AS "label" FROM "app"."my_table"` +
        ` WHERE "created_at" < $1::timestamp with time zone AND "id" = ANY ($2::integer[]) AND "value"::text ILIKE $3` +
        ` ORDER BY "id" DESC NULLS LAST LIMIT $4 OFFSET $5) _r) AS rows`,
    );
    expect(sql.values).toEqual(["2024-01-01T00:00:00Z", ["1", "2"], "%a%", 5, 10]);
  });

  it("builds not., is and nested or/and groups", () => {
    const sql = buildSelect(
      table,
      q("value=not.is.null&or=(id.eq.1,and(id.gt.5,value.neq.x))&id=not.eq.3"),
    );
    expect(sql.text).toContain(
      `WHERE NOT ("value" IS NULL) AND ("id" = $1::integer OR ("id" > $2::integer AND "value" <> $3::text)) AND NOT ("id" = $4::integer)`,
    );
    expect(sql.values).toEqual(["1", "5", "x", "3"]);
  });

  it("quotes names with double quotes in them", () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(buildSelect(table, q('select="we\\"ird"&we"ird=eq.x')).text).toContain(
      'SELECT "we""ird" FROM "app"."my_table" WHERE "we""ird" = $1::text',
    );
  });

  it("treats a bare count with no such column as count(*), grouping by other columns", () => {
    expect(buildSelect(table, q("select=count")).text).toContain(
      `SELECT count(*) AS "count" FROM "app"."my_table"`,
    );
    expect(buildSelect(table, q("select=user_id,n:count()")).text).toContain(
      `SELECT "user_id", count(*) AS "n" FROM "app"."my_table" GROUP BY "user_id"`,
    );
    fails(() => buildSelect(table, q("select=*,count()")));
  });

  it("names an unknown column in a 400 wherever it appears", () => {
    for (const qs of ["select=nope", "nope=eq.1", "order=nope", "or=(id.eq.1,nope.eq.2)"]) {
      const err = fails(() => buildSelect(table, q(qs)));
      expect(err.message).toBe("Column 'nope' does not exist in table 'app.my_table'");
      expect(err.extra.field).toBe("nope");
    }
  });
});

describe("buildCount", () => {
  it("counts the filtered rows, ignoring select, order and range", () => {
    const sql = buildCount(table, q("select=id&value=eq.a&order=id&limit=1"));
    expect(sql).toEqual({
      text: `SELECT count(*) AS total FROM "app"."my_table" WHERE "value" = $1::text`,
      values: ["a"],
      fields: ["value"],
    });
  });
});

describe("buildInsert", () => {
  it("inserts many rows, a missing key taking the column default", () => {
    const sql = buildInsert(
      table,
      [
        { value: "a", tags: ["x", "y"] },
        { value: "b", meta: { k: 1 } },
      ],
      q(""),
      { returning: false },
    );
    expect(sql.text).toBe(
      `WITH _w AS (INSERT INTO "app"."my_table" ("value", "tags", "meta") VALUES` +
        ` ($1::text, $2::text[], DEFAULT), ($3::text, DEFAULT, $4::jsonb) RETURNING 1)` +
        ` SELECT count(*) AS affected, NULL::json AS rows FROM _w`,
    );
    expect(sql.values).toEqual(["a", ["x", "y"], "b", '{"k":1}']);
    expect(sql.fields).toEqual(["value", "tags", "value", "meta"]);
  });

  it("answers the written rows in the selected shape", () => {
    const sql = buildInsert(table, [{ value: "a" }], q("select=id,value&order=id"), {
      returning: true,
    });
    expect(sql.text).toBe(
      `WITH _w AS (INSERT INTO "app"."my_table" ("value") VALUES ($1::text) RETURNING *)` +
        ` SELECT (SELECT count(*) FROM _w) AS affected,` +
        ` (SELECT coalesce(json_agg(_r.*), '[]'::json) FROM (SELECT "id", "value" FROM _w ORDER BY "id" ASC) _r) AS rows`,
    );
  });

  it("inserts rows of defaults only", () => {
    expect(buildInsert(table, [{}, {}], q(""), { returning: false }).text).toContain(
      `INSERT INTO "app"."my_table" SELECT FROM generate_series(1, $1::int) RETURNING 1`,
    );
  });

  it("upserts on the primary key or on_conflict, merging or ignoring", () => {
    const merge = buildInsert(table, [{ id: 1, value: "a" }], q(""), {
      returning: false,
      resolution: "merge",
    });
    expect(merge.text).toContain(
      `ON CONFLICT ("id") DO UPDATE SET "id" = EXCLUDED."id", "value" = EXCLUDED."value" RETURNING 1`,
    );
    const ignore = buildInsert(table, [{ value: "a" }], q("on_conflict=user_id,value"), {
      returning: false,
      resolution: "ignore",
    });
    expect(ignore.text).toContain(`ON CONFLICT ("user_id", "value") DO NOTHING RETURNING 1`);
    const noKey = { ...table, primaryKey: [] };
    expect(
      buildInsert(noKey, [{ value: "a" }], q(""), { returning: false, resolution: "ignore" }).text,
    ).toContain("ON CONFLICT DO NOTHING");
    expect(
      fails(() =>
        buildInsert(noKey, [{ value: "a" }], q(""), { returning: false, resolution: "merge" }),
      ).message,
    ).toMatch(/needs on_conflict/);
    expect(
      fails(() => buildInsert(table, [{ value: "a" }], q("on_conflict=id"), { returning: false }))
        .message,
    ).toMatch(/resolution=/);
  });

  it("refuses unknown body columns and limits on writes", () => {
    expect(
      fails(() => buildInsert(table, [{ value: "a" }, { nope: 1 }], q(""), { returning: false }))
        .extra.field,
    ).toBe("nope");
    expect(
      fails(() => buildInsert(table, [{ value: "a" }], q("limit=1"), { returning: false })).message,
    ).toMatch(/reads only/);
  });
});

describe("buildUpdate and buildDelete", () => {
  it("update sets cast parameters under the filters", () => {
    const sql = buildUpdate(table, { value: "b", meta: null }, q("id=eq.1"), { returning: false });
    expect(sql.text).toBe(
      `WITH _w AS (UPDATE "app"."my_table" SET "value" = $1::text, "meta" = $2::jsonb WHERE "id" = $3::integer RETURNING 1)` +
        ` SELECT count(*) AS affected, NULL::json AS rows FROM _w`,
    );
    expect(sql.values).toEqual(["b", null, "1"]);
  });

  it("delete returns rows when asked", () => {
    const sql = buildDelete(table, q("created_at=lt.2024-01-01"), { returning: true });
    expect(sql.text).toContain(
      `WITH _w AS (DELETE FROM "app"."my_table" WHERE "created_at" < $1::timestamp with time zone RETURNING *)`,
    );
  });

  it("answers the written rows' keys when asked (a job's write, for its ledger)", () => {
    const plain = buildDelete(table, q("id=eq.1"), { returning: false, keys: ["id"] });
    expect(plain.text).toBe(
      `WITH _w AS (DELETE FROM "app"."my_table" WHERE "id" = $1::integer RETURNING "id")` +
        ` SELECT count(*) AS affected, NULL::json AS rows,` +
        ` (SELECT json_agg(json_build_object('id', _k."id")) FROM (SELECT * FROM _w LIMIT 100) _k) AS keys FROM _w`,
    );
    const rows = buildUpdate(table, { value: "b" }, q("id=eq.1"), {
      returning: true,
      keys: ["id"],
    });
    expect(rows.text).toMatch(/RETURNING \*\) SELECT .* AS rows, \(SELECT json_agg.* AS keys$/);
  });

  it("refuses to touch every row, and empty updates", () => {
    expect(
      fails(() => buildUpdate(table, { value: "b" }, q(""), { returning: false })).message,
    ).toMatch(/UPDATE without filters is refused/);
    expect(fails(() => buildDelete(table, q("order=id"), { returning: true })).message).toMatch(
      /DELETE without filters is refused/,
    );
    expect(fails(() => buildUpdate(table, {}, q("id=eq.1"), { returning: false })).message).toMatch(
      /Nothing to update/,
    );
  });
});

describe("toParam and chunkRows", () => {
  it("sends JSON for json columns, arrays for array columns and text otherwise", () => {
    const [meta, tags, value] = [
      table.columns.get("meta")!,
      table.columns.get("tags")!,
      table.columns.get("value")!,
    ];
    expect(toParam(meta, "s")).toBe('"s"');
    expect(toParam(meta, [1])).toBe("[1]");
    expect(toParam(tags, ["a"])).toEqual(["a"]);
    expect(toParam(value, 5)).toBe("5");
    expect(toParam(value, true)).toBe("true");
    expect(toParam(value, { a: 1 })).toBe('{"a":1}');
    expect(toParam(value, null)).toBeNull();
  });

  it("keeps each insert under the parameter budget", () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ a: i, b: i }));
    expect(chunkRows(rows, 4).map((c) => c.length)).toEqual([2, 2, 2, 1]);
    expect(chunkRows([{}, {}], 4).map((c) => c.length)).toEqual([2]);
  });
});
