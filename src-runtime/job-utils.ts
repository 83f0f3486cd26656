// The `job` argument of a handler (also the global `Fluxbase`) and the global
// `secrets`, built from the context the server sent.
import type { JsonValue as Json } from "../src-shared/json.ts";
import type { JobContextMessage, JobUser } from "../src-shared/sandbox-protocol.ts";

export interface JobContext {
  job_id: string;
  job_name: string;
  namespace: string;
  retry_count: number;
  payload: { [key: string]: Json };
  user: JobUser | null;
}

export interface JobUtils {
  reportProgress(percent: number, message?: string, data?: unknown): void;
  getJobContext(): JobContext;
  getJobPayload(): { [key: string]: Json };
  checkCancellation(): boolean;
  isCancelled(): Promise<boolean>;
}

export interface Secrets {
  get(name: string): string | undefined;
  getRequired(name: string): string;
  getUser(name: string): string | undefined;
  getSystem(name: string): string | undefined;
}

export interface ProgressSink {
  (progress: { percent: number; message?: string; data?: unknown }): void;
}

/** Cancellation flips once, when the server's `cancel` command arrives. */
export interface CancelState {
  cancelled: boolean;
}

const isArray = Array.isArray;
const ownKeys = Object.keys;
const defineProperty = Object.defineProperty;

/**
 * A deep copy of a JSON value (the context is parsed JSON): a no-op job's payload is
 * copied for the handler on every job, which structuredClone does through a call into Deno.
 * "__proto__" is copied as the own key JSON.parse made it, never as the prototype.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (isArray(value)) {
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) items[i] = cloneJson(value[i]);
    return items as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of ownKeys(value)) {
    const item = cloneJson((value as Record<string, unknown>)[key]);
    if (key === "__proto__") {
      defineProperty(out, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = item;
  }
  return out as T;
}

export function clampPercent(percent: unknown): number {
  const value = Number(percent);
  if (!Number.isFinite(value)) return 0;
  return Math.min(100, Math.max(0, value));
}

export function createJobUtils(
  context: JobContextMessage,
  report: ProgressSink,
  cancel: CancelState,
): JobUtils {
  const jobContext: JobContext = {
    job_id: context.jobId,
    job_name: context.jobName,
    namespace: context.namespace,
    retry_count: context.retryCount ?? 0,
    payload: context.payload ?? {},
    user: context.user ? { ...context.user } : null,
  };
  return {
    reportProgress(percent, message, data) {
      const progress: { percent: number; message?: string; data?: unknown } = {
        percent: clampPercent(percent),
      };
      if (message !== undefined && message !== null) progress.message = String(message);
      if (data !== undefined) progress.data = data;
      report(progress);
    },
    getJobContext: () => cloneJson(jobContext),
    getJobPayload: () => cloneJson(jobContext.payload),
    checkCancellation: () => cancel.cancelled,
    isCancelled: () => Promise.resolve(cancel.cancelled),
  };
}

/** Upstream reads secrets from env names with `.` → `_`, uppercased: accept both spellings. */
function lookup(store: Record<string, string>, name: string): string | undefined {
  if (Object.hasOwn(store, name)) return store[name];
  const wanted = name.replaceAll(".", "_").toUpperCase();
  for (const [key, value] of Object.entries(store)) {
    if (key.replaceAll(".", "_").toUpperCase() === wanted) return value;
  }
  return undefined;
}

export function createSecrets(stores: JobContextMessage["secrets"]): Secrets {
  const user = { ...stores.user };
  const system = { ...stores.system };
  const secrets: Secrets = {
    getUser: (name) => lookup(user, name),
    getSystem: (name) => lookup(system, name),
    get: (name) => lookup(user, name) ?? lookup(system, name),
    getRequired(name) {
      const value = secrets.get(name);
      if (value === undefined) {
        throw new Error(`Required secret '${name}' not found. Set it via SDK or CLI.`);
      }
      return value;
    },
  };
  return Object.freeze(secrets);
}
