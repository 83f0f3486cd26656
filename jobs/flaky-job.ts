/**
 * Fails on purpose, to show retries with backoff and how errors are recorded.
 * Pass { "succeed_on_attempt": 2 } to see it recover on the second attempt.
 * @fluxbase:max-retries 2
 * portability-ignore description-ignored (Fluxbase keeps no description; fine)
 * @fluxbase:description Fails until the given attempt, then succeeds
 */
/// <reference path="./jobs.d.ts" />

export async function handler(
  req: Request,
  fluxbase: FluxbaseClient,
  fluxbaseService: FluxbaseClient,
  job: JobUtils,
) {
  const { retry_count, payload } = job.getJobContext();
  const attempt = retry_count + 1;
  const succeedOn = Number((payload as { succeed_on_attempt?: number }).succeed_on_attempt ?? 0);
  console.log(`Attempt ${attempt}`);
  if (attempt !== succeedOn) {
    throw new Error(`Simulated failure on attempt ${attempt}`);
  }
  return { recovered_on_attempt: attempt };
}
