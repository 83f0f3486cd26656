// /api/v1/storage: buckets, uploads (multipart or raw bytes), downloads, signed URLs.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { Binary, Bool, Bucket, Int, Obj, StorageObject, Str } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["storage"];
const base = "/api/v1/storage";

const Uploaded = Type.Composite([
  StorageObject,
  Obj({ path: Str(), key: Str("bucket/path"), etag: Opt(Str()), owner: Opt(Str()) }),
]);

export const storageSchemas: RouteSchemas = {
  [`POST ${base}/buckets`]: {
    summary: "Create a bucket",
    tags,
    body: Obj({
      name: Opt(Str()),
      id: Opt(Str("Upstream spelling of name")),
      public: Opt(Bool()),
      file_size_limit: Opt(Type.Union([Int(), Type.Null()])),
      allowed_mime_types: Opt(Type.Union([Type.Array(Str()), Type.Null()])),
    }),
    response: { 201: Bucket },
  },
  [`POST ${base}/buckets/:name`]: {
    summary: "Create a bucket by name (the body is optional)",
    tags,
    body: Obj({
      public: Opt(Bool()),
      file_size_limit: Opt(Type.Union([Int(), Type.Null()])),
      max_file_size: Opt(Type.Union([Int(), Type.Null()], { description: "Upstream's spelling" })),
      allowed_mime_types: Opt(Type.Union([Type.Array(Str()), Type.Null()])),
    }),
    response: {
      201: Type.Composite([Bucket, Obj({ bucket: Str("The bucket's id"), message: Str() })]),
    },
  },
  [`GET ${base}/buckets`]: {
    summary: "List buckets",
    tags,
    response: { 200: Obj({ buckets: Type.Array(Bucket) }) },
  },
  [`DELETE ${base}/buckets/:name`]: {
    summary: "Delete an empty bucket",
    tags,
    response: { 204: Type.Null() },
  },
  [`GET ${base}/object/sign/:bucket/*path`]: {
    summary: "Download with a signed URL (no other credential)",
    tags,
    querystring: Type.Object({ token: Str("The signature from the signed URL") }),
    response: { 200: Binary },
  },
  [`POST ${base}/:bucket/sign/*path`]: {
    summary: "A signed download URL for an object",
    tags,
    body: Obj({ expires_in: Int("Seconds the URL stays valid") }),
    response: { 200: Obj({ signed_url: Str() }) },
  },
  [`GET ${base}/:bucket`]: {
    summary: "List a bucket's objects",
    tags,
    querystring: Type.Object({
      prefix: Opt(Str("Only objects under this folder")),
      limit: Opt(Str("1 to 1000, default 100")),
      offset: Opt(Str()),
    }),
    response: { 200: Obj({ files: Type.Array(StorageObject) }) },
  },
  [`POST ${base}/:bucket/*path`]: {
    summary: "Upload an object",
    description:
      "multipart/form-data (field `file`, plus `content_type`, `upsert`, `cache_control`, `metadata`) " +
      "or the raw bytes as the body with those options in the query string.",
    tags,
    querystring: Type.Object({
      upsert: Opt(Str("true replaces an existing object")),
      content_type: Opt(Str()),
      cache_control: Opt(Str()),
      metadata: Opt(Str("A JSON object")),
    }),
    consumes: ["multipart/form-data", "application/octet-stream"],
    response: { 201: Uploaded },
  },
  [`GET ${base}/:bucket/*path`]: { summary: "Download an object", tags, response: { 200: Binary } },
  [`DELETE ${base}/:bucket/*path`]: {
    summary: "Delete an object",
    tags,
    response: { 200: Obj({ message: Str(), path: Str() }) },
  },
};
