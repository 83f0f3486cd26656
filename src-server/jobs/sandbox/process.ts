// One Deno process: spawned with a fixed command line and environment, its output
// split into lines. Lines arrive at whoever is attached (the attempt running in it);
// lines written before the first attach (while it waited in the warm pool) are kept
// and replayed; lines written between two jobs of a reused process are dropped.
import { spawn, type ChildProcess } from "node:child_process";
import { LineSplitter } from "./channel.ts";

export type OutputStream = "stdout" | "stderr";
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
  /** Run as this user instead of the server's own (the server must be root). */
  user?: { uid: number; gid: number };
}

const EARLY_LINES = 50;

export class SandboxProcess {
  readonly key: string;
  readonly exited: Promise<ProcessExit>;
  /** Jobs handed to this process so far (more than one when it is reused). */
  jobsStarted = 0;
  private readonly child: ChildProcess;
  private sink: LineSink | null = null;
  private early: Array<[OutputStream, string]> = [];
  private hasExited = false;

  constructor(options: SandboxProcessOptions) {
    this.key = options.key;
    this.child = spawn(options.denoPath, options.args, {
      env: options.env,
      cwd: options.cwd,
      uid: options.user?.uid,
      gid: options.user?.gid,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      const finish = (exit: ProcessExit) => {
        if (this.hasExited) return;
        this.hasExited = true;
        resolve(exit);
      };
      this.child.once("error", (error) => {
        // Spawn failures never emit "close"; other errors are followed by it.
        if (this.child.pid === undefined) {
          finish({ code: null, signal: null, spawnError: `cannot start deno: ${error.message}` });
        }
      });
      this.child.once("close", (code, signal) => finish({ code, signal }));
    });
    this.child.stdin?.on("error", () => {
      // EPIPE once the process has gone: the exit is handled through "close".
    });
    this.readLines("stdout");
    this.readLines("stderr");
  }

  /** The OS process id; undefined when it could not be started. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.hasExited && this.child.exitCode === null && this.child.signalCode === null;
  }

  attach(sink: LineSink): void {
    this.sink = sink;
    const early = this.early;
    this.early = [];
    for (const [stream, line] of early) sink(stream, line);
  }

  /** The attempt is over: output from now until the next attach belongs to no job. */
  detach(): void {
    this.sink = () => {};
  }

  /** Writes one line on stdin; ignored once the process has gone. */
  send(line: string): void {
    const stdin = this.child.stdin;
    if (!this.alive || !stdin || stdin.destroyed || stdin.writableEnded) return;
    stdin.write(`${line}\n`);
  }

  kill(): void {
    if (this.alive) this.child.kill("SIGKILL");
  }

  private readLines(stream: OutputStream): void {
    const readable = this.child[stream];
    if (!readable) return;
    readable.setEncoding("utf8");
    const splitter = new LineSplitter((line) => this.deliver(stream, line));
    readable.on("data", (chunk: string) => splitter.push(chunk));
    readable.on("end", () => splitter.end());
  }

  private deliver(stream: OutputStream, line: string): void {
    if (this.sink) {
      this.sink(stream, line);
    } else if (this.early.length < EARLY_LINES) {
      this.early.push([stream, line]);
    }
  }
}
