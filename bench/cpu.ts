// CPU time by process, read from /proc (Linux): what a benchmark phase cost the
// server process, the Deno sandboxes and PostgreSQL, as CPU milliseconds rather than
// wall time, so that a figure stays meaningful on a machine shared with other work.
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime of the process itself. */
  selfMs: number;
  /** cutime + cstime: children it has waited for. */
  reapedMs: number;
}

/** The fields after the command name of a stat file; fields[0] is the state (field 3). */
function fieldsAfterComm(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** The fields of a /proc stat file (a process's or a thread's) after its command name. */
export function readStatFields(file: string): string[] | undefined {
  try {
    return fieldsAfterComm(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14 and 15) of a stat file's fields, in ms. */
export function ownCpuMs(fields: readonly string[]): number {
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function readStat(pid: number | "self"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  const comm = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
  const fields = fieldsAfterComm(text);
  const n = (i: number) => Number(fields[i]);
  return {
    pid: pid === "self" ? process.pid : pid,
    ppid: n(1),
    comm,
    selfMs: ownCpuMs(fields),
    reapedMs: (n(13) + n(14)) * TICK_MS,
  };
}

function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

function descendantsOf(root: number, all: ProcStat[]): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcStat[] = [];
  const walk = (pid: number) => {
    for (const child of byParent.get(pid) ?? []) {
      out.push(child);
      walk(child.pid);
    }
  };
  walk(root);
  return out;
}

export interface CpuSnapshot {
  /** This Node process, every thread. */
  serverMs: number;
  /** Deno processes: live ones plus those this process has reaped. */
  denoMs: number;
  /** PostgreSQL: the postmaster and its backends (live and reaped). */
  postgresMs: number;
}

/** Where CPU went; PostgreSQL must be a descendant of this process (embedded) to be counted. */
export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  const self = readStat("self");
  const all = allProcesses();
  const mine = descendantsOf(process.pid, all);
  let liveDeno = 0;
  let postgres = 0;
  let postgresReaped = 0;
  for (const p of mine) {
    if (p.comm === "deno") liveDeno += p.selfMs;
    else if (p.comm.startsWith("postgres")) {
      postgres += p.selfMs;
      // Only the postmaster's reaped children are backends; count them once.
      if (p.ppid === process.pid) postgresReaped += p.reapedMs;
    }
  }
  return {
    serverMs: (usage.user + usage.system) / 1000,
    // Deno processes are the only children this process reaps while a benchmark runs.
    denoMs: liveDeno + (self?.reapedMs ?? 0),
    postgresMs: postgres + postgresReaped,
  };
}

/** Each figure of `now` less the same figure of `before`. */
function difference<T extends object>(now: T, before: T): T {
  const out = { ...now } as Record<string, number>;
  for (const [key, value] of Object.entries(before)) out[key]! -= value as number;
  return out as T;
}

/** Each figure divided by `by` (e.g. per job). */
export function divided<T extends object>(figures: T, by: number): T {
  const out = { ...figures } as Record<string, number>;
  for (const key of Object.keys(out)) out[key]! /= by;
  return out as T;
}

export function cpuSince(before: CpuSnapshot): CpuSnapshot {
  return difference(cpuSnapshot(), before);
}

/** Deno processes started by this process (warm, idle or running). */
export function denoPids(): number[] {
  return descendantsOf(process.pid, allProcesses())
    .filter((p) => p.comm === "deno")
    .map((p) => p.pid);
}

/** This process's CPU by thread: where a server millisecond per job goes. */
export interface ThreadCpu {
  /** The main thread: the event loop (HTTP, claim loop, context, sandbox glue, pg driver). */
  mainMs: number;
  /** Threads running below the server's priority: the sandbox host thread (spawn-host.ts). */
  lowPriorityMs: number;
  /** Every other thread: V8's garbage collector and compiler, libuv's pool. */
  otherMs: number;
}

const NICE_FIELD = 16; // field 19 (nice) of /proc/<pid>/task/<tid>/stat, after state

/** CPU of each thread of this process so far (Linux; zeros elsewhere). */
export function threadCpu(): ThreadCpu {
  const out: ThreadCpu = { mainMs: 0, lowPriorityMs: 0, otherMs: 0 };
  let tasks: string[];
  try {
    tasks = readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  const ownNice = readStatFields(`/proc/self/task/${process.pid}/stat`)?.[NICE_FIELD];
  for (const tid of tasks) {
    const fields = readStatFields(`/proc/self/task/${tid}/stat`);
    if (!fields) continue;
    const ms = ownCpuMs(fields);
    if (Number(tid) === process.pid) out.mainMs += ms;
    else if (ownNice !== undefined && Number(fields[NICE_FIELD]) > Number(ownNice))
      out.lowPriorityMs += ms;
    else out.otherMs += ms;
  }
  return out;
}

export function threadCpuSince(before: ThreadCpu): ThreadCpu {
  return difference(threadCpu(), before);
}
