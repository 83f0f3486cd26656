// The seam between the worker pool and whatever executes job code.
// The Deno sandbox (jobs/sandbox) is the real implementation; an in-process
// runtime serves benchmarks and unit tests of the pool.
import type { JsonObject, JsonValue } from "../../../src-sdk/types.ts";
import type { JobUser, LogLevel } from "../../../src-shared/sandbox-protocol.ts";

export interface JobPermissions {
  allowNet: boolean;
  allowEnv: boolean;
  allowRead: boolean;
  allowWrite: boolean;
  memoryLimitMb: number;
  /**
   * Destinations on this machine or its networks (loopback, private, link-local, which
   * are otherwise denied) the function names: `host`, `host:port`, `[v6]:port`.
   */
  allowNetHosts?: string[];
}

/** The submitting user as the job sees it. */
export type JobUserContext = JobUser;

/** Everything needed to run one attempt of one job. */
export interface JobRunSpec {
  jobId: string;
  jobName: string;
  namespace: string;
  /** Function id and version identify the code; the code itself is passed along. */
  functionId: string;
  functionVersion: number;
  code: string;
  payload: JsonObject;
  retryCount: number;
  user: JobUserContext | null;
  permissions: JobPermissions;
  /** FLUXBASE_* variables for the job's environment, already filtered by the caller. */
  env: Record<string, string>;
  /** Base URL of the local API (FLUXBASE_URL inside the job). */
  serverUrl: string;
  /** Short-lived tokens for the job's `fluxbase` (user) and `fluxbaseService` clients. */
  userToken: string;
  serviceToken: string;
  /** Secrets visible to this job: the user's shadow the system's. Never logged. */
  secrets: { user: Record<string, string>; system: Record<string, string> };
  /**
   * A debug run: the sandbox starts with the V8 inspector on loopback, reports where it
   * listens, and is given its job once the returned promise settles (the debugger is
   * attached); it then stops before the handler's first line.
   */
  inspector?: {
    onListening(url: string): Promise<void>;
    /** Stop before the handler for the server's debugger (an editor's sets its own breakpoints). */
    stopAtEntry: boolean;
  };
}

export interface ProgressReport {
  percent: number;
  message?: string;
  data?: JsonValue;
}

export type { LogLevel };

export interface JobRunCallbacks {
  onProgress(progress: ProgressReport): void;
  onLog(level: LogLevel, message: string): void;
  /**
   * The handler began executing (after module load); used for latency figures. `atMs`:
   * when, by the clock of the process that ran it (ms since the epoch), when it said.
   */
  onStart?(atMs?: number): void;
}

export type JobOutcome =
  | { ok: true; result: JsonValue }
  | { ok: false; error: string; reason: "error" | "killed" | "crashed" | "memory" };

export interface JobRunHandle {
  /** Ask the job to stop: checkCancellation() turns true inside it. */
  requestCancel(): void;
  /** Kill the job now; `done` then resolves with a failed outcome. */
  kill(reason: string): void;
  readonly done: Promise<JobOutcome>;
}

export interface JobRuntime {
  start(spec: JobRunSpec, callbacks: JobRunCallbacks): JobRunHandle;
  /** Stop every pre-started and running sandbox. */
  close(): Promise<void>;
}
