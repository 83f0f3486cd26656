// What a job handler sees in Fluxbase Local (and on a Fluxbase server): reference this
// file from a job with `/// <reference path="./jobs.d.ts" />` for editor help.
//
//   export async function handler(req: Request, fluxbase: FluxbaseClient,
//                                 fluxbaseService: FluxbaseClient, job: JobUtils) { ... }
//
// `fluxbase` acts as the user who submitted the job (row-level security applies),
// `fluxbaseService` as service_role. Either is null when no token is available.
import type {
  FluxbaseClient as SdkFluxbaseClient,
  createClient as sdkCreateClient,
} from "../src-sdk/index.ts";

type JobJson = string | number | boolean | null | JobJson[] | { [key: string]: JobJson };

declare global {
  /** The Fluxbase SDK client handed to a handler. */
  type FluxbaseClient = SdkFluxbaseClient;

  interface JobUser {
    id: string;
    email?: string;
    role: string;
  }

  interface JobContext {
    job_id: string;
    job_name: string;
    namespace: string;
    /** 0 on the first attempt. */
    retry_count: number;
    // deno-lint-ignore no-explicit-any
    payload: Record<string, any>;
    /** The submitting user; null for scheduled jobs and service-key submissions. */
    user: JobUser | null;
  }

  interface JobUtils {
    /** `percent` is clamped to 0..100; `data` may be any JSON value. */
    reportProgress(percent: number, message?: string, data?: JobJson): void;
    getJobContext(): JobContext;
    // deno-lint-ignore no-explicit-any
    getJobPayload<T = Record<string, any>>(): T;
    /** True once the job was cancelled; check it in long loops and stop early. */
    checkCancellation(): boolean;
    isCancelled(): Promise<boolean>;
  }

  interface JobSecrets {
    /** The user's secret, else the system one, else undefined. */
    get(name: string): string | undefined;
    /** Like get(), but throws "Required secret '<name>' not found. Set it via SDK or CLI." */
    getRequired(name: string): string;
    getUser(name: string): string | undefined;
    getSystem(name: string): string | undefined;
  }

  /** A job handler: any JSON value it returns (or a Response) becomes the job's result. */
  type JobHandler = (
    req: Request,
    fluxbase: FluxbaseClient | null,
    fluxbaseService: FluxbaseClient | null,
    job: JobUtils,
  ) => unknown;

  /** Secrets visible to this job; no import needed. */
  const secrets: JobSecrets;
  /** The same object as the handler's `job` argument. */
  const Fluxbase: JobUtils;
  /** The SDK's createClient, as upstream's wrapper provides it. */
  const createClient: typeof sdkCreateClient;
}

export {};
