// One error type for the whole server. Every failure a caller can cause is an
// AppError with a code; http/errors.ts maps it to a status and a JSON body.

export type ErrorCode =
  | "BAD_REQUEST"
  | "VALIDATION_FAILED"
  | "PAYLOAD_TOO_LARGE"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "JOB_NOT_FOUND"
  | "FUNCTION_NOT_FOUND"
  | "FUNCTION_DISABLED"
  | "INVALID_STATE"
  | "CONFLICT"
  | "FEATURE_DISABLED"
  | "CONFIG_INVALID"
  | "INTERNAL";

const statusByCode: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  FUNCTION_NOT_FOUND: 404,
  FUNCTION_DISABLED: 403,
  INVALID_STATE: 400,
  CONFLICT: 409,
  FEATURE_DISABLED: 404,
  CONFIG_INVALID: 500,
  INTERNAL: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra keys for the JSON body, e.g. `{ field: "payload" }`. */
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = statusByCode[code];
    this.extra = extra;
  }
}

/** A 400 that names the offending field. */
export function invalidField(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { field });
}

/** Normalise anything thrown into an Error with a message (graphile-worker's coerceError). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  try {
    return new Error(JSON.stringify(thrown));
  } catch {
    return new Error(String(thrown));
  }
}
