// Route guards: who may call a route.
import type { CallerResolver } from "../auth/caller.ts";
import { RECEIPT_HEADER, receiptAdmits } from "../auth/job-receipt.ts";
import { jobTokenMayUse } from "../auth/job-scope.ts";
import { ADMIN_ROLES } from "../auth/roles.ts";
import type { Db } from "../db/connections.ts";
import { findUserById } from "../db/queries/users.ts";
import { AppError } from "../errors.ts";
import type { ApiRequest, AuthScheme, Guard } from "./router.ts";

/** Tags a guard with the credentials it accepts (the API document's security). */
const accepting = (auth: readonly AuthScheme[], guard: Guard): Guard =>
  Object.assign(guard, { auth });

/** Any valid credential: user token, anon key or service key (compatibility §1.2). */
export function authenticated(callers: CallerResolver): Guard {
  return accepting(["bearer", "serviceKey", "anonKey"], async (req) => {
    req.caller = await callers.resolve(req.headers);
  });
}

export interface NotAnonymousOptions {
  /**
   * The secret receipts are signed with: when given, an anon caller passes if its
   * X-Job-Receipt header is a valid receipt for exactly the job the path's `:id` names.
   */
  receiptSecret?: string;
}

/**
 * Any valid credential but the anon identity: the public anon key may submit jobs, but
 * reading them (list, get, logs, cancel, retry) needs a user or the service role.
 */
export function notAnonymous(callers: CallerResolver, options: NotAnonymousOptions = {}): Guard {
  const hasReceipt = (req: ApiRequest): boolean => {
    const token = req.headers[RECEIPT_HEADER];
    const { receiptSecret } = options;
    const jobId = req.params.id;
    return (
      !!receiptSecret &&
      !!jobId &&
      typeof token === "string" &&
      receiptAdmits(token, receiptSecret, jobId)
    );
  };
  return accepting(["bearer", "serviceKey"], async (req) => {
    const caller = await callers.resolve(req.headers);
    if (caller.role === "anon" && !hasReceipt(req)) {
      throw new AppError(
        "FORBIDDEN",
        "Authentication required: sign in to read jobs (the anon key may only submit)",
        {
          code: "AUTHENTICATION_REQUIRED",
        },
      );
    }
    req.caller = caller;
  });
}

/** A signed-in user (not the anon key, not the service key). */
export function signedInUser(callers: CallerResolver): Guard {
  return accepting(["bearer"], async (req) => {
    const caller = await callers.resolve(req.headers);
    if (!caller.userId)
      throw new AppError("UNAUTHORIZED", "Sign in first: this route needs a user access token");
    req.caller = caller;
  });
}

/**
 * admin, dashboard_admin or service_role (compatibility §1.4). A user token whose role claim is
 * older than a promotion is upgraded from auth.users, so a new admin need not sign in again.
 * A job's tokens reach only the admin routes job-scope.ts lists.
 */
export function admin(callers: CallerResolver, db: Db): Guard {
  return accepting(["bearer", "serviceKey"], async (req) => {
    let caller;
    try {
      caller = await callers.resolve(req.headers);
    } catch (err) {
      const missing =
        !req.headers.authorization && !req.headers["x-service-key"] && !req.headers.apikey;
      if (missing)
        throw new AppError("UNAUTHORIZED", "Missing authentication", {
          code: "MISSING_AUTHENTICATION",
        });
      const code =
        err instanceof AppError && err.extra.code === "REVOKED_TOKEN"
          ? "REVOKED_TOKEN"
          : "INVALID_TOKEN";
      throw new AppError("UNAUTHORIZED", (err as Error).message, { code });
    }
    if (!ADMIN_ROLES.has(caller.role) && caller.userId) {
      const user = await findUserById(db, caller.userId);
      if (user && ADMIN_ROLES.has(user.role)) caller = { ...caller, role: user.role };
    }
    if (!ADMIN_ROLES.has(caller.role)) {
      throw new AppError("FORBIDDEN", "Insufficient permissions", {
        code: "INSUFFICIENT_PERMISSIONS",
      });
    }
    if (caller.job && !jobTokenMayUse(req.method, req.path)) {
      throw new AppError(
        "FORBIDDEN",
        "Insufficient permissions: a job's token cannot use this admin route",
        {
          code: "INSUFFICIENT_PERMISSIONS",
        },
      );
    }
    req.caller = caller;
  });
}

export function featureEnabled(enabled: () => boolean): Guard {
  return async () => {
    if (!enabled())
      throw new AppError("FEATURE_DISABLED", "Feature not available", { code: "FEATURE_DISABLED" });
  };
}
