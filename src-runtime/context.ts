// The job context: the line the server writes on the sandbox's stdin for each job
// (the first line, and in a reused process one after each result), read before
// the job's code is imported. Mirrors src-server/jobs/sandbox/context.ts
// (the two folders may not import each other): change both together.

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface JobUser {
  id: string;
  email?: string;
  role: string;
}

export interface JobContextMessage {
  /** Per-attempt random value; only lines carrying it are control messages. */
  nonce: string;
  /**
   * The job's code, imported (from a blob: URL) after this context is applied. Absent
   * when this process ran the same code for its previous job: that code is imported
   * again, as a fresh module.
   */
  code?: string;
  /** The code's media type: JavaScript (transpiled once by the server) or TypeScript. */
  codeType: "javascript" | "typescript";
  jobId: string;
  jobName: string;
  namespace: string;
  retryCount: number;
  payload: { [key: string]: Json };
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

/** Messages the sandbox sends back, each as one `\u001eFLX<nonce> <json>` line. */
export type ControlMessage =
  | { type: "started" }
  | { type: "progress"; percent: number; message?: string; data?: Json }
  | { type: "log"; level: "debug" | "info" | "warn" | "error"; message: string }
  | { type: "result"; value: Json }
  | { type: "error"; message: string; stack?: string }
  /** On stderr, after the result or error: all output sent, ready for the next job. */
  | { type: "idle" };
