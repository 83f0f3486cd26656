// Settings secrets: a user's own (/api/v1/settings) and the system's (/api/v1/admin/settings/custom).
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Obj, SecretMetadata, Str } from "./entities.ts";

const Opt = Type.Optional;

function scope(base: string, whose: string, tag: string): RouteSchemas {
  const tags = [tag];
  return {
    [`POST ${base}/secret`]: {
      summary: `Create ${whose} secret`,
      tags,
      body: Obj({ key: Str(), value: Str(), description: Opt(Str()) }),
      response: { 201: SecretMetadata },
    },
    [`GET ${base}/secrets`]: {
      summary: `List ${whose} secrets (metadata only)`,
      tags,
      response: { 200: Type.Array(SecretMetadata) },
    },
    [`GET ${base}/secret/:key`]: {
      summary: `Get ${whose} secret's metadata`,
      tags,
      response: { 200: SecretMetadata },
    },
    [`PUT ${base}/secret/:key`]: {
      summary: `Change ${whose} secret (a new value is a new version)`,
      tags,
      body: Obj({ value: Opt(Str()), description: Opt(Str()) }),
      response: { 200: SecretMetadata },
    },
    [`DELETE ${base}/secret/:key`]: {
      summary: `Delete ${whose} secret`,
      tags,
      response: { 204: Type.Null() },
    },
  };
}

export const secretSchemas: RouteSchemas = {
  ...scope("/api/v1/settings", "one of my", "settings"),
  ...scope("/api/v1/admin/settings/custom", "a system", "admin: settings"),
  "GET /api/v1/admin/settings/custom/secret/:key/value": {
    summary: "Reveal a system secret's value",
    tags: ["admin: settings"],
    response: { 200: Obj({ value: Str() }) },
  },
};
