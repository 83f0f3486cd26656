// Admin job routes: /api/v1/admin/jobs (compatibility §2.3).
import type { CallerResolver } from "../../auth/caller.ts";
import { ALL_JOBS } from "../../auth/job-viewer.ts";
import type { Db } from "../../db/connections.ts";
import type { JobsConfig } from "../../config/types.ts";
import {
  deleteFunction,
  findFunction,
  listFunctions,
  listNamespaces,
  upsertFunction,
} from "../../db/queries/functions.ts";
import { listWorkers } from "../../db/queries/workers.ts";
import { AppError, invalidField } from "../../errors.ts";
import { functionFromBody, patchFunction } from "../../jobs/functions/function-input.ts";
import { toJob, toJobFunction, toWorker } from "../../jobs/api/serialize.ts";
import {
  cancelVisibleJob,
  copyJob,
  getVisibleJob,
  jobAttempts,
  jobLogs,
  jobStats,
  listVisibleJobs,
  terminateRunningJob,
} from "../../jobs/api/service.ts";
import { parseSyncRequest, syncJobs } from "../../jobs/api/sync.ts";
import { syntaxProblems } from "../../jobs/functions/bundle.ts";
import { checkPortability } from "../../jobs/functions/portability.ts";
import { optionalBoolean, optionalString, requireObject } from "../job-validation.ts";
import { admin } from "../guards.ts";
import { created, noContent, type Router } from "../router.ts";

export interface AdminJobRoutesOptions {
  router: Router;
  db: Db;
  config: JobsConfig;
  callers: CallerResolver;
}

export function addAdminJobRoutes({ router, db, config, callers }: AdminJobRoutesOptions): void {
  const guards = [admin(callers, db)];
  const base = "/api/v1/admin/jobs";

  router.add("GET", `${base}/namespaces`, guards, async () => ({
    namespaces: await listNamespaces(db),
  }));

  router.add("GET", `${base}/functions`, guards, async (req) =>
    (await listFunctions(db, optionalString(req.query.get("namespace"), "namespace"))).map((f) =>
      toJobFunction(f, false),
    ),
  );

  router.add("GET", `${base}/functions/:namespace/:name`, guards, async (req) => {
    const fn = await findFunction(db, req.params.namespace!, req.params.name!);
    if (!fn) throw new AppError("FUNCTION_NOT_FOUND", "Job function not found");
    return toJobFunction(fn, true);
  });

  router.add("POST", `${base}/functions`, guards, async (req) => {
    const fields = functionFromBody(await req.json(), { config, createdBy: req.caller!.userId });
    const { row, action } = await upsertFunction(db, fields);
    const body = toJobFunction(row, true);
    return action === "created" ? created(body) : body;
  });

  router.add("PUT", `${base}/functions/:namespace/:name`, guards, async (req) => {
    const existing = await findFunction(db, req.params.namespace!, req.params.name!);
    if (!existing) throw new AppError("FUNCTION_NOT_FOUND", "Job function not found");
    const { row } = await upsertFunction(db, patchFunction(existing, await req.json()));
    return toJobFunction(row, true);
  });

  // The IDE's portability markers (one rule set, the server's, for the editor and `jobs lint`)
  // and its build errors.
  router.add("POST", `${base}/check`, guards, async (req) => {
    const body = requireObject(await req.json());
    if (typeof body.code !== "string")
      throw invalidField("code", "code must be a string of source");
    if (Buffer.byteLength(body.code) > 1024 * 1024) {
      throw new AppError("PAYLOAD_TOO_LARGE", "code exceeds 1048576 bytes", { field: "code" });
    }
    const fileName = optionalString(body.file_name, "file_name", 500) ?? "job.ts";
    const entry = optionalBoolean(body.entry, "entry") ?? true;
    // build_errors: where the code does not parse, so the IDE can refuse to run it and say where.
    return {
      warnings: checkPortability(body.code, fileName, { entry }),
      build_errors: await syntaxProblems(body.code, fileName),
    };
  });

  router.add("DELETE", `${base}/functions/:namespace/:name`, guards, async (req) => {
    if (!(await deleteFunction(db, req.params.namespace!, req.params.name!))) {
      throw new AppError("FUNCTION_NOT_FOUND", "Job function not found");
    }
    return noContent();
  });

  router.add("POST", `${base}/sync`, guards, async (req) =>
    syncJobs({
      db,
      config,
      request: parseSyncRequest(await req.json()),
      createdBy: req.caller!.userId,
    }),
  );

  router.add("GET", `${base}/stats`, guards, async (req) =>
    jobStats(db, optionalString(req.query.get("namespace"), "namespace")),
  );

  router.add("GET", `${base}/workers`, guards, async () => (await listWorkers(db)).map(toWorker));

  router.add("GET", `${base}/queue`, guards, async (req) =>
    listVisibleJobs(db, ALL_JOBS, req.query, true),
  );

  router.add("GET", `${base}/queue/:id`, guards, async (req) =>
    toJob(await getVisibleJob(db, ALL_JOBS, req.params.id!), { detail: true }),
  );

  router.add("GET", `${base}/queue/:id/logs`, guards, async (req) =>
    jobLogs(db, req.query, () => getVisibleJob(db, ALL_JOBS, req.params.id!)),
  );

  router.add("GET", `${base}/queue/:id/attempts`, guards, async (req) =>
    jobAttempts(db, await getVisibleJob(db, ALL_JOBS, req.params.id!)),
  );

  router.add("POST", `${base}/queue/:id/cancel`, guards, async (req) => {
    await cancelVisibleJob(db, await getVisibleJob(db, ALL_JOBS, req.params.id!));
    return { message: "Job cancelled" };
  });

  router.add("POST", `${base}/queue/:id/terminate`, guards, async (req) => {
    await terminateRunningJob(db, await getVisibleJob(db, ALL_JOBS, req.params.id!));
    return { message: "Job terminated" };
  });

  router.add("POST", `${base}/queue/:id/retry`, guards, async (req) =>
    created(
      await copyJob(db, await getVisibleJob(db, ALL_JOBS, req.params.id!), { mode: "retry" }),
    ),
  );

  router.add("POST", `${base}/queue/:id/resubmit`, guards, async (req) => {
    const row = await getVisibleJob(db, ALL_JOBS, req.params.id!);
    const body = await req.json();
    const payload = body === undefined ? undefined : requireObject(body).payload;
    return created(await copyJob(db, row, { mode: "resubmit", payload }));
  });
}
