// Validation of job API input: each failure is a 400 naming the field.
import type { JobStatus } from "../../src-sdk/types.ts";
import { isUuid } from "../auth/caller.ts";
import { AppError, invalidField } from "../errors.ts";

export const JOB_STATUSES: JobStatus[] = ["pending", "running", "completed", "failed", "cancelled"];

export function requireObject(body: unknown, field = "body"): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new AppError("BAD_REQUEST", "Invalid request body: expected a JSON object", { field });
  }
  return body as Record<string, unknown>;
}

export function optionalString(value: unknown, field: string, max = 200): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw invalidField(field, `${field} must be a string`);
  if (value.length > max) throw invalidField(field, `${field} must be at most ${max} characters`);
  return value;
}

export function requireString(value: unknown, field: string, max = 200): string {
  const s = optionalString(value, field, max);
  if (s === undefined || !s.trim()) throw invalidField(field, `${field} is required`);
  return s;
}

export function optionalInt(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw invalidField(field, `${field} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

// RFC 3339 (what upstream's Go server parses): a full date-time with an offset.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))$/;
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

/** The instant of an RFC 3339 date-time string, or undefined when it is none (or out of range). */
export function parseTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  const [year, month, day] = [n(1), n(2), n(3)];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const valid =
    year >= MIN_YEAR &&
    year <= MAX_YEAR &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day &&
    n(4) <= 23 &&
    n(5) <= 59 &&
    n(6) <= 59 &&
    n(8) <= 23 &&
    n(9) <= 59;
  if (!valid) return undefined;
  const date = new Date(text.replace(" ", "T"));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function optionalDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const date = typeof value === "string" ? parseTimestamp(value.trim()) : undefined;
  if (!date) {
    throw invalidField(
      field,
      `${field} must be an RFC 3339 date-time with a time zone, e.g. 2030-01-02T03:04:05Z (years ${MIN_YEAR} to ${MAX_YEAR})`,
    );
  }
  return date;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw invalidField(field, `${field} must be true or false`);
}

export function optionalStatus(value: unknown, field = "status"): JobStatus | undefined {
  const s = optionalString(value, field);
  if (s === undefined) return undefined;
  if (!JOB_STATUSES.includes(s as JobStatus)) {
    throw invalidField(field, `${field} must be one of ${JOB_STATUSES.join(", ")}`);
  }
  return s as JobStatus;
}

export function optionalEnum<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const s = optionalString(value, field);
  if (s === undefined) return undefined;
  if (!allowed.includes(s as T))
    throw invalidField(field, `${field} must be one of ${allowed.join(", ")}`);
  return s as T;
}

export function requireJobId(value: string): string {
  if (!isUuid(value)) throw new AppError("BAD_REQUEST", "Invalid job ID", { field: "id" });
  return value;
}

export interface Paging {
  limit: number;
  offset: number;
}

export function paging(query: URLSearchParams, defaultLimit = 50, maxLimit = 1000): Paging {
  // limit=0 asks for everything (upstream's "unlimited"), bounded here by maxLimit.
  const limit = optionalInt(query.get("limit"), "limit", 0, maxLimit);
  return {
    limit: limit === undefined ? defaultLimit : limit === 0 ? maxLimit : limit,
    offset: optionalInt(query.get("offset"), "offset", 0, 1_000_000_000) ?? 0,
  };
}
