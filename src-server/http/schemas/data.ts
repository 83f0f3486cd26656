// /api/v1/tables: the data API (PostgREST-style filters in the query string).
import { Type } from "@sinclair/typebox";
import type { RouteSchema, RouteSchemas } from "../route-schema.ts";
import { JsonObject, Str } from "./entities.ts";

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

export const dataSchemas: RouteSchemas = Object.fromEntries(
  (
    [
      [`${base}/:table`, "a table (`schema.table`, or a table in public)"],
      [`${base}/:schema/:table`, "a table"],
    ] as const
  ).flatMap(([pattern, what]) =>
    Object.entries(forTable(what)).map(([method, schema]) => [`${method} ${pattern}`, schema]),
  ),
);
