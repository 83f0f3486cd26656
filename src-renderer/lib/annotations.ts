// `@fluxbase:` annotations for the editor: the names with a one-line help (for completion),
// and a check of a file as the server will read it. The parser is the server's own
// (src-shared/annotations.ts), so the editor accepts and refuses exactly what loading does.
import {
  matchAnnotationLine,
  parseAnnotations,
  type AnnotationName,
} from "../../src-shared/annotations.ts";
import { KNOWN_ROLES } from "../../src-shared/roles.ts";
import { cronInWords, nextFireTimes, planCron } from "./cron.ts";

export { matchAnnotationLine };

/** A one-line help and an example value for each annotation, for completion. */
export const ANNOTATIONS: Record<AnnotationName, { help: string; example: string }> = {
  "require-role": { help: "Roles allowed to submit (comma-separated)", example: "authenticated" },
  timeout: { help: "Maximum run time in seconds", example: "300" },
  "max-retries": { help: "Retries after a failure", example: "3" },
  schedule: { help: "Cron schedule (5 fields, or 6 with seconds)", example: "0 2 * * *" },
  "schedule-timezone": {
    help: "IANA time zone of the schedule (local only)",
    example: "Europe/Paris",
  },
  "schedule-params": {
    help: "Payload of scheduled runs (JSON object)",
    example: '{"source":"cron"}',
  },
  description: { help: "What the job does (local only)", example: "Nightly report" },
  "allow-net": { help: "Network access (or hosts on private networks)", example: "true" },
  "allow-env": { help: "Environment access", example: "true" },
  "allow-read": { help: "File read access", example: "true" },
  "allow-write": { help: "File write access", example: "true" },
  memory: { help: "Memory limit in MB", example: "256" },
  "progress-timeout": { help: "Fail when no progress for this long", example: "60" },
  enabled: { help: "Whether the function may run", example: "true" },
  "disable-execution-logs": { help: "Keep no execution logs", example: "" },
  namespace: { help: "Namespace (CLI only upstream)", example: "default" },
  "allow-overlap": {
    help: "Let a cron fire start while the last run is still going",
    example: "true",
  },
};

export interface Diagnostic {
  /** 1-based. */
  line: number;
  severity: "error" | "warning" | "info";
  message: string;
  /** "annotation", "role", "schedule" or a portability rule name. */
  rule: string;
}

/** The line of the first (the used) occurrence of an annotation. */
function firstLine(source: string, name: AnnotationName): number | undefined {
  const index = source.split(/\r?\n/).findIndex((text) => matchAnnotationLine(text)?.name === name);
  return index === -1 ? undefined : index + 1;
}

/** The server's errors and warnings, unknown roles, and the plan of a good schedule. */
export function checkAnnotations(source: string, now: Date = new Date()): Diagnostic[] {
  const { annotations, errors, warnings } = parseAnnotations(source, planCron);
  const out: Diagnostic[] = [
    ...errors.map((issue) => ({
      line: issue.line,
      severity: "error" as const,
      rule: issue.annotation === "schedule" ? "schedule" : "annotation",
      message: issue.message,
    })),
    ...warnings.map((issue) => ({
      line: issue.line,
      severity: "warning" as const,
      rule: "annotation",
      message: issue.message,
    })),
  ];
  const rolesLine = firstLine(source, "require-role");
  for (const role of annotations.requireRoles ?? []) {
    if (rolesLine === undefined || KNOWN_ROLES.includes(role)) continue;
    out.push({
      line: rolesLine,
      severity: "warning",
      rule: "role",
      message: `unknown role "${role}": only users with exactly this role may submit (known: ${KNOWN_ROLES.join(", ")})`,
    });
  }
  const scheduleLine = firstLine(source, "schedule");
  if (annotations.schedule && scheduleLine !== undefined) {
    const runs = nextFireTimes(annotations.schedule, now, 5, annotations.scheduleTimezone);
    const when = runs.map((d) => d.toLocaleString()).join("; ");
    out.push({
      line: scheduleLine,
      severity: "info",
      rule: "schedule",
      message: `${cronInWords(annotations.schedule)}. Next: ${when}`,
    });
  }
  return out.sort((a, b) => a.line - b.line);
}
