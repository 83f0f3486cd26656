// Statements on auth.users and auth.sessions.
import { ADMIN_ROLES } from "../../../src-shared/roles.ts";
import type { Queryable } from "../connections.ts";

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  last_sign_in_at: Date | null;
}

export async function insertUser(
  db: Queryable,
  user: {
    email: string;
    passwordHash: string;
    role: string;
    userMetadata: Record<string, unknown>;
  },
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    `INSERT INTO auth.users (email, password_hash, role, user_metadata)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT ((lower(email))) DO NOTHING
     RETURNING *`,
    [user.email, user.passwordHash, user.role, user.userMetadata],
  );
  return rows[0];
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>("SELECT * FROM auth.users WHERE lower(email) = lower($1)", [
    email,
  ]);
  return rows[0];
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>("SELECT * FROM auth.users WHERE id = $1", [id]);
  return rows[0];
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  return db.query<UserRow>("SELECT * FROM auth.users ORDER BY created_at");
}

export async function updateUserRole(
  db: Queryable,
  id: string,
  role: string,
): Promise<UserRow | undefined> {
  const rows = await db.query<UserRow>(
    "UPDATE auth.users SET role = $2, updated_at = now() WHERE id = $1 RETURNING *",
    [id, role],
  );
  return rows[0];
}

const ADMIN_ROLE_LIST = `(${[...ADMIN_ROLES].map((role) => `'${role}'`).join(", ")})`;
/** True when the user is not an admin, or another admin remains. */
const ANOTHER_ADMIN = `(role NOT IN ${ADMIN_ROLE_LIST}
  OR EXISTS (SELECT 1 FROM auth.users o WHERE o.id <> $1 AND o.role IN ${ADMIN_ROLE_LIST}))`;

/** Deletes a user unless it is the last admin: "deleted", "last-admin" or "missing". */
export async function deleteUserKeepingAnAdmin(
  db: Queryable,
  id: string,
): Promise<"deleted" | "last-admin" | "missing"> {
  const rows = await db.query(
    "DELETE FROM auth.users WHERE id = $1 AND " + ANOTHER_ADMIN + " RETURNING id",
    [id],
  );
  if (rows.length > 0) return "deleted";
  return (await findUserById(db, id)) ? "last-admin" : "missing";
}

/** Sets a role unless that takes the admin role from the last admin. */
export async function updateRoleKeepingAnAdmin(
  db: Queryable,
  id: string,
  role: string,
): Promise<UserRow | "last-admin" | undefined> {
  const rows = await db.query<UserRow>(
    `UPDATE auth.users SET role = $2, updated_at = now()
     WHERE id = $1 AND ($2 IN ${ADMIN_ROLE_LIST} OR ${ANOTHER_ADMIN}) RETURNING *`,
    [id, role],
  );
  if (rows[0]) return rows[0];
  return (await findUserById(db, id)) ? "last-admin" : undefined;
}

export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query("DELETE FROM auth.users WHERE id = $1 RETURNING id", [id]);
  return rows.length > 0;
}

export async function touchSignIn(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE auth.users SET last_sign_in_at = now() WHERE id = $1", [id]);
}

export interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date;
  revoked_at: Date | null;
}

export async function insertSession(
  db: Queryable,
  session: { userId: string; refreshTokenHash: string; ttlSeconds: number },
): Promise<SessionRow> {
  const rows = await db.query<SessionRow>(
    `INSERT INTO auth.sessions (user_id, refresh_token_hash, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id, user_id, expires_at, revoked_at`,
    [session.userId, session.refreshTokenHash, session.ttlSeconds],
  );
  return rows[0]!;
}

/** Swaps a refresh token for a new one (rotation); undefined when unknown, expired or revoked. */
export async function rotateSession(
  db: Queryable,
  oldHash: string,
  newHash: string,
  ttlSeconds: number,
): Promise<SessionRow | undefined> {
  const rows = await db.query<SessionRow>(
    `UPDATE auth.sessions SET refresh_token_hash = $2, expires_at = now() + make_interval(secs => $3)
     WHERE refresh_token_hash = $1 AND revoked_at IS NULL AND expires_at > now()
     RETURNING id, user_id, expires_at, revoked_at`,
    [oldHash, newHash, ttlSeconds],
  );
  return rows[0];
}

/** Ends a session; the id of its user, or undefined when it was unknown or already ended. */
export async function revokeSession(db: Queryable, sessionId: string): Promise<string | undefined> {
  const rows = await db.query<{ user_id: string }>(
    "UPDATE auth.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING user_id",
    [sessionId],
  );
  return rows[0]?.user_id;
}
