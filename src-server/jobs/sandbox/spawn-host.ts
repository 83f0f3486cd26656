// Sandbox processes are started and tended by a worker thread, not the server's main
// thread: starting a process blocks the thread that starts it until the new program is
// running (10-40 ms on a busy machine, once per job when each user's jobs need their own
// process), which on the main thread stalled every HTTP request and realtime socket. The
// thread relays output chunks, end of output and exit to the main thread in order.
//
// On Linux the thread lowers its own scheduling priority (nice is per thread there) before
// starting any process, so every sandbox starts, and stays, at that lower priority: under
// CPU pressure the API, the database and the realtime hub run first and jobs take what is
// left. Elsewhere each process is lowered right after it starts. On Linux each sandbox
// also runs under the SCHED_IDLE policy, started through `chrt --idle 0` (which execs the
// program, so the pid is the sandbox's): nice 19 only weighs a process less, and the
// kernel lets a running nice-19 process finish its slice before a woken server thread gets
// the core; an idle-policy process gives the core up at once (docs/architecture.md,
// "Staying responsive under load"). The thread itself stays at nice 19: it relays the
// jobs' output and must not wait behind every other process.
//
// The thread's code is plain JavaScript evaluated from a string: it must run the same
// under tsx, the test runner and the bundled desktop app, none of which would load a
// TypeScript file as a worker the same way.
import { Worker } from "node:worker_threads";

export type OutputStream = "stdout" | "stderr";

export interface HostedExit {
  code: number | null;
  signal: string | null;
  spawnError?: string;
}

export interface HostedSpawnOptions {
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  /** Run as this user and group (the server must be root). */
  uid?: number;
  gid?: number;
}

export interface HostedProcessEvents {
  /** A chunk of decoded (UTF-8) output. */
  data(stream: OutputStream, chunk: string): void;
  /** No more output on that stream. */
  end(stream: OutputStream): void;
  /** The process has gone (after all its output); called once. */
  exit(exit: HostedExit): void;
}

export interface HostedProcess {
  /** The OS process id, once the host thread has started it. */
  pid(): number | undefined;
  /** Writes to stdin; ignored once the process has gone. */
  write(data: string): void;
  /** SIGKILL, sent from the calling thread once the pid is known; ignored once the process has gone. */
  kill(): void;
}

export interface SpawnHost {
  spawn(options: HostedSpawnOptions, events: HostedProcessEvents): HostedProcess;
}

/**
 * How much lower than the server sandboxes run (in nice steps; 19 is the lowest there is).
 * The lowest: a nice-10 process weighs a ninth of the server's main thread, so twenty
 * sandboxes starting at once outweighed it; at 19 each weighs a sixty-eighth
 * (docs/architecture.md, "Staying responsive under load").
 */
export const SANDBOX_NICE = 19;

type ToHost =
  | ({ op: "spawn"; id: number } & HostedSpawnOptions)
  | { op: "write"; id: number; data: string }
  | { op: "kill"; id: number };

type FromHost =
  | { op: "spawned"; id: number; pid: number }
  | { op: "data"; id: number; stream: OutputStream; chunk: string }
  | { op: "end"; id: number; stream: OutputStream }
  | { op: "exit"; id: number; code: number | null; signal: string | null; spawnError?: string };

