// Replaces secret values in log text by "***" (values shorter than 4 are left alone:
// masking "a" or "on" would garble every line). The sandbox masks too; this covers
// raw stdout/stderr lines that bypass its console, and progress, whose message and data
// are masked here whatever the job's runtime did.
import type { JsonValue } from "../../../src-sdk/types.ts";
import type { ProgressReport } from "../worker/runtime.ts";

export type Masker = (text: string) => string;

export function createMasker(values: readonly string[]): Masker {
  const secrets = [...new Set(values)]
    .filter((value) => value.length >= 4)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let masked = text;
    for (const secret of secrets) {
      if (masked.includes(secret)) masked = masked.split(secret).join("***");
    }
    return masked;
  };
}

/** Every string of a JSON value masked, object keys included. */
export function maskJson(mask: Masker, value: JsonValue): JsonValue {
  if (typeof value === "string") return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskJson(mask, item));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(value))
    out[mask(key)] = maskJson(mask, item as JsonValue);
  return out;
}

/** A progress report with its message and data masked. */
export function maskProgress(mask: Masker, report: ProgressReport): ProgressReport {
  const masked: ProgressReport = { percent: report.percent };
  if (report.message !== undefined) masked.message = mask(report.message);
  if (report.data !== undefined) masked.data = maskJson(mask, report.data);
  return masked;
}
