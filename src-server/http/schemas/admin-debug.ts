// /api/v1/admin/debug/runs: debug runs of a function (the IDE's debugger), admins only.
import { Type, type TSchema } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Bool, Int, JsonObject, Obj, Str } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["admin: debug"];
const base = "/api/v1/admin/debug/runs";

const OrNull = (schema: TSchema) => Type.Union([schema, Type.Null()]);
/** A whole number, also as a string of digits. */
const Whole = (description: string) => OrNull(Type.Union([Int(), Str()], { description }));

const Breakpoints = Opt(
  OrNull(
    Type.Array(
      Obj({
        line: Whole("The job's TypeScript line, from 1"),
        condition: Opt(OrNull(Str("Pause only when this expression is truthy"))),
      }),
      { maxItems: 200, description: "At most 200" },
    ),
  ),
);

const Variable = Obj({
  name: Str(),
  value: Str("The value as text"),
  type: Str(),
  object_id: OrNull(Str("Expand it with GET …/properties")),
});

const DebugState = Obj(
  {
    job_id: Str(),
    status: Str("waiting, running, paused, detached or ended"),
    version: Int("Grows with each change: poll with after=<version>"),
    reason: OrNull(Str("Why it paused")),
    line: OrNull(Int("The paused line of the job's code")),
    file: OrNull(Str("Paused in another file of a bundled job: its path in the jobs folder")),
    file_line: OrNull(Int("The paused line of that file")),
    frames: Type.Array(
      Obj({
        name: Str(),
        line: Int(),
        column: Int(),
        in_job: Bool(),
        file: OrNull(Str("Another file of a bundled job (path in the jobs folder)")),
        url: Str(),
        scopes: Type.Array(
          Obj({
            type: Str(),
            name: OrNull(Str()),
            object_id: OrNull(Str()),
            variables: OrNull(Type.Array(Variable)),
          }),
        ),
      }),
    ),
    breakpoints: Type.Array(
      Obj({ line: Int(), condition: OrNull(Str()), actual_line: OrNull(Int()) }),
    ),
    inspector_url: OrNull(Str("For an external debugger (external: true)")),
    note: OrNull(Str()),
  },
  "A debug session's state",
);

export const adminDebugSchemas: RouteSchemas = {
  [`POST ${base}`]: {
    summary: "Start a debug run of a function (stops before the handler)",
    tags,
    body: Obj({
      job_name: Str(),
      namespace: Opt(OrNull(Str())),
      payload: Opt(OrNull(JsonObject)),
      on_behalf_of: Opt(
        OrNull(Obj({ user_id: Str(), user_email: Opt(Str()), user_role: Opt(Str()) })),
      ),
      breakpoints: Breakpoints,
      external: Opt(OrNull(Type.Union([Bool(), Str("true/false/1/0")]))),
    }),
    response: { 201: DebugState },
  },
  [`GET ${base}/:id`]: {
    summary: "A debug session's state (with after=<version>: wait for a newer one)",
    tags,
    querystring: Type.Object({ after: Opt(Str("A version: long-poll until the state passes it")) }),
    response: { 200: DebugState },
  },
  [`PUT ${base}/:id/breakpoints`]: {
    summary: "Replace the session's breakpoints",
    tags,
    body: Obj({ breakpoints: Breakpoints }),
    response: { 200: DebugState },
  },
  [`POST ${base}/:id/commands`]: {
    summary: "Continue, step or pause",
    tags,
    body: Obj({ command: Str("resume, stepOver, stepInto, stepOut or pause") }),
    response: { 200: DebugState },
  },
  [`POST ${base}/:id/evaluate`]: {
    summary: "Evaluate an expression in a paused frame",
    tags,
    body: Obj({
      expression: Str("At most 10 000 characters"),
      frame: Opt(Whole("The frame's index, 0 (the default) is the top")),
    }),
    response: { 200: Variable },
  },
  [`GET ${base}/:id/properties`]: {
    summary: "Expand an object of a paused frame",
    tags,
    querystring: Type.Object({ object_id: Str() }),
    response: { 200: Obj({ properties: Type.Array(Variable) }) },
  },
  [`POST ${base}/:id/detach`]: {
    summary: "Let the run go on without the debugger",
    tags,
    response: { 200: DebugState },
  },
};
