// Holds a sandbox process to its memory limit. `--max-old-space-size` bounds only the
// JS heap; typed arrays, WebAssembly memory and native buffers live outside it. So
// while a job runs, the process's private resident memory (RssAnon + RssShmem in
// /proc/<pid>/status: what the process itself allocated, not the pages of the deno
// binary shared with every other sandbox) is read every `intervalMs`, and the first
// reading over the limit calls onExceeded (which kills the process). Where there is
// no /proc (macOS, Windows) the watchdog does nothing and the heap limit remains.
//
// The readings are taken by a thread of their own (one per server process), never the
// main thread: with twenty jobs running that is two hundred /proc reads a second, and a
// read waits while the kernel holds the watched process's memory map, which a sandbox
// running at its lower priority can hold for a long time on a busy machine: on the main
// thread that stalled every HTTP request and realtime socket. The main thread only
// hands the thread a pid and a limit when a job starts and takes them back when it
// ends; the thread reports a reading over the limit. Should the thread fail, watching
// goes on from the main thread's timers.
//
// The thread's code is plain JavaScript evaluated from a string, as the spawn host's is
// (it must run the same under tsx, the test runner and the bundled desktop app).
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

export interface MemoryWatchdogOptions {
  /** The process to watch; a function when the pid is known only after the start. */
  pid: number | (() => number | undefined);
  limitBytes: number;
  /** Default 100 ms: a process over its limit is stopped well within a second. */
  intervalMs?: number;
  onExceeded(residentBytes: number): void;
  /**
   * The process's private resident bytes, undefined when unknown. Given, it is called on
   * the main thread; the default reads /proc in the watchdog's thread.
   */
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

const DEFAULT_INTERVAL_MS = 100;

/**
 * Watches on the calling thread with `read`; the returned function stops it. The first
 * reading is one interval in: at the start the job has not run yet.
 */
function watchHere(
  options: MemoryWatchdogOptions,
  read: (pid: number) => number | undefined,
): () => void {
  let stopped = false;
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  const check = () => {
    if (stopped) return;
    const pid = typeof options.pid === "function" ? options.pid() : options.pid;
    const bytes = pid === undefined ? undefined : read(pid);
    if (bytes === undefined || bytes <= options.limitBytes) return;
    stop();
    options.onExceeded(bytes);
  };
  const timer = setInterval(check, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();
  return stop;
}

type ToThread =
  | { op: "watch"; id: number; pid: number; limitBytes: number; intervalMs: number }
  | { op: "stop"; id: number };

interface Exceeded {
  id: number;
  bytes: number;
}

// The thread: one interval timer per watched pid, a synchronous read each time (a read
// that waits holds up only this thread), and a message when a reading is over the limit.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const FIELD = /^(RssAnon|RssShmem|VmRSS):\\s+(\\d+)\\s*kB/gm;
function privateResidentBytes(status) {
  const kb = {};
  for (const match of status.matchAll(FIELD)) kb[match[1]] = Number(match[2]);
  if (kb.RssAnon !== undefined) return (kb.RssAnon + (kb.RssShmem || 0)) * 1024;
  return kb.VmRSS === undefined ? undefined : kb.VmRSS * 1024;
}
function read(pid) {
  try { return privateResidentBytes(readFileSync("/proc/" + pid + "/status", "utf8")); } catch { return undefined; }
}
const timers = new Map();
function stop(id) {
  clearInterval(timers.get(id));
  timers.delete(id);
}
function watch(m) {
  const check = () => {
    const bytes = read(m.pid);
    if (bytes === undefined || bytes <= m.limitBytes) return;
    stop(m.id);
    parentPort.postMessage({ id: m.id, bytes });
  };
  timers.set(m.id, setInterval(check, m.intervalMs));
  check();
}
parentPort.on("message", (batch) => {
  for (const m of batch) {
    if (m.op === "watch") watch(m);
    else stop(m.id);
  }
});
`;

export interface MemoryWatcher {
  /** Starts watching (first reading after one interval); the returned function stops it. Fires at most once. */
  watch(options: MemoryWatchdogOptions): () => void;
  /** Ends the thread (watches still running go on from the main thread). */
  close(): Promise<void>;
}

interface Watch {
  options: MemoryWatchdogOptions;
  /** Set while the pid is awaited, or while the main thread watches instead. */
  stopHere?: () => void;
  /** Handed to the thread. */
  inThread: boolean;
}

/** A watcher with a reading thread of its own, started with the first watch. */
export function createMemoryWatcher(): MemoryWatcher {
  const watches = new Map<number, Watch>();
  let nextId = 1;
  let thread: Worker | undefined;
  let failed = false;

  // Messages go to the thread in one batch per turn of the event loop.
  let outbox: ToThread[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length > 0) thread?.postMessage(batch);
  };
  const post = (message: ToThread) => {
    outbox.push(message);
    if (outbox.length === 1) setImmediate(flush);
  };

  const fire = (id: number, bytes: number) => {
    const watch = watches.get(id);
    if (!watch) return;
    watches.delete(id);
    watch.options.onExceeded(bytes);
  };

  /** The watch goes on from this thread's timers, reading /proc here. */
  const watchOnThisThread = (id: number, watch: Watch) => {
    watch.inThread = false;
    watch.stopHere = watchHere(
      { ...watch.options, onExceeded: (bytes) => fire(id, bytes) },
      readResidentBytes,
    );
  };

  /** The thread is gone: every watch it held goes on here. */
  const fallBack = () => {
    failed = true;
    thread = undefined;
    outbox = [];
    for (const [id, watch] of watches) if (watch.inThread) watchOnThisThread(id, watch);
  };

  const ensureThread = (): Worker | undefined => {
    if (failed) return undefined;
    if (thread) return thread;
    const started = new Worker(THREAD_SOURCE, { eval: true });
    started.on("message", (message: Exceeded) => fire(message.id, message.bytes));
    started.on("error", () => {
      if (thread === started) fallBack();
    });
    started.on("exit", () => {
      if (thread === started) fallBack();
    });
    // Like the timers it replaces, the thread never keeps the server running.
    started.unref();
    thread = started;
    return started;
  };

  /** Hands the watch to the thread once its pid is known, checking once per interval. */
  const handOver = (id: number, watch: Watch) => {
    const { options } = watch;
    const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    const timer = setTimeout(() => {
      watch.stopHere = undefined;
      if (!watches.has(id)) return;
      const pid = typeof options.pid === "function" ? options.pid() : options.pid;
      if (pid === undefined) return handOver(id, watch);
      if (!ensureThread()) return watchOnThisThread(id, watch);
      watch.inThread = true;
      // The first reading in the thread is at once: this is one interval in already.
      post({ op: "watch", id, pid, limitBytes: options.limitBytes, intervalMs });
    }, intervalMs);
    timer.unref();
    watch.stopHere = () => clearTimeout(timer);
  };

  return {
    watch(options) {
      if (options.read) return watchHere(options, options.read);
      if (process.platform !== "linux") return () => {};
      const id = nextId++;
      const watch: Watch = { options, inThread: false };
      watches.set(id, watch);
      handOver(id, watch);
      return () => {
        if (!watches.delete(id)) return;
        watch.stopHere?.();
        if (watch.inThread) post({ op: "stop", id });
      };
    },
    async close() {
      const ending = thread;
      thread = undefined;
      failed = true;
      fallBack();
      await ending?.terminate();
    },
  };
}

let shared: MemoryWatcher | undefined;

/** Starts watching with this process's watcher; the returned function stops it. Fires at most once. */
export function watchMemory(options: MemoryWatchdogOptions): () => void {
  return (shared ??= createMemoryWatcher()).watch(options);
}