const HOST_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { spawn, execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const children = new Map();
let threadNiced = false;
if (workerData.nice > 0 && process.platform === "linux") {
  try { os.setPriority(Math.min(19, os.getPriority() + workerData.nice)); threadNiced = true; } catch {}
}
// chrt, when it is there and the kernel lets this process use SCHED_IDLE (tried once).
const idleLauncher = workerData.idlePolicy && process.platform === "linux" ? findIdleLauncher() : undefined;
function findIdleLauncher() {
  for (const chrt of ["/usr/bin/chrt", "/bin/chrt"]) {
    try {
      execFileSync(chrt, ["--idle", "0", chrt, "--version"], { stdio: "ignore", timeout: 5000 });
      return chrt;
    } catch {}
  }
  return undefined;
}
// The program and its arguments, through chrt when it can be: chrt reports a program it
// cannot run only by its exit code, so a program that is not there is refused here.
function launch(m) {
  if (!idleLauncher || !m.file.startsWith("/")) return [m.file, m.args];
  fs.accessSync(m.file, fs.constants.X_OK);
  return [idleLauncher, ["--idle", "0", m.file, ...m.args]];
}
// Messages go out in batches, one per turn of this thread's event loop: output of many
// processes read in the same turn (and a job's result and idle lines) cost one wake-up
// of the main thread, not one each.
let outbox = [];
const flush = () => {
  const batch = outbox;
  outbox = [];
  parentPort.postMessage(batch);
};
const post = (message) => {
  outbox.push(message);
  if (outbox.length === 1) setImmediate(flush);
};
function start(m) {
  let child;
  try {
    const [file, args] = launch(m);
    child = spawn(file, args, { env: m.env, cwd: m.cwd, uid: m.uid, gid: m.gid, stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
  } catch (error) {
    post({ op: "exit", id: m.id, code: null, signal: null, spawnError: "cannot start deno: " + error.message });
    return;
  }
  children.set(m.id, child);
  if (child.pid !== undefined) post({ op: "spawned", id: m.id, pid: child.pid });
  if (!threadNiced && workerData.nice > 0 && child.pid !== undefined) {
    try { os.setPriority(child.pid, Math.min(19, os.getPriority() + workerData.nice)); } catch {}
  }
  let done = false;
  const finish = (exit) => {
    if (done) return;
    done = true;
    children.delete(m.id);
    post({ op: "exit", id: m.id, ...exit });
  };
  child.once("error", (error) => {
    // Spawn failures never emit "close"; other errors are followed by it.
    if (child.pid === undefined) finish({ code: null, signal: null, spawnError: "cannot start deno: " + error.message });
  });
  child.once("close", (code, signal) => finish({ code, signal }));
  child.stdin.on("error", () => {});
  for (const stream of ["stdout", "stderr"]) {
    const readable = child[stream];
    readable.setEncoding("utf8");
    readable.on("data", (chunk) => post({ op: "data", id: m.id, stream, chunk }));
    readable.on("end", () => post({ op: "end", id: m.id, stream }));
  }
}
parentPort.on("message", (batch) => {
  for (const m of batch) handle(m);
});
function handle(m) {
  if (m.op === "spawn") return start(m);
  const child = children.get(m.id);
  if (!child) return;
  const alive = child.exitCode === null && child.signalCode === null;
  if (m.op === "write") {
    const stdin = child.stdin;
    if (alive && stdin && !stdin.destroyed && !stdin.writableEnded) stdin.write(m.data);
  } else if (m.op === "kill") {
    if (alive) child.kill("SIGKILL");
  }
}
`;

export interface SpawnHostOptions {
  /** Nice steps below the server (default SANDBOX_NICE). */
  nice?: number;
  /** On Linux, run each process under SCHED_IDLE when chrt allows it (default true). */
  idlePolicy?: boolean;
}

export function createSpawnHost(options: SpawnHostOptions = {}): SpawnHost {
  const nice = Math.max(0, Math.min(19, Math.floor(options.nice ?? SANDBOX_NICE)));
  const idlePolicy = options.idlePolicy ?? true;
  const hosted = new Map<number, HostedProcessEvents>();
  const pids = new Map<number, number>();
  let worker: Worker | undefined;
  let nextId = 1;

  const exitAll = (spawnError: string) => {
    const all = [...hosted.values()];
    hosted.clear();
    pids.clear();
    for (const events of all) events.exit({ code: null, signal: null, spawnError });
  };

  const onMessage = (batch: FromHost[]) => {
    for (const message of batch) deliver(message);
  };

  // What goes to the thread is sent in batches too, once per turn of this event loop.
  let outbox: ToHost[] = [];
  const flush = () => {
    // A process that exited meanwhile (or whose thread failed) gets nothing more.
    const batch = outbox.filter((message) => hosted.has(message.id));
    outbox = [];
    if (batch.length > 0) thread().postMessage(batch);
  };
  const post = (message: ToHost) => {
    outbox.push(message);
    if (outbox.length === 1) setImmediate(flush);
  };

  const deliver = (message: FromHost) => {
    const events = hosted.get(message.id);
    if (!events) return;
    if (message.op === "spawned") pids.set(message.id, message.pid);
    else if (message.op === "data") events.data(message.stream, message.chunk);
    else if (message.op === "end") events.end(message.stream);
    else {
      hosted.delete(message.id);
      pids.delete(message.id);
      if (hosted.size === 0) worker?.unref();
      const { op: _op, id: _id, ...exit } = message;
      events.exit(exit);
    }
  };

  const thread = (): Worker => {
    if (worker) return worker;
    const started = new Worker(HOST_SOURCE, { eval: true, workerData: { nice, idlePolicy } });
    started.on("message", onMessage);
    started.on("error", (error) => {
      if (worker === started) worker = undefined;
      exitAll(`the sandbox process host failed: ${error.message}`);
    });
    started.on("exit", () => {
      if (worker === started) worker = undefined;
      exitAll("the sandbox process host stopped");
    });
    started.unref();
    worker = started;
    return started;
  };

  return {
    spawn(spawnOptions, events) {
      const id = nextId++;
      hosted.set(id, events);
      // Live processes keep the server running, as their handles did on the main thread.
      thread().ref();
      const send = (message: ToHost) => {
        if (hosted.has(id)) post(message);
      };
      send({ op: "spawn", id, ...spawnOptions });
      return {
        pid: () => pids.get(id),
        write: (data) => send({ op: "write", id, data }),
        kill() {
          // At once from here: the host thread runs at the sandboxes' lower priority.
          const pid = pids.get(id);
          if (pid === undefined) return send({ op: "kill", id });
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // Already gone: its exit is on the way.
          }
        },
      };
    },
  };
}

let shared: SpawnHost | undefined;

/** The host of this process (one thread for every runtime in it). */
export function sharedSpawnHost(): SpawnHost {
  return (shared ??= createSpawnHost());
}
