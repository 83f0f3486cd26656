// Settings secrets: a user's own (/api/v1/settings) and the system's (/api/v1/admin/settings/custom);
// an admin's reveal of a user's secret; function secrets (/api/v1/secrets, jobs' environment).
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Bool, Int, Obj, SecretMetadata, Str, Time } from "./entities.ts";

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
    [`GET ${base}/secret`]: {
      summary: `List ${whose} secrets (metadata only; the SDK's spelling)`,
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

const Nullable = (description?: string) => Opt(Type.Union([Str(description), Type.Null()]));

const FunctionSecret = Obj(
  {
    id: Str(),
    name: Str("Jobs read it as FLUXBASE_SECRET_<NAME>"),
    scope: Type.Union([Type.Literal("global"), Type.Literal("namespace")]),
    namespace: Opt(Str()),
    description: Opt(Str()),
    version: Int(),
    expires_at: Opt(Time()),
    is_expired: Bool(),
    created_at: Time(),
    updated_at: Time(),
    created_by: Opt(Str()),
    updated_by: Opt(Str()),
  },
  "A function secret's metadata (never its value)",
);

const FunctionSecretVersion = Obj({
  id: Str(),
  secret_id: Str(),
  version: Int(),
  created_at: Time(),
  created_by: Opt(Str()),
});

function functionSecretSchemas(): RouteSchemas {
  const tags = ["secrets"];
  const base = "/api/v1/secrets";
  const byName = Type.Object({
    namespace: Opt(Str("The namespace's secret; none: the global one")),
  });
  const change = Obj({
    value: Opt(Str("A new value is a new version")),
    description: Nullable("null or empty clears it"),
    expires_at: Nullable("ISO 8601; null or empty clears it"),
  });
  const refs = [
    [`${base}/by-name/:name`, "by name", byName],
    [`${base}/:id`, "by id", undefined],
  ] as const;
  return {
    [`GET ${base}`]: {
      summary: "List function secrets (metadata only)",
      tags,
      querystring: Type.Object({
        scope: Opt(Str("global or namespace")),
        namespace: Opt(Str()),
      }),
      response: { 200: Type.Array(FunctionSecret) },
    },
    [`POST ${base}`]: {
      summary: "Create a function secret",
      tags,
      body: Obj({
        name: Str("A letter or _, then up to 127 letters, digits or _"),
        value: Str(),
        scope: Nullable("global (the default) or namespace"),
        namespace: Nullable("Required when scope is namespace"),
        description: Nullable(),
        expires_at: Nullable("ISO 8601"),
      }),
      response: { 201: FunctionSecret },
    },
    [`GET ${base}/stats`]: {
      summary: "Counts of function secrets",
      tags,
      response: { 200: Obj({ total: Int(), expiring_soon: Int(), expired: Int() }) },
    },
    ...Object.fromEntries(
      refs.flatMap(([prefix, how, querystring]) => [
        [
          `GET ${prefix}`,
          {
            summary: `Get a function secret ${how}`,
            tags,
            querystring,
            response: { 200: FunctionSecret },
          },
        ],
        [
          `GET ${prefix}/versions`,
          {
            summary: `A function secret's versions, ${how}`,
            tags,
            querystring,
            response: { 200: Type.Array(FunctionSecretVersion) },
          },
        ],
        [
          `PUT ${prefix}`,
          {
            summary: `Change a function secret ${how}`,
            tags,
            querystring,
            body: change,
            response: { 200: FunctionSecret },
          },
        ],
        [
          `DELETE ${prefix}`,
          {
            summary: `Delete a function secret ${how}`,
            tags,
            querystring,
            response: { 200: Obj({ message: Str() }) },
          },
        ],
        [
          `POST ${prefix}/rollback/:version`,
          {
            summary: `Roll a function secret back to an earlier version's value, ${how}`,
            tags,
            querystring,
            response: { 200: FunctionSecret },
          },
        ],
      ]),
    ),
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
  "GET /api/v1/admin/settings/user/:id/secret/:key/decrypt": {
    summary: "Reveal one user's secret value",
    tags: ["admin: settings"],
    params: Type.Object({ id: Str("The user's id (uuid)"), key: Str() }),
    response: { 200: Obj({ value: Str() }) },
  },
  ...functionSecretSchemas(),
};
