// Decides how an attempt ended from what the sandbox sent and how it exited.
import type { JsonValue } from "../../../src-sdk/types.ts";
import type { JobOutcome } from "../worker/runtime.ts";

export interface ProcessRunFacts {
  /** Set when we killed the process before it sent a result or an error. */
  killedReason?: string;
  /** Set when the memory watchdog killed the process for going over its limit. */
  memoryExceeded?: boolean;
  result?: { value: JsonValue };
  error?: { message: string };
  exitCode: number | null;
  signal: string | null;
  /** Why the process could not be started at all. */
  spawnError?: string;
  /** The last stderr lines, already masked. */
  stderrTail: readonly string[];
  memoryLimitMb: number;
}

const OOM_TEXT = [
  "Fatal JavaScript out of memory",
  "JavaScript heap out of memory",
  "Reached heap limit",
];

/**
 * V8 says so on stderr, then aborts (SIGABRT, or SIGTRAP on a fatal error), when its
 * heap is full. A signal alone proves nothing: a job may kill or abort itself, so
 * only the watchdog's kill (memoryExceeded) and V8's own report count.
 */
export function looksOutOfMemory(facts: ProcessRunFacts): boolean {
  if (facts.memoryExceeded) return true;
  if (facts.signal === null && facts.exitCode === 0) return false;
  return facts.stderrTail.some((line) => OOM_TEXT.some((text) => line.includes(text)));
}

/** The most telling stderr line: Deno's `error: …` line if any, else the last one. */
export function crashMessage(facts: ProcessRunFacts): string {
  const lines = facts.stderrTail.map((line) => line.trim()).filter((line) => line !== "");
  const denoError = [...lines].reverse().find((line) => line.startsWith("error:"));
  if (denoError) return denoError;
  const last = lines[lines.length - 1];
  if (last) return last;
  if (facts.signal) return `killed by signal ${facts.signal}`;
  return facts.exitCode === 0
    ? "exited without a result"
    : `exit code ${facts.exitCode ?? "unknown"}`;
}

export function decideOutcome(facts: ProcessRunFacts): JobOutcome {
  if (facts.memoryExceeded && !facts.result && !facts.error) return outOfMemory(facts);
  if (facts.killedReason !== undefined) {
    return { ok: false, reason: "killed", error: facts.killedReason };
  }
  if (facts.result) return { ok: true, result: facts.result.value };
  if (facts.error) return { ok: false, reason: "error", error: facts.error.message };
  if (facts.spawnError) return { ok: false, reason: "crashed", error: facts.spawnError };
  if (looksOutOfMemory(facts)) return outOfMemory(facts);
  return { ok: false, reason: "crashed", error: crashMessage(facts) };
}

function outOfMemory(facts: ProcessRunFacts): JobOutcome {
  return { ok: false, reason: "memory", error: `Out of memory (limit ${facts.memoryLimitMb} MB)` };
}
