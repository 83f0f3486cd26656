// Sign-up, sign-in, refresh, sign-out and admin user management (compatibility §1.1, §1.3).
import { createHash, randomBytes } from "node:crypto";
import type { AuthSession, AuthUser } from "../../src-sdk/types.ts";
import type { Db } from "../db/connections.ts";
import * as users from "../db/queries/users.ts";
import { AppError, invalidField } from "../errors.ts";
import { textProblem } from "../db/storable.ts";
import { UNASSIGNABLE_ROLES } from "../../src-shared/roles.ts";
import { isUuid } from "./caller.ts";
import { signJwt } from "./jwt.ts";
import type { ApiKeys } from "./keys.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";

const ACCESS_TTL_SECONDS = 3600;
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE = /^[a-z][a-z0-9_]{0,62}$/;

export interface UserService {
  signUp(input: {
    email: unknown;
    password: unknown;
    user_metadata?: unknown;
  }): Promise<AuthSession>;
  signIn(input: { email: unknown; password: unknown }): Promise<AuthSession>;
  /** A session for a user the caller has already vouched for (the UI's one-time link). */
  signInAs(id: string): Promise<AuthSession>;
  refresh(refreshToken: unknown): Promise<AuthSession>;
  signOut(sessionId: string | undefined): Promise<void>;
  getUser(id: string): Promise<AuthUser>;
  createUser(input: {
    email: unknown;
    password: unknown;
    role?: unknown;
    user_metadata?: unknown;
  }): Promise<AuthUser>;
  setRole(id: string, role: unknown): Promise<AuthUser>;
  list(): Promise<AuthUser[]>;
  remove(id: string): Promise<void>;
}

export function toAuthUser(row: users.UserRow): AuthUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    user_metadata: row.user_metadata as AuthUser["user_metadata"],
    app_metadata: row.app_metadata as AuthUser["app_metadata"],
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const MAX_EMAIL_CHARS = 320;
const MAX_PASSWORD_CHARS = 1024;

function checkCredentials(email: unknown, password: unknown): { email: string; password: string } {
  if (
    typeof email !== "string" ||
    email.length > MAX_EMAIL_CHARS ||
    textProblem(email) ||
    !EMAIL.test(email.trim())
  ) {
    throw invalidField("email", "A valid email is required");
  }
  if (typeof password !== "string" || password.length < 6 || password.length > MAX_PASSWORD_CHARS) {
    throw invalidField("password", `password must be 6 to ${MAX_PASSWORD_CHARS} characters`);
  }
  const passwordProblem = textProblem(password);
  if (passwordProblem) throw invalidField("password", `password: ${passwordProblem}`);
  return { email: email.trim(), password };
}

function checkMetadata(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw invalidField("user_metadata", "user_metadata must be a JSON object");
  }
  return value as Record<string, unknown>;
}

function checkRole(value: unknown): string {
  if (typeof value !== "string" || !ROLE.test(value) || UNASSIGNABLE_ROLES.has(value)) {
    throw invalidField(
      "role",
      "role must be a lowercase name such as authenticated or admin (not service_role or anon)",
    );
  }
  return value;
}

export interface UserServiceOptions {
  db: Db;
  keys: ApiKeys;
  /** Told when a user's tokens may no longer hold as they are: signed out, role changed, deleted. */
  onUserChanged?: (userId: string) => void;
}

