// Loads the jobs folder into jobs.functions (spec §5.3): each file or folder becomes a
// function of the namespace, with its annotations applied; filesystem functions whose
// files are gone are removed. Unchanged functions keep their version.
import type { JobsConfig } from "../config/types.ts";
import type { Db } from "../db/pool.ts";
import {
  deleteMissingFilesystemFunctions,
  replaceFunctionFiles,
  upsertFunction,
} from "../db/queries/functions.ts";
import type { Logger } from "../logger.ts";
import { applyAnnotationDefaults } from "./annotations.ts";
import { scanJobsDir, type ScannedFunction } from "./scan.ts";

export interface LoadJobsOptions {
  db: Db;
  dir: string;
  namespace?: string;
  config: JobsConfig;
  logger: Logger;
}

export interface LoadJobsResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  deleted: string[];
  errors: { name: string; message: string }[];
}

function describeErrors(fn: ScannedFunction): string | null {
  if (fn.errors.length === 0) return null;
  return fn.errors.map((e) => (e.line ? `line ${e.line}: ${e.message}` : e.message)).join("; ");
}

export async function loadJobsDir(options: LoadJobsOptions): Promise<LoadJobsResult> {
  const namespace = options.namespace ?? "default";
  const scanned = await scanJobsDir(options.dir);
  const result: LoadJobsResult = { created: [], updated: [], unchanged: [], deleted: [], errors: [] };
  const keep: string[] = [];
  for (const fn of scanned) {
    const problem = describeErrors(fn);
    if (problem) result.errors.push({ name: fn.name, message: problem });
    if (!fn.loadable) continue;
    keep.push(fn.name);
    const s = applyAnnotationDefaults(fn.annotations, options.config);
    const { row, action } = await options.db.withTransaction(async (tx) => {
      const upserted = await upsertFunction(tx, {
        name: fn.name,
        namespace,
        description: s.description,
        code: fn.code,
        originalCode: fn.code,
        isBundled: false,
        bundleError: problem,
        enabled: s.enabled,
        schedule: s.schedule,
        timeoutSeconds: s.timeoutSeconds,
        memoryLimitMb: s.memoryLimitMb,
        maxRetries: s.maxRetries,
        progressTimeoutSeconds: s.progressTimeoutSeconds,
        allowNet: s.allowNet,
        allowEnv: s.allowEnv,
        allowRead: s.allowRead,
        allowWrite: s.allowWrite,
        requireRoles: s.requireRoles,
        disableExecutionLogs: s.disableExecutionLogs,
        source: "filesystem",
        createdBy: null,
      });
      await replaceFunctionFiles(tx, upserted.row.id, fn.files);
      return upserted;
    });
    result[action].push(row.name);
  }
  result.deleted = await deleteMissingFilesystemFunctions(options.db, namespace, keep);
  for (const e of result.errors) options.logger.warn(`jobs/${e.name}: ${e.message}`);
  return result;
}
