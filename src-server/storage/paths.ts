// Pure validation of bucket names and object paths, and where an object lives on disk.
// An object path names a file under <root>/<bucket>/; nothing a caller sends may lead
// outside that directory.
import path from "node:path";
import { AppError, invalidField } from "../errors.ts";

export const MAX_PATH_LENGTH = 1024;
/** A file or folder name on disk (NAME_MAX on Linux and macOS). */
export const MAX_SEGMENT_BYTES = 255;
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Names the routes use as fixed segments under /api/v1/storage. */
const RESERVED_BUCKETS = new Set(["buckets", "object"]);

export function validateBucketName(name: unknown): string {
  if (typeof name !== "string" || !BUCKET_NAME.test(name) || RESERVED_BUCKETS.has(name)) {
    throw invalidField(
      "name",
      "A bucket name is 1-63 letters, digits, '.', '_' or '-', starts with a letter or digit, and is not 'buckets' or 'object'",
    );
  }
  return name;
}

/** Returns the path unchanged when valid; 400 naming `path` otherwise. */
export function validateObjectPath(value: unknown): string {
  const bad = (why: string) => invalidField("path", `Invalid object path: ${why}`);
  if (typeof value !== "string" || value.length === 0) throw bad("it is empty");
  if (value.length > MAX_PATH_LENGTH) throw bad(`longer than ${MAX_PATH_LENGTH} characters`);
  if (value.includes("\0")) throw bad("it contains a NUL character");
  if (value.includes("\\")) throw bad("it contains a backslash");
  if (value.startsWith("/")) throw bad("it starts with '/'");
  const segments = value.split("/");
  if (segments.some((s) => s === "..")) throw bad("it contains a '..' segment");
  if (segments.some((s) => s === "" || s === ".")) throw bad("it contains an empty or '.' segment");
  if (segments.some((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES)) {
    throw bad(`a file or folder name is longer than ${MAX_SEGMENT_BYTES} bytes`);
  }
  return value;
}

/** <root>/<bucket>/<objectPath>, checked to stay inside the bucket directory. */
export function objectFilePath(root: string, bucket: string, objectPath: string): string {
  const bucketDir = bucketDirectory(root, bucket);
  const file = path.resolve(bucketDir, validateObjectPath(objectPath));
  if (!file.startsWith(bucketDir + path.sep)) {
    throw invalidField("path", "Invalid object path: it leads outside the bucket");
  }
  return file;
}

export function bucketDirectory(root: string, bucket: string): string {
  const base = path.resolve(root);
  const dir = path.resolve(base, validateBucketName(bucket));
  if (path.dirname(dir) !== base) throw new AppError("BAD_REQUEST", "Invalid bucket name");
  return dir;
}

/** A `prefix` for listing: empty, or a path prefix by the same rules (a trailing '/' allowed). */
export function validatePrefix(value: string | null): string {
  if (!value) return "";
  const trimmed = value.endsWith("/") ? value.slice(0, -1) : value;
  if (trimmed) validateObjectPath(trimmed);
  return value;
}

/** Encodes each segment of an object path for a URL, keeping the slashes. */
export function objectPathForUrl(objectPath: string): string {
  return objectPath.split("/").map(encodeURIComponent).join("/");
}
