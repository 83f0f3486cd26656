// Sandboxes kept after a job that ended cleanly, for the next job with the same
// reuse key: the same code, the same command line (permission set, memory limit)
// and the same user, so that whatever a job leaves in the process (globals,
// caches of imported libraries) is only ever seen by the same code acting for the same
// user. A process waits here at most `idleMs`; beyond `maxIdle` processes the one
// idle longest is ended first. Processes that time out together (a burst's, all idle
// since its last jobs) end one at a time, `retireSpacingMs` apart: killing a score of
// them at once held up the jobs running meanwhile (their handlers started 44-189 ms late
// in `npm run bench`'s latency test); until its turn a process can still be taken.
import type { JobRunSpec } from "../worker/runtime.ts";
import type { SandboxProcess } from "./process.ts";

type ReuseSpec = Pick<JobRunSpec, "functionId" | "functionVersion" | "user">;

/**
 * `launchKey` is the command line; `codeId` names the code by its hash. Jobs without a
 * submitting user (service key, anonymous, schedules) share the key "no user": the job
 * row does not tell them apart. The module is imported once per process, so what such
 * jobs share is the module's top-level state, globalThis and imported libraries' state.
 */
export function reuseKey(launchKey: string, spec: ReuseSpec, codeId: string): string {
  const user = spec.user ? [spec.user.id, spec.user.role] : "anonymous";
  return JSON.stringify([launchKey, spec.functionId, spec.functionVersion, codeId, user]);
}

export interface IdleProcessesOptions {
  idleMs: number;
  maxIdle: number;
  /** Time-outs end one process per this many milliseconds at most (default 100). */
  retireSpacingMs?: number;
}

interface IdleEntry {
  key: string;
  process: SandboxProcess;
  timer: NodeJS.Timeout;
  /** Stops waiting for the process's exit once the entry is gone (taken or retired). */
  leave: () => void;
}

export class IdleProcesses {
  private readonly byKey = new Map<string, IdleEntry[]>();
  /** Insertion order is the order processes became idle: the first is the oldest. */
  private readonly entries = new Map<SandboxProcess, IdleEntry>();
  private closed = false;

  constructor(private readonly options: IdleProcessesOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The most recently idle live process for this key (the older ones then age out). */
  take(key: string): SandboxProcess | undefined {
    const list = this.byKey.get(key);
    while (list && list.length > 0) {
      const entry = list[list.length - 1] as IdleEntry;
      this.remove(entry);
      if (entry.process.alive) return entry.process;
    }
    return undefined;
  }

  /** Keeps the process for its key, or ends it when the runtime is closing. */
  release(key: string, process: SandboxProcess): void {
    if (this.closed || !process.alive || this.options.maxIdle <= 0) return process.kill();
    const entry: IdleEntry = {
      key,
      process,
      timer: setTimeout(() => this.timedOut(entry), this.options.idleMs),
      leave: () => {},
    };
    entry.timer.unref();
    this.entries.set(process, entry);
    const list = this.byKey.get(key);
    if (list) list.push(entry);
    else this.byKey.set(key, [entry]);
    entry.leave = process.onExit(() => this.remove(entry));
    for (const oldest of this.entries.values()) {
      if (this.entries.size <= this.options.maxIdle) break;
      this.retire(oldest);
    }
  }

  /** Ends every idle process and resolves once they have all exited. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    for (const entry of all) this.retire(entry);
    await Promise.all(all.map((entry) => entry.process.exited));
  }

  /** When the last time-out ended a process: the next waits its spacing after it. */
  private lastTimeOut = -Infinity;

  private timedOut(entry: IdleEntry): void {
    const now = performance.now();
    const due = this.lastTimeOut + (this.options.retireSpacingMs ?? 100);
    if (now < due) {
      entry.timer = setTimeout(() => this.timedOut(entry), due - now);
      entry.timer.unref();
      return;
    }
    this.lastTimeOut = now;
    this.retire(entry);
  }

  private retire(entry: IdleEntry): void {
    this.remove(entry);
    entry.process.kill();
  }

  private remove(entry: IdleEntry): void {
    if (this.entries.get(entry.process) !== entry) return;
    this.entries.delete(entry.process);
    clearTimeout(entry.timer);
    entry.leave();
    const list = this.byKey.get(entry.key) ?? [];
    const at = list.indexOf(entry);
    if (at !== -1) list.splice(at, 1);
    if (list.length === 0) this.byKey.delete(entry.key);
  }
}
