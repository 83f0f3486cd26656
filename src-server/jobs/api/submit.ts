// Submitting a job (compatibility §2.2 "Submit"): validate, resolve identity, find the function,
// check its required roles, insert. With a function cache (submit-functions.ts) and the
// insert-batcher, a submit whose function is cached costs no lookup: the insert itself
// checks the cached row is still current, and a submit that finds it changed, or that
// would be refused, reads the function again before it inserts or refuses.
import type { Caller, CallerResolver } from "../../auth/caller.ts";
import { isUuid } from "../../auth/caller.ts";
import { isAdminRole, satisfiesRequiredRoles } from "../../auth/roles.ts";
import type { JobsConfig } from "../../config/types.ts";
import type { Db } from "../../db/connections.ts";
import { findFunction, findFunctionByName, type FunctionRow } from "../../db/queries/functions.ts";
import { insertJob, type JobRow, type NewJob } from "../../db/queries/queue.ts";
import { findUserById } from "../../db/queries/users.ts";
import { AppError, invalidField } from "../../errors.ts";
import { StaleFunctionError, type JobInserter } from "./insert-batcher.ts";
import type { SubmitFunction, SubmitFunctions } from "./submit-functions.ts";
import {
  optionalDate,
  optionalInt,
  optionalString,
  requireObject,
  requireString,
} from "../../http/job-validation.ts";

export interface SubmitContext {
  db: Db;
  config: JobsConfig;
  callers: CallerResolver;
  /** Inserts concurrent submits together (insert-batcher.ts); default one INSERT each. */
  inserter?: { insert(job: NewJob): Promise<JobRow> };
  /**
   * Functions cached across submits, with the inserter that checks a cached function is
   * still current (the insert-batcher); when given, it inserts instead of `inserter`.
   */
  cached?: { functions: SubmitFunctions; inserter: JobInserter };
}

export interface Submitter {
  userId: string | null;
  role: string;
  email: string | null;
}

/** The function, or the 404 / 400 a submit of it gets (missing, disabled). */
function submittable<F extends { enabled: boolean }>(fn: F | undefined, name: string): F {
  if (!fn)
    throw new AppError("FUNCTION_NOT_FOUND", "Job function not found", {
      job: name,
      field: "job_name",
    });
  if (!fn.enabled)
    throw new AppError("FUNCTION_DISABLED", "Job function is disabled", { job: name });
  return fn;
}

export async function resolveFunction(
  db: Db,
  name: string,
  namespace: string | undefined,
): Promise<FunctionRow> {
  const fn = namespace
    ? await findFunction(db, namespace, name)
    : await findFunctionByName(db, name);
  return submittable(fn, name);
}

export function checkRequiredRoles(fn: Pick<FunctionRow, "require_roles">, role: string): void {
  if (satisfiesRequiredRoles(role, fn.require_roles)) return;
  if (role === "anon") {
    throw new AppError("FORBIDDEN", "Authentication required", {
      required_roles: fn.require_roles,
    });
  }
  throw new AppError("FORBIDDEN", "Insufficient permissions", {
    required_roles: fn.require_roles,
    user_role: role,
  });
}

async function submitterFor(
  ctx: SubmitContext,
  caller: Caller,
  body: Record<string, unknown>,
  impersonation?: string,
): Promise<Submitter> {
  const actingAsOther =
    (body.on_behalf_of !== undefined && body.on_behalf_of !== null) || !!impersonation;
  if (actingAsOther && caller.job) {
    throw new AppError("FORBIDDEN", "A job's token cannot submit on behalf of another user");
  }
  if (body.on_behalf_of !== undefined && body.on_behalf_of !== null) {
    // The IDE's "run as": admins (not only service_role) may submit for another user.
    if (!isAdminRole(caller.role))
      throw new AppError("FORBIDDEN", "on_behalf_of requires an admin or service_role caller");
    const obo = requireObject(body.on_behalf_of, "on_behalf_of");
    if (!isUuid(obo.user_id))
      throw invalidField("on_behalf_of.user_id", "Invalid user_id in on_behalf_of");
    const user = await findUserById(ctx.db, obo.user_id);
    if (!user) throw invalidField("on_behalf_of.user_id", "User not found in on_behalf_of.user_id");
    return {
      userId: user.id,
      role: optionalString(obo.user_role, "on_behalf_of.user_role") ?? user.role,
      email: optionalString(obo.user_email, "on_behalf_of.user_email") ?? user.email,
    };
  }
  if (impersonation) {
    // Upstream honours this header for any caller; here only admins may act as someone else.
    if (!isAdminRole(caller.role))
      throw new AppError(
        "FORBIDDEN",
        "X-Impersonation-Token requires an admin or service_role caller",
      );
    let target: Caller;
    try {
      target = await ctx.callers.fromToken(impersonation);
    } catch {
      throw invalidField("X-Impersonation-Token", "Invalid impersonation token");
    }
    return { userId: target.userId, role: target.role, email: target.email };
  }
  return { userId: caller.userId, role: caller.role, email: caller.email };
}

export async function submitJob(
  ctx: SubmitContext,
  caller: Caller,
  rawBody: unknown,
  impersonationToken?: string,
): Promise<JobRow> {
  const body = requireObject(rawBody);
  const jobName = requireString(body.job_name, "job_name");
  const namespace = optionalString(body.namespace, "namespace");
  let payload = body.payload ?? {};
  if (typeof payload !== "object" || Array.isArray(payload)) {
    throw invalidField("payload", "payload must be a JSON object");
  }
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > ctx.config.maxPayloadBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `payload is ${size} bytes; the limit is ${ctx.config.maxPayloadBytes}`,
      {
        field: "payload",
      },
    );
  }
  payload = payload as Record<string, unknown>;
  const priority = optionalInt(body.priority, "priority", -1_000_000, 1_000_000) ?? 0;
  const scheduledAt =
    optionalDate(body.scheduled_at, "scheduled_at") ??
    optionalDate(body.scheduled, "scheduled") ??
    null;
  const submitter = await submitterFor(ctx, caller, body, impersonationToken);
  const jobOf = (fn: SubmitFunction | FunctionRow): NewJob => ({
    namespace: fn.namespace,
    functionId: fn.id,
    jobName: fn.name,
    payload,
    priority,
    maxDurationSeconds: fn.timeout_seconds,
    progressTimeoutSeconds: fn.progress_timeout_seconds,
    maxRetries: fn.max_retries,
    createdBy: submitter.userId,
    userRole: submitter.role,
    userEmail: submitter.email,
    scheduledAt,
  });
  if (ctx.cached) {
    const { functions, inserter: guarded } = ctx.cached;
    const hit = functions.peek(jobName, namespace);
    if (hit?.enabled && satisfiesRequiredRoles(submitter.role, hit.require_roles)) {
      try {
        return await guarded.insert(jobOf(hit), {
          stamp: hit.stamp,
          byName: namespace === undefined,
        });
      } catch (err) {
        if (!(err instanceof StaleFunctionError)) throw err;
      }
    }
    const fn = submittable(await functions.fresh(jobName, namespace), jobName);
    checkRequiredRoles(fn, submitter.role);
    return guarded.insert(jobOf(fn));
  }
  const fn = await resolveFunction(ctx.db, jobName, namespace);
  checkRequiredRoles(fn, submitter.role);
  const insert = (job: NewJob) =>
    ctx.inserter ? ctx.inserter.insert(job) : insertJob(ctx.db, job);
  return insert(jobOf(fn));
}
