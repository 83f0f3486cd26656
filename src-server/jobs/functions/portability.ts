// Portability checks (compatibility §8.3): constructs that work on Fluxbase Local but break,
// or behave differently, on an upstream Fluxbase server. They are warnings shown in
// the IDE and the loader's log, never errors: the job still loads here.
//
// Everything is a line-based, best-effort scan of the source (no parser): a hit
// in a string or a helper function can be a false positive, and messages say so
// where that is likely.
import { matchAnnotationLine } from "./annotations.ts";
import { nextRuns } from "../scheduler/plan.ts";

import type { PortabilityWarning } from "../../../src-sdk/types.ts";

export type { PortabilityWarning };

export interface PortabilityOptions {
  /**
   * True (default) for a function's entry file. Supporting files skip the rules
   * about annotations, the handler's export and return value, and module globals.
   */
  entry?: boolean;
}

type Hit = Omit<PortabilityWarning, "file">;

/** Upstream rejects schedules whose next runs are less than a minute apart (compatibility §6.7). */
function firesUnderAMinute(cron: string): boolean {
  try {
    const runs = nextRuns({ cron, timezone: "UTC" }, new Date(Date.UTC(2000, 0, 1)), 5);
    return runs.some((run, i) => i > 0 && run.getTime() - runs[i - 1]!.getTime() < 60_000);
  } catch {
    return false;
  }
}

const isCommentLine = (text: string | undefined): boolean =>
  /^\s*(?:\/\/|\*|\/\*)/.test(text ?? "");

/** For each line, whether a block comment is open where it starts (best effort: strings are not skipped). */
function blockCommentOpenAt(lines: string[]): boolean[] {
  let open = false;
  return lines.map((text) => {
    const atStart = open;
    for (const match of text.matchAll(/\/\*|\*\/|\/\//g)) {
      if (!open && match[0] === "//") break;
      if (!open && match[0] === "/*") open = true;
      else if (open && match[0] === "*/") open = false;
    }
    return atStart;
  });
}

/** Annotation lines that upstream's regex parser reads differently (compatibility §5.1). */
function annotationRules(lines: string[]): Hit[] {
  const hits: Hit[] = [];
  const inBlock = blockCommentOpenAt(lines);
  lines.forEach((text, index) => {
    const found = matchAnnotationLine(text);
    if (!found) return;
    const line = index + 1;
    const add = (rule: string, message: string) => hits.push({ line, rule, message });
    const closesBlock = /\*\/\s*$/.test(text);
    const { name, value } = found;
    if ((inBlock[index] || /^\s*\/\*/.test(text)) && value.includes("*/")) {
      add(
        "comment-closed-by-value",
        `the "*/" in "${value}" ends the block comment, so the rest of the line is read as code; ` +
          "write this annotation on a `//` line instead",
      );
    }
    if (name === "schedule" && value.startsWith("@")) {
      add(
        "schedule-descriptor",
        `Fluxbase cannot read "${value}" in an annotation and never schedules the job; write a cron expression`,
      );
    } else if (
      name === "schedule" &&
      (closesBlock || isCommentLine(lines.slice(index + 1).find((next) => next.trim() !== "")))
    ) {
      add(
        "schedule-followed-by-comment",
        "Fluxbase reads a schedule across the line break into the next comment line and then runs it hourly or never; " +
          "put it on a `//` line directly above the code (e.g. above `export async function handler`)",
      );
    }
    if (name === "schedule" && !value.startsWith("@") && firesUnderAMinute(value)) {
      add(
        "schedule-sub-minute",
        "Fluxbase rejects schedules that fire more than once a minute and never runs the job",
      );
    }
    if (name === "schedule-timezone")
      add(
        "schedule-timezone",
        "Fluxbase ignores @fluxbase:schedule-timezone and uses the server's local time",
      );
    if (name === "description")
      add(
        "description-ignored",
        "Fluxbase ignores @fluxbase:description; the function's description stays empty there",
      );
    if (name === "namespace")
      add(
        "namespace-annotation",
        "the Fluxbase server ignores @fluxbase:namespace (only the CLI reads it)",
      );
    if (name === "require-role" && closesBlock) {
      add(
        "require-role-one-line",
        `Fluxbase reads the rest of the line as the role ("${value} */"); close the comment on the next line`,
      );
    }
    if (name === "allow-net" && !["", "true", "false"].includes(value.toLowerCase())) {
      add(
        "allow-net-hosts",
        "a host list in @fluxbase:allow-net is Fluxbase Local only: Fluxbase treats it as plain network access " +
          "(every destination, private ones included)",
      );
    }
    if ((name === "allow-read" || name === "allow-write") && value === "") {
      add(
        "bare-allow-flag",
        `Fluxbase needs "@fluxbase:${name} true"; a bare annotation leaves it off there`,
      );
    }
    if (name === "disable-execution-logs" && value.toLowerCase() === "false") {
      add(
        "disable-logs-false",
        "Fluxbase disables execution logs for any value, including false; remove the line instead",
      );
    }
  });
  return hits;
}

/** Text of the handler, found by brace counting from its declaration; the whole file if absent. */
function handlerLines(lines: string[]): { from: number; to: number } {
  const start = lines.findIndex((l) =>
    /\bfunction\s+handler\b|\b(?:const|let)\s+handler\s*=|^\s*export\s+default\b/.test(l),
  );
  if (start === -1) return { from: 0, to: lines.length - 1 };
  let depth = 0;
  let opened = false;
  for (let i = start; i < lines.length; i++) {
    const code = (lines[i] ?? "")
      .replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""')
      .replace(/\/\/.*$/, "");
    for (const char of code) {
      if (char === "{") [depth, opened] = [depth + 1, true];
      if (char === "}") depth--;
    }
    if (opened && depth <= 0) return { from: start, to: i };
  }
  return { from: start, to: lines.length - 1 };
}

/** Top-level arguments of the call whose "(" is at `open` (best effort, one line). */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = open + 1; i < text.length; i++) {
    const char = text[i] ?? "";
    if (depth === 0 && (char === "," || char === ")")) {
      args.push(current.trim());
      current = "";
      if (char === ")") break;
      continue;
    }
    if ("([{".includes(char)) depth++;
    if (")]}".includes(char)) depth--;
    current += char;
  }
  return args;
}

