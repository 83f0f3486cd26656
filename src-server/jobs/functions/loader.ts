// Loads the jobs folder into jobs.functions (compatibility §5.3): each file or folder becomes a
// function of the namespace, with its annotations applied and its code bundled (§4.8).
// Used at boot, by the watcher and by POST /admin/jobs/sync without jobs.
//
// - Unchanged functions keep their version; a changed file bumps it.
// - A file that does not parse or bundle keeps the last good code running and only
//   records the error in bundle_error (a new function gets code NULL).
// - Filesystem functions whose files are gone are disabled with bundle_error
//   "File removed", not deleted: their runs and history stay, and the file coming back
//   enables them again. `deleteMissing` deletes every other function of the namespace.
// Scanning and bundling happen before the one transaction that applies the result.
import type { Db, Queryable } from "../../db/connections.ts";
import { inTransaction } from "../../db/dry-run.ts";
import {
  deleteFunctionsNotIn,
  disableMissingFilesystemFunctions,
  findFunction,
  replaceFunctionFiles,
  setFunctionBundleError,
  upsertFunction,
} from "../../db/queries/functions.ts";
import type { Logger } from "../../logger.ts";
import { applyAnnotationDefaults, type AnnotationDefaults } from "./annotations.ts";
import { bundleJob, type BundleOutcome } from "./bundle.ts";
import { scanJobsDir, type ScannedFunction } from "./scan.ts";

export interface LoadJobsOptions {
  db: Db;
  dir: string;
  namespace?: string;
  config: AnnotationDefaults;
  logger?: Logger;
  /** Compute the result with the real statements, then roll back. */
  dryRun?: boolean;
  /** Delete every function of the namespace not in the folder (any source). */
  deleteMissing?: boolean;
}

export interface LoadJobsResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Disabled (file removed) or, with deleteMissing, deleted. */
  deleted: string[];
  errors: { name: string; message: string }[];
}

export interface PreparedFunction {
  fn: ScannedFunction;
  /** Scan problems (annotation values, names) as one message, or null. */
  problem: string | null;
  bundle: BundleOutcome;
}

function describeErrors(fn: ScannedFunction): string | null {
  if (fn.errors.length === 0) return null;
  return fn.errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)).join("; ");
}

/** Scans the folder and bundles every loadable function (no database access). */
export async function prepareJobsDir(dir: string): Promise<PreparedFunction[]> {
  const scanned = await scanJobsDir(dir);
  return Promise.all(
    scanned.map(async (fn) => ({
      fn,
      problem: describeErrors(fn),
      bundle: fn.loadable
        ? await bundleJob({ entryPath: fn.entryPath, code: fn.code, baseDir: dir })
        : ({ ok: false, error: "not loadable" } as const),
    })),
  );
}

type Action = "created" | "updated" | "unchanged" | "failed";

async function applyFunction(
  tx: Queryable,
  p: PreparedFunction,
  namespace: string,
  config: AnnotationDefaults,
): Promise<Action> {
  const { fn, bundle } = p;
  if (!bundle.ok) {
    const existing = await findFunction(tx, namespace, fn.name);
    if (existing?.code) {
      await setFunctionBundleError(tx, existing.id, bundle.error);
      return "failed";
    }
  }
  const s = applyAnnotationDefaults(fn.annotations, config);
  // Other invalid annotations fall back to defaults; a bad schedule disables the function
  // (bundle_error names the expression) rather than silently never running it.
  const badSchedule = fn.errors.some((e) => e.annotation === "schedule");
  const bundleError =
    [p.problem, bundle.ok ? null : bundle.error].filter(Boolean).join("; ") || null;
  const { row, action } = await upsertFunction(tx, {
    name: fn.name,
    namespace,
    description: s.description,
    code: bundle.ok ? bundle.code : null,
    originalCode: fn.code,
    isBundled: bundle.ok && bundle.isBundled,
    bundleError,
    enabled: badSchedule ? false : s.enabled,
    schedule: s.schedule,
    scheduleTimezone: s.scheduleTimezone,
    scheduleParams: s.scheduleParams,
    allowOverlap: s.allowOverlap,
    timeoutSeconds: s.timeoutSeconds,
    memoryLimitMb: s.memoryLimitMb,
    maxRetries: s.maxRetries,
    progressTimeoutSeconds: s.progressTimeoutSeconds,
    allowNet: s.allowNet,
    allowNetHosts: s.allowNetHosts,
    allowEnv: s.allowEnv,
    allowRead: s.allowRead,
    allowWrite: s.allowWrite,
    requireRoles: s.requireRoles,
    disableExecutionLogs: s.disableExecutionLogs,
    source: "filesystem",
    createdBy: null,
  });
  await replaceFunctionFiles(tx, row.id, fn.files);
  return action;
}

export async function loadJobsDir(options: LoadJobsOptions): Promise<LoadJobsResult> {
  const namespace = options.namespace ?? "default";
  const prepared = await prepareJobsDir(options.dir);
  const result: LoadJobsResult = {
    created: [],
    updated: [],
    unchanged: [],
    deleted: [],
    errors: [],
  };
  for (const p of prepared) {
    if (p.problem) result.errors.push({ name: p.fn.name, message: p.problem });
    if (p.fn.loadable && !p.bundle.ok)
      result.errors.push({ name: p.fn.name, message: p.bundle.error });
  }
  const loadable = prepared.filter((p) => p.fn.loadable);
  const keep = loadable.map((p) => p.fn.name);
  await inTransaction(options.db, options.dryRun ?? false, async (tx) => {
    for (const p of loadable) {
      const action = await applyFunction(tx, p, namespace, options.config);
      if (action !== "failed") result[action].push(p.fn.name);
    }
    result.deleted = options.deleteMissing
      ? await deleteFunctionsNotIn(tx, namespace, keep)
      : await disableMissingFilesystemFunctions(tx, namespace, keep);
  });
  for (const e of result.errors) options.logger?.warn(`jobs/${e.name}: ${e.message}`);
  return result;
}
