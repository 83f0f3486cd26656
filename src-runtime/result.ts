// Turns what a handler returned or threw into what the server stores.
import type { JsonValue as Json } from "../src-shared/json.ts";

/**
 * A Response becomes its JSON body (or `{ body, status }` when the body is not JSON);
 * `{ status: number, body: string }` becomes the parsed body (upstream's rule);
 * undefined becomes null; any other value is kept (it must be JSON-serialisable).
 */
export async function normaliseResult(value: unknown): Promise<unknown> {
  if (value instanceof Response) {
    const body = await value.text();
    return parseOr(body, { body, status: value.status });
  }
  if (isStatusBody(value)) return parseOr(value.body, value.body);
  return value === undefined ? null : value;
}

function isStatusBody(value: unknown): value is { status: number; body: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.status === "number" && typeof record.body === "string";
}

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return fallback;
  }
}

/** The message and stack of anything thrown, Error or not. */
export function describeError(thrown: unknown): { message: string; stack?: string } {
  if (thrown instanceof Error) {
    return { message: thrown.message || thrown.name, stack: thrown.stack };
  }
  if (typeof thrown === "string") return { message: thrown };
  if (typeof thrown === "object" && thrown !== null && "message" in thrown) {
    return { message: String((thrown as { message: unknown }).message) };
  }
  try {
    return { message: thrown === undefined ? "undefined" : String(JSON.stringify(thrown)) };
  } catch {
    return { message: String(thrown) };
  }
}
