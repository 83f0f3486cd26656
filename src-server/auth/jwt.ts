// HS256 JSON Web Tokens with node:crypto. Only HS256 is accepted: a token whose header
// names any other algorithm (including "none") is refused before its signature is read.
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export type Claims = Record<string, unknown> & {
  sub?: string;
  role?: string;
  exp?: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  iss?: string;
};

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

function sign(data: string, secret: string): string {
  return createHmac("sha256", secret).update(data).digest("base64url");
}

export interface SignOptions {
  secret: string;
  /** Lifetime in seconds; omitted = no expiry (long-lived API keys). */
  expiresIn?: number;
  now?: number;
}

export function signJwt(claims: Claims, options: SignOptions): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const body: Claims = { iss: "fluxbase", iat, nbf: iat, jti: randomUUID(), ...claims };
  if (options.expiresIn !== undefined) body.exp = iat + options.expiresIn;
  const payload = Buffer.from(JSON.stringify(body)).toString("base64url");
  return `${HEADER}.${payload}.${sign(`${HEADER}.${payload}`, options.secret)}`;
}

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; reason: string };

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function verifyJwt(token: string, secret: string, now: number = Date.now()): VerifyResult {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed token" };
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  if (!header || header.alg !== "HS256") return { ok: false, reason: "unsupported algorithm" };
  const expected = Buffer.from(sign(`${headerPart}.${payloadPart}`, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: "invalid signature" };
  }
  const claims = decodeJson(payloadPart) as Claims | undefined;
  if (!claims) return { ok: false, reason: "malformed claims" };
  // A time claim that is present must be a number: a string "exp" would otherwise never expire.
  for (const name of ["exp", "nbf", "iat"] as const) {
    if (claims[name] !== undefined && !Number.isFinite(claims[name])) {
      return { ok: false, reason: `malformed ${name} claim` };
    }
  }
  const seconds = Math.floor(now / 1000);
  if (typeof claims.exp === "number" && claims.exp <= seconds)
    return { ok: false, reason: "token expired" };
  if (typeof claims.nbf === "number" && claims.nbf > seconds + 30)
    return { ok: false, reason: "token not yet valid" };
  return { ok: true, claims };
}

/** Whether a string looks like a JWT (three base64url parts). */
export function looksLikeJwt(value: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(value);
}
