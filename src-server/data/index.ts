// Public entry of the data API (/api/v1/tables, compatibility §7.8) and of the caller session the
// storage and secrets work reuse: run SQL as the caller's database role under RLS.
export { addDataRoutes, tableRef, type DataRoutesOptions } from "./routes.ts";
export { pgRoleFor, sessionClaims, withCallerSession, type PgRole } from "../db/session.ts";
export { fromPgError } from "./errors.ts";
