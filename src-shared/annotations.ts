// `@fluxbase:<name> <value>` annotations in a job file's comments: one parser for the
// server (which loads the jobs folder) and the editor (which checks a file as it is typed),
// so both accept and refuse the same lines. See docs/compatibility.md for upstream's rules.
//
// Unlike upstream, which runs one regex per name over the whole file, we read one
// line at a time: strip the comment prefix (`//`, `/**`, `/*`, `*`) and a trailing
// `*/`, and take the rest of that line as the value. So the guide's JSDoc
// `* @fluxbase:schedule 0 2 * * *` means daily at 02:00, and a one-line
// `/** @fluxbase:require-role admin */` gives the role `admin`.
//
// The first occurrence of a name wins; later ones are warned about and ignored.
// An invalid value is an error entry (never a throw) and leaves the setting unset.
//
// Schedule time zone: a separate `@fluxbase:schedule-timezone Europe/Paris` line.
// (Not a `TZ=` prefix: upstream's schedule regex stops at the `T` and would drop
// the whole schedule, while it ignores the separate line and still schedules the
// job, in server-local time.)
//
// Cron expressions are read by a cron library, which this dependency-free layer does not
// import: callers pass a CronPlanner (cron.ts's, on the cron-parser the caller hands it).
import type { JsonObject } from "./json.ts";

/**
 * The first fire times (epoch ms, at least 5) of a 5- or 6-field cron expression from
 * 2000-01-01T00:00Z in UTC; throws with the reason when the expression is invalid.
 */
export type CronPlanner = (cron: string) => number[];

export interface FunctionAnnotations {
  requireRoles?: string[];
  timeoutSeconds?: number;
  maxRetries?: number;
  /** Normalised cron: 5 or 6 fields single-spaced, or a descriptor such as "@daily". */
  schedule?: string;
  scheduleTimezone?: string;
  scheduleParams?: JsonObject;
  description?: string;
  allowNet?: boolean;
  /** `@fluxbase:allow-net <host[:port]>, …`: private destinations the job may reach (allowNet true). */
  allowNetHosts?: string[];
  allowEnv?: boolean;
  allowRead?: boolean;
  allowWrite?: boolean;
  memoryLimitMb?: number;
  progressTimeoutSeconds?: number;
  enabled?: boolean;
  disableExecutionLogs?: boolean;
  namespace?: string;
  allowOverlap?: boolean;
}

/** One problem with one annotation line (1-based line number). */
export interface AnnotationIssue {
  line: number;
  /** The annotation name without the prefix, e.g. "timeout". */
  annotation: string;
  message: string;
}
export type AnnotationError = AnnotationIssue;
export type AnnotationWarning = AnnotationIssue;

export interface ParsedAnnotations {
  annotations: FunctionAnnotations;
  errors: AnnotationError[];
  warnings: AnnotationWarning[];
}

export type Result<T> = { value: T } | { error: string };

interface Handler {
  key: keyof FunctionAnnotations;
  parse(value: string): Result<unknown>;
  /** Sets the parsed value; by default `annotations[key] = value`. */
  assign?(annotations: FunctionAnnotations, value: unknown): void;
}

/**
 * The range of each numeric setting, for annotations and the admin API's explicit fields
 * alike (a day at most: a longer job should report progress and be split up).
 */
export const SETTING_RANGES = {
  timeoutSeconds: { min: 1, max: 86_400, unit: "seconds" },
  memoryLimitMb: { min: 16, max: 16_384, unit: "megabytes" },
  maxRetries: { min: 0, max: 100, unit: "retries" },
  progressTimeoutSeconds: { min: 1, max: 86_400, unit: "seconds" },
} as const;

function wholeNumber({
  min,
  max,
  unit,
}: {
  min: number;
  max: number;
  unit: string;
}): Handler["parse"] {
  return (value) =>
    /^\d{1,15}$/.test(value) && Number(value) >= min && Number(value) <= max
      ? { value: Number(value) }
      : { error: `expects a whole number of ${unit} from ${min} to ${max}, got "${value}"` };
}

/** A bare annotation means true; otherwise exactly true or false. */
function flag(value: string): Result<boolean> {
  const text = value.toLowerCase();
  if (text === "" || text === "true") return { value: true };
  if (text === "false") return { value: false };
  return { error: `expects true or false (or nothing, meaning true), got "${value}"` };
}

