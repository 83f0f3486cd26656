// The debug sessions of this server's jobs, by job id. The HTTP routes create one before
// the job is queued; the worker that runs the job asks whether it wants an inspector, tells
// the session where the inspector listens, and while the session holds the job its
// timeouts stand still. A session nobody has asked about for `detachAfterMs` (the IDE went
// away) lets go of its job, which then runs on under its own timeout.
import { DebugSession, type BreakpointSpec } from "./session.ts";

export interface DebugRegistryOptions {
  /** Without a poll from its debugger for this long, a session detaches (default 30 000 ms). */
  detachAfterMs?: number;
  /** How long an ended session's last state stays readable (default 300 000 ms). */
  keepEndedMs?: number;
  onError?(error: Error): void;
}

/** What the worker side needs (see jobs/worker/execute.ts). */
export interface JobDebugHooks {
  /** The job should start with the inspector on. */
  wants(jobId: string): boolean;
  /** An editor of the user's attaches, not this server: no stop before the handler. */
  external(jobId: string): boolean;
  /** Its inspector listens at this (loopback) URL; settles once the debugger is attached. */
  started(jobId: string, inspectorUrl: string): Promise<void>;
  /** A debugger holds the job: its timeouts and progress timeout stand still. */
  held(jobId: string): boolean;
  /** The attempt is over. */
  finished(jobId: string): void;
}

export interface DebugRegistry extends JobDebugHooks {
  create(
    jobId: string,
    options: { breakpoints?: BreakpointSpec[]; external?: boolean },
  ): DebugSession;
  get(jobId: string): DebugSession | undefined;
  close(): void;
}

export function createDebugRegistry(options: DebugRegistryOptions = {}): DebugRegistry {
  const detachAfterMs = options.detachAfterMs ?? 30_000;
  const keepEndedMs = options.keepEndedMs ?? 300_000;
  const sessions = new Map<string, { session: DebugSession; endedAt?: number }>();

  const sweep = () => {
    const now = Date.now();
    for (const [jobId, entry] of sessions) {
      const { session } = entry;
      if (session.finished) {
        entry.endedAt ??= now;
        if (now - entry.endedAt > keepEndedMs) sessions.delete(jobId);
        continue;
      }
      const away = session.watchers === 0 && now - session.lastSeen > detachAfterMs;
      if (session.holding && away)
        void session
          .detach("the debugger went away; the job runs on under its timeout")
          .catch((error: Error) => options.onError?.(error));
    }
  };
  const timer = setInterval(sweep, Math.max(50, Math.min(5000, detachAfterMs / 4)));
  timer.unref();

  return {
    create(jobId, { breakpoints, external }) {
      const session = new DebugSession({ jobId, breakpoints, external, onError: options.onError });
      sessions.set(jobId, { session });
      return session;
    },
    get: (jobId) => sessions.get(jobId)?.session,
    wants: (jobId) => {
      const session = sessions.get(jobId)?.session;
      return !!session && session.snapshot().status === "waiting";
    },
    async started(jobId, inspectorUrl) {
      const session = sessions.get(jobId)?.session;
      if (!session) return;
      await session.attach(inspectorUrl).catch((error: Error) => {
        options.onError?.(error);
        return session.detach(`the debugger could not attach: ${error.message}`);
      });
    },
    external: (jobId) => sessions.get(jobId)?.session.external ?? false,
    held: (jobId) => sessions.get(jobId)?.session.holding ?? false,
    finished(jobId) {
      sessions.get(jobId)?.session.end();
    },
    close() {
      clearInterval(timer);
      for (const { session } of sessions.values()) session.end("the server stopped");
    },
  };
}
