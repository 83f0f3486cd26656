// The debugger's routes (/api/v1/admin/debug/runs), which the SDK has no methods for: the
// signed-in admin's token on plain fetches to our server (never to a job's inspector).
import { api, serverUrl } from "../api.ts";

export interface DebugVariable {
  name: string;
  value: string;
  type: string;
  object_id: string | null;
}

export interface DebugScope {
  type: string;
  name: string | null;
  object_id: string | null;
  variables: DebugVariable[] | null;
}

export interface DebugFrame {
  name: string;
  line: number;
  column: number;
  in_job: boolean;
  /** Another file of a bundled job (its path in the jobs folder), when the frame is there. */
  file: string | null;
  url: string;
  scopes: DebugScope[];
}

export interface Breakpoint {
  line: number;
  condition?: string | null;
}

export interface DebugState {
  job_id: string;
  status: "waiting" | "running" | "paused" | "detached" | "ended";
  version: number;
  reason: string | null;
  line: number | null;
  /** Paused in another file of a bundled job: its path and line. */
  file: string | null;
  file_line: number | null;
  frames: DebugFrame[];
  breakpoints: Array<{ line: number; condition: string | null; actual_line: number | null }>;
  inspector_url: string | null;
  note: string | null;
}

export async function debugCall<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const { data } = await api().auth.getSession();
  const token = data?.session?.access_token;
  const res = await fetch(new URL(`/api/v1/admin/debug/runs${path}`, serverUrl), {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  const body = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  return body;
}

export function breakpointsBody(list: Breakpoint[]) {
  return list.map((b) =>
    b.condition ? { line: b.line, condition: b.condition } : { line: b.line },
  );
}
