import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { checkDescription, checkName, checkValue, MAX_VALUE_BYTES, secretEnv } from "./rules.ts";

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}

describe("secret names, values and descriptions", () => {
  it("accepts names upstream accepts and names the field when refusing", () => {
    for (const ok of ["stripe_api_key", "_x", "A", "smtp.password", "a-b", "x".repeat(128)])
      expect(checkName(ok)).toBe(ok);
    for (const bad of [
      "",
      "1abc",
      "has space",
      "a/b",
      "x".repeat(129),
      "ä",
      "__proto__",
      42,
      undefined,
    ]) {
      const err = failure(() => checkName(bad));
      expect(err.status).toBe(400);
      expect(err.extra.field).toBe("key");
    }
  });

  it("limits values to 64 KiB (413) and refuses empty or non-string values (400)", () => {
    expect(checkValue("v".repeat(MAX_VALUE_BYTES))).toHaveLength(MAX_VALUE_BYTES);
    const big = failure(() => checkValue("v".repeat(MAX_VALUE_BYTES + 1)));
    expect([big.status, big.extra.field]).toEqual([413, "value"]);
    // Bytes, not characters: 3-byte characters reach the limit sooner.
    expect(failure(() => checkValue("€".repeat(MAX_VALUE_BYTES / 3 + 1))).status).toBe(413);
    expect(failure(() => checkValue("")).status).toBe(400);
    expect(failure(() => checkValue(12)).extra.field).toBe("value");
  });

  it("refuses a NUL byte or an unpaired surrogate in a value or a description (a job could not start)", () => {
    for (const bad of ["a\u0000b", "\ud800", "x\udc00"]) {
      const err = failure(() => checkValue(bad, "VALUE"));
      expect([err.status, err.extra.field]).toEqual([400, "VALUE"]);
      expect(failure(() => checkDescription(bad)).extra.field).toBe("description");
    }
    expect(checkValue("emoji 😀 ok")).toBe("emoji 😀 ok");
  });

  it("keeps, clears or checks a description", () => {
    expect(checkDescription(undefined)).toBeUndefined();
    expect(checkDescription(null)).toBeNull();
    expect(checkDescription("")).toBeNull();
    expect(checkDescription("Stripe")).toBe("Stripe");
    expect(failure(() => checkDescription(5)).extra.field).toBe("description");
    expect(failure(() => checkDescription("d".repeat(1025))).status).toBe(400);
  });
});

describe("secretEnv", () => {
  it("spells upstream's variables: FLUXBASE_SETTING_ (system) and FLUXBASE_USER_ (user), . → _, upper case", () => {
    expect(
      secretEnv({
        system: { stripe_api_key: "s1", "smtp.password": "s2", "has-dash": "s3" },
        user: { stripe_api_key: "u1" },
      }),
    ).toEqual({
      FLUXBASE_SETTING_STRIPE_API_KEY: "s1",
      FLUXBASE_SETTING_SMTP_PASSWORD: "s2",
      FLUXBASE_USER_STRIPE_API_KEY: "u1",
    });
  });

  it("leaves out a value holding a NUL byte (stored before they were refused), so the job still starts", () => {
    expect(secretEnv({ system: { bad: "a\u0000b", good: "g" }, user: {} })).toEqual({
      FLUXBASE_SETTING_GOOD: "g",
    });
  });
});
