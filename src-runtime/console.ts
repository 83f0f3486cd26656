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

export function installConsole(sink: LogSink): void {
  const log =
    (level: LogLevel) =>
    (...args: unknown[]) =>
      sink(level, formatLogArgs(args));
  const target = globalThis.console;
  target.log = log("info");
  target.info = log("info");
  target.debug = log("debug");
  target.warn = log("warn");
  target.error = log("error");
  target.trace = log("debug");
  target.dir = (value: unknown) => sink("info", show(value));
}
