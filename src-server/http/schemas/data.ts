// /api/v1/tables: the data API (PostgREST-style filters in the query string, or a JSON query).
import { Type, type TSchema } from "@sinclair/typebox";
import type { RouteSchema, RouteSchemas } from "../route-schema.ts";
import { Bool, JsonObject, JsonValue, Obj, Str } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["data"];
const base = "/api/v1/tables";

const Rows = Type.Array(JsonObject, { description: "The rows" });
const Query = Type.Object(
  {
    select: Opt(Str("Columns, e.g. id,name")),
    order: Opt(Str("e.g. created_at.desc")),
    limit: Opt(Str()),
    offset: Opt(Str()),
    on_conflict: Opt(Str("Upsert: the conflict columns")),
    count: Opt(Str("exact: send the total in Content-Range")),
  },
  { description: "Any other key filters a column: `column=eq.value`, `in.(a,b)`, ..." },
);
const Body = Type.Union([JsonObject, Type.Array(JsonObject)], {
  description: "One row or an array of rows",
});

const description =
  "Runs as the caller's database role, so the table's grants and row-level security decide. " +
  "Prefer: return=representation|minimal, count=exact, resolution=merge-duplicates.";

function forTable(what: string): Record<string, RouteSchema> {
  return {
    GET: {
      summary: `Read rows of ${what}`,
      description,
      tags,
      querystring: Query,
      response: { 200: Rows },
    },
    HEAD: {
      summary: `Count rows of ${what} (Content-Range)`,
      tags,
      querystring: Query,
      response: { 200: Type.Null() },
    },
    POST: {
      summary: `Insert or upsert rows into ${what}`,
      description,
      tags,
      querystring: Query,
      body: Body,
      response: { 201: Rows },
    },
    PATCH: {
      summary: `Update the rows of ${what} the filters select`,
      description,
      tags,
      querystring: Query,
      body: JsonObject,
      response: { 200: Rows, 204: Type.Null() },
    },
    DELETE: {
      summary: `Delete the rows of ${what} the filters select`,
      description,
      tags,
      querystring: Query,
      response: { 200: Rows, 204: Type.Null() },
    },
  };
}

const OrNull = (schema: TSchema) => Opt(Type.Union([schema, Type.Null()]));
const Column = Str("A column name");
const LongQuery = Obj(
  {
    select: OrNull(Str("Columns, as the select parameter")),
    filters: OrNull(
      Type.Array(
        Obj({
          column: Column,
          operator: Str("eq, neq, gt, in (value: an array), not (value: `op.value`), ..."),
          value: Opt(JsonValue),
        }),
      ),
    ),
    orFilters: OrNull(Type.Array(Str("`col.op.value,col.op.value`: one of them"))),
    andFilters: OrNull(Type.Array(Str("`col.op.value,col.op.value`: all of them"))),
    betweenFilters: OrNull(
      Type.Array(
        Obj({ column: Column, min: Opt(JsonValue), max: Opt(JsonValue), negated: OrNull(Bool()) }),
      ),
    ),
    order: OrNull(
      Type.Array(
        Obj({
          column: Column,
          direction: OrNull(Str("asc (the default) or desc")),
          nulls: OrNull(Str("first or last")),
        }),
      ),
    ),
    limit: OrNull(Type.Integer({ minimum: 0 })),
    offset: OrNull(Type.Integer({ minimum: 0 })),
    count: OrNull(Str("exact, planned or estimated: send the total in Content-Range")),
    groupBy: OrNull(Type.Array(Type.Unknown(), { description: "Not supported (refused)" })),
  },
  "The query as JSON, for queries too long for a query string",
);

function longQuery(what: string): RouteSchema {
  return {
    summary: `Read rows of ${what} with the query in the body`,
    description: `${description} The same read as GET, for queries past 4 KB (a large \`in\`).`,
    tags,
    body: LongQuery,
    response: { 200: Rows },
  };
}

export const dataSchemas: RouteSchemas = {
  [`POST ${base}/:schema/:table/query`]: longQuery("a table"),
  [`POST ${base}/:table/query`]: longQuery("a table (`schema.table`, or a table in public)"),
  ...tableSchemas(),
};

function tableSchemas(): RouteSchemas {
  return Object.fromEntries(
    (
      [
        [`${base}/:table`, "a table (`schema.table`, or a table in public)"],
        [`${base}/:schema/:table`, "a table"],
      ] as const
    ).flatMap(([pattern, what]) =>
      Object.entries(forTable(what)).map(([method, schema]) => [`${method} ${pattern}`, schema]),
    ),
  );
}
