// The SDK never throws for HTTP failures: every call resolves to `{ data, error }`.
// `error` is a FluxbaseError built in one place from the response (compatibility §1.1).

export class FluxbaseError extends Error {
  /** HTTP status; 408 for a client-side timeout, 0 when the request never got a response. */
  readonly status: number;
  /** The body's `code` when it has one (e.g. "INVALID_TOKEN"). */
  readonly code?: string;
  /** The parsed response body (or the thrown value for network failures). */
  readonly details: unknown;

  constructor(message: string, status: number, details: unknown = null, code?: string) {
    super(message);
    this.name = "FluxbaseError";
    this.status = status;
    this.details = details;
    if (code !== undefined) this.code = code;
  }
}

/** What every SDK call resolves to. Destructure and check `error` to narrow `data`. */
export type Result<T> = { data: T; error: null } | { data: null; error: FluxbaseError };

export function ok<T>(data: T): Result<T> {
  return { data, error: null };
}

export function fail<T = never>(error: FluxbaseError): Result<T> {
  return { data: null, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** message = body.error when the body is a JSON object with a string `error`, else the status text. */
export function errorFromBody(status: number, statusText: string, body: unknown): FluxbaseError {
  if (isObject(body) && typeof body.error === "string") {
    const code = typeof body.code === "string" ? body.code : undefined;
    return new FluxbaseError(body.error, status, body, code);
  }
  return new FluxbaseError(statusText || `HTTP ${status}`, status, body);
}

export function timeoutError(timeoutMs: number): FluxbaseError {
  return new FluxbaseError("Request timeout", 408, { timeout_ms: timeoutMs }, "REQUEST_TIMEOUT");
}

export function networkError(thrown: unknown): FluxbaseError {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new FluxbaseError(message || "Network error", 0, thrown, "NETWORK_ERROR");
}
