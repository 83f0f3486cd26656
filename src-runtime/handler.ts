// Finds the entry point of a job module and calls it the way upstream does:
// `handler(req, fluxbase, fluxbaseService, job)` (an `export function handler`, or a
// default-exported function, named or not), else `main(payload, fluxbase, fluxbaseService, job)`.
import type { JsonValue as Json } from "../src-shared/json.ts";

type EntryFunction = (...args: unknown[]) => unknown;

export interface JobEntry {
  style: "handler" | "main";
  run: EntryFunction;
}

export const NO_HANDLER_MESSAGE =
  "No handler function found. Export a 'handler', 'default', or 'main' function.";

export function findEntry(module: Record<string, unknown>): JobEntry {
  if (typeof module.handler === "function") {
    return { style: "handler", run: module.handler as EntryFunction };
  }
  if (typeof module.default === "function") {
    return { style: "handler", run: module.default as EntryFunction };
  }
  if (typeof module.main === "function") {
    return { style: "main", run: module.main as EntryFunction };
  }
  throw new Error(NO_HANDLER_MESSAGE);
}

export interface EntryArguments {
  serverUrl: string;
  payload: { [key: string]: Json };
  fluxbase: unknown;
  fluxbaseService: unknown;
  job: unknown;
}

export function callEntry(entry: JobEntry, args: EntryArguments): unknown {
  const { fluxbase, fluxbaseService, job } = args;
  if (entry.style === "main") return entry.run(args.payload, fluxbase, fluxbaseService, job);
  const req = new Request(args.serverUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(args.payload ?? {}),
  });
  return entry.run(req, fluxbase, fluxbaseService, job);
}
