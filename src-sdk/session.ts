// The signed-in session: held in memory, optionally mirrored to localStorage, and
// observed by the HTTP layer (Bearer token) and realtime (access_token message).
import type { AuthUser } from "./types.ts";

export interface Session {
  access_token: string;
  refresh_token: string | null;
  /** Seconds the access token was valid for when issued. */
  expires_in?: number;
  /** Unix time (seconds) when the access token expires, when known. */
  expires_at?: number;
  token_type: "bearer";
  user: AuthUser | null;
}

export type AuthChangeEvent = "SIGNED_IN" | "SIGNED_OUT" | "TOKEN_REFRESHED" | "USER_UPDATED";

export type AuthChangeListener = (event: AuthChangeEvent, session: Session | null) => void;

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionStoreOptions {
  /** Mirror the session to `globalThis.localStorage` when it exists. */
  persist: boolean;
  storageKey: string;
}

function browserStorage(): StorageLike | null {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    return storage ?? null;
  } catch {
    // Some hosts throw on access (sandboxed iframes, Deno without --location).
    return null;
  }
}

function isSession(value: unknown): value is Session {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { access_token?: unknown }).access_token === "string"
  );
}

export class SessionStore {
  private session: Session | null = null;
  private readonly listeners = new Set<AuthChangeListener>();
  private readonly storage: StorageLike | null;
  private readonly storageKey: string;

  constructor(options: SessionStoreOptions) {
    this.storage = options.persist ? browserStorage() : null;
    this.storageKey = options.storageKey;
    this.session = this.load();
  }

  get(): Session | null {
    return this.session;
  }

  accessToken(): string | null {
    return this.session?.access_token ?? null;
  }

  refreshToken(): string | null {
    return this.session?.refresh_token ?? null;
  }

  set(session: Session, event: AuthChangeEvent): void {
    this.session = session;
    this.save();
    this.emit(event);
  }

  clear(): void {
    const had = this.session !== null;
    this.session = null;
    this.save();
    if (had) this.emit("SIGNED_OUT");
  }

  onChange(listener: AuthChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: AuthChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event, this.session);
      } catch (error) {
        console.error("fluxbase: auth listener failed", error);
      }
    }
  }

  private load(): Session | null {
    const raw = this.storage?.getItem(this.storageKey);
    if (!raw) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return isSession(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }

  private save(): void {
    if (!this.storage) return;
    try {
      if (this.session) this.storage.setItem(this.storageKey, JSON.stringify(this.session));
      else this.storage.removeItem(this.storageKey);
    } catch {
      // Quota or privacy mode: the in-memory session still works.
    }
  }
}
