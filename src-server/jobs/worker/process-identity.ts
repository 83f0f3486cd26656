// Which process a worker belongs to, as its row's metadata records it, and whether that
// process has certainly ended. A worker process killed with SIGKILL leaves its row active
// and its jobs running until the worker timeout declares it dead; any process on the same
// machine can tell sooner, by asking the kernel whether the recorded process id still
// exists. That is only sound where the id means the same thing to both: the same machine
// (host name and boot id: two machines may share a host name) and the same PID namespace
// (each container has its own). Where the platform gives no boot id, nothing is concluded
// and the worker timeout decides, as before.
import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";

export interface ProcessIdentity {
  hostname: string;
  /** This boot of this machine (Linux); absent elsewhere. */
  bootId?: string;
  /** The PID namespace this process's id belongs to (Linux); absent elsewhere. */
  pidNamespace?: string;
}

/** What a worker's metadata says of the process that registered it. */
export interface WorkerProcess extends ProcessIdentity {
  pid: number;
}

export interface LocalProcesses {
  identity: ProcessIdentity;
  /** This process's id: its own workers, and other pools in it, are never judged ended. */
  pid: number;
  /** Whether a process with this id runs here. */
  isAlive(pid: number): boolean;
}

const readTrimmed = (read: () => string): string | undefined => {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
};

export function currentProcessIdentity(): ProcessIdentity {
  const identity: ProcessIdentity = { hostname: os.hostname() };
  const bootId = readTrimmed(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));
  const pidNamespace = readTrimmed(() => readlinkSync("/proc/self/ns/pid"));
  if (bootId) identity.bootId = bootId;
  if (pidNamespace) identity.pidNamespace = pidNamespace;
  return identity;
}

/** The metadata a worker registers with: where it runs and its process id. */
export function workerMetadata(identity: ProcessIdentity, pid: number): Record<string, unknown> {
  return { ...identity, pid };
}

/** Reads a worker's metadata back; undefined when it does not name a process. */
export function workerProcessOf(metadata: unknown): WorkerProcess | undefined {
  if (!metadata || typeof metadata !== "object") return undefined;
  const m = metadata as Record<string, unknown>;
  if (typeof m.hostname !== "string" || typeof m.pid !== "number") return undefined;
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    hostname: m.hostname,
    pid: m.pid,
    bootId: text(m.bootId),
    pidNamespace: text(m.pidNamespace),
  };
}

/**
 * Whether the process that registered a worker has certainly ended: it ran on this machine,
 * in this boot and this PID namespace, it is not this process, and no process has its id.
 * A reused id reads as alive, which only leaves the decision to the worker timeout.
 */
export function workerProcessEnded(worker: WorkerProcess, here: LocalProcesses): boolean {
  const { identity } = here;
  if (!identity.bootId || worker.bootId !== identity.bootId) return false;
  if (worker.hostname !== identity.hostname || worker.pidNamespace !== identity.pidNamespace)
    return false;
  if (!Number.isInteger(worker.pid) || worker.pid <= 0 || worker.pid === here.pid) return false;
  return !here.isAlive(worker.pid);
}
