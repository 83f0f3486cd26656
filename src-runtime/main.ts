// Entry point of one job attempt inside Deno. Started ahead of time (warm) or on
// demand; waits for the job context on stdin, applies it, installs the globals and
// the console, and only then imports the job's code and calls its handler.
// Everything the control channel relies on is captured before job code runs.
import { createClient } from "../src-sdk/index.ts";
import { createControlChannel, createMasker, type ControlChannel } from "./channel.ts";
import { installConsole, type LogLevel } from "./console.ts";
import type { ControlCommand, Json, JobContextMessage } from "./context.ts";
import { callEntry, findEntry } from "./handler.ts";
import { createJobUtils, createSecrets, type CancelState } from "./job-utils.ts";
import { describeError, normaliseResult } from "./result.ts";
import { createLineReader, type NextLine } from "./stdin.ts";

const exit: (code?: number) => never = Deno.exit;
const setEnv = Deno.env.set.bind(Deno.env);
const addListener = globalThis.addEventListener.bind(globalThis);

const RUNTIME_URL = new URL(".", import.meta.url).href;

/** The error's message, and its stack without this runtime's own frames. */
function safeDescribe(thrown: unknown): { message: string; stack?: string } {
  try {
    const { message, stack } = describeError(thrown);
    if (stack === undefined) return { message };
    const frames = stack.split("\n").filter((line) => !line.includes(RUNTIME_URL));
    return { message, stack: frames.join("\n") };
  } catch {
    return { message: "Unknown error" };
  }
}

function createReporter(channel: ControlChannel, maskValues: string[]) {
  const mask = createMasker(maskValues);
  let settled = false;
  const log = (level: LogLevel, message: string) => {
    channel.send({ type: "log", level, message: mask(message) });
  };
  const fail = (thrown: unknown): never => {
    if (!settled) {
      settled = true;
      const { message, stack } = safeDescribe(thrown);
      channel.send({
        type: "error",
        message,
        stack: stack === undefined ? undefined : mask(stack),
      });
    }
    return exit(1);
  };
  const succeed = (value: unknown): never => {
    if (settled) return exit(1);
    try {
      channel.send({ type: "result", value: value as Json });
    } catch (error) {
      fail(new Error(`Job result is not JSON-serialisable: ${safeDescribe(error).message}`));
    }
    settled = true;
    return exit(0);
  };
  const progress = (report: { percent: number; message?: string; data?: unknown }) => {
    try {
      channel.send({ type: "progress", ...report, data: report.data as Json | undefined });
    } catch {
      channel.send({ type: "progress", percent: report.percent, message: report.message });
      log("warn", "reportProgress: data is not JSON-serialisable and was dropped");
    }
  };
  return { log, fail, succeed, progress };
}

/** Reads commands for the rest of the run; the server closing stdin means it is gone. */
async function listenForCommands(nextLine: NextLine, cancel: CancelState): Promise<void> {
  for (;;) {
    const line = await nextLine();
    if (line === null) exit(1);
    let command: ControlCommand | undefined;
    try {
      command = JSON.parse(line) as ControlCommand;
    } catch {
      continue;
    }
    if (command?.type === "cancel" && !cancel.cancelled) {
      cancel.cancelled = true;
      try {
        setEnv("FLUXBASE_JOB_CANCELLED", "true");
      } catch {
        // Not permitted: checkCancellation() still turns true.
      }
    }
  }
}

async function runJob(context: JobContextMessage, nextLine: NextLine): Promise<never> {
  const channel = createControlChannel(context.nonce);
  const report = createReporter(channel, context.maskValues);
  addListener("unhandledrejection", (event) => {
    event.preventDefault();
    report.fail(event.reason);
  });
  addListener("error", (event) => {
    event.preventDefault();
    report.fail(event.error ?? event.message);
  });
  const cancel: CancelState = { cancelled: false };
  void listenForCommands(nextLine, cancel);
  try {
    for (const [name, value] of Object.entries(context.env)) setEnv(name, value);
    const job = createJobUtils(context, report.progress, cancel);
    const secrets = createSecrets(context.secrets);
    Object.assign(globalThis, { secrets, Fluxbase: job, createClient });
    installConsole(report.log);
    const module = (await import(context.codeUrl)) as Record<string, unknown>;
    const entry = findEntry(module);
    const fluxbase = context.userToken
      ? createClient(context.serverUrl, { apiKey: context.userToken })
      : null;
    const fluxbaseService = context.serviceToken
      ? createClient(context.serverUrl, { serviceKey: context.serviceToken })
      : null;
    const payload = job.getJobPayload();
    channel.send({ type: "started" });
    const value = await callEntry(entry, {
      serverUrl: context.serverUrl,
      payload,
      fluxbase,
      fluxbaseService,
      job,
    });
    return report.succeed(await normaliseResult(value));
  } catch (error) {
    return report.fail(error);
  }
}

const nextLine = createLineReader(Deno.stdin.readable);
const first = await nextLine();
// A pre-started sandbox dismissed before it got a job: stdin closes, nothing to do.
if (first === null) exit(0);
await runJob(JSON.parse(first) as JobContextMessage, nextLine);
