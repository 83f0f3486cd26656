// Function definitions sent over the admin API (create, update, and later sync): the
// body's explicit fields win over the annotations in the code, which win over defaults.
import type { JobsConfig } from "../../config/types.ts";
import type { FunctionFields, FunctionRow } from "../../db/queries/functions.ts";
import { AppError, invalidField } from "../../errors.ts";
import {
  applyAnnotationDefaults,
  parseAnnotations,
  SETTING_RANGES,
  validateNetHost,
  validateSchedule,
} from "./annotations.ts";
import { functionNamePattern } from "./scan.ts";
import { splitSchedule } from "../scheduler/plan.ts";
import {
  optionalBoolean,
  optionalInt,
  optionalString,
  requireObject,
} from "../../http/job-validation.ts";

const MAX_CODE_BYTES = 5 * 1024 * 1024;

function code(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !value.trim())
    throw invalidField(field, `${field} must be non-empty source code`);
  if (Buffer.byteLength(value) > MAX_CODE_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `${field} exceeds ${MAX_CODE_BYTES} bytes`, { field });
  }
  return value;
}

function roles(body: Record<string, unknown>): string[] | undefined {
  const value =
    body.require_roles ??
    (typeof body.require_role === "string" ? [body.require_role] : body.require_role);
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.some((r) => typeof r !== "string" || !/^[a-z][a-z0-9_]*$/.test(r))
  ) {
    throw invalidField("require_roles", "require_roles must be an array of role names");
  }
  return value as string[];
}

function schedule(value: unknown): string | null | undefined {
  if (value === null || value === "") return null;
  const s = optionalString(value, "schedule");
  if (s === undefined) return undefined;
  const checked = validateSchedule(splitSchedule(s).cron);
  if ("error" in checked)
    throw new AppError("VALIDATION_FAILED", `Invalid schedule "${s}": ${checked.error}`, {
      field: "schedule",
    });
  // Upstream's "<cron>|<json object>": params that are not an object would be dropped.
  if (s.includes("|") && splitSchedule(s).params === null) {
    throw invalidField(
      "schedule",
      `Invalid schedule "${s}": the part after "|" must be a JSON object of params`,
    );
  }
  return s.trim();
}

const MAX_NET_HOSTS = 100;

/** `allow_net_hosts`: an array of `host[:port]` (see @fluxbase:allow-net); [] clears it. */
function netHosts(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const field = "allow_net_hosts";
  if (!Array.isArray(value) || value.length > MAX_NET_HOSTS) {
    throw invalidField(
      field,
      `${field} must be an array of at most ${MAX_NET_HOSTS} host[:port] strings`,
    );
  }
  const hosts = value.map((entry, i) => {
    const checked =
      typeof entry === "string" ? validateNetHost(entry) : { error: "expects a string" };
    if ("error" in checked) throw invalidField(field, `${field}[${i}] ${checked.error}`);
    return checked.value;
  });
  return [...new Set(hosts)];
}

function ranged(
  value: unknown,
  field: string,
  range: { min: number; max: number },
): number | undefined {
  return optionalInt(value, field, range.min, range.max);
}

/** Explicit settings of a body; undefined = not given. */
function explicitFields(body: Record<string, unknown>) {
  return {
    description:
      body.description === null ? null : optionalString(body.description, "description", 2000),
    enabled: optionalBoolean(body.enabled, "enabled"),
    schedule: schedule(body.schedule),
    timeoutSeconds: ranged(body.timeout_seconds, "timeout_seconds", SETTING_RANGES.timeoutSeconds),
    memoryLimitMb: ranged(body.memory_limit_mb, "memory_limit_mb", SETTING_RANGES.memoryLimitMb),
    maxRetries: ranged(body.max_retries, "max_retries", SETTING_RANGES.maxRetries),
    progressTimeoutSeconds: ranged(
      body.progress_timeout_seconds,
      "progress_timeout_seconds",
      SETTING_RANGES.progressTimeoutSeconds,
    ),
    allowNet: optionalBoolean(body.allow_net, "allow_net"),
    allowNetHosts: netHosts(body.allow_net_hosts),
    allowEnv: optionalBoolean(body.allow_env, "allow_env"),
    allowRead: optionalBoolean(body.allow_read, "allow_read"),
    allowWrite: optionalBoolean(body.allow_write, "allow_write"),
    requireRoles: roles(body),
    disableExecutionLogs: optionalBoolean(body.disable_execution_logs, "disable_execution_logs"),
  };
}

/**
 * The annotations of `source`; an invalid one is a 400 naming it (a function is never
 * stored with a setting silently dropped, e.g. enabled without its schedule).
 */
function checkedAnnotations(source: string, field: string) {
  const { annotations, errors } = parseAnnotations(source);
  const [first] = errors;
  if (first) {
    throw new AppError("VALIDATION_FAILED", `${first.message} (${field}, line ${first.line})`, {
      field,
      annotation: `@fluxbase:${first.annotation}`,
      line: first.line,
    });
  }
  return annotations;
}

