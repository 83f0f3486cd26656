// Which roles the admin pages and routes are for (as the server's admin guard decides).
const ADMIN_ROLES = new Set(["admin", "dashboard_admin", "service_role"]);

export function isAdminRole(role: string | null | undefined): boolean {
  return ADMIN_ROLES.has(role ?? "");
}
