// One attempt of one job in a sandbox process: sends the context, turns the
// process's output into callbacks, and settles `done` once the process has exited.
import { randomBytes } from "node:crypto";
import type { JobRunCallbacks, JobRunHandle, JobRunSpec, LogLevel } from "../runtime.ts";
import { memoryLimit } from "./args.ts";
import { parseLine } from "./channel.ts";
import { buildContextMessage, cancelCommand, type ControlMessage } from "./context.ts";
import { createMasker } from "./mask.ts";
import { decideOutcome, type AttemptFacts } from "./outcome.ts";
import type { OutputStream, SandboxProcess } from "./process.ts";

export interface SandboxRunHandle extends JobRunHandle {
  /** The process was pre-started (taken from the warm pool). */
  readonly warm: boolean;
}

export interface AttemptInput {
  process: SandboxProcess;
  warm: boolean;
  spec: JobRunSpec;
  callbacks: JobRunCallbacks;
  codeUrl: string;
  env: Record<string, string>;
  /** How long a process may linger after its result before it is killed. */
  exitGraceMs: number;
  onCallbackError(error: unknown): void;
}

const STDERR_TAIL = 40;

export function startAttempt(input: AttemptInput): SandboxRunHandle {
  const { process, spec, callbacks } = input;
  const nonce = randomBytes(18).toString("base64url");
  const context = buildContextMessage(spec, { nonce, codeUrl: input.codeUrl, env: input.env });
  const mask = createMasker(context.maskValues);
  const facts: Omit<AttemptFacts, "exitCode" | "signal"> = {
    stderrTail: [],
    memoryLimitMb: memoryLimit(spec.permissions),
  };
  let graceTimer: NodeJS.Timeout | undefined;

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
    const masked = mask(text);
    if (stream === "stderr") {
      const tail = facts.stderrTail as string[];
      tail.push(masked);
      if (tail.length > STDERR_TAIL) tail.shift();
    }
    log(stream === "stdout" ? "info" : "error", masked);
  };

  const settleSoon = () => {
    graceTimer ??= setTimeout(() => process.kill(), input.exitGraceMs);
    graceTimer.unref();
  };

  const onMessage = (message: ControlMessage) => {
    if (facts.result || facts.error) return;
    switch (message.type) {
      case "started":
        if (callbacks.onStart) call(() => callbacks.onStart?.());
        return;
      case "progress": {
        const { percent, message: text, data } = message;
        return call(() => callbacks.onProgress({ percent, message: text, data }));
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

  process.attach((stream, line) => {
    const parsed = parseLine(line, nonce);
    if (parsed.kind === "text") return onText(stream, parsed.text);
    if (parsed.before !== "") onText(stream, parsed.before);
    onMessage(parsed.message);
  });
  process.send(JSON.stringify(context));

  const done = process.exited.then((exit) => {
    clearTimeout(graceTimer);
    if (exit.spawnError) facts.spawnError = exit.spawnError;
    return decideOutcome({ ...facts, exitCode: exit.code, signal: exit.signal });
  });

  return {
    warm: input.warm,
    done,
    requestCancel() {
      process.send(cancelCommand());
    },
    kill(reason) {
      if (!process.alive) return;
      if (!facts.result && !facts.error && facts.killedReason === undefined) {
        facts.killedReason = reason;
      }
      process.kill();
    },
  };
}
