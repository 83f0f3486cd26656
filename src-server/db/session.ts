// Runs database work as the caller (compatibility §1.3): one transaction with the caller's database
// role and `request.jwt.claims`, so the tables' own RLS policies decide and auth.uid(),
// auth.role() and auth.jwt() work inside them. Both settings are transaction-local: the
// shared connection is back to the owner role after COMMIT or ROLLBACK.
import { SERVICE_ROLES } from "../../src-shared/roles.ts";
import type { Caller } from "../auth/caller.ts";
import type { Db, Queryable } from "./connections.ts";

export type PgRole = "anon" | "authenticated" | "service_role";

/** service_role, dashboard_admin -> service_role; anon or none -> anon; any other -> authenticated. */
export function pgRoleFor(appRole: string | null | undefined): PgRole {
  if (appRole && SERVICE_ROLES.has(appRole)) return "service_role";
  if (!appRole || appRole === "anon") return "anon";
  return "authenticated";
}

const PASSED_CLAIMS = ["session_id", "user_metadata", "app_metadata", "is_anonymous"] as const;

/** `{sub, role: <app role>, email?, session_id?, user_metadata?, app_metadata?, is_anonymous?}`. */
export function sessionClaims(caller: Caller): Record<string, unknown> {
  const claims: Record<string, unknown> = { role: caller.role };
  const sub =
    caller.userId ?? (typeof caller.claims.sub === "string" ? caller.claims.sub : undefined);
  if (sub) claims.sub = sub;
  if (caller.email) claims.email = caller.email;
  for (const name of PASSED_CLAIMS) {
    if (caller.claims[name] !== undefined) claims[name] = caller.claims[name];
  }
  return claims;
}

/**
 * `fn` runs inside one transaction as the caller's database role; anything it throws rolls
 * the whole transaction back. set_config(..., true) is SET LOCAL that takes parameters.
 */
export function withCallerSession<T>(
  db: Db,
  caller: Caller,
  fn: (tx: Queryable, pgRole: PgRole) => Promise<T>,
): Promise<T> {
  return db.withTransaction(async (tx) => fn(tx, await actAsCaller(tx, caller)));
}

/** The rest of the transaction `tx` runs as the caller's role, with the caller's claims. */
export async function actAsCaller(tx: Queryable, caller: Caller): Promise<PgRole> {
  const pgRole = pgRoleFor(caller.role);
  await tx.query(
    "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
    [pgRole, JSON.stringify(sessionClaims(caller))],
  );
  return pgRole;
}
