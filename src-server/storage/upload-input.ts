// What an upload carries once its bytes are on disk (spool.ts), the metadata option's check,
// and whether a bucket accepts a MIME type.
import { AppError, invalidField } from "../errors.ts";
import { findJsonProblem } from "../http/json-input.ts";

/** An upload's bytes, streamed to a temporary file. */
export interface SpooledFile {
  path: string;
  size: number;
  /** The quoted MD5 of the bytes. */
  etag: string;
}

export interface UploadInput {
  file: SpooledFile;
  /** The declared type, parameters included; octet-stream when none was given. */
  contentType: string;
  upsert: boolean;
  cacheControl?: string;
  metadata: Record<string, unknown>;
}

/** The `metadata` option: absent, or a JSON object of storable values (400 otherwise). */
export function parseMetadata(value: string | null | undefined): Record<string, unknown> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      const problem = findJsonProblem(parsed, { path: "metadata" });
      if (problem) throw invalidField(problem.path, `${problem.path}: ${problem.message}`);
      return parsed as Record<string, unknown>;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    // fall through to the 400 below
  }
  throw invalidField("metadata", "metadata must be a JSON object");
}

/** Whether `mimeType` (parameters ignored) matches one of the bucket's patterns (`image/*` allowed). */
export function mimeAllowed(mimeType: string, allowed: readonly string[] | null): boolean {
  if (!allowed || allowed.length === 0) return true;
  const type = mimeType.split(";")[0]!.trim().toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.trim().toLowerCase();
    return p === "*/*" || p === type || (p.endsWith("/*") && type.startsWith(p.slice(0, -1)));
  });
}