function roles(value: string): Result<string[]> {
  const list = value
    .split(",")
    .map((role) => role.trim())
    .filter(Boolean);
  if (list.length === 0) return { error: "expects a comma-separated list of roles" };
  const bad = list.find((role) => /\s/.test(role));
  return bad ? { error: `role names cannot contain spaces, got "${bad}"` } : { value: list };
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * One allow-net destination: a host name, an IPv4 address or a bracketed IPv6 address,
 * with an optional port (1–65535); a one-label name other than localhost needs the port.
 * Returned lower-cased, as Deno's --allow-net reads it.
 */
export function validateNetHost(entry: string): Result<string> {
  const text = entry.trim().toLowerCase();
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(text);
  const host = match?.[1] ?? "";
  const port = match?.[2];
  const hostOk = host.startsWith("[")
    ? isIPv6(host.slice(1, -1))
    : IPV4.test(host) || (HOSTNAME.test(host) && !/^[\d.]+$/.test(host));
  if (!match || !hostOk) {
    return {
      error: `expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "${entry.trim()}"`,
    };
  }
  // A lone word such as "yes" or "nope" is a mistyped flag, not a host: a one-label
  // name needs a port (`db:5432`), except localhost.
  if (!host.includes(".") && !host.startsWith("[") && host !== "localhost" && port === undefined) {
    return {
      error: `expects true, false, or hosts such as db.internal, db:5432 or 10.0.0.5, got "${entry.trim()}"`,
    };
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) {
    return { error: `port must be from 1 to 65535, got "${entry.trim()}"` };
  }
  return { value: text };
}

/** true / false / nothing as a flag, or a comma-separated list of destinations. */
function allowNet(value: string): Result<boolean | string[]> {
  if (["", "true", "false"].includes(value.toLowerCase())) return flag(value);
  const entries = value.split(",").map((entry) => entry.trim());
  const hosts: string[] = [];
  for (const entry of entries) {
    const checked = validateNetHost(entry);
    if ("error" in checked) return checked;
    hosts.push(checked.value);
  }
  return { value: [...new Set(hosts)] };
}

/** An IPv6 address as a URL host reads it (WHATWG URL parsing validates it). */
function isIPv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(":")) return false;
  try {
    return new URL(`http://[${text}]/`).hostname !== "";
  } catch {
    return false;
  }
}

const descriptors = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly"]);

/**
 * Validate a schedule. Unlike upstream (at most once a minute), seconds-level 6-field
 * schedules are allowed, with a minimum interval of one second.
 */
export function validateSchedule(value: string, planCron: CronPlanner): Result<string> {
  const text = value.trim().replace(/\s+/g, " ");
  if (text.startsWith("@")) {
    if (descriptors.has(text.toLowerCase())) return { value: text.toLowerCase() };
    return {
      error: `unsupported descriptor "${text}" (use ${[...descriptors].join(", ")} or a cron expression)`,
    };
  }
  const fields = text.split(" ").length;
  if (fields !== 5 && fields !== 6) {
    return {
      error: `expects a cron expression of 5 fields (or 6 with seconds first), got "${text}"`,
    };
  }
  try {
    const runs = planCron(text);
    for (let i = 1; i < runs.length; i++) {
      const gap = (runs[i] ?? 0) - (runs[i - 1] ?? 0);
      if (gap < 1_000) return { error: `"${text}" fires more often than once a second` };
    }
  } catch (error) {
    return { error: `invalid cron expression "${text}": ${(error as Error).message}` };
  }
  return { value: text };
}

function timeZone(value: string): Result<string> {
  if (!value) return { error: "expects an IANA time zone such as Europe/Paris" };
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return { value };
  } catch {
    return { error: `unknown time zone "${value}" (expects an IANA name such as Europe/Paris)` };
  }
}

function jsonObject(value: string): Result<JsonObject> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      return { value: parsed as JsonObject };
    }
  } catch {
    // fall through to the error below
  }
  return { error: `expects a JSON object on one line, got "${value}"` };
}

function nonEmpty(what: string): Handler["parse"] {
  return (value) => (value ? { value } : { error: `expects ${what}` });
}

function namespaceName(value: string): Result<string> {
  return /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(value)
    ? { value }
    : { error: `expects a namespace name (letters, digits, _ and -), got "${value}"` };
}

