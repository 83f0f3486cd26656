// A digest that tells whether two processes hold the same secret without revealing it:
// HMAC-SHA256 of a fixed text, keyed by the secret.
import { createHmac } from "node:crypto";

export type SecretPurpose = "jwt" | "encryption";

export function secretCheck(secret: string | Buffer, purpose: SecretPurpose): string {
  return createHmac("sha256", secret).update(`fluxbase-local:${purpose}-check`).digest("hex");
}