const rounded = /Math\.(?:floor|round|ceil|trunc)\s*\(|parseInt\s*\(|\|\s*0\b/;

function progressRule(text: string, line: number): Hit[] {
  const hits: Hit[] = [];
  for (const match of text.matchAll(/reportProgress\s*\(/g)) {
    const [percent = "", , data = ""] = callArguments(
      text,
      (match.index ?? 0) + match[0].length - 1,
    );
    if ((percent.includes("/") || /\d\.\d/.test(percent)) && !rounded.test(percent)) {
      hits.push({
        line,
        rule: "fractional-progress",
        message: "Fluxbase drops a fractional percent; wrap it in Math.floor() or Math.round()",
      });
    }
    if (/^(?:\[|["'`]|-?\d|true\b|false\b)/.test(data)) {
      hits.push({
        line,
        rule: "non-object-progress-data",
        message: "Fluxbase drops progress whose data is not an object; pass an object",
      });
    }
  }
  return hits;
}

function handlerReturnRule(lines: string[]): Hit[] {
  const { from, to } = handlerLines(lines);
  const hits: Hit[] = [];
  for (let i = from; i <= to; i++) {
    if (/\breturn\s+(?:\[|["'`]|-?\d|true\b|false\b)/.test(lines[i] ?? "")) {
      hits.push({
        line: i + 1,
        rule: "non-object-result",
        message:
          "Fluxbase fails a job whose handler returns an array or a primitive; return an object such as { result: ... } (ignore this if the return is in a nested function)",
      });
    }
  }
  return hits;
}

/** Names the upstream wrapper declares at module scope around the job's code (compatibility §4.2). */
const reserved = [
  "secrets",
  "Fluxbase",
  "createClient",
  "_fluxbase",
  "_fluxbaseService",
  "_jobUtils",
  "_fluxbaseUrl",
  "_jobToken",
  "_serviceToken",
  "_createFluxbaseClient",
  "_FluxbaseSDK",
];
const declaration =
  /^(?:export\s+)?(?:const|let|var|class|(?:async\s+)?function\*?)\s+([A-Za-z_$][\w$]*)/;

/** Names bound at module scope by declarations and imports. */
function moduleBindings(source: string, lines: string[]): { name: string; line: number }[] {
  const found: { name: string; line: number }[] = [];
  lines.forEach((text, index) => {
    const name = declaration.exec(text)?.[1];
    if (name) found.push({ name, line: index + 1 });
  });
  for (const match of source.matchAll(/^import\s+(?!type\b)([^;'"]*?)\s+from\s/gm)) {
    const line = source.slice(0, match.index ?? 0).split("\n").length;
    const clause = match[1] ?? "";
    const inBraces = /\{([^}]*)\}/.exec(clause)?.[1] ?? "";
    const outside = clause.replace(/\{[^}]*\}/, "");
    const names = [
      ...inBraces.split(",").map(
        (spec) =>
          spec
            .trim()
            .split(/\s+as\s+/)
            .pop() ?? "",
      ),
      ...outside.split(",").map((part) => part.replace(/^\s*\*\s*as\s+/, "").trim()),
    ];
    for (const name of names) if (name && !name.startsWith("type ")) found.push({ name, line });
  }
  return found;
}

/** How a warning is silenced, for messages and the IDE. */
export function silenceHint(rule: string): string {
  return `silence with a \`// portability-ignore ${rule}\` comment on the line above (or \`portability-ignore-file ${rule}\` anywhere in a comment)`;
}

const ignoreComment =
  /(?:\/\/|\/\*|^\s*\*)\s*portability-ignore(-file)?\s+([\w-]+(?:\s*,\s*[\w-]+)*)/;

/**
 * Rules silenced by `portability-ignore <rule>[, <rule>]` comments: at the end of a line
 * (that line), alone on a line (the next line), or `portability-ignore-file <rule>` (the file).
 */
function ignoredRules(lines: string[]): { file: Set<string>; byLine: Map<number, Set<string>> } {
  const file = new Set<string>();
  const byLine = new Map<number, Set<string>>();
  lines.forEach((text, index) => {
    const match = ignoreComment.exec(text);
    if (!match) return;
    const rules = (match[2] ?? "").split(",").map((r) => r.trim());
    if (match[1]) return rules.forEach((r) => file.add(r));
    const alone = text.slice(0, match.index).trim() === "" || /^\s*\*/.test(text);
    const line = alone ? index + 2 : index + 1;
    const set = byLine.get(line) ?? new Set<string>();
    rules.forEach((r) => set.add(r));
    byLine.set(line, set);
  });
  return { file, byLine };
}

export function checkPortability(
  source: string,
  fileName: string,
  options: PortabilityOptions = {},
): PortabilityWarning[] {
  const lines = source.split(/\r?\n/);
  const ignored = ignoredRules(lines);
  return findHits(source, lines, options)
    .filter((hit) => !ignored.file.has(hit.rule) && !ignored.byLine.get(hit.line)?.has(hit.rule))
    .map((hit) => ({ ...hit, file: fileName }));
}

function findHits(source: string, lines: string[], options: PortabilityOptions): Hit[] {
  const entry = options.entry ?? true;
  const hits: Hit[] = entry ? annotationRules(lines) : [];
  lines.forEach((text, index) => {
    const line = index + 1;
    const add = (rule: string, message: string) => hits.push({ line, rule, message });
    if (isCommentLine(text)) return;
    for (const m of text.matchAll(
      /(storage\s*\.\s*)?\bfrom\s*\(\s*["'`]([A-Za-z_]\w*)\.([A-Za-z_]\w*)["'`]\s*\)/g,
    )) {
      if (m[1]) continue;
      add(
        "schema-qualified-from",
        `Fluxbase answers 404 to from("${m[2]}.${m[3]}"); use .schema("${m[2]}").from("${m[3]}")`,
      );
    }
    if (/\bcheckCancellation\s*\(|FLUXBASE_JOB_CANCELLED/.test(text)) {
      add(
        "check-cancellation",
        "Fluxbase never reports cancellation to a running job; there the job runs to its end",
      );
    }
    if (/\.channel\s*\(|postgres_changes|\.realtime\b/.test(text)) {
      add(
        "realtime-in-job",
        "on Fluxbase a job's realtime socket is anonymous and receives no events",
      );
    }
    hits.push(...progressRule(text, line));
    if (
      entry &&
      /^\s*export\s+default\s+(?:async\s+)?(?:function\s*\*?\s*\(|\(|[A-Za-z_$][\w$]*\s*=>)/.test(
        text,
      )
    ) {
      add(
        "anonymous-default-export",
        "Fluxbase looks for a named handler; write `export async function handler(...)`",
      );
    }
  });
  if (entry) {
    hits.push(...handlerReturnRule(lines));
    for (const { name, line } of moduleBindings(source, lines)) {
      if (reserved.includes(name)) {
        hits.push({
          line,
          rule: "redeclared-global",
          message: `Fluxbase's job wrapper already declares \`${name}\` at module scope, so declaring or importing it again is a SyntaxError there`,
        });
      }
    }
  }
  return hits.sort((a, b) => a.line - b.line);
}
