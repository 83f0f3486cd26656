// The application roles and what each may do, for the server (require_roles, admin routes,
// database sessions, user management) and the UI (admin pages, the role pickers and the
// @fluxbase:require-role hints). The row-level security policies in migrations/ name the
// admin roles in SQL too; those are history and stay as written.

/** Known roles by level: a caller passes a required role at or below its own level. */
export const ROLE_LEVELS: Readonly<Record<string, number>> = {
  anon: 0,
  authenticated: 1,
  admin: 2,
  dashboard_admin: 3,
  service_role: 3,
};

export const KNOWN_ROLES: readonly string[] = Object.keys(ROLE_LEVELS);

/** Roles the admin routes and pages are for. */
export const ADMIN_ROLES: ReadonlySet<string> = new Set([
  "admin",
  "dashboard_admin",
  "service_role",
]);

/** Roles that act as PostgreSQL's service_role (row-level security bypassed) and pass every require_roles. */
export const SERVICE_ROLES: ReadonlySet<string> = new Set(["service_role", "dashboard_admin"]);

/** Roles an account may never be given: service_role is for keys, anon for no one signed in. */
export const UNASSIGNABLE_ROLES: ReadonlySet<string> = new Set(["service_role", "anon"]);

/** The known roles an account may be given, lowest first. */
export const ASSIGNABLE_ROLES: readonly string[] = KNOWN_ROLES.filter(
  (role) => !UNASSIGNABLE_ROLES.has(role),
);

export function isAdminRole(role: string | null | undefined): boolean {
  return !!role && ADMIN_ROLES.has(role);
}

/**
 * Whether a caller with `role` may submit a function requiring any of `required`.
 * service_role and dashboard_admin always pass; known roles compare by level; an
 * unknown user role counts as authenticated; an unknown required role needs an exact match.
 */
export function satisfiesRequiredRoles(
  role: string | null | undefined,
  required: readonly string[],
): boolean {
  if (required.length === 0) return true;
  const userRole = role || "anon";
  if (SERVICE_ROLES.has(userRole)) return true;
  const userLevel = ROLE_LEVELS[userRole] ?? ROLE_LEVELS.authenticated!;
  return required.some((want) => {
    const wantLevel = ROLE_LEVELS[want];
    if (wantLevel === undefined) return want === userRole;
    return userLevel >= wantLevel;
  });
}
