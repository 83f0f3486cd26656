// One Deno process: spawned with a fixed command line and environment, its output
// split into lines. Lines arrive at whoever is attached (the job run in it);
// lines written before the first attach (while it waited among the warm processes) are kept
// and replayed; lines written between two jobs of a reused process are dropped. The
// process itself is started and tended off the main thread (spawn-host.ts).
import { LineSplitter } from "./channel.ts";
import {
  sharedSpawnHost,
  type HostedProcess,
  type OutputStream,
  type SpawnHost,
} from "./spawn-host.ts";

export type { OutputStream } from "./spawn-host.ts";
export type LineSink = (stream: OutputStream, line: string) => void;

export interface ProcessExit {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be started at all. */
  spawnError?: string;
}

export interface SandboxProcessOptions {
  denoPath: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  /** Equal keys mean interchangeable processes (same command line). */
  key: string;
  /** Where the process is started (default: this process's shared host thread). */
  host?: SpawnHost;
  /** Run as this user instead of the server's own (the server must be root). */
  user?: { uid: number; gid: number };
}

const EARLY_LINES = 50;

export class SandboxProcess {
  readonly key: string;
  readonly exited: Promise<ProcessExit>;
  /** Jobs handed to this process so far (more than one when it is reused). */
  jobsStarted = 0;
  private readonly child: HostedProcess;
  private sink: LineSink | null = null;
  private early: Array<[OutputStream, string]> = [];
  private hasExited = false;
  /** Who waits for the exit now; a job run leaves when it hands the process on. */
  private readonly exitListeners = new Set<(exit: ProcessExit) => void>();

  constructor(options: SandboxProcessOptions) {
    this.key = options.key;
    const splitters = {
      stdout: new LineSplitter((line) => this.deliver("stdout", line)),
      stderr: new LineSplitter((line) => this.deliver("stderr", line)),
    };
    let resolveExit!: (exit: ProcessExit) => void;
    this.exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
    void this.exited.then((exit) => {
      for (const listener of [...this.exitListeners]) listener(exit);
      this.exitListeners.clear();
    });
    this.child = (options.host ?? sharedSpawnHost()).spawn(
      {
        file: options.denoPath,
        args: options.args,
        env: options.env,
        cwd: options.cwd,
        uid: options.user?.uid,
        gid: options.user?.gid,
      },
      {
        data: (stream, chunk) => splitters[stream].push(chunk),
        end: (stream) => splitters[stream].end(),
        exit: (exit) => {
          if (this.hasExited) return;
          this.hasExited = true;
          resolveExit(exit);
        },
      },
    );
  }

  /** The OS process id; undefined when it could not be started. */
  get pid(): number | undefined {
    return this.child.pid();
  }

  get alive(): boolean {
    return !this.hasExited;
  }

  /**
   * Calls `listener` once the process has exited, unless the returned function was
   * called first. Unlike `exited.then`, a listener that leaves is let go: a process runs
   * hundreds of jobs, and each job's run would otherwise stay in memory until it exits.
   */
  onExit(listener: (exit: ProcessExit) => void): () => void {
    if (this.hasExited) {
      void this.exited.then(listener);
      return () => {};
    }
    this.exitListeners.add(listener);
    return () => void this.exitListeners.delete(listener);
  }

  attach(sink: LineSink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const [stream, line] of early) sink(stream, line);
  }

  /** The run is over: output from now until the next attach belongs to no job. */
  detach(): void {
    this.sink = () => {};
  }

  /** Writes one line on stdin; ignored once the process has gone. */
  send(line: string): void {
    if (this.alive) this.child.write(`${line}\n`);
  }

  kill(): void {
    if (this.alive) this.child.kill();
  }

  private deliver(stream: OutputStream, line: string): void {
    if (this.sink) {
      this.sink(stream, line);
    } else if (this.early.length < EARLY_LINES) {
      this.early.push([stream, line]);
    }
  }
}
