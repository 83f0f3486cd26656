import { describe, expect, it } from "vitest";
import { createCallerResolver } from "./caller.ts";
import { receiptAdmits, signJobReceipt } from "./job-receipt.ts";
import { signJwt } from "./jwt.ts";

const secret = "test-secret";
const jobA = "00000000-0000-4000-8000-00000000000a";
const jobB = "00000000-0000-4000-8000-00000000000b";

describe("job receipts", () => {
  it("admit exactly their job, while unexpired and signed with the secret", () => {
    const receipt = signJobReceipt({ secret, jobId: jobA });
    expect(receiptAdmits(receipt, secret, jobA)).toBe(true);
    expect(receiptAdmits(receipt, secret, jobB)).toBe(false);
    expect(receiptAdmits(receipt, "other-secret", jobA)).toBe(false);
    const old = signJobReceipt({ secret, jobId: jobA, now: Date.now() - 25 * 60 * 60 * 1000 });
    expect(receiptAdmits(old, secret, jobA)).toBe(false);
    expect(receiptAdmits(undefined, secret, jobA)).toBe(false);
    // A token of another kind naming the job is no receipt.
    const access = signJwt({ role: "anon", job_id: jobA }, { secret, expiresIn: 60 });
    expect(receiptAdmits(access, secret, jobA)).toBe(false);
  });

  it("are no credential: caller resolution refuses them as Bearer token, apikey or bare token", async () => {
    const callers = createCallerResolver({
      jwtSecret: secret,
      anonKey: "anon",
      serviceKey: "service",
      file: "",
    });
    const receipt = signJobReceipt({ secret, jobId: jobA });
    await expect(callers.fromToken(receipt)).rejects.toThrow(/Invalid or expired/);
    await expect(callers.resolve({ authorization: `Bearer ${receipt}` })).rejects.toThrow(
      /Invalid or expired/,
    );
    await expect(callers.resolve({ apikey: receipt })).rejects.toThrow(/Invalid or expired/);
  });
});
