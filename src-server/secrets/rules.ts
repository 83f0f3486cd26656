// What a secret may be called and hold, and the upstream environment names a job sees
// it under (compatibility §4.6). Pure: validation throws AppErrors that name the field.
import { AppError, invalidField } from "../errors.ts";
import { textProblem } from "../db/storable.ts";

export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_DESCRIPTION_CHARS = 1024;

const NAME_RULE = "start with a letter or _, then up to 127 letters, digits, _ . or -";

export function checkName(name: unknown, field = "key"): string {
  if (typeof name !== "string" || name === "") throw invalidField(field, `${field} is required`);
  if (!SECRET_NAME.test(name)) throw invalidField(field, `${field} must ${NAME_RULE}`);
  // Secrets travel to jobs as plain objects keyed by name.
  if (name === "__proto__") throw invalidField(field, `${field} must not be __proto__`);
  return name;
}

export function checkValue(value: unknown, field = "value"): string {
  if (typeof value !== "string")
    throw invalidField(field, `${field} is required and must be a string`);
  if (value === "") throw invalidField(field, `${field} must not be empty`);
  // A job sees secrets as environment variables, which cannot hold a NUL byte.
  const problem = textProblem(value);
  if (problem) throw invalidField(field, `${field}: ${problem}`);
  if (Buffer.byteLength(value, "utf8") > MAX_VALUE_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `${field} exceeds ${MAX_VALUE_BYTES} bytes`, { field });
  }
  return value;
}

/** undefined: not given (keep); null or "": clear. */
export function checkDescription(
  description: unknown,
  field = "description",
): string | null | undefined {
  if (description === undefined) return undefined;
  if (description === null || description === "") return null;
  if (typeof description !== "string") throw invalidField(field, `${field} must be a string`);
  const problem = textProblem(description);
  if (problem) throw invalidField(field, `${field}: ${problem}`);
  if (description.length > MAX_DESCRIPTION_CHARS) {
    throw invalidField(field, `${field} must be at most ${MAX_DESCRIPTION_CHARS} characters`);
  }
  return description;
}

/** Upstream's spelling: `.` becomes `_`, then upper case. Null when that is no variable name. */
export function envSuffix(name: string): string | null {
  const suffix = name.replace(/\./g, "_").toUpperCase();
  return /^[A-Z0-9_]+$/.test(suffix) ? suffix : null;
}

/**
 * FLUXBASE_SETTING_<KEY> for system secrets and FLUXBASE_USER_<KEY> for the user's, as an
 * upstream job reads them with Deno.env.get, then the function secrets (already named
 * FLUXBASE_SECRET_<NAME>). Names with `-` have no such variable (they stay reachable through
 * the `secrets` global).
 */
export function secretEnv(secrets: {
  user: Record<string, string>;
  system: Record<string, string>;
  functions?: Record<string, string>;
}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [prefix, store] of [
    ["FLUXBASE_SETTING_", secrets.system],
    ["FLUXBASE_USER_", secrets.user],
  ] as const) {
    for (const [name, value] of Object.entries(store)) {
      const suffix = envSuffix(name);
      // A value stored before NUL bytes were refused would make the process fail to start.
      if (suffix && !value.includes("\0")) env[prefix + suffix] = value;
    }
  }
  return { ...env, ...secrets.functions };
}
