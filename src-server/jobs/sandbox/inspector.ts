// The V8 inspector of a debug run's sandbox: on loopback, on a port the system picks, at
// the one-time path Deno makes up; the process waits for the server's debugger before it
// runs any code. Deno announces it on stderr, lines that are not the job's output.

/** Deno's flag: loopback only, any free port, wait for a debugger before running. */
export const INSPECT_FLAG = "--inspect-wait=127.0.0.1:0";

/** The command line of a debug run: the inspector flag after `run`, and not --quiet (it hides the URL). */
export function withInspector(args: readonly string[]): string[] {
  const rest = args.slice(1).filter((arg) => arg !== "--quiet");
  return [args[0]!, INSPECT_FLAG, ...rest];
}

const LISTENING = /^Debugger listening on (ws:\/\/(?:127\.0\.0\.1|\[::1\]):\d+\/[\w-]+)\s*$/;
const NOISE = [
  /^Visit chrome:\/\/inspect to connect to the debugger\.$/,
  /^Deno is waiting for debugger to connect\.$/,
  /^Debugger session started\.$/,
  /^Waiting for the debugger to disconnect\.\.\.$/,
];

export type InspectorLine = { kind: "listening"; url: string } | { kind: "noise" } | null;

/** What a stderr line of a debug run says about its inspector; null for the job's own output. */
export function parseInspectorLine(line: string): InspectorLine {
  const text = line.trim();
  const listening = LISTENING.exec(text);
  if (listening) return { kind: "listening", url: listening[1]! };
  return NOISE.some((pattern) => pattern.test(text)) ? { kind: "noise" } : null;
}
