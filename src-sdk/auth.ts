// client.auth: sign-up/in/out against /api/v1/auth/* (compatibility §1.1). The session lives in a
// SessionStore so the HTTP layer sends `Bearer <access_token>` while signed in.
import { fail, FluxbaseError, ok, type Result } from "./errors.ts";
import type { HttpClient } from "./http.ts";
import type { AuthChangeListener, Session, SessionStore } from "./session.ts";
import type { AuthUser, JsonObject } from "./types.ts";

export interface SignUpCredentials {
  email: string;
  password: string;
  options?: { data?: JsonObject };
}

export interface SignInCredentials {
  email: string;
  password: string;
}

export interface AuthData {
  user: AuthUser | null;
  session: Session | null;
}

const AUTH = "/api/v1/auth";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Session from a sign-in/sign-up/refresh body: flat `{user, access_token, ...}` or `{session}`. */
export function sessionFromBody(
  body: unknown,
  previousUser: AuthUser | null,
  nowMs: number,
): Session | null {
  if (!isRecord(body)) return null;
  const source = isRecord(body.session) ? body.session : body;
  if (typeof source.access_token !== "string") return null;
  const expiresIn = typeof source.expires_in === "number" ? source.expires_in : undefined;
  const user = isRecord(body.user) ? body.user : isRecord(source.user) ? source.user : null;
  const session: Session = {
    access_token: source.access_token,
    refresh_token: typeof source.refresh_token === "string" ? source.refresh_token : null,
    token_type: "bearer",
    user: (user as AuthUser | null) ?? previousUser,
  };
  if (expiresIn !== undefined) {
    session.expires_in = expiresIn;
    session.expires_at = Math.floor(nowMs / 1000) + expiresIn;
  }
  return session;
}

function userFromBody(body: unknown): AuthUser | null {
  if (!isRecord(body)) return null;
  if (isRecord(body.user)) return body.user as unknown as AuthUser;
  return typeof body.id === "string" ? (body as unknown as AuthUser) : null;
}

export class AuthClient {
  private readonly http: HttpClient;
  private readonly store: SessionStore;
  private refreshing: Promise<Result<AuthData>> | null = null;

  constructor(http: HttpClient, store: SessionStore) {
    this.http = http;
    this.store = store;
  }

  async signUp(credentials: SignUpCredentials): Promise<Result<AuthData>> {
    const body = {
      email: credentials.email,
      password: credentials.password,
      user_metadata: credentials.options?.data,
    };
    const res = await this.http.request<unknown>("POST", `${AUTH}/signup`, {
      body,
      noRefresh: true,
    });
    if (res.error) return fail(res.error);
    // Locally no e-mail confirmation is needed, so sign-up answers like sign-in.
    const session = sessionFromBody(res.data, null, Date.now());
    if (session) this.store.set(session, "SIGNED_IN");
    return ok({ user: session?.user ?? userFromBody(res.data), session });
  }

  async signIn(credentials: SignInCredentials): Promise<Result<AuthData>> {
    const body = { email: credentials.email, password: credentials.password };
    const res = await this.http.request<unknown>("POST", `${AUTH}/signin`, {
      body,
      noRefresh: true,
    });
    if (res.error) return fail(res.error);
    const session = sessionFromBody(res.data, null, Date.now());
    if (!session)
      return fail(new FluxbaseError("Sign-in response has no access_token", res.status, res.data));
    this.store.set(session, "SIGNED_IN");
    return ok({ user: session.user, session });
  }

  /** Supabase-style alias of signIn. */
  signInWithPassword(credentials: SignInCredentials): Promise<Result<AuthData>> {
    return this.signIn(credentials);
  }

  /** Revokes the session server-side (best effort) and falls back to `Bearer <key>`. */
  async signOut(): Promise<Result<null>> {
    if (!this.store.get()) return ok(null);
    const res = await this.http.request<unknown>("POST", `${AUTH}/signout`, {
      body: {},
      noRefresh: true,
    });
    this.store.clear();
    // A 401 means the token was already dead: signed out either way.
    if (res.error && res.status !== 401) return fail(res.error);
    return ok(null);
  }

  async getUser(): Promise<Result<{ user: AuthUser }>> {
    const res = await this.http.request<unknown>("GET", `${AUTH}/user`);
    if (res.error) return fail(res.error);
    const user = userFromBody(res.data);
    if (!user) return fail(new FluxbaseError("User response has no id", res.status, res.data));
    const session = this.store.get();
    if (session) this.store.set({ ...session, user }, "USER_UPDATED");
    return ok({ user });
  }

  getSession(): Promise<Result<{ session: Session | null }>> {
    return Promise.resolve(ok({ session: this.store.get() }));
  }

  /** Exchanges the stored refresh token; concurrent callers share one request. */
  refreshSession(): Promise<Result<AuthData>> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Adopt tokens obtained elsewhere, then load the user they belong to. */
  async setSession(tokens: {
    access_token: string;
    refresh_token?: string | null;
  }): Promise<Result<AuthData>> {
    const session: Session = {
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token ?? null,
      token_type: "bearer",
      user: null,
    };
    this.store.set(session, "SIGNED_IN");
    const res = await this.getUser();
    if (res.error) return fail(res.error);
    return ok({ user: res.data.user, session: this.store.get() });
  }

  onAuthStateChange(listener: AuthChangeListener): {
    data: { subscription: { unsubscribe: () => void } };
  } {
    const unsubscribe = this.store.onChange(listener);
    return { data: { subscription: { unsubscribe } } };
  }

  private async doRefresh(): Promise<Result<AuthData>> {
    const current = this.store.get();
    const refreshToken = current?.refresh_token;
    if (!current || !refreshToken) return fail(new FluxbaseError("No refresh token", 401, null));
    const res = await this.http.request<unknown>("POST", `${AUTH}/refresh`, {
      body: { refresh_token: refreshToken },
      noRefresh: true,
    });
    if (res.error) {
      // A rejected refresh token will never work again; anything else may be transient.
      if (res.status === 400 || res.status === 401) this.store.clear();
      return fail(res.error);
    }
    const session = sessionFromBody(res.data, current.user, Date.now());
    if (!session)
      return fail(new FluxbaseError("Refresh response has no access_token", res.status, res.data));
    session.refresh_token ??= refreshToken;
    this.store.set(session, "TOKEN_REFRESHED");
    return ok({ user: session.user, session });
  }
}
