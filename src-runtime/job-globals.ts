// The globals a job sees (`Fluxbase`, `secrets`) as objects that live as long as the
// process and answer for the job running now (or, between jobs, the one that ran last).
// A reused process keeps the job's module (see main.ts), so code that read a global at
// its top level, once, must still reach the current job's payload, progress and secrets.
import type { JobUtils, Secrets } from "./job-utils.ts";

export interface JobGlobalsSource {
  job(): JobUtils;
  secrets(): Secrets;
}

export function createJobGlobals(source: JobGlobalsSource): {
  Fluxbase: JobUtils;
  secrets: Secrets;
} {
  const Fluxbase: JobUtils = Object.freeze({
    reportProgress: (percent: number, message?: string, data?: unknown) =>
      source.job().reportProgress(percent, message, data),
    getJobContext: () => source.job().getJobContext(),
    getJobPayload: () => source.job().getJobPayload(),
    checkCancellation: () => source.job().checkCancellation(),
    isCancelled: () => source.job().isCancelled(),
  });
  const secrets: Secrets = Object.freeze({
    get: (name: string) => source.secrets().get(name),
    getRequired: (name: string) => source.secrets().getRequired(name),
    getUser: (name: string) => source.secrets().getUser(name),
    getSystem: (name: string) => source.secrets().getSystem(name),
  });
  return { Fluxbase, secrets };
}
