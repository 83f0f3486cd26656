// Storage writes of a job as ledger entries, and the object a dry run's upload answers.
import { randomUUID } from "node:crypto";
import type { Caller } from "../auth/caller.ts";
import type { UploadInput } from "../storage/upload-input.ts";
import type { StoredObject } from "../storage/store.ts";
import type { Effect } from "./effects-queries.ts";

export function objectEffect(operation: "upload" | "remove", bucket: string, path: string): Effect {
  return {
    operation,
    kind: "object",
    target: `${bucket}/${path}`,
    rowCount: 1,
    keys: [{ bucket, path }],
  };
}

/** What an upload would have stored: answered to a dry run, which stores nothing. */
export function heldBackUpload(
  caller: Caller,
  bucket: string,
  path: string,
  input: UploadInput,
): StoredObject {
  const now = new Date();
  return {
    id: randomUUID(),
    bucket,
    name: path,
    owner: caller.userId,
    size: input.file.size,
    mime_type: input.contentType.split(";")[0]!.trim() || "application/octet-stream",
    etag: input.file.etag,
    metadata: input.metadata,
    cache_control: input.cacheControl ?? null,
    created_at: now,
    updated_at: now,
  };
}
