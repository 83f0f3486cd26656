// A JobRuntime that calls JavaScript handlers in this process. No isolation: it exists
// to measure the queue path without sandbox start-up, and for unit tests of the pool.
import type { JsonValue } from "../../../src-sdk/types.ts";
import { coerceError } from "../../errors.ts";
import type {
  JobOutcome,
  JobRunCallbacks,
  JobRunHandle,
  JobRunSpec,
  JobRuntime,
} from "./runtime.ts";

export interface InProcessJob {
  spec: JobRunSpec;
  reportProgress(percent: number, message?: string): void;
  log(message: string): void;
  isCancelled(): boolean;
}

export type InProcessHandler = (job: InProcessJob) => Promise<JsonValue> | JsonValue;

export function createInProcessRuntime(handlers: Record<string, InProcessHandler>): JobRuntime {
  return {
    start(spec: JobRunSpec, callbacks: JobRunCallbacks): JobRunHandle {
      let cancelled = false;
      let settle!: (outcome: JobOutcome) => void;
      const done = new Promise<JobOutcome>((resolve) => (settle = resolve));
      const handler = handlers[spec.jobName];
      queueMicrotask(async () => {
        if (!handler)
          return settle({
            ok: false,
            error: `No in-process handler for ${spec.jobName}`,
            reason: "error",
          });
        callbacks.onStart?.(performance.timeOrigin + performance.now());
        try {
          const result = await handler({
            spec,
            reportProgress: (percent, message) => callbacks.onProgress({ percent, message }),
            log: (message) => callbacks.onLog("info", message),
            isCancelled: () => cancelled,
          });
          settle({ ok: true, result: result ?? null });
        } catch (err) {
          settle({ ok: false, error: coerceError(err).message, reason: "error" });
        }
      });
      return {
        done,
        requestCancel: () => {
          cancelled = true;
        },
        kill: (reason) => settle({ ok: false, error: reason, reason: "killed" }),
      };
    },
    close: async () => undefined,
  };
}
