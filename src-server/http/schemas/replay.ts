// Replay, effects (the ledger) and saved payloads of runs, under /api/v1/jobs.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Bool, Int, Job, JsonObject, Obj, Str, Time } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["jobs: replay"];
const base = "/api/v1/jobs";
const payloads = `${base}/functions/:namespace/:name/payloads`;

const Effect = Obj(
  {
    id: Int(),
    attempt: Int(),
    operation: Str("insert, upsert, update, delete, upload, remove or submit"),
    kind: Str("table, object or job"),
    target: Str("`schema.table`, `bucket/path` or `namespace/function`"),
    row_count: Int(),
    keys: Type.Array(JsonObject, { description: "Keys of the rows written (the first 100)" }),
    dry_run: Bool(),
    at: Time(),
  },
  "One write a run made",
);

const SavedPayload = Obj(
  { id: Str(), name: Str(), payload: JsonObject, created_at: Time(), updated_at: Time() },
  "A payload saved for a function by the caller",
);

const payloadParams = Type.Object({
  namespace: Str(),
  name: Str("The function's name"),
  payload: Str("The saved payload's name, 1 to 100 characters"),
});

export const replaySchemas: RouteSchemas = {
  [`POST ${base}/:id/replay`]: {
    summary: "Replay a run (same function, payload and user) as a new run",
    description:
      'code "original" (the default) runs the code version the run used; "current" the code as ' +
      "saved now. dry_run: the new run's writes are rolled back and only recorded.",
    tags,
    body: Type.Union([
      Obj({
        code: Opt(Type.Union([Str("original (the default) or current"), Type.Null()])),
        dry_run: Opt(Type.Union([Bool(), Str("true/false/1/0"), Type.Null()])),
      }),
      Type.Null(),
    ]),
    response: { 201: Job },
  },
  [`GET ${base}/:id/replays`]: {
    summary: "The runs replaying this one, newest first",
    tags,
    response: { 200: Obj({ jobs: Type.Array(Job) }) },
  },
  [`GET ${base}/:id/effects`]: {
    summary: "What the run wrote (tables and objects), with a summary",
    tags,
    response: {
      200: Obj({
        job_id: Str(),
        dry_run: Bool(),
        summary: Str('The writes in words, e.g. "inserted 3 rows into public.notes"'),
        effects: Type.Array(Effect),
      }),
    },
  },
  [`GET ${payloads}`]: {
    summary: "My saved payloads for a function",
    tags,
    response: { 200: Obj({ payloads: Type.Array(SavedPayload) }) },
  },
  [`PUT ${payloads}/:payload`]: {
    summary: "Save a payload for a function under a name (replaces one of that name)",
    tags,
    params: payloadParams,
    body: Obj({ payload: JsonObject }),
    response: { 200: SavedPayload },
  },
  [`DELETE ${payloads}/:payload`]: {
    summary: "Delete a saved payload",
    tags,
    params: payloadParams,
    response: { 204: Type.Null() },
  },
};
