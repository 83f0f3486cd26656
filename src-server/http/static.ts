// Serves the built UI (out/renderer) as the HTTP server's fallback: files by path with their
// content type, index.html for `/` and for any other unknown page (the app routes in the
// browser), a JSON 404 for a missing /assets file. API paths are never answered here, and a
// path that leaves the folder (`..`, encoded or not, or a symlink) is refused.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

export interface StaticFilesOptions {
  /** The folder holding index.html and assets/. */
  dir: string;
}

export type StaticFallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

/** First path segments that belong to the API: a miss there stays the API's JSON 404. */
const API_ROOTS = new Set(["api", "realtime", "health"]);

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

export type StaticTarget =
  { kind: "file"; relative: string } | { kind: "api" } | { kind: "invalid" };

/**
 * Classifies a raw request path (before any normalisation): the file it names relative to
 * the UI folder, an API path, or an invalid one (undecodable, NUL, `..` or `\` segments).
 */
export function staticTarget(rawUrl: string): StaticTarget {
  const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? "/";
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: "invalid" };
  }
  if (!decoded.startsWith("/") || decoded.includes("\0") || decoded.includes("\\")) {
    return { kind: "invalid" };
  }
  const segments = decoded.split("/").filter(Boolean);
  if (segments.some((s) => s === ".." || s === ".")) return { kind: "invalid" };
  if (API_ROOTS.has(segments[0] ?? "")) return { kind: "api" };
  return { kind: "file", relative: segments.join("/") };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text).toString(),
  });
  res.end(text);
}

/** The real path of `relative` inside `root` when it is a file there; undefined otherwise. */
async function findFile(root: string, relative: string): Promise<string | undefined> {
  if (!relative) return undefined;
  try {
    const real = await realpath(path.join(root, relative));
    if (!real.startsWith(root + path.sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: string) {
  const info = await stat(file);
  const hashed = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    "content-type": contentTypeFor(file),
    "content-length": info.size.toString(),
    // Built assets carry a content hash in their names; the page itself must be re-read.
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  // A client that goes away mid-file ends the pipeline; nothing more to tell it.
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
}

export function createStaticFiles(options: StaticFilesOptions): StaticFallback {
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const target = staticTarget(req.url ?? "/");
    if (target.kind === "api") return false;
    if (target.kind === "invalid") {
      sendJson(res, 400, { error: "Invalid path", code: "BAD_REQUEST" });
      return true;
    }
    const dir = await realpath(options.dir);
    const file = await findFile(dir, target.relative);
    if (file) {
      await sendFile(req, res, file);
      return true;
    }
    if (target.relative.startsWith("assets/")) {
      sendJson(res, 404, { error: `Not found: /${target.relative}`, code: "NOT_FOUND" });
      return true;
    }
    const index = await findFile(dir, "index.html");
    if (!index) return false;
    await sendFile(req, res, index);
    return true;
  };
}
