// Entry point of the sandbox inside Deno. Started ahead of time (warm) or on demand;
// waits for a job context on stdin, applies it, installs the globals and the console,
// and only then imports the job's code and calls its handler. When the server says
// keepAlive, the process then clears what the job left (timers, environment) and
// waits for the next context of the same function and user. The module is imported
// once per process, by its first job, and kept: the reuse key (src-server/jobs/sandbox/
// reuse.ts) confines a process to one code version and one user, so its top-level state
// is shared only by jobs that could share globalThis anyway (README, "What may carry over").
// Everything the control channel relies on is captured before job code runs.
import { createClient } from "../src-sdk/index.ts";
import type { JsonValue as Json } from "../src-shared/json.ts";
import { createMasker, type Masker } from "../src-shared/mask.ts";
import type { JobContextMessage, LogLevel } from "../src-shared/sandbox-protocol.ts";
import { createControlChannel, type ControlChannel } from "./channel.ts";
import { installConsole } from "./console.ts";
import { createEnvReset } from "./env.ts";
import { callEntry, findEntry, type JobEntry } from "./handler.ts";
import { createInbox } from "./inbox.ts";
import { createJobGlobals } from "./job-globals.ts";
import { lazyClient } from "./lazy-client.ts";
import {
  createJobUtils,
  createSecrets,
  type CancelState,
  type JobUtils,
  type Secrets,
} from "./job-utils.ts";
import { describeError, normaliseResult } from "./result.ts";
import { createLineReader } from "./stdin.ts";
import { createTimerScope } from "./timers.ts";
import { turnOffSharedStorage } from "./web-storage.ts";
import { warmUp } from "./warm-up.ts";

const exit: (code?: number) => never = Deno.exit;
const setEnv = Deno.env.set.bind(Deno.env);
const addListener = globalThis.addEventListener.bind(globalThis);
const assign = Object.assign;
// One turn of the event loop: an immediate costs less than a timer (no timer to arm).
const nextTurn = globalThis.setImmediate;
const createObjectUrl = URL.createObjectURL.bind(URL);
const BlobClass = Blob;
const now = performance.now.bind(performance);
const timeOrigin = performance.timeOrigin;

const RUNTIME_URL = new URL(".", import.meta.url).href;

turnOffSharedStorage();

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

/** One job's reporting; after close() (the job is over) late logs and progress are dropped. */
function createReporter(channel: ControlChannel, maskValues: string[]) {
  // Made on first use: most jobs log nothing and fail nowhere.
  let masker: Masker | null = null;
  const mask = (text: string) => (masker ??= createMasker(maskValues))(text);
  let settled = false;
  let ok = false;
  let closed = false;
  const log = (level: LogLevel, message: string) => {
    if (!closed) channel.send({ type: "log", level, message: mask(message) });
  };
  const fail = (thrown: unknown): void => {
    if (settled) return;
    settled = true;
    const { message, stack } = safeDescribe(thrown);
    channel.send({ type: "error", message, stack: stack === undefined ? undefined : mask(stack) });
  };
  const succeed = (value: unknown): void => {
    if (settled) return;
    try {
      channel.send({ type: "result", value: value as Json });
    } catch (error) {
      return fail(new Error(`Job result is not JSON-serialisable: ${safeDescribe(error).message}`));
    }
    settled = true;
    ok = true;
  };
  const progress = (report: { percent: number; message?: string; data?: unknown }) => {
    if (closed) return;
    try {
      channel.send({ type: "progress", ...report, data: report.data as Json | undefined });
    } catch {
      channel.send({ type: "progress", percent: report.percent, message: report.message });
      log("warn", "reportProgress: data is not JSON-serialisable and was dropped");
    }
  };
  return {
    log,
    fail,
    succeed,
    progress,
    /** The handler is about to be called (sent with its first message, or a turn later). */
    started: () => channel.defer({ type: "started", at: timeOrigin + now() }),
    succeeded: () => ok,
    close() {
      closed = true;
    },
  };
}

type Reporter = ReturnType<typeof createReporter>;

interface CurrentJob {
  report: Reporter;
  cancel: CancelState;
}

let current: CurrentJob | null = null;
/** The `job` utilities and secrets of the job running now, or of the last one. */
let latest: { job: JobUtils; secrets: Secrets } | null = null;
const jobGlobals = createJobGlobals({
  job: () => (latest as { job: JobUtils }).job,
  secrets: () => (latest as { secrets: Secrets }).secrets,
});
const GLOBALS: Record<string, unknown> = { ...jobGlobals, createClient };
const GLOBAL_NAMES = Object.keys(GLOBALS);
const globalRecord = globalThis as unknown as Record<string, unknown>;
/** Console output goes to the job running now; between jobs it is dropped. */
const logToCurrent = (level: LogLevel, message: string) => current?.report.log(level, message);
const timers = createTimerScope();
const resetEnv = createEnvReset();

