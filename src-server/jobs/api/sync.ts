// POST /api/v1/admin/jobs/sync (compatibility §2.4). With `jobs` (or `functions`): each definition
// is created, updated or found unchanged (real content comparison); a bad definition is an
// entry in `errors` and the others still apply. Without: the server's own jobs folder is
// reloaded into the namespace, with real counts. `dry_run` runs the same statements in a
// transaction that is rolled back, so the plan is exactly what a real run would do.
import type { SyncJobsResponse } from "../../../src-sdk/types.ts";
import type { JobsConfig } from "../../config/types.ts";
import { inTransaction } from "../../db/dry-run.ts";
import type { Db } from "../../db/connections.ts";
import {
  deleteFunctionsNotIn,
  findFunction,
  upsertFunction,
  type FunctionFields,
} from "../../db/queries/functions.ts";
import { invalidField } from "../../errors.ts";
import { checkSyntax } from "../functions/bundle.ts";
import { functionFromBody } from "../functions/function-input.ts";
import { loadJobsDir } from "../functions/loader.ts";
import { functionNamePattern } from "../functions/scan.ts";
import { optionalBoolean, optionalString } from "../../http/job-validation.ts";

export interface SyncRequest {
  namespace: string;
  /** undefined (or empty): reload the jobs folder. */
  jobs?: unknown[];
  deleteMissing: boolean;
  dryRun: boolean;
}

type SyncError = SyncJobsResponse["errors"][number];

export function parseSyncRequest(raw: unknown): SyncRequest {
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    throw invalidField("body", "Invalid request body: expected a JSON object");
  }
  const body = (raw ?? {}) as Record<string, unknown>;
  const namespace = optionalString(body.namespace, "namespace", 100) ?? "default";
  if (!functionNamePattern.test(namespace))
    throw invalidField("namespace", "namespace must be letters, digits, '-' and '_'");
  const jobs = body.jobs ?? body.functions;
  if (jobs !== undefined && jobs !== null && !Array.isArray(jobs)) {
    throw invalidField(
      body.jobs !== undefined ? "jobs" : "functions",
      "jobs must be an array of function definitions",
    );
  }
  const options = body.options ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalidField("options", "options must be an object");
  }
  const o = options as Record<string, unknown>;
  return {
    namespace,
    jobs: Array.isArray(jobs) && jobs.length > 0 ? jobs : undefined,
    deleteMissing: optionalBoolean(o.delete_missing, "options.delete_missing") ?? false,
    dryRun: optionalBoolean(o.dry_run, "options.dry_run") ?? false,
  };
}

export interface SyncJobsOptions {
  db: Db;
  config: JobsConfig;
  request: SyncRequest;
  createdBy: string | null;
}

function response(
  req: SyncRequest,
  message: string,
  details: SyncJobsResponse["details"],
  errors: SyncError[],
): SyncJobsResponse {
  return {
    message: req.dryRun ? `${message} (dry run: nothing was changed)` : message,
    namespace: req.namespace,
    summary: {
      created: details.created.length,
      updated: details.updated.length,
      deleted: details.deleted.length,
      unchanged: details.unchanged.length,
      errors: errors.length,
    },
    details,
    errors,
    dry_run: req.dryRun,
  };
}

async function syncFolder({ db, config, request }: SyncJobsOptions): Promise<SyncJobsResponse> {
  const r = await loadJobsDir({
    db,
    dir: config.jobsDir,
    namespace: request.namespace,
    config,
    dryRun: request.dryRun,
    deleteMissing: request.deleteMissing,
  });
  const errors = r.errors.map((e): SyncError => ({
    job: e.name,
    error: e.message,
    action: r.created.includes(e.name) ? "create" : "update",
  }));
  const { created, updated, unchanged, deleted } = r;
  return response(
    request,
    "Jobs synced from filesystem",
    { created, updated, deleted, unchanged },
    errors,
  );
}

/** Validates one definition; a syntax error is recorded in bundle_error (raw code kept). */
async function definition(
  raw: unknown,
  { config, request, createdBy }: SyncJobsOptions,
): Promise<FunctionFields> {
  const body =
    raw && typeof raw === "object" && !Array.isArray(raw)
      ? { ...(raw as object), namespace: request.namespace }
      : raw;
  const fields = functionFromBody(body, { config, createdBy }, request.namespace);
  if (!fields.isBundled && fields.code) {
    const problem = await checkSyntax(fields.code, `${fields.name}.ts`);
    if (problem) fields.bundleError = [fields.bundleError, problem].filter(Boolean).join("; ");
  }
  return fields;
}

export async function syncJobs(options: SyncJobsOptions): Promise<SyncJobsResponse> {
  const { db, request } = options;
  if (!request.jobs) return syncFolder(options);
  const errors: SyncError[] = [];
  const valid: FunctionFields[] = [];
  const names = new Set<string>();
  for (const [i, raw] of request.jobs.entries()) {
    const rawName = (raw as { name?: unknown } | null)?.name;
    const label = typeof rawName === "string" && rawName ? rawName : `jobs[${i}]`;
    try {
      if (names.has(label)) throw new Error(`duplicate job name "${label}"`);
      names.add(label);
      valid.push(await definition(raw, options));
    } catch (err) {
      const exists =
        typeof rawName === "string" && (await findFunction(db, request.namespace, rawName));
      errors.push({
        job: label,
        error: (err as Error).message,
        action: exists ? "update" : "create",
      });
    }
  }
  const details: SyncJobsResponse["details"] = {
    created: [],
    updated: [],
    deleted: [],
    unchanged: [],
  };
  await inTransaction(db, request.dryRun, async (tx) => {
    for (const fields of valid) {
      const { action } = await upsertFunction(tx, fields);
      details[action].push(fields.name);
    }
    if (request.deleteMissing)
      details.deleted = await deleteFunctionsNotIn(tx, request.namespace, [...names]);
  });
  return response(request, "Jobs synced successfully", details, errors);
}
