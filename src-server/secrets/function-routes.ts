// HTTP routes of the function secrets (upstream's /api/v1/secrets, the SDK's client.secrets):
// by name (`?namespace=` for a namespace's secret, none for the global one) or by id. Admins
// and the service key only: a secret reaches every job of its scope. Answers carry metadata,
// never a value.
import type { CallerResolver } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import { invalidField } from "../errors.ts";
import { admin } from "../http/guards.ts";
import { created, type ApiRequest, type Router } from "../http/router.ts";
import type { FunctionSecretStore, SecretRef } from "./function-secrets.ts";

export interface FunctionSecretRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  store: FunctionSecretStore;
}

const BASE = "/api/v1/secrets";

async function body(req: ApiRequest): Promise<Record<string, unknown>> {
  const parsed = await req.json();
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalidField("body", "The request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

const byName = (req: ApiRequest): SecretRef => ({
  name: req.params.name ?? "",
  namespace: req.query.get("namespace"),
});
const byId = (req: ApiRequest): SecretRef => ({ id: req.params.id ?? "" });
const actor = (req: ApiRequest) => req.caller?.userId ?? null;

export function addFunctionSecretRoutes({
  router,
  db,
  callers,
  store,
}: FunctionSecretRoutesOptions): void {
  const guards = [admin(callers, db)];
  router.add("GET", BASE, guards, (req) =>
    store.list({
      scope: req.query.get("scope") ?? undefined,
      namespace: req.query.get("namespace") ?? undefined,
    }),
  );
  router.add("POST", BASE, guards, async (req) =>
    created(await store.create(await body(req), actor(req))),
  );
  router.add("GET", `${BASE}/stats`, guards, () => store.stats());
  for (const [prefix, ref] of [
    [`${BASE}/by-name/:name`, byName],
    [`${BASE}/:id`, byId],
  ] as const) {
    router.add("GET", prefix, guards, (req) => store.get(ref(req)));
    router.add("GET", `${prefix}/versions`, guards, (req) => store.versions(ref(req)));
    router.add("PUT", prefix, guards, async (req) =>
      store.update(ref(req), await body(req), actor(req)),
    );
    router.add("DELETE", prefix, guards, async (req) => {
      await store.delete(ref(req));
      return { message: "Secret deleted successfully" };
    });
    router.add("POST", `${prefix}/rollback/:version`, guards, (req) =>
      store.rollback(ref(req), req.params.version, actor(req)),
    );
  }
}
