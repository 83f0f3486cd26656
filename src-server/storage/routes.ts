// HTTP routes of the storage API (compatibility §7.8, upstream's wire paths):
//   POST/GET    /api/v1/storage/buckets, POST/DELETE /api/v1/storage/buckets/:name   admins
//   POST        /api/v1/storage/:bucket/sign/*path   {expires_in} -> {signed_url} (absolute)
//   GET         /api/v1/storage/object/sign/:bucket/*path?token=   no other auth
//   GET         /api/v1/storage/:bucket?prefix&limit&offset -> {files: [...]}
//   POST/GET/DELETE /api/v1/storage/:bucket/*path   upload (multipart or raw), download, remove
// Fixed routes are registered before the wildcard ones, so "buckets" and "object" are not
// valid bucket names, and an object path cannot start with "sign/" for upload.
import type { CallerResolver } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import { AppError, invalidField } from "../errors.ts";
import type { JobEffects } from "../ledger/job-effects.ts";
import { objectEffect } from "../ledger/object-effect.ts";
import { admin, authenticated } from "../http/guards.ts";
import { created, noContent, StreamReply, type ApiRequest, type Router } from "../http/router.ts";
import { rm } from "node:fs/promises";
import { validatePrefix } from "./paths.ts";
import { spoolUpload } from "./spool.ts";
import { signedObjectUrl, validateExpiresIn, verifyObjectToken } from "./signed-urls.ts";
import { type OpenObject, type StorageStore, type StoredObject } from "./store.ts";

export interface StorageRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  store: StorageStore;
  /** Signs download URLs (the server's JWT secret). */
  jwtSecret: string;
  /** The server's public URL (configured, else where it listens): signed URLs start with it. */
  publicUrl: () => string;
  /** The time, for signed URLs; Date.now by default. */
  now?: () => number;
  /** Records jobs' uploads and deletes; holds them back in a dry run. */
  effects?: JobEffects;
}

const BASE = "/api/v1/storage";

function listItem(o: StoredObject) {
  return {
    name: o.name,
    id: o.id,
    bucket: o.bucket,
    size: o.size,
    mime_type: o.mime_type,
    created_at: o.created_at,
    updated_at: o.updated_at,
    metadata: o.metadata,
  };
}

function uploaded(o: StoredObject) {
  return {
    ...listItem(o),
    path: o.name,
    key: `${o.bucket}/${o.name}`,
    etag: o.etag,
    owner: o.owner,
  };
}

function fileReply({ object, stream }: OpenObject): StreamReply {
  const headers: Record<string, string> = {
    "content-type": object.mime_type,
    "content-length": String(object.size),
    "last-modified": new Date(object.updated_at).toUTCString(),
  };
  if (object.etag) headers.etag = object.etag;
  if (object.cache_control) headers["cache-control"] = object.cache_control;
  return new StreamReply(200, stream, headers);
}

function intParam(req: ApiRequest, name: string, fallback: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw invalidField(name, `${name} must be a whole number from 0 to ${max}`);
  return value;
}

async function jsonObject(req: ApiRequest): Promise<Record<string, unknown>> {
  const body = await req.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalidField("body", "The request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

export function addStorageRoutes(options: StorageRoutesOptions): void {
  const { router, db, callers, store, jwtSecret, effects } = options;
  const now = options.now ?? Date.now;
  const admins = [admin(callers, db)];
  const anyCaller = [authenticated(callers)];
  const caller = (req: ApiRequest) => req.caller!;
  const bucket = (req: ApiRequest) => req.params.bucket ?? "";
  const objectPath = (req: ApiRequest) => req.params.path ?? "";

  router.add("POST", `${BASE}/buckets`, admins, async (req) => {
    const body = await jsonObject(req);
    return created(await store.createBucket({ ...body, name: body.name ?? body.id }));
  });
  // Upstream's create-by-name: the body (public, allowed_mime_types, max_file_size) is optional.
  router.add("POST", `${BASE}/buckets/:name`, admins, async (req) => {
    const body = (await req.json()) === undefined ? {} : await jsonObject(req);
    const bucket = await store.createBucket({
      ...body,
      file_size_limit: body.file_size_limit ?? body.max_file_size,
      name: req.params.name,
    });
    return created({ ...bucket, bucket: bucket.id, message: "bucket created successfully" });
  });
  router.add("GET", `${BASE}/buckets`, admins, async () => ({
    buckets: await store.listBuckets(),
  }));
  router.add("DELETE", `${BASE}/buckets/:name`, admins, async (req) => {
    await store.deleteBucket(req.params.name ?? "");
    return noContent();
  });

  router.add("GET", `${BASE}/object/sign/:bucket/*path`, [], async (req) => {
    const valid = verifyObjectToken(req.query.get("token"), {
      secret: jwtSecret,
      bucket: bucket(req),
      path: objectPath(req),
      nowMs: now(),
    });
    if (!valid) throw new AppError("FORBIDDEN", "Invalid or expired signed URL");
    return fileReply(await store.downloadSigned(bucket(req), objectPath(req)));
  });
  router.add("POST", `${BASE}/:bucket/sign/*path`, anyCaller, async (req) => {
    const expiresIn = validateExpiresIn((await jsonObject(req)).expires_in);
    const object = await store.find(caller(req), bucket(req), objectPath(req));
    return {
      signed_url: signedObjectUrl({
        secret: jwtSecret,
        bucket: object.bucket,
        path: object.name,
        expiresIn,
        nowMs: now(),
        baseUrl: options.publicUrl(),
      }),
    };
  });

  router.add("GET", `${BASE}/:bucket`, anyCaller, async (req) => {
    const files = await store.list(caller(req), bucket(req), {
      prefix: validatePrefix(req.query.get("prefix")),
      limit: intParam(req, "limit", 100, 1000),
      offset: intParam(req, "offset", 0, Number.MAX_SAFE_INTEGER),
    });
    return { files: files.map(listItem) };
  });
  router.add("POST", `${BASE}/:bucket/*path`, anyCaller, async (req) => {
    // Streamed to a temporary file, never held in memory; stopped past the bucket's limit.
    const input = await spoolUpload({
      tmpDir: store.spoolDir,
      limit: await store.uploadLimit(bucket(req)),
      contentType: req.headers["content-type"],
      query: req.query,
      body: req.raw,
      declaredLength: Number(req.headers["content-length"] ?? 0),
      parts: req.parts,
    });
    try {
      // A dry run's upload meets every rule a real one does, and stores nothing.
      const check = (await effects?.dryRun(caller(req))) ?? false;
      const object = await store.upload(caller(req), bucket(req), objectPath(req), input, {
        check,
      });
      await effects?.record(caller(req), objectEffect("upload", object.bucket, object.name));
      return created(uploaded(object));
    } finally {
      await rm(input.file.path, { force: true });
    }
  });
  router.add("GET", `${BASE}/:bucket/*path`, anyCaller, async (req) =>
    fileReply(await store.download(caller(req), bucket(req), objectPath(req))),
  );
  router.add("DELETE", `${BASE}/:bucket/*path`, anyCaller, async (req) => {
    const check = (await effects?.dryRun(caller(req))) ?? false;
    await store.remove(caller(req), bucket(req), objectPath(req), { check });
    await effects?.record(caller(req), objectEffect("remove", bucket(req), objectPath(req)));
    return { message: "Object deleted", path: objectPath(req) };
  });
}
