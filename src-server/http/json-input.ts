// What every request's text must be before any handler sees it: strings PostgreSQL can
// store (no NUL byte, no unpaired UTF-16 surrogate, which JSON.parse makes from "\u0000"
// and "\ud800" escapes), finite numbers (JSON.parse turns 1e999 into Infinity, which
// JSON.stringify then writes as null) and bounded nesting. Pure: reports the path of the
// first problem, e.g. `payload.items[2]`, so the 400 can name the field.
import { textProblem } from "../db/storable.ts";

/** Deepest nesting of arrays and objects a JSON body may have. */
export const MAX_JSON_DEPTH = 100;

export interface InputProblem {
  /** Where: `payload.items[2]`, `payload["a b"]`, or `body` for the whole value. */
  path: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `parent.key`, or `parent["odd key"]` when the key is not a plain name. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (IDENTIFIER.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent || "body"}[${JSON.stringify(key)}]`;
}

export interface JsonCheckOptions {
  /** Path of the value itself; "" for a request body (fields are then named bare). */
  path?: string;
  maxDepth?: number;
}

/** The first value in `value` that a handler must never see, or undefined. */
export function findJsonProblem(
  value: unknown,
  options: JsonCheckOptions = {},
): InputProblem | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const walk = (v: unknown, path: string, depth: number): InputProblem | undefined => {
    const here = path || "body";
    if (typeof v === "string") {
      const problem = textProblem(v);
      return problem ? { path: here, message: problem } : undefined;
    }
    if (typeof v === "number") {
      return Number.isFinite(v) ? undefined : { path: here, message: "number is out of range" };
    }
    if (typeof v !== "object" || v === null) return undefined;
    if (depth >= maxDepth) return { path: here, message: `nested deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const found = walk(v[i], childPath(path, i), depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    for (const [key, child] of Object.entries(v)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: here, message: `a key ${keyProblem.replace(/^text /, "")}` };
      const found = walk(child, childPath(path, key), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(value, options.path ?? "", 0);
}

/** The first query parameter or path parameter that is not storable text. */
export function findParamProblem(
  query: URLSearchParams,
  params: Record<string, string>,
): InputProblem | undefined {
  for (const [name, value] of Object.entries(params)) {
    const problem = textProblem(value);
    if (problem) return { path: name, message: problem };
  }
  for (const [name, value] of query) {
    const nameProblem = textProblem(name);
    if (nameProblem)
      return { path: "query", message: `a parameter name ${nameProblem.replace(/^text /, "")}` };
    const problem = textProblem(value);
    if (problem) return { path: name, message: problem };
  }
  return undefined;
}
