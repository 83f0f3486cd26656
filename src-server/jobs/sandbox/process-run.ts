// One run of a job in a sandbox process (one attempt of the job): sends the context,
// turns the process's output into callbacks, and settles `done` once the process has
// exited, or, when the process may be reused, once it reports itself idle after a clean
// finish (it is then handed back through onReusable and this run lets go of it).
import { randomBytes } from "node:crypto";
import { NONCE_BYTES } from "./nonce-pool.ts";
import type {
  JobOutcome,
  JobRunCallbacks,
  JobRunHandle,
  JobRunSpec,
  LogLevel,
} from "../worker/runtime.ts";
import { memoryLimit } from "./args.ts";
import { parseLine } from "./channel.ts";
import { createMasker } from "../../../src-shared/mask.ts";
import type { ControlMessage } from "../../../src-shared/sandbox-protocol.ts";
import { buildContextMessage, cancelCommand } from "./context.ts";
import { maskProgress } from "./mask.ts";
import { watchMemory } from "./memory-watchdog.ts";
import type { PreparedCode } from "./prepared-code.ts";
import { parseInspectorLine } from "./inspector.ts";
import { decideOutcome, type ProcessRunFacts } from "./outcome.ts";
import type { OutputStream, ProcessExit, SandboxProcess } from "./process.ts";

export interface SandboxRunHandle extends JobRunHandle {
  /** The process was pre-started (one of the warm processes). */
  readonly warm: boolean;
  /** The process had already run a job with the same reuse key. */
  readonly reused: boolean;
}

export interface ProcessRunInput {
  /** This run's control-line nonce (random, unguessable); default a fresh one. */
  nonce?: string;
  process: SandboxProcess;
  warm: boolean;
  reused: boolean;
  spec: JobRunSpec;
  callbacks: JobRunCallbacks;
  env: Record<string, string>;
  /** The job's code as the sandbox imports it. */
  code: PreparedCode;
  /** The process may run another job after this one (else it exits after the result). */
  keepAlive: boolean;
  /** The job ended cleanly (result or thrown error), was neither killed nor cancelled. */
  onReusable(process: SandboxProcess): void;
  /** How long a process may take, after its result, to exit or report itself idle. */
  exitGraceMs: number;
  onCallbackError(error: unknown): void;
}

const STDERR_TAIL = 40;

export function startProcessRun(input: ProcessRunInput): SandboxRunHandle {
  const { process, spec, callbacks } = input;
  const nonce = input.nonce ?? randomBytes(NONCE_BYTES).toString("base64url");
  const context = buildContextMessage(spec, {
    nonce,
    env: input.env,
    keepAlive: input.keepAlive,
    code: input.code,
    // A reused process ran this code last (the reuse key names it): it keeps it.
    codeKept: input.reused,
    debug: spec.inspector?.stopAtEntry ?? false,
  });
  const mask = createMasker(context.maskValues);
  const facts: Omit<ProcessRunFacts, "exitCode" | "signal"> = {
    stderrTail: [],
    memoryLimitMb: memoryLimit(spec.permissions),
  };
  let graceTimer: NodeJS.Timeout | undefined;
  let idle = false;
  let cancelRequested = false;
  let released = false;
  let stopWaitingForExit = () => {};
  let settle!: (outcome: JobOutcome) => void;
  const done = new Promise<JobOutcome>((resolve) => {
    settle = resolve;
  });

  const call = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      input.onCallbackError(error);
    }
  };
  const log = (level: LogLevel, message: string) => call(() => callbacks.onLog(level, message));

  const onText = (stream: OutputStream, text: string) => {
    if (text.trim() === "") return;
    if (spec.inspector && stream === "stderr") {
      const inspector = parseInspectorLine(text);
      if (inspector?.kind === "listening") void debuggerReady(inspector.url);
      if (inspector) return;
    }
    const masked = mask(text);
    if (stream === "stderr") {
      const tail = facts.stderrTail as string[];
      tail.push(masked);
      if (tail.length > STDERR_TAIL) tail.shift();
    }
    log(stream === "stdout" ? "info" : "error", masked);
  };

  // The process's own memory, not only its JS heap, is held to the limit while the job runs.
  // The pid arrives from the spawn host thread shortly after the start: read it lazily.
  const stopWatchdog = watchMemory({
    pid: () => process.pid,
    limitBytes: facts.memoryLimitMb * 1024 * 1024,
    onExceeded: () => {
      facts.memoryExceeded = true;
      process.kill();
    },
  });

  const finish = (exit: ProcessExit) => {
    stopWatchdog();
    clearTimeout(graceTimer);
    if (exit.spawnError) facts.spawnError = exit.spawnError;
    settle(decideOutcome({ ...facts, exitCode: exit.code, signal: exit.signal }));
  };

  /** Both the end (stdout) and `idle` (stderr) seen: every line of this job has arrived. */
  const releaseIfIdle = () => {
    if (!idle || (!facts.result && !facts.error) || released) return;
    const reusable =
      input.keepAlive && !cancelRequested && facts.killedReason === undefined && process.alive;
    if (!reusable) return process.kill();
    released = true;
    stopWatchdog();
    stopWaitingForExit();
    process.detach();
    input.onReusable(process);
    finish({ code: null, signal: null });
  };

  const settleSoon = () => {
    graceTimer ??= setTimeout(() => process.kill(), input.exitGraceMs);
    graceTimer.unref();
    releaseIfIdle();
  };

  const onMessage = (stream: OutputStream, message: ControlMessage) => {
    if (message.type === "idle") {
      if (stream !== "stderr") return;
      idle = true;
      return releaseIfIdle();
    }
    if (facts.result || facts.error) return;
    switch (message.type) {
      case "started":
        if (callbacks.onStart) call(() => callbacks.onStart?.(message.at));
        return;
      case "progress": {
        const { percent, message: text, data } = message;
        return call(() =>
          callbacks.onProgress(maskProgress(mask, { percent, message: text, data })),
        );
      }
      case "log":
        return log(message.level, mask(message.message));
      case "result":
        facts.result = { value: message.value };
        return settleSoon();
      case "error":
        facts.error = { message: mask(message.message) };
        log("error", `Job execution error: ${mask(message.stack ?? message.message)}`);
        return settleSoon();
    }
  };

  // A debug run gets its job once the debugger is attached: it may not run ahead of it.
  const debuggerReady = async (url: string) => {
    try {
      await spec.inspector?.onListening(url);
    } catch (error) {
      input.onCallbackError(error);
    }
    process.send(JSON.stringify(context));
  };
  process.attach((stream, line) => {
    const parsed = parseLine(line, nonce);
    if (parsed.kind === "text") return onText(stream, parsed.text);
    if (parsed.before !== "") onText(stream, parsed.before);
    onMessage(stream, parsed.message);
  });
  if (!spec.inspector) process.send(JSON.stringify(context));

  // Left when the process is handed on (releaseIfIdle), so a reused process does not keep
  // every finished run alive.
  stopWaitingForExit = process.onExit((exit) => {
    if (!released) finish(exit);
  });

  return {
    warm: input.warm,
    reused: input.reused,
    done,
    requestCancel() {
      if (released) return;
      cancelRequested = true;
      process.send(cancelCommand());
    },
    kill(reason) {
      // Once released, the process belongs to the next job.
      if (released || !process.alive) return;
      if (!facts.result && !facts.error && facts.killedReason === undefined) {
        facts.killedReason = reason;
      }
      process.kill();
    },
  };
}
