// Maps anything thrown by a handler to an HTTP status and a JSON body with a string
// `error` (compatibility §1.6). Unexpected errors are logged and answered as a 500 without details.
import { AppError } from "../errors.ts";
import { isConnectionError } from "../db/connection-error.ts";
import type { Logger } from "../logger.ts";

export interface ErrorReply {
  status: number;
  body: Record<string, unknown>;
}

/** PostgreSQL errors a caller can cause despite validation (e.g. a race) become 4xx. */
function fromPostgres(err: { code?: string; message: string }): AppError | undefined {
  switch (err.code) {
    case "22P02":
    case "22007":
    case "22008":
    case "22003":
    case "22021": // invalid byte sequence (a NUL byte that got past the input check)
    case "22P05": // untranslatable character (an unpaired surrogate in JSON)
      return new AppError("BAD_REQUEST", `Invalid value: ${err.message}`);
    case "23505":
      return new AppError("CONFLICT", "Already exists");
    case "23503":
      return new AppError("BAD_REQUEST", "A referenced row does not exist");
    default:
      return undefined;
  }
}

export function toErrorReply(err: unknown, requestId: string, logger: Logger): ErrorReply {
  const known =
    err instanceof AppError ? err : fromPostgres(err as { code?: string; message: string });
  if (known && known.status < 500) {
    return {
      status: known.status,
      body: { error: known.message, code: known.code, ...known.extra },
    };
  }
  if (isConnectionError(err)) {
    logger.warn("request failed: database unavailable", {
      request_id: requestId,
      error: (err as Error).message,
    });
    return {
      status: 503,
      body: {
        error: "Database unavailable; try again shortly",
        code: "DATABASE_UNAVAILABLE",
        request_id: requestId,
      },
    };
  }
  logger.error("request failed", {
    request_id: requestId,
    error: (err as Error)?.stack ?? String(err),
  });
  return {
    status: 500,
    body: { error: "Internal server error", code: "INTERNAL", request_id: requestId },
  };
}
