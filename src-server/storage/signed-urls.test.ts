import { describe, expect, it } from "vitest";
import {
  signedObjectUrl,
  signObjectToken,
  validateExpiresIn,
  verifyObjectToken,
} from "./signed-urls.ts";

const secret = "s".repeat(32);
const nowMs = 1_700_000_000_000;
const base = { secret, bucket: "docs", path: "a b/c.txt", nowMs };

describe("signed object tokens", () => {
  it("verify for the same object until they expire", () => {
    const token = signObjectToken({ ...base, expiresIn: 60 });
    expect(verifyObjectToken(token, base)).toBe(true);
    expect(verifyObjectToken(token, { ...base, nowMs: nowMs + 59_000 })).toBe(true);
    expect(verifyObjectToken(token, { ...base, nowMs: nowMs + 60_000 })).toBe(false);
  });

  it("are bound to bucket, path, expiry and secret", () => {
    const token = signObjectToken({ ...base, expiresIn: 60 });
    expect(verifyObjectToken(token, { ...base, bucket: "other" })).toBe(false);
    expect(verifyObjectToken(token, { ...base, path: "a b/d.txt" })).toBe(false);
    expect(verifyObjectToken(token, { ...base, secret: "t".repeat(32) })).toBe(false);
    const [exp, sig] = token.split(".");
    expect(verifyObjectToken(`${Number(exp) + 1000}.${sig}`, base)).toBe(false);
    expect(verifyObjectToken(null, base)).toBe(false);
    expect(verifyObjectToken("garbage", base)).toBe(false);
  });

  it("build the absolute URL the sign route returns, on the public URL", () => {
    const url = signedObjectUrl({ ...base, expiresIn: 10, baseUrl: "https://files.example/" });
    expect(url).toMatch(
      /^https:\/\/files\.example\/api\/v1\/storage\/object\/sign\/docs\/a%20b\/c\.txt\?token=\d+\.[\w-]+$/,
    );
  });

  it("accept expires_in from 1 to 604800 seconds", () => {
    expect(validateExpiresIn(1)).toBe(1);
    expect(validateExpiresIn(604_800)).toBe(604_800);
    for (const bad of [0, 604_801, 1.5, "60", undefined])
      expect(() => validateExpiresIn(bad)).toThrow(/expires_in/);
  });
});
