// What a job handler sees beside its client: the handler's `job` argument, the job's
// context, `secrets` and `Fluxbase`. One source for two readers: jobs/jobs.d.ts (editors
// working on a jobs folder, with the SDK's full client types) and the app's code editor
// (src-renderer/editor/job-types.ts, with a summary of the client). Ambient declarations
// only (a script, not a module: no project compiles it on its own, see tsconfig.json):
// `FluxbaseClient` and `createClient` are declared by each reader.

type JobJson = string | number | boolean | null | JobJson[] | { [key: string]: JobJson };

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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: Record<string, any>;
  /** The submitting user; null for scheduled jobs and service-key submissions. */
  user: JobUser | null;
}

interface JobUtils {
  /**
   * `percent` is clamped to 0..100 (keep it a whole number: Fluxbase drops fractions);
   * `data` may be any JSON value.
   */
  reportProgress(percent: number, message?: string, data?: JobJson): void;
  getJobContext(): JobContext;
  // deno-lint-ignore no-explicit-any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getJobPayload<T = Record<string, any>>(): T;
  /**
   * True once the job was cancelled; check it in long loops and stop early.
   * Local only: Fluxbase never reports cancellation to a running job.
   */
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

/**
 * A job handler, exported as `export async function handler(req, fluxbase, fluxbaseService, job)`:
 * any JSON value it returns (or a Response) becomes the job's result. `fluxbase` acts as the
 * user who submitted the job (row-level security applies), `fluxbaseService` as service_role;
 * either is null when no token is available.
 */
type JobHandler = (
  req: Request,
  fluxbase: FluxbaseClient | null,
  fluxbaseService: FluxbaseClient | null,
  job: JobUtils,
) => unknown;

/** Secrets visible to this job; no import needed. */
declare const secrets: JobSecrets;
/** The same object as the handler's `job` argument. */
declare const Fluxbase: JobUtils;
