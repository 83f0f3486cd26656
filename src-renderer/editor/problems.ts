// The Problems list of the IDE: one shape for type errors, build errors, annotation checks and
// portability warnings, sorted by line, and the comment that silences a portability warning.

export type ProblemSource = "typescript" | "build" | "annotation" | "portability";

export interface Problem {
  /** 1-based. */
  line: number;
  /** 1-based; 0 when the whole line is meant. */
  column: number;
  severity: "error" | "warning" | "info";
  source: ProblemSource;
  message: string;
  /** A portability rule, an annotation rule, or a TypeScript code ("TS2322"). */
  rule?: string;
}

/** Portability rules that break the job outright (on Fluxbase or here); shown as errors. */
export const BREAKING_RULES = new Set([
  "comment-closed-by-value",
  "redeclared-global",
  "schema-qualified-from",
]);

interface MessageChain {
  messageText: string;
  next?: MessageChain[];
}

/** TypeScript's message, with its chained details on following lines. */
export function flattenMessage(text: string | MessageChain, indent = 0): string {
  if (typeof text === "string") return text;
  const head = `${"  ".repeat(indent)}${text.messageText}`;
  return [head, ...(text.next ?? []).map((n) => flattenMessage(n, indent + 1))].join("\n");
}

const severityRank = { error: 0, warning: 1, info: 2 };

/** By line, then errors first; duplicates (same line, source and message) once. */
export function sortProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return [...problems]
    .sort(
      (a, b) =>
        a.line - b.line ||
        severityRank[a.severity] - severityRank[b.severity] ||
        a.column - b.column,
    )
    .filter((p) => {
      const key = `${p.line}\u0000${p.source}\u0000${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** "3 errors, 1 warning", or "No problems". Info lines (a schedule's plan) are not problems. */
export function problemSummary(problems: Problem[]): string {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.filter((p) => p.severity === "warning").length;
  if (!errors && !warnings) return "No problems";
  const part = (n: number, word: string) => (n ? `${n} ${word}${n === 1 ? "" : "s"}` : "");
  return [part(errors, "error"), part(warnings, "warning")].filter(Boolean).join(", ");
}

/** The line to insert above `lineText` to silence `rule`: a `// …` line, or ` * …` inside a block comment. */
export function silenceLine(lineText: string, rule: string): string {
  const indent = /^\s*/.exec(lineText)?.[0] ?? "";
  return /^\s*\*/.test(lineText) && !/^\s*\*\//.test(lineText)
    ? `${indent}* portability-ignore ${rule}`
    : `${indent}// portability-ignore ${rule}`;
}
