// Buckets and objects: metadata in storage.buckets / storage.objects, bytes on disk under
// <root>/<bucket>/<path>. Object statements run as the caller (actAsCaller), so the
// policies of migration 0008 decide; bucket statements run as the owner role, behind the
// admin routes or the automatic creation on first upload. A checked write (a dry run's) goes
// through every rule a real one does, in a transaction rolled back, and stores nothing.
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Caller } from "../auth/caller.ts";
import type { Db, Queryable } from "../db/connections.ts";
import { actAsCaller, withCallerSession } from "../db/session.ts";
import { AppError, invalidField } from "../errors.ts";
import { mimeAllowed, type UploadInput } from "./upload-input.ts";
import {
  bucketDirectory,
  objectFilePath,
  validateBucketName,
  validateObjectPath,
} from "./paths.ts";

/**
 * The largest object any bucket accepts (a bucket's file_size_limit can only lower it). Uploads
 * stream to disk, so this bounds disk use, not memory.
 */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;

export interface Bucket {
  id: string;
  name: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
  created_at: Date;
  updated_at: Date;
}

export interface StoredObject {
  id: string;
  bucket: string;
  name: string;
  owner: string | null;
  size: number;
  mime_type: string;
  etag: string | null;
  metadata: Record<string, unknown>;
  cache_control: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface BucketInput {
  name: unknown;
  public?: unknown;
  file_size_limit?: unknown;
  allowed_mime_types?: unknown;
}

export interface WriteMode {
  /**
   * Check only (a dry run): the bucket's size limit and MIME types, the policies as the
   * caller, an existing object, a clash with another object's folder, all as a real write
   * would meet them; then the transaction is rolled back and nothing is stored or removed.
   */
  check?: boolean;
}

export interface OpenObject {
  object: StoredObject;
  stream: Readable;
}

const BUCKET_COLUMNS =
  "id, id AS name, public, file_size_limit, allowed_mime_types, created_at, updated_at";
const OBJECT_COLUMNS =
  "id, bucket_id AS bucket, name, owner, size, mime_type, etag, metadata, cache_control, created_at, updated_at";

const bucketNotFound = () => new AppError("NOT_FOUND", "Bucket not found");
const objectNotFound = () => new AppError("NOT_FOUND", "Object not found");

function checkBucketInput(input: BucketInput) {
  const name = validateBucketName(input.name);
  if (input.public !== undefined && typeof input.public !== "boolean")
    throw invalidField("public", "public must be a boolean");
  const limit = input.file_size_limit ?? null;
  if (limit !== null && (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1)) {
    throw invalidField(
      "file_size_limit",
      "file_size_limit must be a positive whole number of bytes",
    );
  }
  const types = input.allowed_mime_types ?? null;
  if (
    types !== null &&
    (!Array.isArray(types) ||
      !types.every((t) => typeof t === "string" && /^[\w.+-]+\/[\w.+*-]+$/.test(t)))
  ) {
    throw invalidField(
      "allowed_mime_types",
      "allowed_mime_types must be an array of MIME types such as image/png or image/*",
    );
  }
  return { name, isPublic: input.public === true, limit, types: types as string[] | null };
}

const pathClash = () =>
  new AppError("CONFLICT", "The path clashes with an existing object or folder", {
    field: "path",
  });

/** Moves a spooled upload into place (a rename: the spool is on the same filesystem). */
async function placeFile(spooled: string, file: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await rename(spooled, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR" || code === "EISDIR" || code === "EEXIST") throw pathClash();
    throw err;
  }
}

/** What placeFile would meet, without moving anything: a folder there, or a file above it. */
async function checkPlaceable(bucketDir: string, file: string): Promise<void> {
  const found = (p: string) => stat(p).catch(() => undefined);
  if ((await found(file))?.isDirectory()) throw pathClash();
  for (let dir = path.dirname(file); dir.startsWith(bucketDir); dir = path.dirname(dir)) {
    const entry = await found(dir);
    if (entry && !entry.isDirectory()) throw pathClash();
    if (dir === bucketDir) break;
  }
}

/** Ends a checked write's transaction with a rollback, carrying what the write answered. */
class CheckedWrite<T> extends Error {
  constructor(readonly value: T) {
    super("a checked write is rolled back");
  }
}

export interface StorageStoreOptions {
  db: Db;
  /** Where bucket directories live: <dataDir>/storage. */
  root: string;
}

export function createStorageStore(options: StorageStoreOptions) {
  const { db, root } = options;
  const tmpDir = path.join(root, ".tmp");

  async function findBucket(name: string): Promise<Bucket | undefined> {
    const [row] = await db.query<Bucket>(
      `SELECT ${BUCKET_COLUMNS} FROM storage.buckets WHERE id = $1`,
      [name],
    );
    return row;
  }

  /** A missing bucket is created (private) on the first upload of a user or the service role. */
  async function bucketForUpload(caller: Caller, name: string): Promise<Bucket> {
    validateBucketName(name);
    const found = await findBucket(name);
    if (found) return found;
    if (caller.kind === "anon") throw bucketNotFound();
    await db.query("INSERT INTO storage.buckets (id) VALUES ($1) ON CONFLICT (id) DO NOTHING", [
      name,
    ]);
    const created = await findBucket(name);
    if (!created) throw bucketNotFound();
    return created;
  }

  /** `fn` in one transaction; a checked one is rolled back and answers what `fn` did. */
  function writeTransaction<T>(check: boolean, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    if (!check) return db.withTransaction(fn);
    return db
      .withTransaction(async (tx): Promise<never> => {
        throw new CheckedWrite(await fn(tx));
      })
      .catch((err: unknown) => {
        if (err instanceof CheckedWrite) return err.value as T;
        throw err;
      });
  }

  /** The bucket an upload goes to; a checked upload to a missing one sees a new bucket's rules. */
  async function uploadBucket(caller: Caller, name: string, check: boolean) {
    if (!check) return { bucket: await bucketForUpload(caller, name), missing: false };
    validateBucketName(name);
    const found = await findBucket(name);
    if (found) return { bucket: found, missing: false };
    if (caller.kind === "anon") throw bucketNotFound();
    const now = new Date();
    const fresh: Bucket = {
      id: name,
      name,
      public: false,
      file_size_limit: null,
      allowed_mime_types: null,
      created_at: now,
      updated_at: now,
    };
    return { bucket: fresh, missing: true };
  }

  async function visibleObject(tx: Queryable, bucket: string, name: string): Promise<StoredObject> {
    const [row] = await tx.query<StoredObject>(
      `SELECT ${OBJECT_COLUMNS} FROM storage.objects WHERE bucket_id = $1 AND name = $2`,
      [bucket, name],
    );
    if (!row) throw objectNotFound();
    return row;
  }

  async function openFile(object: StoredObject): Promise<OpenObject> {
    try {
      const handle = await open(objectFilePath(root, object.bucket, object.name), "r");
      // The file decides the length: the row's size is also writable through the data API.
      const { size } = await handle.stat().catch(async (err: unknown) => {
        await handle.close();
        throw err;
      });
      return { object: { ...object, size }, stream: handle.createReadStream() };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw objectNotFound();
      throw err;
    }
  }

  return {
    /** Where uploads are spooled before they are placed (the same filesystem as the objects). */
    spoolDir: tmpDir,

    /** The most bytes an upload to `bucketName` may have (its limit, when it exists). */
    async uploadLimit(bucketName: string): Promise<number> {
      const bucket = await findBucket(validateBucketName(bucketName));
      return Math.min(MAX_OBJECT_BYTES, bucket?.file_size_limit ?? MAX_OBJECT_BYTES);
    },

    async createBucket(input: BucketInput): Promise<Bucket> {
      const { name, isPublic, limit, types } = checkBucketInput(input);
      const [row] = await db.query<Bucket>(
        `INSERT INTO storage.buckets (id, public, file_size_limit, allowed_mime_types) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING RETURNING ${BUCKET_COLUMNS}`,
        [name, isPublic, limit, types],
      );
      if (!row) throw new AppError("CONFLICT", `Bucket '${name}' already exists`);
      return row;
    },

    listBuckets: () =>
      db.query<Bucket>(`SELECT ${BUCKET_COLUMNS} FROM storage.buckets ORDER BY id`),

    /** Deletes the bucket, its object rows (cascade) and its directory. */
    async deleteBucket(name: string): Promise<void> {
      const dir = bucketDirectory(root, name);
      const rows = await db.query("DELETE FROM storage.buckets WHERE id = $1 RETURNING id", [name]);
      if (rows.length === 0) throw bucketNotFound();
      await rm(dir, { recursive: true, force: true });
    },

    /** Stores the object as the caller; with `check`, only meets the same rules (WriteMode). */
    async upload(
      caller: Caller,
      bucketName: string,
      name: string,
      input: UploadInput,
      mode: WriteMode = {},
    ): Promise<StoredObject> {
      const check = mode.check ?? false;
      const file = objectFilePath(root, bucketName, validateObjectPath(name));
      const { bucket, missing } = await uploadBucket(caller, bucketName, check);
      const limit = Math.min(MAX_OBJECT_BYTES, bucket.file_size_limit ?? MAX_OBJECT_BYTES);
      if (input.file.size > limit) {
        throw new AppError(
          "PAYLOAD_TOO_LARGE",
          `The object exceeds the maximum size of ${limit} bytes`,
          { field: "file" },
        );
      }
      if (!mimeAllowed(input.contentType, bucket.allowed_mime_types)) {
        throw invalidField(
          "content_type",
          `Bucket '${bucket.id}' does not accept ${input.contentType}`,
        );
      }
      const { etag } = input.file;
      const conflict = input.upsert
        ? `DO UPDATE SET size = EXCLUDED.size, mime_type = EXCLUDED.mime_type, etag = EXCLUDED.etag,
             metadata = EXCLUDED.metadata, cache_control = EXCLUDED.cache_control, updated_at = now()`
        : "DO NOTHING";
      try {
        return await writeTransaction(check, async (tx) => {
          // A checked upload's new bucket exists only inside its rolled-back transaction.
          if (missing) await tx.query("INSERT INTO storage.buckets (id) VALUES ($1)", [bucket.id]);
          await actAsCaller(tx, caller);
          const [row] = await tx.query<StoredObject>(
            `INSERT INTO storage.objects AS o (bucket_id, name, owner, size, mime_type, etag, metadata, cache_control)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (bucket_id, name) ${conflict}
             RETURNING ${OBJECT_COLUMNS}`,
            [
              bucket.id,
              name,
              caller.userId,
              input.file.size,
              input.contentType,
              etag,
              input.metadata,
              input.cacheControl ?? null,
            ],
          );
          if (!row)
            throw new AppError(
              "CONFLICT",
              "The object already exists; upload with upsert to replace it",
              { field: "path" },
            );
          // The row is accepted and locked until COMMIT, so concurrent uploads of the same
          // path replace the file one after another.
          if (check) await checkPlaceable(bucketDirectory(root, bucket.id), file);
          else await placeFile(input.file.path, file);
          return row;
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "42501") {
          throw new AppError(
            "FORBIDDEN",
            `Not allowed to write '${name}' in bucket '${bucket.id}'`,
          );
        }
        // An object where a folder of others goes, or the reverse ("a" and "a/b").
        if (code === "EISDIR" || code === "ENOTDIR" || code === "EEXIST") {
          throw new AppError(
            "CONFLICT",
            `'${name}' clashes with another object's folder in bucket '${bucket.id}'`,
            {
              field: "path",
            },
          );
        }
        throw err;
      }
    },

    /** The object and its bytes, when the caller may read it (404 otherwise). */
    async download(caller: Caller, bucket: string, name: string): Promise<OpenObject> {
      validateBucketName(bucket);
      validateObjectPath(name);
      return openFile(await withCallerSession(db, caller, (tx) => visibleObject(tx, bucket, name)));
    },

    /** For a verified signed URL: no caller, the owner role reads the row. */
    async downloadSigned(bucket: string, name: string): Promise<OpenObject> {
      return openFile(
        await visibleObject(db, validateBucketName(bucket), validateObjectPath(name)),
      );
    },

    /** The object row, when the caller may read it (404 otherwise). */
    async find(caller: Caller, bucket: string, name: string): Promise<StoredObject> {
      validateBucketName(bucket);
      validateObjectPath(name);
      return withCallerSession(db, caller, (tx) => visibleObject(tx, bucket, name));
    },

    /** Objects the caller may read whose name starts with `prefix`, by name. A missing bucket lists empty. */
    list(
      caller: Caller,
      bucket: string,
      page: { prefix: string; limit: number; offset: number },
    ): Promise<StoredObject[]> {
      validateBucketName(bucket);
      return withCallerSession(db, caller, (tx) =>
        tx.query<StoredObject>(
          `SELECT ${OBJECT_COLUMNS} FROM storage.objects
           WHERE bucket_id = $1 AND left(name, length($2)) = $2 ORDER BY name LIMIT $3 OFFSET $4`,
          [bucket, page.prefix, page.limit, page.offset],
        ),
      );
    },

    /**
     * Deletes the row under RLS (404 when not visible or not the caller's) and then the file;
     * with `check`, only meets the same rules (WriteMode).
     */
    async remove(
      caller: Caller,
      bucket: string,
      name: string,
      mode: WriteMode = {},
    ): Promise<void> {
      const check = mode.check ?? false;
      const file = objectFilePath(root, bucket, name);
      await writeTransaction(check, async (tx) => {
        await actAsCaller(tx, caller);
        const rows = await tx.query(
          "DELETE FROM storage.objects WHERE bucket_id = $1 AND name = $2 RETURNING id",
          [bucket, name],
        );
        if (rows.length === 0) throw objectNotFound();
        // Still holding the row lock: a concurrent re-upload of this path waits for COMMIT.
        if (!check) await rm(file, { force: true });
      }).catch((err: unknown) => {
        // The anon role has no DELETE grant at all (signed-in callers are filtered by RLS).
        if ((err as { code?: string }).code === "42501") {
          throw new AppError("FORBIDDEN", `Not allowed to delete '${name}' in bucket '${bucket}'`);
        }
        throw err;
      });
    },
  };
}

export type StorageStore = ReturnType<typeof createStorageStore>;