function pick<T>(...values: (T | undefined)[]): T {
  return values.find((v) => v !== undefined) as T;
}

export interface FunctionInputContext {
  config: JobsConfig;
  createdBy: string | null;
}

/** A complete definition for create/upsert (POST /functions, sync). */
export function functionFromBody(
  raw: unknown,
  ctx: FunctionInputContext,
  namespaceDefault = "default",
): FunctionFields {
  const body = requireObject(raw);
  const name = optionalString(body.name, "name", 100);
  if (!name || !functionNamePattern.test(name)) {
    throw invalidField(
      "name",
      "name is required: letters, digits, '-' and '_', starting with a letter or digit",
    );
  }
  const namespace = optionalString(body.namespace, "namespace", 100) ?? namespaceDefault;
  const source = code(body.code, "code");
  if (source === undefined) throw invalidField("code", "code is required");
  const original = code(body.original_code, "original_code") ?? source;
  const annotated = checkedAnnotations(
    original,
    body.original_code === undefined || body.original_code === null ? "code" : "original_code",
  );
  const a = applyAnnotationDefaults(annotated, ctx.config);
  const e = explicitFields(body);
  return {
    name,
    namespace,
    description: e.description !== undefined ? e.description : a.description,
    code: source,
    originalCode: original,
    isBundled: optionalBoolean(body.is_bundled ?? body.is_pre_bundled, "is_bundled") ?? false,
    bundleError: null,
    enabled: pick(e.enabled, a.enabled),
    schedule: e.schedule !== undefined ? e.schedule : a.schedule,
    timeoutSeconds: pick(e.timeoutSeconds, a.timeoutSeconds),
    memoryLimitMb: pick(e.memoryLimitMb, a.memoryLimitMb),
    maxRetries: pick(e.maxRetries, a.maxRetries),
    progressTimeoutSeconds: pick(e.progressTimeoutSeconds, a.progressTimeoutSeconds),
    allowNet: pick(e.allowNet, e.allowNetHosts?.length ? true : undefined, a.allowNet),
    allowNetHosts: pick(e.allowNetHosts, a.allowNetHosts),
    allowEnv: pick(e.allowEnv, a.allowEnv),
    allowRead: pick(e.allowRead, a.allowRead),
    allowWrite: pick(e.allowWrite, a.allowWrite),
    requireRoles: pick(e.requireRoles, a.requireRoles),
    disableExecutionLogs: pick(e.disableExecutionLogs, a.disableExecutionLogs),
    scheduleTimezone: a.scheduleTimezone,
    scheduleParams: a.scheduleParams,
    allowOverlap: a.allowOverlap,
    source: "api",
    createdBy: ctx.createdBy,
  };
}

/** The current row with a partial update applied (PUT /functions/:namespace/:name). */
export function patchFunction(row: FunctionRow, raw: unknown): FunctionFields {
  const body = requireObject(raw);
  const source = code(body.code, "code");
  const original = code(body.original_code, "original_code");
  if (original !== undefined) checkedAnnotations(original, "original_code");
  else if (source !== undefined) checkedAnnotations(source, "code");
  const e = explicitFields(body);
  return {
    name: row.name,
    namespace: row.namespace,
    description: e.description !== undefined ? e.description : row.description,
    code: source ?? row.code,
    originalCode: original ?? source ?? row.original_code,
    isBundled: optionalBoolean(body.is_bundled, "is_bundled") ?? row.is_bundled,
    bundleError: source !== undefined ? null : row.bundle_error,
    enabled: e.enabled ?? row.enabled,
    schedule: e.schedule !== undefined ? e.schedule : row.schedule,
    timeoutSeconds: e.timeoutSeconds ?? row.timeout_seconds,
    memoryLimitMb: e.memoryLimitMb ?? row.memory_limit_mb,
    maxRetries: e.maxRetries ?? row.max_retries,
    progressTimeoutSeconds: e.progressTimeoutSeconds ?? row.progress_timeout_seconds,
    allowNet: e.allowNet ?? (e.allowNetHosts?.length ? true : undefined) ?? row.allow_net,
    allowNetHosts: e.allowNetHosts ?? row.allow_net_hosts,
    allowEnv: e.allowEnv ?? row.allow_env,
    allowRead: e.allowRead ?? row.allow_read,
    allowWrite: e.allowWrite ?? row.allow_write,
    requireRoles: e.requireRoles ?? row.require_roles,
    disableExecutionLogs: e.disableExecutionLogs ?? row.disable_execution_logs,
    scheduleTimezone: row.schedule_timezone,
    scheduleParams: row.schedule_params,
    allowOverlap: row.allow_overlap,
    source: row.source,
    createdBy: row.created_by,
  };
}
