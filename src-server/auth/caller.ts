// Resolves the credentials of a request to a Caller (compatibility §1.2). The first credential
// present decides; an invalid one is a 401, never a silent fall-back to anonymous. A
// signed token is then checked against live state (live-check.ts): a signed-out session,
// a deleted user or a finished job attempt is a 401 too, and a user's role is the current one.
import { timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.ts";
import { isReceiptClaims } from "./job-receipt.ts";
import { verifyJwt, type Claims } from "./jwt.ts";
import type { ApiKeys } from "./keys.ts";
import type { JobBinding, LiveCheck } from "./live-check.ts";

export interface Caller {
  /** The application role: anon, authenticated, admin, dashboard_admin, service_role or custom. */
  role: string;
  /** auth.users id when the token names a user. */
  userId: string | null;
  email: string | null;
  kind: "anon" | "service" | "user";
  claims: Claims;
  /** Set for the tokens a job receives: they hold only while that attempt runs. */
  job?: JobBinding;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function serviceCaller(): Caller {
  return {
    role: "service_role",
    userId: null,
    email: null,
    kind: "service",
    claims: { role: "service_role" },
  };
}

export function anonCaller(): Caller {
  return { role: "anon", userId: null, email: null, kind: "anon", claims: { role: "anon" } };
}

/** The attempt named by a job token's claims (job_id, job_worker, job_attempt). */
function jobBinding(claims: Claims): JobBinding | undefined {
  if (claims.job_id === undefined) return undefined;
  return {
    jobId: isUuid(claims.job_id) ? claims.job_id : null,
    workerId: isUuid(claims.job_worker) ? claims.job_worker : null,
    attempt: Number.isInteger(claims.job_attempt) ? (claims.job_attempt as number) : null,
  };
}

/** Turns verified claims into a Caller. */
export function callerFromClaims(claims: Claims): Caller {
  const role = typeof claims.role === "string" && claims.role ? claims.role : "authenticated";
  const job = jobBinding(claims);
  const bound = job ? { job } : {};
  if (role === "service_role") return { ...serviceCaller(), claims, ...bound };
  if (role === "anon") return { ...anonCaller(), claims, ...bound };
  const id = isUuid(claims.sub)
    ? claims.sub
    : isUuid(claims.user_id)
      ? (claims.user_id as string)
      : null;
  const email = typeof claims.email === "string" ? claims.email : null;
  return { role, userId: id, email, kind: "user", claims, ...bound };
}

export interface CallerResolver {
  resolve(headers: HeaderBag, query?: URLSearchParams): Promise<Caller>;
  /** Resolves a bare token (WebSocket query, impersonation) or throws 401. */
  fromToken(token: string): Promise<Caller>;
  /** A caller resolved earlier, as of now (long-lived sockets re-check): or a 401. */
  recheck(caller: Caller): Promise<Caller>;
  /**
   * Re-checks `caller` every `recheckMs`, in one tick with every other watched caller (so
   * their lookups share a query), and reports the caller as of now or the error. Returns
   * the function that stops watching.
   */
  watch(
    caller: Caller,
    onResult: (result: { caller: Caller } | { error: unknown }) => void,
  ): () => void;
}

export interface CallerResolverOptions {
  /** Live checks of sessions, users and job attempts; without it only signatures and expiry count. */
  live?: LiveCheck;
  /** How often watched callers are re-checked (default 2 s). */
  recheckMs?: number;
  /** Verified tokens remembered, so a client's next request skips the signature (default 10,000). */
  verifiedTokens?: number;
}

export function createCallerResolver(
  keys: ApiKeys,
  options: CallerResolverOptions = {},
): CallerResolver {
  const recheck = async (caller: Caller): Promise<Caller> => {
    const exp = caller.claims.exp;
    if (typeof exp === "number" && exp * 1000 <= Date.now()) {
      throw new AppError("UNAUTHORIZED", "Invalid or expired Bearer token");
    }
    return options.live ? options.live.check(caller) : caller;
  };

  // A token's signature and claims do not change: once verified, the caller it makes is
  // remembered. What can change is checked on every use all the same: expiry (recheck)
  // and live state (the session, the user, the job attempt). Only accepted tokens are kept.
  const verified = new Map<string, Caller>();
  const maxVerified = options.verifiedTokens ?? 10_000;
  const fromToken = async (token: string): Promise<Caller> => {
    if (same(token, keys.serviceKey)) return serviceCaller();
    if (same(token, keys.anonKey)) return anonCaller();
    const known = verified.get(token);
    if (known) return recheck(known);
    const result = verifyJwt(token, keys.jwtSecret);
    // Refresh tokens and job receipts are signed with the same secret but speak for no one.
    if (!result.ok || result.claims.token_type === "refresh" || isReceiptClaims(result.claims)) {
      throw new AppError("UNAUTHORIZED", "Invalid or expired Bearer token");
    }
    const caller = callerFromClaims(result.claims);
    if (verified.size >= maxVerified) verified.clear();
    verified.set(token, caller);
    return recheck(caller);
  };

  type Watcher = { caller: Caller; onResult: Parameters<CallerResolver["watch"]>[1] };
  const watchers = new Set<Watcher>();
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    for (const w of watchers) {
      recheck(w.caller).then(
        (caller) => watchers.has(w) && w.onResult({ caller }),
        (error: unknown) => watchers.has(w) && w.onResult({ error }),
      );
    }
  };

  return {
    fromToken,
    recheck,
    watch(caller, onResult) {
      const watcher = { caller, onResult };
      watchers.add(watcher);
      ticker ??= setInterval(tick, options.recheckMs ?? 2_000).unref();
      return () => {
        watchers.delete(watcher);
        if (watchers.size === 0 && ticker) {
          clearInterval(ticker);
          ticker = undefined;
        }
      };
    },
    async resolve(headers) {
      const authorization = header(headers, "authorization")?.trim();
      const serviceKey =
        header(headers, "x-service-key") ??
        (authorization?.toLowerCase().startsWith("servicekey ")
          ? authorization.slice(11).trim()
          : undefined);
      if (serviceKey !== undefined) {
        let caller: Caller | undefined;
        try {
          caller = await fromToken(serviceKey);
        } catch (err) {
          if (err instanceof AppError && err.extra.code === "REVOKED_TOKEN") throw err;
          caller = undefined;
        }
        if (caller?.kind !== "service") throw new AppError("UNAUTHORIZED", "Invalid service key");
        return caller;
      }
      if (authorization) {
        const match = /^bearer\s+(.+)$/i.exec(authorization);
        if (!match?.[1]) throw new AppError("UNAUTHORIZED", "Invalid or expired Bearer token");
        return fromToken(match[1].trim());
      }
      const apikey = header(headers, "apikey");
      if (apikey) return fromToken(apikey.trim());
      throw new AppError(
        "UNAUTHORIZED",
        "Authentication required. Provide Bearer token, X-Client-Key, or X-Service-Key",
      );
    },
  };
}
