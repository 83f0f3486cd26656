// /api/v1/admin/realtime/tables: realtime on application tables (the SDK's admin.realtime).
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Bool, Int, Obj, Str, Time } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["admin: realtime"];
const base = "/api/v1/admin/realtime/tables";

const Names = (description: string) =>
  Opt(Type.Union([Type.Array(Str()), Type.Null()], { description }));
const Events = Names("INSERT, UPDATE and/or DELETE (none: all three)");
const Exclude = Names("Columns left out of the changes sent (never id)");

const TableStatus = Obj(
  {
    schema: Str(),
    table: Str(),
    realtime_enabled: Bool(),
    events: Type.Array(Str()),
    excluded_columns: Type.Array(Str()),
    created_at: Opt(Time()),
  },
  "An application table's realtime settings",
);
const Done = Obj({ success: Bool(), message: Str() });

export const adminRealtimeSchemas: RouteSchemas = {
  [`POST ${base}`]: {
    summary: "Enable realtime on an application table",
    description: "Subscribers then get the table's changes, filtered by row-level security.",
    tags,
    body: Obj({
      schema: Opt(Type.Union([Str("app or public (the default)"), Type.Null()])),
      table: Str(),
      events: Events,
      exclude: Exclude,
    }),
    response: {
      201: Obj({
        schema: Str(),
        table: Str(),
        events: Type.Array(Str()),
        trigger_name: Str(),
        exclude: Type.Array(Str()),
      }),
    },
  },
  [`GET ${base}`]: {
    summary: "Tables with realtime enabled (`enabled=false`: every application table)",
    tags,
    querystring: Type.Object({ enabled: Opt(Str("false adds the tables not enabled")) }),
    response: { 200: Obj({ tables: Type.Array(TableStatus), count: Int() }) },
  },
  [`GET ${base}/:schema/:table`]: {
    summary: "A table's realtime settings",
    tags,
    response: { 200: TableStatus },
  },
  [`PATCH ${base}/:schema/:table`]: {
    summary: "Change the events or excluded columns of an enabled table",
    tags,
    body: Obj({ events: Events, exclude: Exclude }),
    response: { 200: Done },
  },
  [`DELETE ${base}/:schema/:table`]: {
    summary: "Disable realtime on a table",
    tags,
    response: { 200: Done },
  },
};
