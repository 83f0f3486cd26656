// Auth routes (/api/v1/auth, compatibility §1.1) and admin user management (/api/v1/admin/users).
import type { CallerResolver } from "../../auth/caller.ts";
import { isUuid } from "../../auth/caller.ts";
import type { UserService } from "../../auth/users.ts";
import type { Db } from "../../db/connections.ts";
import { AppError, invalidField } from "../../errors.ts";
import { requireObject } from "../job-validation.ts";
import { admin, signedInUser } from "../guards.ts";
import { created, noContent, type Router } from "../router.ts";

export interface AuthRoutesOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  users: UserService;
}

function userId(raw: string): string {
  if (!isUuid(raw)) throw new AppError("BAD_REQUEST", "Invalid user ID", { field: "id" });
  return raw;
}

export function addAuthRoutes({ router, db, callers, users }: AuthRoutesOptions): void {
  const base = "/api/v1/auth";
  router.add("POST", `${base}/signup`, [], async (req) => {
    const body = requireObject(await req.json());
    const metadata =
      body.user_metadata ?? (body.options as Record<string, unknown> | undefined)?.data;
    return users.signUp({ email: body.email, password: body.password, user_metadata: metadata });
  });
  router.add("POST", `${base}/signin`, [], async (req) => {
    const body = requireObject(await req.json());
    return users.signIn({ email: body.email, password: body.password });
  });
  router.add("POST", `${base}/refresh`, [], async (req) => {
    const body = requireObject(await req.json());
    return users.refresh(body.refresh_token);
  });
  router.add("POST", `${base}/signout`, [signedInUser(callers)], async (req) => {
    const sessionId = req.caller!.claims.session_id;
    await users.signOut(typeof sessionId === "string" ? sessionId : undefined);
    return { message: "Signed out" };
  });
  router.add("GET", `${base}/user`, [signedInUser(callers)], async (req) =>
    users.getUser(req.caller!.userId!),
  );

  const adminBase = "/api/v1/admin/users";
  const guards = [admin(callers, db)];
  router.add("GET", adminBase, guards, async () => ({ users: await users.list() }));
  router.add("POST", adminBase, guards, async (req) => {
    const body = requireObject(await req.json());
    return created(
      await users.createUser({
        email: body.email,
        password: body.password,
        role: body.role,
        user_metadata: body.user_metadata,
      }),
    );
  });
  router.add("PATCH", `${adminBase}/:id`, guards, async (req) => {
    const body = requireObject(await req.json());
    return users.setRole(userId(req.params.id!), body.role);
  });
  // Upstream's form (`admin.updateUserRole`): `?type=app` (the default) names the app's users,
  // the only kind here.
  router.add("PATCH", `${adminBase}/:id/role`, guards, async (req) => {
    const type = req.query.get("type") ?? "app";
    if (type !== "app")
      throw invalidField(
        "type",
        `type must be app: this server has one kind of user (got "${type}")`,
      );
    const body = requireObject(await req.json());
    return users.setRole(userId(req.params.id!), body.role);
  });
  router.add("DELETE", `${adminBase}/:id`, guards, async (req) => {
    await users.remove(userId(req.params.id!));
    return noContent();
  });
}
