// Replaces secret values in text by "***": the sandbox masks what a job logs, the server
// masks raw output lines and progress whatever the job's runtime did. Values shorter than
// MIN_MASKED_LENGTH are left alone: masking "a" or "on" would garble every line.
import type { JsonValue } from "./json.ts";

export const MIN_MASKED_LENGTH = 4;

export type Masker = (text: string) => string;

/** Replaces each value (longest first, so a secret containing another is masked whole). */
export function createMasker(values: readonly string[]): Masker {
  const secrets = [...new Set(values)]
    .filter((value) => typeof value === "string" && value.length >= MIN_MASKED_LENGTH)
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
