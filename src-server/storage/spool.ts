// Upload bodies streamed to a temporary file as they arrive (never held in memory): the
// multipart form the SDK sends (parsed by @fastify/multipart: field `file` plus `content_type`,
// `upsert`, `cache_control`, `metadata`) or the raw bytes with options in the query string.
// The file is counted and hashed on the way; past `limit` bytes the upload stops with a 413.
import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Multipart } from "@fastify/multipart";
import { AppError, invalidField } from "../errors.ts";
import { parseMetadata, type SpooledFile, type UploadInput } from "./upload-input.ts";

export interface SpoolOptions {
  /** Where temporary files go (on the store's filesystem, so placing one is a rename). */
  tmpDir: string;
  /** The most bytes the object may have. */
  limit: number;
  contentType: string | undefined;
  query: URLSearchParams;
  /** The raw body. */
  body: Readable;
  /** Its Content-Length, when declared. */
  declaredLength?: number;
  /** The multipart parts, when the body is multipart/form-data. */
  parts?: (limits: { fileSize: number }) => AsyncIterableIterator<Multipart>;
}

const OCTET = "application/octet-stream";

const tooLarge = (limit: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `The object exceeds the maximum size of ${limit} bytes`, {
    field: "file",
  });

/** Writes `source` to a new file under `tmpDir`, counting and hashing; 413 past `limit`. */
async function spoolStream(source: Readable, tmpDir: string, limit: number): Promise<SpooledFile> {
  await mkdir(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `${randomUUID()}.part`);
  const md5 = createHash("md5");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) return done(tooLarge(limit));
      md5.update(chunk);
      done(null, chunk);
    },
  });
  // The source is piped, not part of the pipeline: on a refusal it is drained rather than
  // destroyed, so the request's socket lives to carry the 413.
  const onSourceError = (err: Error) => meter.destroy(err);
  source.once("error", onSourceError);
  source.pipe(meter);
  const sink = createWriteStream(file, { flags: "wx" });
  try {
    await pipeline(meter, sink);
  } catch (err) {
    source.unpipe(meter);
    source.resume();
    // A refusal can come before the file is even open: the destroyed stream still opens
    // (creating the file) and closes it afterwards, so the file is removed once it is closed.
    if (!sink.closed) await new Promise<void>((closed) => sink.once("close", () => closed()));
    await rm(file, { force: true });
    if ((err as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(limit);
    throw err;
  }
  source.off("error", onSourceError);
  return { path: file, size, etag: `"${md5.digest("hex")}"` };
}

/** The upload a request carries, its bytes in a temporary file the caller must remove. */
export async function spoolUpload(options: SpoolOptions): Promise<UploadInput> {
  const { contentType, query, limit, tmpDir } = options;
  if (contentType && /^multipart\/form-data\b/i.test(contentType) && options.parts) {
    const fields: Record<string, string> = {};
    let file: SpooledFile | undefined;
    let fileType: string | undefined;
    try {
      for await (const part of options.parts({ fileSize: limit })) {
        if (part.type === "file") {
          if (part.fieldname !== "file" || file) {
            part.file.resume();
            continue;
          }
          fileType = part.mimetype;
          file = await spoolStream(part.file, tmpDir, limit);
        } else if (typeof part.value === "string") {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      if (file) await rm(file.path, { force: true });
      if (err instanceof AppError) throw err;
      const code = (err as { code?: string }).code;
      if (code === "FST_REQ_FILE_TOO_LARGE") throw tooLarge(limit);
      throw invalidField("body", `Malformed multipart/form-data body: ${(err as Error).message}`);
    }
    if (!file) throw invalidField("file", "The multipart body has no `file` part");
    try {
      return {
        file,
        contentType: fields.content_type || fileType || OCTET,
        upsert: (fields.upsert ?? query.get("upsert")) === "true",
        cacheControl: fields.cache_control || undefined,
        metadata: parseMetadata(fields.metadata),
      };
    } catch (err) {
      await rm(file.path, { force: true });
      throw err;
    }
  }
  const metadata = parseMetadata(query.get("metadata"));
  if ((options.declaredLength ?? 0) > limit) {
    options.body.resume();
    throw tooLarge(limit);
  }
  return {
    file: await spoolStream(options.body, tmpDir, limit),
    contentType: contentType || OCTET,
    upsert: query.get("upsert") === "true" || query.get("x-upsert") === "true",
    cacheControl: query.get("cache_control") ?? undefined,
    metadata,
  };
}
