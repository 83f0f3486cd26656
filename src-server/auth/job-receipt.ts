// Job receipts: what an anonymous submitter gets beside its job's id. A receipt is an
// HS256 token (scope "job-receipt", claim job_id) that lets whoever holds it read that one
// job with GET /api/v1/jobs/:id while holding only the anon key. It is not a credential:
// caller resolution refuses it as a Bearer token or key, and no other route reads it.
import { signJwt, verifyJwt, type Claims } from "./jwt.ts";

export const RECEIPT_SCOPE = "job-receipt";
/** The request header a receipt travels in. */
export const RECEIPT_HEADER = "x-job-receipt";
/** How long a receipt reads its job: one day. */
export const RECEIPT_TTL_SECONDS = 24 * 60 * 60;

export interface ReceiptOptions {
  secret: string;
  jobId: string;
  ttlSeconds?: number;
  now?: number;
}

export function signJobReceipt({
  secret,
  jobId,
  ttlSeconds = RECEIPT_TTL_SECONDS,
  now,
}: ReceiptOptions): string {
  return signJwt(
    { scope: RECEIPT_SCOPE, token_type: RECEIPT_SCOPE, job_id: jobId },
    { secret, expiresIn: ttlSeconds, ...(now === undefined ? {} : { now }) },
  );
}

/** Whether verified claims are a receipt's (never to be taken for a caller's token). */
export function isReceiptClaims(claims: Claims): boolean {
  return claims.scope === RECEIPT_SCOPE || claims.token_type === RECEIPT_SCOPE;
}

/** Whether `token` is a valid, unexpired receipt for exactly `jobId`. */
export function receiptAdmits(token: string | undefined, secret: string, jobId: string): boolean {
  if (!token) return false;
  const result = verifyJwt(token.trim(), secret);
  return result.ok && isReceiptClaims(result.claims) && result.claims.job_id === jobId;
}
