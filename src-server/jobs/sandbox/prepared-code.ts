// Job code made ready for the sandbox once per function version, not once per job:
// its content hash (the reuse key's code id) and its JavaScript. Deno would transpile
// TypeScript on every import (the first job of each process imports it, from memory), which
// was the largest part of a short job's cost inside the sandbox; esbuild does it here
// once (a large module imports ~4x faster as JavaScript), with an inline source map so
// that stack traces keep the lines of the code as written. Code esbuild cannot transform (or would change the meaning of) is left as
// TypeScript for Deno, as before.
//
// The sandbox asks for a job's code with `ready` before it starts the job: esbuild's
// service then works it out while the main thread serves requests (its one cost there is
// starting the service process, once). esbuild's synchronous API holds the calling thread
// until the answer comes, the first time until its service has started: hundreds of
// milliseconds on a busy machine. `prepare` is what the job then takes, at once; it
// transforms on the spot only when `ready` was not awaited.
import { transform, transformSync, type TransformOptions } from "esbuild";
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
  /** The code as the sandbox imports it (made now, on this thread, unless `ready` made it). */
  prepare(key: string, code: string): PreparedCode;
  /**
   * Makes the code ready off this thread; undefined when it is ready already. Never
   * rejects: code esbuild gives up on is ready as TypeScript.
   */
  ready(key: string, code: string): Promise<void> | undefined;
}

const TRANSFORM: TransformOptions = {
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
};

export function transpileJobCode(code: string): PreparedCode["source"] | null {
  try {
    return transformSync(code, TRANSFORM).code;
  } catch {
    return null;
  }
}

/** transpileJobCode by esbuild's service, without holding the calling thread. */
export async function transpileJobCodeAsync(code: string): Promise<PreparedCode["source"] | null> {
  try {
    return (await transform(code, TRANSFORM)).code;
  } catch {
    return null;
  }
}

const preparedFrom = (code: string, js: string | null): PreparedCode =>
  js === null
    ? { id: codeId(code), source: code, type: "typescript" }
    : { id: codeId(code), source: js, type: "javascript" };

/** An inline source map at the end of the code: a bundle's, naming the files it was made of. */
const inlineMapComment = /\/\/# sourceMappingURL=data:[^\s]*\s*$/;

/**
 * The code of a debug run. A bundle goes through esbuild, whose map then chains the bundle's
 * own (Deno's transpile would not), so the inspector sees the lines of each file as written;
 * other code is handed to Deno as written, its map naming the job's lines.
 */
export function debugJobCode(code: string): PreparedCode {
  return preparedFrom(code, inlineMapComment.test(code) ? transpileJobCode(code) : null);
}

/** Keyed by function id: a new version (or any other code) replaces the entry. */
export function createPreparedCodeCache(options: { maxEntries?: number } = {}): PreparedCodeCache {
  const maxEntries = options.maxEntries ?? 256;
  const entries = new Map<string, { code: string; prepared: PreparedCode }>();
  const making = new Map<string, { code: string; done: Promise<void> }>();
  const store = (key: string, code: string, prepared: PreparedCode) => {
    entries.delete(key);
    entries.set(key, { code, prepared });
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
    return prepared;
  };
  return {
    prepare(key, code) {
      const hit = entries.get(key);
      if (hit && hit.code === code) return hit.prepared;
      return store(key, code, preparedFrom(code, transpileJobCode(code)));
    },
    ready(key, code) {
      if (entries.get(key)?.code === code) return undefined;
      const pending = making.get(key);
      if (pending?.code === code) return pending.done;
      const done = transpileJobCodeAsync(code).then((js) => {
        // A newer version asked for meanwhile is the one kept.
        if (making.get(key)?.done !== done) return;
        making.delete(key);
        store(key, code, preparedFrom(code, js));
      });
      making.set(key, { code, done });
      return done;
    },
  };
}
