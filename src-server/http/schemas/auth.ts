// /api/v1/auth, /api/v1/admin/users, the UI's config and sign-in link, /health.
import { Type } from "@sinclair/typebox";
import type { RouteSchemas } from "../route-schema.ts";
import { AuthSession, AuthUser, Int, JsonObject, Message, Obj, Str } from "./entities.ts";

const Opt = Type.Optional;
const tags = ["auth"];
const adminTags = ["admin: users"];
const users = "/api/v1/admin/users";

const Credentials = Obj({ email: Str(), password: Str() });

export const authSchemas: RouteSchemas = {
  "POST /api/v1/auth/signup": {
    summary: "Sign up",
    tags,
    body: Obj({
      email: Str(),
      password: Str(),
      user_metadata: Opt(JsonObject),
      options: Opt(Obj({ data: Opt(JsonObject) })),
    }),
    response: { 200: AuthSession },
  },
  "POST /api/v1/auth/signin": {
    summary: "Sign in with email and password",
    tags,
    body: Credentials,
    response: { 200: AuthSession },
  },
  "POST /api/v1/auth/refresh": {
    summary: "A new session from a refresh token",
    tags,
    body: Obj({ refresh_token: Str() }),
    response: { 200: AuthSession },
  },
  "POST /api/v1/auth/signout": {
    summary: "Sign out (the session's tokens stop working)",
    tags,
    response: { 200: Message },
  },
  "GET /api/v1/auth/user": { summary: "The signed-in user", tags, response: { 200: AuthUser } },
  "POST /api/v1/auth/ui-login": {
    summary: "Redeem the one-time sign-in code `serve` prints",
    tags: ["ui"],
    body: Obj({ code: Type.Optional(Str("Missing or wrong: 401")) }),
    response: { 200: AuthSession },
  },
  "GET /api/v1/ui/config": {
    summary: "What the UI needs before sign-in",
    tags: ["ui"],
    response: { 200: Obj({ anon_key: Str(), version: Str() }) },
  },
  "GET /health": {
    summary: "Health: 200 when the database and workers are up, 503 while the database is away",
    tags: ["meta"],
    response: {
      200: Obj({ status: Str(), database: Str(), workers: Int(), version: Str() }),
      503: Obj({ error: Str(), status: Str(), database: Str(), version: Str() }),
    },
  },
  [`GET ${users}`]: {
    summary: "List users",
    tags: adminTags,
    response: { 200: Obj({ users: Type.Array(AuthUser) }) },
  },
  [`POST ${users}`]: {
    summary: "Create a user",
    tags: adminTags,
    body: Obj({ email: Str(), password: Str(), role: Opt(Str()), user_metadata: Opt(JsonObject) }),
    response: { 201: AuthUser },
  },
  [`PATCH ${users}/:id`]: {
    summary: "Change a user's role",
    tags: adminTags,
    body: Obj({ role: Str() }),
    response: { 200: AuthUser },
  },
  [`PATCH ${users}/:id/role`]: {
    summary: "Change a user's role (the SDK's admin.updateUserRole)",
    tags: adminTags,
    querystring: Type.Object({ type: Opt(Str("app (the default): the only kind of user here")) }),
    body: Obj({ role: Str() }),
    response: { 200: AuthUser },
  },
  [`DELETE ${users}/:id`]: {
    summary: "Delete a user",
    tags: adminTags,
    response: { 204: Type.Null() },
  },
};
