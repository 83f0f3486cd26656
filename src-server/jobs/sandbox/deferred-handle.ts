// A run handle for a run that starts once something it needs is ready (the
// addresses of the host names its function lists, the system's network rules). A
// cancel or kill asked for before then is passed on as soon as the run exists.
import type { JobOutcome } from "../worker/runtime.ts";
import type { SandboxRunHandle } from "./process-run.ts";

export function deferredHandle(started: Promise<SandboxRunHandle>): SandboxRunHandle {
  let inner: SandboxRunHandle | undefined;
  let cancelAsked = false;
  let killReason: string | undefined;
  const done: Promise<JobOutcome> = started.then(
    (handle) => {
      inner = handle;
      if (cancelAsked) handle.requestCancel();
      if (killReason !== undefined) handle.kill(killReason);
      return handle.done;
    },
    (error: unknown) => ({
      ok: false,
      reason: "crashed",
      error: `cannot start the sandbox: ${(error as Error)?.message ?? String(error)}`,
    }),
  );
  return {
    get warm() {
      return inner?.warm ?? false;
    },
    get reused() {
      return inner?.reused ?? false;
    },
    done,
    requestCancel() {
      cancelAsked = true;
      inner?.requestCancel();
    },
    kill(reason) {
      killReason ??= reason;
      inner?.kill(reason);
    },
  };
}