function handlersWith(planCron: CronPlanner): Record<AnnotationName, Handler> {
  return {
    "require-role": { key: "requireRoles", parse: roles },
    timeout: { key: "timeoutSeconds", parse: wholeNumber(SETTING_RANGES.timeoutSeconds) },
    "max-retries": { key: "maxRetries", parse: wholeNumber(SETTING_RANGES.maxRetries) },
    schedule: { key: "schedule", parse: (value) => validateSchedule(value, planCron) },
    "schedule-timezone": { key: "scheduleTimezone", parse: timeZone },
    "schedule-params": { key: "scheduleParams", parse: jsonObject },
    description: { key: "description", parse: nonEmpty("a description") },
    "allow-net": {
      key: "allowNet",
      parse: allowNet,
      assign(annotations, value) {
        if (typeof value === "boolean") annotations.allowNet = value;
        else Object.assign(annotations, { allowNet: true, allowNetHosts: value as string[] });
      },
    },
    "allow-env": { key: "allowEnv", parse: flag },
    "allow-read": { key: "allowRead", parse: flag },
    "allow-write": { key: "allowWrite", parse: flag },
    memory: { key: "memoryLimitMb", parse: wholeNumber(SETTING_RANGES.memoryLimitMb) },
    "progress-timeout": {
      key: "progressTimeoutSeconds",
      parse: wholeNumber(SETTING_RANGES.progressTimeoutSeconds),
    },
    enabled: { key: "enabled", parse: flag },
    "disable-execution-logs": { key: "disableExecutionLogs", parse: flag },
    namespace: { key: "namespace", parse: namespaceName },
    "allow-overlap": { key: "allowOverlap", parse: flag },
  };
}

/** Every annotation name, in the order the guide lists them. */
export const ANNOTATION_NAMES = [
  "require-role",
  "timeout",
  "max-retries",
  "schedule",
  "schedule-timezone",
  "schedule-params",
  "description",
  "allow-net",
  "allow-env",
  "allow-read",
  "allow-write",
  "memory",
  "progress-timeout",
  "enabled",
  "disable-execution-logs",
  "namespace",
  "allow-overlap",
] as const;

export type AnnotationName = (typeof ANNOTATION_NAMES)[number];

export const annotationNames: readonly string[] = ANNOTATION_NAMES;

const commentPrefix = /^\s*(?:\/\*+|\/\/+|\*+)?\s*/;
const annotationLine = /^@fluxbase:([A-Za-z0-9_-]+)(.*)$/;

/** Find the annotation on one line, if the line's comment text starts with one. */
export function matchAnnotationLine(line: string): { name: string; value: string } | null {
  const match = annotationLine.exec(line.replace(commentPrefix, ""));
  if (!match) return null;
  const rest = match[2] ?? "";
  if (rest !== "" && !/^\s/.test(rest) && !rest.startsWith("*/")) return null;
  return { name: match[1] ?? "", value: rest.replace(/\*\/\s*$/, "").trim() };
}

export function parseAnnotations(source: string, planCron: CronPlanner): ParsedAnnotations {
  const handlers: Record<string, Handler> = handlersWith(planCron);
  const annotations: FunctionAnnotations = {};
  const errors: AnnotationError[] = [];
  const warnings: AnnotationWarning[] = [];
  const firstLine = new Map<string, number>();
  source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    const found = matchAnnotationLine(text);
    if (!found) return;
    const { name, value } = found;
    const handler = handlers[name];
    if (!handler) {
      warnings.push({ line, annotation: name, message: `unknown annotation @fluxbase:${name}` });
      return;
    }
    const first = firstLine.get(name);
    if (first !== undefined) {
      const message = `duplicate @fluxbase:${name}; the one on line ${first} is used`;
      warnings.push({ line, annotation: name, message });
      return;
    }
    firstLine.set(name, line);
    const result = handler.parse(value);
    if ("error" in result) {
      errors.push({ line, annotation: name, message: `@fluxbase:${name} ${result.error}` });
    } else if (handler.assign) {
      handler.assign(annotations, result.value);
    } else {
      (annotations as Record<string, unknown>)[handler.key] = result.value;
    }
  });
  for (const name of ["schedule-params", "schedule-timezone"]) {
    const line = firstLine.get(name);
    if (line !== undefined && !firstLine.has("schedule")) {
      const message = `@fluxbase:${name} has no effect without @fluxbase:schedule`;
      warnings.push({ line, annotation: name, message });
    }
  }
  return { annotations, errors, warnings };
}
