// Control-line nonces (see src-shared/sandbox-protocol.ts): random and unguessable per
// process run, as before, but drawn from a block of random bytes read once per 256 runs
// rather than with a call into the system's random source for each.
import { randomBytes } from "node:crypto";

export const NONCE_BYTES = 18;

export interface NoncePool {
  next(): string;
}

export function createNoncePool(options: { perBlock?: number } = {}): NoncePool {
  const perBlock = Math.max(1, Math.floor(options.perBlock ?? 256));
  let block = Buffer.alloc(0);
  let used = perBlock;
  return {
    next() {
      if (used >= perBlock) {
        block = randomBytes(NONCE_BYTES * perBlock);
        used = 0;
      }
      const start = used * NONCE_BYTES;
      used += 1;
      const nonce = block.toString("base64url", start, start + NONCE_BYTES);
      block.fill(0, start, start + NONCE_BYTES);
      return nonce;
    },
  };
}
