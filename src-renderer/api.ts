// The app's one SDK client. The renderer reaches the server only through it (and the two
// pre-sign-in calls below, which the SDK has no method for): the same API an external app uses.
import { createClient, type AuthSession, type FluxbaseClient } from "../src-sdk/index.ts";
import { watchedFetch } from "./lib/connection.ts";

export interface UiConfig {
  anon_key: string;
  version: string;
}

/** The server: the desktop preload's URL, else the page's own origin (`npm run serve`). */
export const serverUrl: string = window.fluxbaseDesktop?.serverUrl || window.location.origin;

let client: FluxbaseClient | undefined;
let config: UiConfig | undefined;

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(new URL(path, serverUrl), {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(data.error ?? `${res.status} ${res.statusText}`);
  return data;
}

/** Reads the public UI config (anon key, version) and creates the client once. */
export async function initApi(): Promise<FluxbaseClient> {
  if (client) return client;
  config = await postJson<UiConfig>("/api/v1/ui/config", undefined);
  client = createClient(
    serverUrl,
    { apiKey: config.anon_key },
    {
      auth: { persist: true },
      fetch: watchedFetch(serverUrl),
      // Back within seconds of the server: the views reload what they missed then.
      realtime: { backoffMaxMs: 3000 },
    },
  );
  return client;
}

export function api(): FluxbaseClient {
  if (!client) throw new Error("api() before initApi()");
  return client;
}

/** Test seam: installs (or, with undefined, forgets) the client `api()` returns. */
export function setApiClient(next: FluxbaseClient | undefined, version = ""): void {
  client = next;
  config = next ? { anon_key: "", version } : undefined;
}

/** The anon key the UI signed in with (for copyable examples). */
export function anonKey(): string {
  return config?.anon_key ?? "";
}

export function serverVersion(): string {
  return config?.version ?? "";
}

/** Exchanges the one-time code of the printed sign-in link for a session. */
export async function signInWithCode(code: string): Promise<void> {
  const session = await postJson<AuthSession>("/api/v1/auth/ui-login", { code });
  const { error } = await api().auth.setSession(session);
  if (error) throw error;
}

/** The message of anything thrown or returned as an error. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === "string" ? err : JSON.stringify(err);
}
