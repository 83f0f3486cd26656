// Upload bodies: a small multipart/form-data parser (what the SDK sends: field `file` plus
// `content_type`, `upsert`, `cache_control`, `metadata`) and the raw-body alternative
// (the bytes are the body, options in the query string).
import type { IncomingMessage } from "node:http";
import { AppError, invalidField } from "../errors.ts";
import { findJsonProblem } from "../http/json-input.ts";

export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface UploadInput {
  data: Buffer;
  /** The declared type, parameters included; octet-stream when none was given. */
  contentType: string;
  upsert: boolean;
  cacheControl?: string;
  metadata: Record<string, unknown>;
}

const tooLarge = (limit: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `The object exceeds the maximum size of ${limit} bytes`, {
    field: "file",
  });

/** Reads the whole body, failing with 413 as soon as it passes `limit` bytes. */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => failed || resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw invalidField("body", "multipart/form-data without a boundary");
  return boundary;
}

function parseHeaders(text: string): Pick<FormPart, "name" | "filename" | "contentType"> {
  let name = "";
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") contentType = value;
    if (key === "content-disposition") {
      name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? "";
      filename = /\bfilename="([^"]*)"/i.exec(value)?.[1];
    }
  }
  return { name, filename, contentType };
}

/** Splits a multipart/form-data body into its parts; 400 when it is malformed. */
export function parseMultipart(body: Buffer, contentType: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const malformed = () => invalidField("body", "Malformed multipart/form-data body");
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformed();
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") return parts;
    if (body.subarray(at, at + 2).toString() !== "\r\n") throw malformed();
    const headerEnd = body.indexOf("\r\n\r\n", at + 2);
    if (headerEnd < 0) throw malformed();
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw malformed();
    const headers = parseHeaders(body.subarray(at + 2, headerEnd).toString("utf8"));
    parts.push({ ...headers, data: body.subarray(headerEnd + 4, next) });
    at = next + 2;
  }
}

function parseMetadata(value: string | null | undefined): Record<string, unknown> {
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

const OCTET = "application/octet-stream";

/** The upload a request carries: multipart with a `file` part, or the raw body. */
export function parseUpload(
  body: Buffer,
  contentType: string | undefined,
  query: URLSearchParams,
): UploadInput {
  if (contentType && /^multipart\/form-data\b/i.test(contentType)) {
    const parts = parseMultipart(body, contentType);
    const field = (name: string) =>
      parts.find((p) => p.name === name && p.filename === undefined)?.data.toString("utf8");
    const file = parts.find((p) => p.name === "file");
    if (!file) throw invalidField("file", "The multipart body has no `file` part");
    return {
      data: file.data,
      contentType: field("content_type") || file.contentType || OCTET,
      upsert: (field("upsert") ?? query.get("upsert")) === "true",
      cacheControl: field("cache_control") || undefined,
      metadata: parseMetadata(field("metadata")),
    };
  }
  return {
    data: body,
    contentType: contentType || OCTET,
    upsert: query.get("upsert") === "true" || query.get("x-upsert") === "true",
    cacheControl: query.get("cache_control") ?? undefined,
    metadata: parseMetadata(query.get("metadata")),
  };
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