// An error nobody caught may belong to any job this process ran: report it, never reuse.
addListener("unhandledrejection", (event) => {
  event.preventDefault();
  current?.report.fail(event.reason);
  exit(1);
});
addListener("error", (event) => {
  event.preventDefault();
  current?.report.fail(event.error ?? event.message);
  exit(1);
});

function cancelCurrent(): void {
  if (!current || current.cancel.cancelled) return;
  current.cancel.cancelled = true;
  try {
    setEnv("FLUXBASE_JOB_CANCELLED", "true");
  } catch {
    // Not permitted: checkCancellation() still turns true.
  }
}

async function runJob(context: JobContextMessage, running: CurrentJob) {
  const { report, cancel } = running;
  const job = createJobUtils(context, report.progress, cancel);
  latest = { job, secrets: createSecrets(context.secrets) };
  // Put back each time: a job may have replaced them (written only where they differ).
  for (const name of GLOBAL_NAMES) {
    if (globalRecord[name] !== GLOBALS[name]) assign(globalThis, { [name]: GLOBALS[name] });
  }
  installConsole(logToCurrent);
  const entry = await entryOf(context);
  const { serverUrl, userToken, serviceToken } = context;
  const fluxbase = userToken
    ? lazyClient(() => createClient(serverUrl, { apiKey: userToken }))
    : null;
  const fluxbaseService = serviceToken
    ? lazyClient(() => createClient(serverUrl, { serviceKey: serviceToken }))
    : null;
  const payload = job.getJobPayload();
  if (context.debug) stopForDebugger(entry.run);
  report.started();
  const value = await callEntry(entry, {
    serverUrl: context.serverUrl,
    payload,
    fluxbase,
    fluxbaseService,
    job,
  });
  report.succeed(await normaliseResult(value));
}

/** The server's debugger finds the handler in this global and breaks on its first line. */
function stopForDebugger(handler: unknown): void {
  assign(globalThis, { __fluxbaseDebugEntry: handler });
  // deno-lint-ignore no-debugger
  debugger; // eslint-disable-line no-debugger
  delete (globalThis as Record<string, unknown>).__fluxbaseDebugEntry;
}

function isContext(value: unknown): value is JobContextMessage {
  const record = value as Partial<JobContextMessage> | null;
  return (
    typeof record?.nonce === "string" &&
    (typeof record.code === "string" || (record.code === undefined && kept !== null))
  );
}

/**
 * The code arrives with the first job of a process and is imported from a blob: URL:
 * no file the job would need read access to (the code of every function lives in one
 * folder, which jobs may not list or read). Later jobs send no code (a reused process
 * runs only the same code) and call the module already imported. A module that failed
 * to import, or has no entry point, is imported afresh by the next job.
 */
let kept: { code: Blob; entry: JobEntry | null } | null = null;

async function entryOf(context: JobContextMessage): Promise<JobEntry> {
  if (context.code !== undefined) {
    const type =
      context.codeType === "javascript" ? "application/javascript" : "application/typescript";
    kept = { code: new BlobClass([context.code], { type }), entry: null };
  }
  const code = kept as { code: Blob; entry: JobEntry | null };
  code.entry ??= findEntry((await import(createObjectUrl(code.code))) as Record<string, unknown>);
  return code.entry;
}

// Bound now, before any job code runs: a job that replaces Deno.stdin.read later does not
// come between the server and this process's control messages.
const readStdin = Deno.stdin.read.bind(Deno.stdin);
const inbox = createInbox(createLineReader(readStdin), {
  onCancel: cancelCurrent,
  // Stdin closing mid-job means the server is gone; while idle, that we were dismissed.
  onEnd: () => exit(current ? 1 : 0),
});

// What the first job would otherwise wait for, paid before it arrives (warm-up.ts).
await warmUp();

for (;;) {
  const context = await inbox.nextContext();
  if (!isContext(context)) exit(context === null ? 0 : 1);
  const report = createReporter(createControlChannel(context.nonce), context.maskValues);
  const running: CurrentJob = { report, cancel: { cancelled: false } };
  current = running;
  timers.begin();
  try {
    resetEnv(context.env);
    await runJob(context, running);
  } catch (error) {
    report.fail(error);
  }
  if (!context.keepAlive) exit(report.succeeded() ? 0 : 1);
  // One turn of the event loop, so that a rejection the job left unhandled ends the
  // process (see the listeners above) before it could be offered another job.
  await new Promise((resolve) => nextTurn(resolve));
  timers.clearAll();
  report.close();
  current = null;
  createControlChannel(context.nonce, "stderr").send({ type: "idle" });
}
