// Value parsers for config settings. Each takes the raw value from one source
// (a string from env/argv, any YAML scalar) and either converts it or says what
// was expected; resolveConfig turns the latter into one CONFIG_INVALID error
// that names the source: `FLUXBASE_PORT must be a port number 0..65535, got "x"`.
import path from "node:path";
import { parseDurationMs } from "./duration.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

export interface ParseContext {
  cwd: string;
}

export type Parser<T> = (raw: unknown, ctx: ParseContext) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const expected = <T>(text: string): Parsed<T> => ({ ok: false, expected: text });

function asText(raw: unknown): string | null {
  if (typeof raw === "string") return raw.trim();
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  return null;
}

export const nonEmptyString: Parser<string> = (raw) => {
  const text = asText(raw);
  return text ? ok(text) : expected("a non-empty string");
};

/** A directory or file path; relative paths resolve against the working directory. */
export const pathValue: Parser<string> = (raw, ctx) => {
  const text = asText(raw);
  return text ? ok(path.resolve(ctx.cwd, text)) : expected("a path");
};

const truthy = new Set(["true", "1", "yes"]);
const falsy = new Set(["false", "0", "no"]);

export const booleanValue: Parser<boolean> = (raw) => {
  if (typeof raw === "boolean") return ok(raw);
  const text = asText(raw)?.toLowerCase() ?? "";
  if (truthy.has(text)) return ok(true);
  if (falsy.has(text)) return ok(false);
  return expected("true or false (also 1/0, yes/no)");
};

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const description =
    max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number ${min}..${max}`;
  return (raw) => {
    const text = asText(raw);
    if (text === null || !/^\d+$/.test(text)) return expected(description);
    const value = Number(text);
    return value >= min && value <= max ? ok(value) : expected(description);
  };
}

export const portNumber: Parser<number> = (raw, ctx) => {
  const parsed = wholeNumber(0, 65535)(raw, ctx);
  return parsed.ok ? parsed : expected("a port number 0..65535");
};

function durationText(minMs: number): string {
  const floor = minMs === 0 ? "" : ` of at least ${minMs} ms`;
  return `a duration${floor} such as "250ms", "30s", "5m" or a number of seconds`;
}

/** A duration in milliseconds ("5m", "250ms", plain numbers are seconds). */
export function durationMs(minMs: number): Parser<number> {
  return (raw) => {
    const value = typeof raw === "number" || typeof raw === "string" ? parseDurationMs(raw) : null;
    return value !== null && value >= minMs ? ok(value) : expected(durationText(minMs));
  };
}

/** A duration in whole seconds ("300", "300s", "5m"). */
export function durationSeconds(minSeconds: number): Parser<number> {
  const description = `a whole number of seconds >= ${minSeconds} (e.g. 300, "300s" or "5m")`;
  return (raw) => {
    const ms = typeof raw === "number" || typeof raw === "string" ? parseDurationMs(raw) : null;
    if (ms === null || ms % 1000 !== 0 || ms / 1000 < minSeconds) return expected(description);
    return ok(ms / 1000);
  };
}

export function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const text = asText(raw)?.toLowerCase();
    const found = values.find((value) => value === text);
    return found ? ok(found) : expected(`one of ${values.join(", ")}`);
  };
}

export const httpUrl: Parser<string> = (raw) => {
  const text = asText(raw);
  if (text && URL.canParse(text)) {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return ok(text.replace(/\/+$/, ""));
  }
  return expected("an http(s) URL");
};

export const databaseUrl: Parser<string> = (raw) => {
  const text = asText(raw);
  if (text && /^postgres(?:ql)?:\/\//.test(text) && URL.canParse(text)) return ok(text);
  return expected("a postgres:// or postgresql:// URL");
};

/** A secret: never echoed back in an error message (see `sensitive` in settings.ts). */
export function secretString(minLength: number): Parser<string> {
  return (raw) => {
    const text = asText(raw) ?? "";
    return text.length >= minLength ? ok(text) : expected(`at least ${minLength} characters long`);
  };
}
