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

export function optionalInt(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw invalidField(field, `${field} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

export function optionalDate(value: unknown, field: string): Date | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const date = typeof value === "string" || typeof value === "number" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalidField(field, `${field} must be an ISO 8601 date-time`);
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