export function createUserService(options: UserServiceOptions): UserService {
  const { db, keys } = options;
  const changed = (userId: string | undefined) => {
    if (userId) options.onUserChanged?.(userId);
  };

  async function issueSession(row: users.UserRow): Promise<AuthSession> {
    const refreshToken = randomBytes(32).toString("base64url");
    const session = await users.insertSession(db, {
      userId: row.id,
      refreshTokenHash: hashToken(refreshToken),
      ttlSeconds: REFRESH_TTL_SECONDS,
    });
    await users.touchSignIn(db, row.id);
    return sessionFor(row, session.id, refreshToken);
  }

  function sessionFor(row: users.UserRow, sessionId: string, refreshToken: string): AuthSession {
    const accessToken = signJwt(
      {
        sub: row.id,
        user_id: row.id,
        email: row.email,
        role: row.role,
        session_id: sessionId,
        token_type: "access",
        user_metadata: row.user_metadata,
        app_metadata: row.app_metadata,
      },
      { secret: keys.jwtSecret, expiresIn: ACCESS_TTL_SECONDS },
    );
    return {
      user: toAuthUser(row),
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ACCESS_TTL_SECONDS,
      token_type: "bearer",
    };
  }

  async function create(input: {
    email: unknown;
    password: unknown;
    role?: unknown;
    user_metadata?: unknown;
  }) {
    const creds = checkCredentials(input.email, input.password);
    const row = await users.insertUser(db, {
      email: creds.email,
      passwordHash: await hashPassword(creds.password),
      role: input.role === undefined ? "authenticated" : checkRole(input.role),
      userMetadata: checkMetadata(input.user_metadata),
    });
    if (!row)
      throw new AppError("CONFLICT", "A user with this email already exists", { field: "email" });
    return row;
  }

  return {
    async signUp(input) {
      return issueSession(await create({ ...input, role: undefined }));
    },
    async signIn(input) {
      if (typeof input.email !== "string" || typeof input.password !== "string") {
        throw invalidField(
          typeof input.email !== "string" ? "email" : "password",
          "email and password are required",
        );
      }
      const row = await users.findUserByEmail(db, input.email.trim());
      if (!row || !(await verifyPassword(input.password, row.password_hash))) {
        throw new AppError("UNAUTHORIZED", "Invalid email or password");
      }
      return issueSession(row);
    },
    async signInAs(id) {
      const row = await users.findUserById(db, id);
      if (!row) throw new AppError("UNAUTHORIZED", "User not found");
      return issueSession(row);
    },
    async refresh(refreshToken) {
      if (typeof refreshToken !== "string" || !refreshToken) {
        throw invalidField("refresh_token", "refresh_token is required");
      }
      const next = randomBytes(32).toString("base64url");
      const session = await users.rotateSession(
        db,
        hashToken(refreshToken),
        hashToken(next),
        REFRESH_TTL_SECONDS,
      );
      if (!session) throw new AppError("UNAUTHORIZED", "Invalid or expired refresh token");
      const row = await users.findUserById(db, session.user_id);
      if (!row) throw new AppError("UNAUTHORIZED", "Invalid or expired refresh token");
      return sessionFor(row, session.id, next);
    },
    async signOut(sessionId) {
      if (isUuid(sessionId)) changed(await users.revokeSession(db, sessionId));
    },
    async getUser(id) {
      const row = await users.findUserById(db, id);
      if (!row) throw new AppError("NOT_FOUND", "User not found");
      return toAuthUser(row);
    },
    async createUser(input) {
      return toAuthUser(await create(input));
    },
    async setRole(id, role) {
      const row = await users.updateRoleKeepingAnAdmin(db, id, checkRole(role));
      if (!row) throw new AppError("NOT_FOUND", "User not found");
      if (row === "last-admin") throw lastAdmin("change the role of");
      changed(id);
      return toAuthUser(row);
    },
    async list() {
      return (await users.listUsers(db)).map(toAuthUser);
    },
    async remove(id) {
      const outcome = await users.deleteUserKeepingAnAdmin(db, id);
      if (outcome === "missing") throw new AppError("NOT_FOUND", "User not found");
      if (outcome === "last-admin") throw lastAdmin("delete");
      changed(id);
    },
  };
}

function lastAdmin(verb: string): AppError {
  return new AppError(
    "CONFLICT",
    `Cannot ${verb} the last admin: make another user an admin first`,
    {
      field: "id",
    },
  );
}
