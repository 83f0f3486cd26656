// User job routes: /api/v1/jobs (compatibility §2.2).
import type { CallerResolver } from "../../auth/caller.ts";
import { signJobReceipt } from "../../auth/job-receipt.ts";
import { ALL_JOBS, jobViewerOf, type JobViewer } from "../../auth/job-viewer.ts";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { toJob } from "../../jobs/api/serialize.ts";
import {
  cancelVisibleJob,
  copyJob,
  getVisibleJob,
  jobAttempts,
  jobLogs,
  listVisibleJobs,
} from "../../jobs/api/service.ts";
import type { JobInserter } from "../../jobs/api/insert-batcher.ts";
import { submitJob } from "../../jobs/api/submit.ts";
import { createSubmitFunctions } from "../../jobs/api/submit-functions.ts";
import type { JobEffects } from "../../ledger/job-effects.ts";
import { submitInserter } from "../../ledger/job-submit.ts";
import { authenticated, featureEnabled, notAnonymous } from "../guards.ts";
import { created, type ApiRequest, type Router } from "../router.ts";

export interface JobRoutesOptions {
  router: Router;
  db: Db;
  config: JobsConfig;
  callers: CallerResolver;
  /** Inserts submits together (insert-batcher.ts); submits then use a function cache. */
  inserter?: JobInserter;
  /** Signs the receipts anonymous submitters get (the server's JWT secret). */
  receiptSecret: string;
  /** Records the submits of jobs' tokens; holds them back in a dry run. */
  effects?: JobEffects;
}

export function addJobRoutes({
  router,
  db,
  config,
  callers,
  inserter,
  receiptSecret,
  effects,
}: JobRoutesOptions): void {
  const enabled = featureEnabled(() => config.enabled);
  const submitGuards = [enabled, authenticated(callers)];
  const functions = createSubmitFunctions({ db });
  const guards = [enabled, notAnonymous(callers)];
  const base = "/api/v1/jobs";

  router.add("POST", `${base}/submit`, submitGuards, async (req) => {
    const impersonation = req.headers["x-impersonation-token"];
    const chosen = await submitInserter({ db, inserter, effects }, req.caller!, await req.json());
    // The cache needs the batcher's check that a cached function is current: a dry run or
    // a job's own submit (recorded in its ledger) reads the function each time.
    const cached = inserter && chosen === inserter ? { functions, inserter } : undefined;
    const row = await submitJob(
      { db, config, callers, inserter: chosen, cached },
      req.caller!,
      await req.json(),
      typeof impersonation === "string" ? impersonation : undefined,
    );
    // An anonymous submitter learns its job's id (and that it is pending), nothing more,
    // and gets a receipt with which GET /api/v1/jobs/:id, and no other route, reads that job.
    if (req.caller!.role === "anon") {
      const receipt = signJobReceipt({ secret: receiptSecret, jobId: row.id });
      return created({ id: row.id, status: row.status, receipt });
    }
    return created(toJob(row, { detail: true }));
  });

  const viewer = (req: ApiRequest): JobViewer => jobViewerOf(req.caller!);
  const list = async (req: ApiRequest) => listVisibleJobs(db, viewer(req), req.query, false);
  router.add("GET", base, guards, list);
  router.add("GET", `${base}/`, guards, list);

  const getGuards = [enabled, notAnonymous(callers, { receiptSecret })];
  // Past getGuards an anonymous caller holds a valid receipt for exactly the job in the
  // path (issued only for a job it submitted): that one job is its to read.
  const receiptViewer = (req: ApiRequest): JobViewer =>
    req.caller!.role === "anon" ? ALL_JOBS : viewer(req);
  router.add("GET", `${base}/:id`, getGuards, async (req) =>
    toJob(await getVisibleJob(db, receiptViewer(req), req.params.id!), { detail: true }),
  );

  router.add("GET", `${base}/:id/logs`, guards, async (req) =>
    jobLogs(db, req.query, () => getVisibleJob(db, viewer(req), req.params.id!)),
  );

  router.add("GET", `${base}/:id/attempts`, guards, async (req) =>
    jobAttempts(db, await getVisibleJob(db, viewer(req), req.params.id!)),
  );

  router.add("POST", `${base}/:id/cancel`, guards, async (req) => {
    await cancelVisibleJob(db, await getVisibleJob(db, viewer(req), req.params.id!));
    return { message: "Job cancelled" };
  });

  router.add("POST", `${base}/:id/retry`, guards, async (req) => {
    const row = await getVisibleJob(db, viewer(req), req.params.id!);
    return created(await copyJob(db, row, { mode: "retry" }));
  });
}
