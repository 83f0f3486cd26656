import { describe, expect, it } from "vitest";
import { createNoncePool, NONCE_BYTES } from "./nonce-pool.ts";

describe("createNoncePool", () => {
  it("hands out distinct nonces of the full length, across blocks", () => {
    const pool = createNoncePool({ perBlock: 4 });
    const nonces = Array.from({ length: 50 }, () => pool.next());
    expect(new Set(nonces).size).toBe(50);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, "base64url")).toHaveLength(NONCE_BYTES);
    }
  });
});
