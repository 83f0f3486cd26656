// Signed download URLs: `<exp>.<hmac>` where the HMAC-SHA256 (JWT secret) covers the
// bucket, the object path and the expiry, so a token opens one object until it expires.
// Pure: the time comes in as an argument.
import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidField } from "../errors.ts";
import { objectPathForUrl } from "./paths.ts";

export const MAX_EXPIRES_IN = 604_800;

export function validateExpiresIn(value: unknown): number {
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > MAX_EXPIRES_IN
  ) {
    throw invalidField(
      "expires_in",
      `expires_in must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}`,
    );
  }
  return value;
}

function signature(secret: string, bucket: string, path: string, exp: number): string {
  return createHmac("sha256", secret)
    .update(`storage-sign\n${bucket}\n${path}\n${exp}`)
    .digest("base64url");
}

export interface SignOptions {
  secret: string;
  bucket: string;
  path: string;
  expiresIn: number;
  nowMs: number;
}

export function signObjectToken(options: SignOptions): string {
  const exp = Math.floor(options.nowMs / 1000) + options.expiresIn;
  return `${exp}.${signature(options.secret, options.bucket, options.path, exp)}`;
}

/** The absolute URL the sign route answers with, on the server's public URL `baseUrl`. */
export function signedObjectUrl(options: SignOptions & { baseUrl: string }): string {
  const token = signObjectToken(options);
  const base = options.baseUrl.replace(/\/+$/, "");
  return `${base}/api/v1/storage/object/sign/${encodeURIComponent(options.bucket)}/${objectPathForUrl(options.path)}?token=${encodeURIComponent(token)}`;
}

export function verifyObjectToken(
  token: string | null,
  options: { secret: string; bucket: string; path: string; nowMs: number },
): boolean {
  const match = token ? /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token) : null;
  if (!match) return false;
  const exp = Number(match[1]);
  if (exp * 1000 <= options.nowMs) return false;
  const expected = Buffer.from(signature(options.secret, options.bucket, options.path, exp));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
