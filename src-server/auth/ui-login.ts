// The UI's sign-in link (like Jupyter's token URL): on each start the server makes sure an
// admin account exists for the UI and mints a one-time code that `POST /api/v1/auth/ui-login`
// exchanges for a session. Codes are single use and expire after 24 h. The server keeps its
// own in memory; `fluxbase-local login-link` stores a fresh one (hashed) in the database,
// where any server on it redeems it.
import { createHash, randomBytes } from "node:crypto";
import type { AuthSession } from "../../src-sdk/types.ts";
import type { Db } from "../db/connections.ts";
import { findUserByEmail } from "../db/queries/users.ts";
import { AppError } from "../errors.ts";
import type { UserService } from "./users.ts";

export const UI_ADMIN_EMAIL = "admin@fluxbase.local";
const CODE_TTL_MS = 24 * 3600 * 1000;

export interface UiLogin {
  /** The admin account the codes sign in as. */
  email: string;
  /** A fresh one-time code (the one printed at start-up is the first). */
  issueCode(): string;
  /** Exchanges a code for a session; the code is spent whether or not it was valid. */
  redeem(code: unknown): Promise<AuthSession>;
}

export interface UiLoginOptions {
  db: Db;
  users: UserService;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
}

const digest = (code: string): string => createHash("sha256").update(code).digest("hex");

/** Mints a code any server on this database redeems (the `login-link` command). */
export async function issueStoredCode(db: Db, now = Date.now): Promise<string> {
  const code = randomBytes(24).toString("base64url");
  await db.query("DELETE FROM auth.ui_login_codes WHERE expires_at < now()");
  await db.query("INSERT INTO auth.ui_login_codes (digest, expires_at) VALUES ($1, $2)", [
    digest(code),
    new Date(now() + CODE_TTL_MS),
  ]);
  return code;
}

/** Spends a stored code: its expiry, or undefined when there is no such code. */
async function spendStoredCode(db: Db, key: string): Promise<number | undefined> {
  const rows = await db.query<{ expires_at: Date }>(
    "DELETE FROM auth.ui_login_codes WHERE digest = $1 RETURNING expires_at",
    [key],
  );
  return rows[0]?.expires_at.getTime();
}

/** Finds or creates the UI admin: its random password is never stored except hashed. */
async function ensureUiAdmin(db: Db, users: UserService): Promise<string> {
  const existing = await findUserByEmail(db, UI_ADMIN_EMAIL);
  if (existing) return existing.id;
  const password = randomBytes(24).toString("base64url");
  try {
    const user = await users.createUser({ email: UI_ADMIN_EMAIL, password, role: "admin" });
    return user.id;
  } catch (err) {
    // Another instance on the same database created it first.
    const raced = await findUserByEmail(db, UI_ADMIN_EMAIL);
    if (raced) return raced.id;
    throw err;
  }
}

export async function createUiLogin({
  db,
  users,
  now = Date.now,
}: UiLoginOptions): Promise<UiLogin> {
  const adminId = await ensureUiAdmin(db, users);
  const codes = new Map<string, number>(); // sha256(code) -> expiry (ms)
  return {
    email: UI_ADMIN_EMAIL,
    issueCode() {
      const code = randomBytes(24).toString("base64url");
      codes.set(digest(code), now() + CODE_TTL_MS);
      return code;
    },
    async redeem(code) {
      if (typeof code !== "string" || !code)
        throw new AppError("UNAUTHORIZED", "A sign-in code is required");
      const key = digest(code);
      const expires = codes.get(key) ?? (await spendStoredCode(db, key));
      codes.delete(key);
      if (expires === undefined || expires < now()) {
        throw new AppError(
          "UNAUTHORIZED",
          "This sign-in link is invalid or was already used: run `fluxbase-local login-link` for a new one",
        );
      }
      return users.signInAs(adminId);
    },
  };
}
