// Route guards: who may call a route.
import type { CallerResolver } from "../auth/caller.ts";
import { ADMIN_ROLES } from "../auth/roles.ts";
import type { Db } from "../db/pool.ts";
import { findUserById } from "../db/queries/users.ts";
import { AppError } from "../errors.ts";
import type { Guard } from "./router.ts";

/** Any valid credential: user token, anon key or service key (spec §1.2). */
export function authenticated(callers: CallerResolver): Guard {
  return async (req) => {
    req.caller = callers.resolve(req.headers);
  };
}

/** A signed-in user (not the anon key, not the service key). */
export function signedInUser(callers: CallerResolver): Guard {
  return async (req) => {
    const caller = callers.resolve(req.headers);
    if (!caller.userId) throw new AppError("UNAUTHORIZED", "Sign in first: this route needs a user access token");
    req.caller = caller;
  };
}

/**
 * admin, dashboard_admin or service_role (spec §1.4). A user token whose role claim is
 * older than a promotion is upgraded from auth.users, so a new admin need not sign in again.
 */
export function admin(callers: CallerResolver, db: Db): Guard {
  return async (req) => {
    let caller;
    try {
      caller = callers.resolve(req.headers);
    } catch (err) {
      const missing = !req.headers.authorization && !req.headers["x-service-key"] && !req.headers.apikey;
      throw missing
        ? new AppError("UNAUTHORIZED", "Missing authentication", { code: "MISSING_AUTHENTICATION" })
        : new AppError("UNAUTHORIZED", (err as Error).message, { code: "INVALID_TOKEN" });
    }
    if (!ADMIN_ROLES.has(caller.role) && caller.userId) {
      const user = await findUserById(db, caller.userId);
      if (user && ADMIN_ROLES.has(user.role)) caller = { ...caller, role: user.role };
    }
    if (!ADMIN_ROLES.has(caller.role)) {
      throw new AppError("FORBIDDEN", "Insufficient permissions", { code: "INSUFFICIENT_PERMISSIONS" });
    }
    req.caller = caller;
  };
}

export function featureEnabled(enabled: () => boolean): Guard {
  return async () => {
    if (!enabled()) throw new AppError("FEATURE_DISABLED", "Feature not available", { code: "FEATURE_DISABLED" });
  };
}
