// Holds a sandbox process to its memory limit. `--max-old-space-size` bounds only the
// JS heap; typed arrays, WebAssembly memory and native buffers live outside it. So
// while a job runs, the process's private resident memory (RssAnon + RssShmem in
// /proc/<pid>/status: what the process itself allocated, not the pages of the deno
// binary shared with every other sandbox) is read every `intervalMs`, and the first
// reading over the limit calls onExceeded (which kills the process). Where there is
// no /proc (macOS, Windows) the watchdog does nothing and the heap limit remains.
import { readFileSync } from "node:fs";

export interface MemoryWatchdogOptions {
  /** The process to watch; a function when the pid is known only after the start. */
  pid: number | (() => number | undefined);
  limitBytes: number;
  /** Default 100 ms: a process over its limit is stopped well within a second. */
  intervalMs?: number;
  onExceeded(residentBytes: number): void;
  /** The process's private resident bytes, undefined when unknown (default: /proc). */
  read?: (pid: number) => number | undefined;
}

const FIELD = /^(RssAnon|RssShmem|VmRSS):\s+(\d+)\s*kB/gm;

/** Private resident bytes from a /proc/<pid>/status text (VmRSS on kernels without RssAnon). */
export function privateResidentBytes(status: string): number | undefined {
  const kb: Record<string, number> = {};
  for (const match of status.matchAll(FIELD)) kb[match[1] as string] = Number(match[2]);
  if (kb.RssAnon !== undefined) return (kb.RssAnon + (kb.RssShmem ?? 0)) * 1024;
  return kb.VmRSS === undefined ? undefined : kb.VmRSS * 1024;
}

export function readResidentBytes(pid: number): number | undefined {
  try {
    return privateResidentBytes(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return undefined;
  }
}

/** Starts watching (first reading after one interval); the returned function stops it. Fires at most once. */
export function watchMemory(options: MemoryWatchdogOptions): () => void {
  const read = options.read ?? readResidentBytes;
  if (process.platform !== "linux" && options.read === undefined) return () => {};
  let stopped = false;
  const check = () => {
    if (stopped) return;
    const pid = typeof options.pid === "function" ? options.pid() : options.pid;
    const bytes = pid === undefined ? undefined : read(pid);
    if (bytes === undefined || bytes <= options.limitBytes) return;
    stop();
    options.onExceeded(bytes);
  };
  // The first reading is one interval in: at the start the job has not run yet, and a
  // read of /proc for every job start cost the main thread more than the rest of it.
  const timer = setInterval(check, options.intervalMs ?? 100);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return stop;
}
