// PostgreSQL errors a data API caller can cause -> AppError (4xx). The body's `code` is the
// SQLSTATE, as PostgREST clients expect (`error.code === "23505"`); `field` names the
// column when PostgreSQL says which, directly (`column`) or as the statement parameter it could
// not read (`where`: "unnamed portal parameter $2 = '...'", mapped through the statement's
// `fields`). Anything else is left alone and stays a 500.
import { AppError, type ErrorCode } from "../errors.ts";

interface PgError {
  code?: unknown;
  message: string;
  column?: string;
  where?: string;
}

// Caused by the request itself: a bad value, a query PostgreSQL cannot type, a trigger's
// RAISE EXCEPTION, a write the table cannot take.
const BAD_REQUEST_CODES = new Set([
  "42703", // undefined_column (dropped since the catalogue was read)
  "42804", // datatype_mismatch
  "42883", // undefined_function: no such operator for these types
  "42P10", // invalid_column_reference: on_conflict without a matching unique index
  "42P18", // indeterminate_datatype
  "428C9", // generated_always: a value for a generated column
  "21000", // cardinality_violation: one upsert touching a row twice
  "0A000", // feature_not_supported
  "55000", // object_not_in_prerequisite_state: e.g. inserting into a view
  "P0001", // raise_exception in a trigger or function
  "23502", // not_null_violation
  "23503", // foreign_key_violation
  "23514", // check_violation
  "54000", // program_limit_exceeded, e.g. an index row too large for a value
  "54001", // statement_too_complex (expression stack depth)
  "54011", // too_many_columns
  "54023", // too_many_arguments
]);

function statusFor(code: string): ErrorCode | undefined {
  if (code.startsWith("22") || BAD_REQUEST_CODES.has(code)) return "BAD_REQUEST";
  if (code === "42501") return "FORBIDDEN"; // RLS violation or missing privilege
  if (code === "23505" || code === "23P01") return "CONFLICT";
  if (code === "42P01") return "NOT_FOUND"; // dropped since the catalogue was read
  return undefined;
}

function isPgError(err: unknown): err is PgError {
  return (
    err instanceof Error &&
    !(err instanceof AppError) &&
    typeof (err as PgError).code === "string" &&
    /^[0-9A-Z]{5}$/.test((err as PgError).code as string)
  );
}

/** The field of the parameter PostgreSQL names in the error's context, if any. */
function parameterField(err: PgError, fields: readonly (string | undefined)[]): string | undefined {
  const n = /\bparameter \$(\d+)\b/.exec(err.where ?? "")?.[1];
  return n === undefined ? undefined : fields[Number(n) - 1];
}

/**
 * The AppError for a PostgreSQL error a request can cause, else `err` unchanged. `fields` are
 * the failed statement's parameter fields (sql-build.ts `Sql.fields`), when known.
 */
export function fromPgError(err: unknown, fields: readonly (string | undefined)[] = []): unknown {
  if (!isPgError(err)) return err;
  const code = err.code as string;
  const kind = statusFor(code);
  if (!kind) return err;
  const message = code.startsWith("22") ? `Invalid value: ${err.message}` : err.message;
  // 42P10 only arises from the ON CONFLICT target, which is the request's on_conflict.
  const field =
    err.column || parameterField(err, fields) || (code === "42P10" ? "on_conflict" : undefined);
  return new AppError(kind, message, { code, ...(field ? { field } : {}) });
}
