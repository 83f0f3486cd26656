// Admin switch for realtime on application tables, at upstream's paths (the SDK's
// admin.realtime): POST /api/v1/admin/realtime/tables {schema, table, events?, exclude?},
// GET the list (`?enabled=false` adds the tables not enabled, for the UI's switches),
// GET/PATCH/DELETE /api/v1/admin/realtime/tables/:schema/:table.
import type { CallerResolver } from "../../auth/caller.ts";
import type { Db } from "../../db/connections.ts";
import { invalidField } from "../../errors.ts";
import type { AppTables } from "../../realtime/app-tables.ts";
import { admin } from "../guards.ts";
import { created, type ApiRequest, type Router } from "../router.ts";

export interface AdminRealtimeRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  appTables: AppTables;
}

const BASE = "/api/v1/admin/realtime/tables";

async function body(req: ApiRequest): Promise<Record<string, unknown>> {
  const parsed = await req.json();
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalidField("body", "The request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

export function addAdminRealtimeRoutes({
  router,
  db,
  callers,
  appTables,
}: AdminRealtimeRoutesOptions): void {
  const guards = [admin(callers, db)];
  const schema = (req: ApiRequest) => req.params.schema ?? "";
  const table = (req: ApiRequest) => req.params.table ?? "";
  router.add("POST", BASE, guards, async (req) => created(await appTables.enable(await body(req))));
  router.add("GET", BASE, guards, async (req) => {
    const tables = await appTables.list(req.query.get("enabled") === "false");
    return { tables, count: tables.length };
  });
  router.add("GET", `${BASE}/:schema/:table`, guards, (req) =>
    appTables.status(schema(req), table(req)),
  );
  router.add("PATCH", `${BASE}/:schema/:table`, guards, async (req) => {
    await appTables.update(schema(req), table(req), await body(req));
    return { success: true, message: "Realtime configuration updated" };
  });
  router.add("DELETE", `${BASE}/:schema/:table`, guards, async (req) => {
    await appTables.disable(schema(req), table(req));
    return { success: true, message: "Realtime disabled" };
  });
}
