// /api/v1/admin/jobs/files: the jobs folder as the IDE edits it, and the keys the UI shows.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Int, Obj, Str, Time } from "./entities.ts";

const tags = ["admin: job files"];
const base = "/api/v1/admin/jobs/files";

const Entry = Obj({ path: Str(), type: Str("file or dir") }, "A file or folder of the jobs folder");

export const jobFileSchemas: RouteSchemas = {
  "GET /api/v1/admin/ui/keys": {
    summary: "The anon and service keys (for the UI's connect snippets)",
    tags: ["ui"],
    response: { 200: Obj({ anon_key: Str(), service_key: Str() }) },
  },
  [`GET ${base}`]: {
    summary: "The jobs folder's tree",
    tags,
    response: { 200: Obj({ entries: Type.Array(Entry) }) },
  },
  [`POST ${base}/rename`]: {
    summary: "Rename or move a file",
    tags,
    body: Obj({ from: Str(), to: Str() }),
    response: { 200: Obj({ path: Str() }) },
  },
  [`GET ${base}/*path`]: {
    summary: "Read a file",
    tags,
    response: { 200: Obj({ path: Str(), content: Str() }) },
  },
  [`PUT ${base}/*path`]: {
    summary: "Write a file",
    tags,
    body: Obj({ content: Str() }),
    response: { 200: Obj({ path: Str(), size: Int(), mtime: Time() }) },
  },
  [`DELETE ${base}/*path`]: { summary: "Delete a file", tags, response: { 204: Type.Null() } },
};
