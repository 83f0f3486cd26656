// HTTP routes of the secret store (compatibility §4.6, upstream's wire paths). System secrets for
// admins under /api/v1/admin/settings/custom/secret[s]; a signed-in user's own secrets
// under /api/v1/settings/secret[s]. Responses carry metadata only, except the admin-only
// reveal routes (the desktop UI's for a system secret, upstream's `decrypt` for a user's).
import { isUuid, type CallerResolver } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import { invalidField } from "../errors.ts";
import { admin, signedInUser } from "../http/guards.ts";
import {
  created,
  noContent,
  Reply,
  type ApiRequest,
  type Guard,
  type Router,
} from "../http/router.ts";
import type { SecretOwner, SecretStore } from "./store.ts";

export interface SecretRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  secrets: SecretStore;
}

async function body(req: ApiRequest): Promise<Record<string, unknown>> {
  const parsed = await req.json();
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw invalidField("body", "The request body must be a JSON object");
  }
  return parsed as Record<string, unknown>;
}

interface Scope {
  base: string;
  guards: Guard[];
  owner(req: ApiRequest): SecretOwner;
}

function addScopeRoutes(router: Router, secrets: SecretStore, scope: Scope): void {
  const { base, guards, owner } = scope;
  const actor = (req: ApiRequest) => req.caller?.userId ?? null;
  const name = (req: ApiRequest) => req.params.key ?? "";

  router.add("POST", `${base}/secret`, guards, async (req) => {
    const input = await body(req);
    return created(
      await secrets.create(
        owner(req),
        { key: input.key, value: input.value, description: input.description },
        actor(req),
      ),
    );
  });
  router.add("GET", `${base}/secrets`, guards, (req) => secrets.list(owner(req)));
  // Upstream's SDK lists with GET <base>/secret/ (settings.listSecrets).
  router.add("GET", `${base}/secret`, guards, (req) => secrets.list(owner(req)));
  router.add("GET", `${base}/secret/:key`, guards, (req) => secrets.get(owner(req), name(req)));
  router.add("PUT", `${base}/secret/:key`, guards, async (req) => {
    const input = await body(req);
    return secrets.update(
      owner(req),
      name(req),
      { value: input.value, description: input.description },
      actor(req),
    );
  });
  router.add("DELETE", `${base}/secret/:key`, guards, async (req) => {
    await secrets.delete(owner(req), name(req));
    return noContent();
  });
}

export function addSecretRoutes({ router, db, callers, secrets }: SecretRoutesOptions): void {
  const adminGuards = [admin(callers, db)];
  const system = (): SecretOwner => ({ kind: "system" });
  addScopeRoutes(router, secrets, {
    base: "/api/v1/admin/settings/custom",
    guards: adminGuards,
    owner: system,
  });
  router.add("GET", "/api/v1/admin/settings/custom/secret/:key/value", adminGuards, async (req) => {
    const value = await secrets.reveal(system(), req.params.key ?? "");
    return new Reply(200, { value }, { "cache-control": "no-store" });
  });

  // Upstream's admin read of one user's secret (settings.getUserSecretValue).
  router.add(
    "GET",
    "/api/v1/admin/settings/user/:id/secret/:key/decrypt",
    adminGuards,
    async (req) => {
      const userId = req.params.id ?? "";
      if (!isUuid(userId)) throw invalidField("id", "id must be a user id (uuid)");
      const value = await secrets.reveal({ kind: "user", userId }, req.params.key ?? "");
      return new Reply(200, { value }, { "cache-control": "no-store" });
    },
  );

  addScopeRoutes(router, secrets, {
    base: "/api/v1/settings",
    guards: [signedInUser(callers)],
    owner: (req) => ({ kind: "user", userId: req.caller!.userId! }),
  });
}
