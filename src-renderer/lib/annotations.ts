// `@fluxbase:` annotations for the editor: the names (for completion), and a check of
// each line as the server's parser would read it (src-server/jobs/annotations.ts; copied,
// not imported: the renderer may not import src-server, and the rules are short).
import { cronInWords, nextFireTimes, validateCron } from "./cron.ts";

type Check = (value: string) => string | null;

const wholeNumber =
  (min: number, unit: string): Check =>
  (v) =>
    /^\d+$/.test(v) && Number(v) >= min
      ? null
      : `expects a whole number of ${unit} >= ${min}, got "${v}"`;

const flag: Check = (v) =>
  ["", "true", "false"].includes(v.toLowerCase())
    ? null
    : `expects true or false (or nothing, meaning true), got "${v}"`;

function timeZone(value: string): string | null {
  if (!value) return "expects an IANA time zone such as Europe/Paris";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return null;
  } catch {
    return `unknown time zone "${value}" (expects an IANA name such as Europe/Paris)`;
  }
}

function jsonObject(value: string): string | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return null;
  } catch {
    // fall through
  }
  return `expects a JSON object on one line, got "${value}"`;
}

export const KNOWN_ROLES = ["anon", "authenticated", "admin", "dashboard_admin", "service_role"];

function roles(value: string): string | null {
  const list = value
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean);
  if (list.length === 0) return "expects a comma-separated list of roles";
  const bad = list.find((r) => /\s/.test(r));
  return bad ? `role names cannot contain spaces, got "${bad}"` : null;
}

/** Name → value check and a one-line help for completion. */
export const ANNOTATIONS: Record<string, { check: Check; help: string; example: string }> = {
  "require-role": {
    check: roles,
    help: "Roles allowed to submit (comma-separated)",
    example: "authenticated",
  },
  timeout: {
    check: wholeNumber(1, "seconds"),
    help: "Maximum run time in seconds",
    example: "300",
  },
  "max-retries": {
    check: wholeNumber(0, "retries"),
    help: "Retries after a failure",
    example: "3",
  },
  schedule: {
    check: (v) => {
      const c = validateCron(v);
      return c.ok ? null : c.error;
    },
    help: "Cron schedule (5 fields, or 6 with seconds)",
    example: "0 2 * * *",
  },
  "schedule-timezone": {
    check: timeZone,
    help: "IANA time zone of the schedule (local only)",
    example: "Europe/Paris",
  },
  "schedule-params": {
    check: jsonObject,
    help: "Payload of scheduled runs (JSON object)",
    example: '{"source":"cron"}',
  },
  description: {
    check: (v) => (v ? null : "expects a description"),
    help: "What the job does (local only)",
    example: "Nightly report",
  },
  "allow-net": { check: flag, help: "Network access", example: "true" },
  "allow-env": { check: flag, help: "Environment access", example: "true" },
  "allow-read": { check: flag, help: "File read access", example: "true" },
  "allow-write": { check: flag, help: "File write access", example: "true" },
  memory: { check: wholeNumber(1, "megabytes"), help: "Memory limit in MB", example: "256" },
  "progress-timeout": {
    check: wholeNumber(1, "seconds"),
    help: "Fail when no progress for this long",
    example: "60",
  },
  enabled: { check: flag, help: "Whether the function may run", example: "true" },
  "disable-execution-logs": { check: flag, help: "Keep no execution logs", example: "" },
  namespace: {
    check: (v) =>
      /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(v)
        ? null
        : `expects a namespace name (letters, digits, _ and -), got "${v}"`,
    help: "Namespace (CLI only upstream)",
    example: "default",
  },
  "allow-overlap": {
    check: flag,
    help: "Let a cron fire start while the last run is still going",
    example: "true",
  },
};

export const annotationNames: readonly string[] = Object.keys(ANNOTATIONS);

const commentPrefix = /^\s*(?:\/\*+|\/\/+|\*+)?\s*/;
const annotationLine = /^@fluxbase:([A-Za-z0-9_-]+)(.*)$/;

/** The annotation on one line, if its comment text starts with one (as the server reads it). */
export function matchAnnotationLine(line: string): { name: string; value: string } | null {
  const match = annotationLine.exec(line.replace(commentPrefix, ""));
  if (!match) return null;
  const rest = match[2] ?? "";
  if (rest !== "" && !/^\s/.test(rest) && !rest.startsWith("*/")) return null;
  return { name: match[1] ?? "", value: rest.replace(/\*\/\s*$/, "").trim() };
}

export interface Diagnostic {
  /** 1-based. */
  line: number;
  severity: "error" | "warning" | "info";
  message: string;
  /** "annotation", "role", "schedule" or a portability rule name. */
  rule: string;
}

/** Errors, unknown names and roles, duplicates, and the plan of a good schedule. */
export function checkAnnotations(source: string, now: Date = new Date()): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, number>();
  let timezone: string | undefined;
  source.split(/\r?\n/).forEach((text) => {
    const found = matchAnnotationLine(text);
    if (found?.name === "schedule-timezone" && !timeZone(found.value)) timezone = found.value;
  });
  source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    const found = matchAnnotationLine(text);
    if (!found) return;
    const { name, value } = found;
    const spec = ANNOTATIONS[name];
    if (!spec) {
      out.push({
        line,
        severity: "warning",
        rule: "annotation",
        message: `unknown annotation @fluxbase:${name}`,
      });
      return;
    }
    if (seen.has(name)) {
      out.push({
        line,
        severity: "warning",
        rule: "annotation",
        message: `duplicate @fluxbase:${name}; the one on line ${seen.get(name)} is used`,
      });
      return;
    }
    seen.set(name, line);
    const error = spec.check(value);
    if (error) {
      out.push({
        line,
        severity: "error",
        rule: name === "schedule" ? "schedule" : "annotation",
        message: `@fluxbase:${name} ${error}`,
      });
      return;
    }
    if (name === "require-role") {
      for (const role of value
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean)) {
        if (!KNOWN_ROLES.includes(role)) {
          out.push({
            line,
            severity: "warning",
            rule: "role",
            message: `unknown role "${role}": only users with exactly this role may submit (known: ${KNOWN_ROLES.join(", ")})`,
          });
        }
      }
    }
    if (name === "schedule") {
      const runs = nextFireTimes(value, now, 5, timezone);
      const when = runs.map((d) => d.toLocaleString()).join("; ");
      out.push({
        line,
        severity: "info",
        rule: "schedule",
        message: `${cronInWords(value)}. Next: ${when}`,
      });
    }
  });
  return out;
}
