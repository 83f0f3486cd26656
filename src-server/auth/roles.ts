// Role checks for require_roles and the admin routes: the rules live in src-shared/roles.ts,
// shared with the UI.
export { ADMIN_ROLES, isAdminRole, satisfiesRequiredRoles } from "../../src-shared/roles.ts";
