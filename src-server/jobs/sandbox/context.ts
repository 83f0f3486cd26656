// The job context sent as a stdin line (one per job a process runs), and the control
// messages that come back. Mirrors src-runtime/context.ts (the two folders may not
// import each other): change both together.
import type { JsonObject, JsonValue } from "../../../src-sdk/types.ts";
import type { JobRunSpec, JobUserContext, LogLevel } from "../worker/runtime.ts";

export interface JobContextMessage {
  nonce: string;
  /**
   * The job's code: imported by the sandbox from memory, never from a file it could list.
   * Absent when the process ran this very code for its previous job (a reused process):
   * it imports what it kept, afresh.
   */
  code?: string;
  /** How the code is imported: transpiled once by the server, or TypeScript for Deno. */
  codeType: "javascript" | "typescript";
  jobId: string;
  jobName: string;
  namespace: string;
  retryCount: number;
  payload: JsonObject;
  user: JobUserContext | null;
  serverUrl: string;
  userToken: string;
  serviceToken: string;
  env: Record<string, string>;
  secrets: { user: Record<string, string>; system: Record<string, string> };
  maskValues: string[];
  /** Stay up for another job after this one (see src-runtime/context.ts). */
  keepAlive: boolean;
  /** A debug run: stop for the server's debugger before the handler (see src-runtime). */
  debug?: boolean;
}

export type ControlCommand = { type: "cancel" };

export type ControlMessage =
  | { type: "started" }
  | { type: "progress"; percent: number; message?: string; data?: JsonValue }
  | { type: "log"; level: LogLevel; message: string }
  | { type: "result"; value: JsonValue }
  | { type: "error"; message: string; stack?: string }
  /** On stderr after the result or error: all output sent, ready for another job. */
  | { type: "idle" };

const SECRET_VARIABLE = /^FLUXBASE_(SECRET|SETTING|USER)_/;

/** Secret values and tokens: never shown in a log line. */
export function secretValues(spec: JobRunSpec): string[] {
  const values = [
    ...Object.values(spec.secrets.user),
    ...Object.values(spec.secrets.system),
    ...Object.entries(spec.env)
      .filter(([name]) => SECRET_VARIABLE.test(name))
      .map(([, value]) => value),
    spec.userToken,
    spec.serviceToken,
  ];
  return [...new Set(values.filter((value) => typeof value === "string" && value.length >= 4))];
}

export function buildContextMessage(
  spec: JobRunSpec,
  extra: {
    nonce: string;
    env: Record<string, string>;
    keepAlive: boolean;
    /** What to import (see prepared-code.ts). */
    code: { source: string; type: JobContextMessage["codeType"] };
    /** The process holds this code already (it ran it last): it is not sent again. */
    codeKept: boolean;
    debug?: boolean;
  },
): JobContextMessage {
  return {
    nonce: extra.nonce,
    code: extra.codeKept ? undefined : extra.code.source,
    codeType: extra.code.type,
    jobId: spec.jobId,
    jobName: spec.jobName,
    namespace: spec.namespace,
    retryCount: spec.retryCount ?? 0,
    payload: spec.payload ?? {},
    user: spec.user,
    serverUrl: spec.serverUrl,
    userToken: spec.userToken,
    serviceToken: spec.serviceToken,
    env: extra.env,
    secrets: { user: { ...spec.secrets.user }, system: { ...spec.secrets.system } },
    maskValues: secretValues(spec),
    keepAlive: extra.keepAlive,
    ...(extra.debug ? { debug: true } : {}),
  };
}

export function cancelCommand(): string {
  const command: ControlCommand = { type: "cancel" };
  return JSON.stringify(command);
}
