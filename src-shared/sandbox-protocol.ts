// The sandbox wire protocol between the server (src-server/jobs/sandbox/) and the Deno
// entry (src-runtime/): the job context the server writes as one JSON line on the
// sandbox's stdin (the first line, and in a reused process one after each result), the
// commands that may follow it, and the control messages that come back, each as one
// `\u001eFLX<nonce> <json>` line. The nonce is random per attempt and known only to the
// entry, so a job's own output can never pass for a control message.
import type { JsonObject, JsonValue } from "./json.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export interface JobUser {
  id: string;
  email?: string;
  role: string;
}

export interface JobContextMessage {
  /** Per-attempt random value; only lines carrying it are control messages. */
  nonce: string;
  /**
   * The job's code, imported by the sandbox from memory (a blob: URL) after this context is
   * applied, never from a file it could list. Absent when this process ran the same code for
   * its previous job: the module it imported then is called again.
   */
  code?: string;
  /** The code's media type: JavaScript (transpiled once by the server) or TypeScript. */
  codeType: "javascript" | "typescript";
  jobId: string;
  jobName: string;
  namespace: string;
  retryCount: number;
  payload: JsonObject;
  user: JobUser | null;
  serverUrl: string;
  userToken: string;
  serviceToken: string;
  /** Every variable the job sees beyond the spawn environment (FLUXBASE_*). */
  env: Record<string, string>;
  secrets: { user: Record<string, string>; system: Record<string, string> };
  /** Values replaced by "***" in log messages. */
  maskValues: string[];
  /**
   * Stay up after this job for another of the same function and user: clear the
   * job's timers, send `idle` on stderr, then wait for the next context line.
   * Otherwise exit once the result or error is sent.
   */
  keepAlive: boolean;
  /**
   * A debug run (the inspector is on and the server's debugger attached): the handler is
   * put in a global and the entry stops at a `debugger` statement, where the server sets
   * a breakpoint on the handler's first line.
   */
  debug?: boolean;
}

/** Commands the server sends after the context, one JSON line each. */
export type ControlCommand = { type: "cancel" };

/** Messages the sandbox sends back, each as one control line. */
export type ControlMessage =
  /** `at`: when the handler was called, by the sandbox's clock (ms since the epoch). */
  | { type: "started"; at?: number }
  | { type: "progress"; percent: number; message?: string; data?: JsonValue }
  | { type: "log"; level: LogLevel; message: string }
  | { type: "result"; value: JsonValue }
  | { type: "error"; message: string; stack?: string }
  /** On stderr, after the result or error: all output sent, ready for the next job. */
  | { type: "idle" };

/** What starts every control line, before the nonce. */
export const CONTROL_MARK = "\u001eFLX";

/** The prefix of one attempt's control lines: the mark, the nonce and a space. */
export function controlPrefix(nonce: string): string {
  return `${CONTROL_MARK}${nonce} `;
}

/** A parsed control line's JSON as a message, or null when it is not a well-formed one. */
export function toControlMessage(value: unknown): ControlMessage | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  switch (record.type) {
    case "started":
      return typeof record.at === "number" && Number.isFinite(record.at)
        ? { type: "started", at: record.at }
        : { type: "started" };
    case "progress":
      return typeof record.percent === "number" ? (record as ControlMessage) : null;
    case "log":
      return typeof record.message === "string" &&
        (LOG_LEVELS as readonly unknown[]).includes(record.level)
        ? (record as ControlMessage)
        : null;
    case "result":
      return { type: "result", value: (record.value ?? null) as JsonValue };
    case "error":
      return typeof record.message === "string" ? (record as ControlMessage) : null;
    case "idle":
      return { type: "idle" };
    default:
      return null;
  }
}
