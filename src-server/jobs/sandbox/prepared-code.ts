// Job code made ready for the sandbox once per function version, not once per job:
// its content hash (the reuse key's code id) and its JavaScript. Deno would transpile
// TypeScript on every import (the first job of each process imports it, from memory), which
// was the largest part of a short job's cost inside the sandbox; esbuild does it here
// once (a large module imports ~4x faster as JavaScript), with an inline source map so
// that stack traces keep the lines of the code as written. Code esbuild cannot transform (or would change the meaning of) is left as
// TypeScript for Deno, as before.
import { transformSync } from "esbuild";
import { codeId } from "./code-id.ts";

export interface PreparedCode {
  /** sha256 of the code as stored. */
  id: string;
  /** What the sandbox imports. */
  source: string;
  /** The media type it is imported as. */
  type: "javascript" | "typescript";
}

export interface PreparedCodeCache {
  prepare(key: string, code: string): PreparedCode;
}

export function transpileJobCode(code: string): PreparedCode["source"] | null {
  try {
    const out = transformSync(code, {
      loader: "ts",
      format: "esm",
      target: "esnext",
      // V8 has no decorators yet: Deno lowers them itself when it transpiles, so here too.
      supported: { decorators: false },
      sourcemap: "inline",
      // Line and column mappings only: Deno needs no copy of the source to name a line.
      sourcesContent: false,
      sourcefile: "job.ts",
      logLevel: "silent",
    });
    return out.code;
  } catch {
    return null;
  }
}

/** An inline source map at the end of the code: a bundle's, naming the files it was made of. */
const inlineMapComment = /\/\/# sourceMappingURL=data:[^\s]*\s*$/;

/**
 * The code of a debug run. A bundle goes through esbuild, whose map then chains the bundle's
 * own (Deno's transpile would not), so the inspector sees the lines of each file as written;
 * other code is handed to Deno as written, its map naming the job's lines.
 */
export function debugJobCode(code: string): PreparedCode {
  const js = inlineMapComment.test(code) ? transpileJobCode(code) : null;
  return js === null
    ? { id: codeId(code), source: code, type: "typescript" }
    : { id: codeId(code), source: js, type: "javascript" };
}

/** Keyed by function id: a new version (or any other code) replaces the entry. */
export function createPreparedCodeCache(options: { maxEntries?: number } = {}): PreparedCodeCache {
  const maxEntries = options.maxEntries ?? 256;
  const entries = new Map<string, { code: string; prepared: PreparedCode }>();
  return {
    prepare(key, code) {
      const hit = entries.get(key);
      if (hit && hit.code === code) return hit.prepared;
      const js = transpileJobCode(code);
      const prepared: PreparedCode =
        js === null
          ? { id: codeId(code), source: code, type: "typescript" }
          : { id: codeId(code), source: js, type: "javascript" };
      entries.delete(key);
      entries.set(key, { code, prepared });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
      return prepared;
    },
  };
}
