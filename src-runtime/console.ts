// Replaces console.* so that a job's logging travels over the control channel
// with its level, instead of as raw stdout/stderr lines.

import type { LogLevel } from "../src-shared/sandbox-protocol.ts";

export type LogSink = (level: LogLevel, message: string) => void;

const inspect = Deno.inspect;

function show(value: unknown): string {
  return typeof value === "string" ? value : inspect(value, { depth: 6, colors: false });
}

/** console-style formatting: `%s %d %i %f %o %O %j %c %%` in a leading string, then the rest. */
export function formatLogArgs(args: readonly unknown[]): string {
  const [first, ...rest] = args;
  if (typeof first !== "string" || !first.includes("%")) return args.map(show).join(" ");
  let index = 0;
  const head = first.replace(/%([sdifoOjc%])/g, (match, code: string) => {
    if (code === "%") return "%";
    if (index >= rest.length) return match;
    const value = rest[index++];
    switch (code) {
      case "s":
        return typeof value === "string" ? value : show(value);
      case "d":
      case "i":
        return typeof value === "bigint" ? `${value}` : String(Math.trunc(Number(value)));
      case "f":
        return String(Number(value));
      case "c":
        return "";
      default:
        return show(value);
    }
  });
  return [head, ...rest.slice(index).map(show)].join(" ");
}

type ConsoleMethods = Record<(typeof METHODS)[number], (...args: unknown[]) => void>;

const METHODS = ["log", "info", "debug", "warn", "error", "trace", "dir"] as const;

function consoleMethods(sink: LogSink): ConsoleMethods {
  const log =
    (level: LogLevel) =>
    (...args: unknown[]) =>
      sink(level, formatLogArgs(args));
  return {
    log: log("info"),
    info: log("info"),
    debug: log("debug"),
    warn: log("warn"),
    error: log("error"),
    trace: log("debug"),
    dir: (value: unknown) => sink("info", show(value)),
  };
}

let installed: { sink: LogSink; methods: ConsoleMethods } | null = null;

/**
 * Called before every job: puts back any method a job replaced. The methods are made once
 * per sink and only written where they differ, not rebuilt for each job.
 */
export function installConsole(sink: LogSink): void {
  if (installed?.sink !== sink) installed = { sink, methods: consoleMethods(sink) };
  const { methods } = installed;
  const target = globalThis.console as unknown as Record<string, unknown>;
  for (const name of METHODS) {
    if (target[name] !== methods[name]) target[name] = methods[name];
  }
}
