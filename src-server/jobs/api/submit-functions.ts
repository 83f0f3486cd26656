// The function a submit names, without a database round trip per submit. Entries are kept
// by (namespace, name) with the row version they were read from (the row's xmin, which
// every UPDATE of jobs.functions moves), and a cached entry is never trusted alone: the
// insert-batcher inserts the job only while the function row is still that version and,
// for a submit by bare name, still the first match (insert-batcher.ts). A job file that
// changed, a function disabled, deleted or shadowed by another namespace, here or by
// another server on the same database, is so seen by the very next submit, which then
// reads the row again. A refusal (disabled, roles) is only ever given on a fresh read.
import type { Queryable } from "../../db/connections.ts";
import type { FunctionRow } from "../../db/queries/functions.ts";

/** What a submit needs of its function (not the code), and the row version it was read at. */
export type SubmitFunction = Pick<
  FunctionRow,
  | "id"
  | "namespace"
  | "name"
  | "enabled"
  | "require_roles"
  | "timeout_seconds"
  | "progress_timeout_seconds"
  | "max_retries"
> & {
  /** jobs.functions.xmin as text: changes whenever the row does. */
  stamp: string;
};

/** How the insert checks the function is still the one read (see insert-batcher.ts). */
export interface FunctionGuard {
  stamp: string;
  /** Named without a namespace: the row must also still be the first match by name. */
  byName: boolean;
}

export interface SubmitFunctions {
  /** The entry cached for the name, if any: to be inserted only with its guard. */
  peek(name: string, namespace: string | undefined): SubmitFunction | undefined;
  /** Reads the row now and caches it (or forgets the name when there is none). */
  fresh(name: string, namespace: string | undefined): Promise<SubmitFunction | undefined>;
}

export interface SubmitFunctionsOptions {
  db: Queryable;
  /** Names kept at most; past it the cache starts over (default 1,000). */
  maxEntries?: number;
}

// Without a namespace: the first match by name, `default` first (compatibility §2.2), as
// findFunctionByName orders it.
const LOOKUP = `
  SELECT id, namespace, name, enabled, require_roles, timeout_seconds, progress_timeout_seconds,
    max_retries, xmin::text AS stamp
  FROM jobs.functions
  WHERE name = $1 AND ($2::text IS NULL OR namespace = $2)
  ORDER BY namespace = 'default' DESC, namespace
  LIMIT 1`;

export function readSubmitFunction(
  db: Queryable,
  name: string,
  namespace: string | undefined,
): Promise<SubmitFunction | undefined> {
  return db
    .query<SubmitFunction>(LOOKUP, [name, namespace ?? null], {
      prepare: "fluxbase_submit_function",
    })
    .then((rows) => rows[0]);
}

export function createSubmitFunctions(options: SubmitFunctionsOptions): SubmitFunctions {
  const maxEntries = options.maxEntries ?? 1_000;
  const entries = new Map<string, SubmitFunction>();
  const keyOf = (name: string, namespace: string | undefined) =>
    namespace === undefined ? `\u0000${name}` : `${namespace}\u0000${name}`;

  const fresh = async (name: string, namespace: string | undefined) => {
    const key = keyOf(name, namespace);
    const fn = await readSubmitFunction(options.db, name, namespace);
    if (!fn) {
      entries.delete(key);
      return undefined;
    }
    if (entries.size >= maxEntries && !entries.has(key)) entries.clear();
    entries.set(key, fn);
    return fn;
  };

  return {
    fresh,
    peek: (name, namespace) => entries.get(keyOf(name, namespace)),
  };
}
