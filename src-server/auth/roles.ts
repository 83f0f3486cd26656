// Role checks for require_roles (compatibility §2.2 step 4) and the admin routes.

const levels: Record<string, number> = {
  anon: 0,
  authenticated: 1,
  admin: 2,
  dashboard_admin: 3,
  service_role: 3,
};

export const ADMIN_ROLES = new Set(["admin", "dashboard_admin", "service_role"]);

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
  required: string[],
): boolean {
  if (required.length === 0) return true;
  const userRole = role || "anon";
  if (userRole === "service_role" || userRole === "dashboard_admin") return true;
  const userLevel = levels[userRole] ?? levels.authenticated!;
  return required.some((want) => {
    const wantLevel = levels[want];
    if (wantLevel === undefined) return want === userRole;
    return userLevel >= wantLevel;
  });
}
