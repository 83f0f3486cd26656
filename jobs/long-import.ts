/**
 * A long-running job that checks for cancellation between batches.
 * @fluxbase:timeout 600
 * portability-ignore description-ignored (Fluxbase keeps no description; fine)
 * @fluxbase:description Imports records in batches; stops cleanly when cancelled
 */
/// <reference path="./jobs.d.ts" />

export async function handler(
  req: Request,
  fluxbase: FluxbaseClient,
  fluxbaseService: FluxbaseClient,
  job: JobUtils,
) {
  const { batches = 30, batch_ms = 500 } = job.getJobPayload() as {
    batches?: number;
    batch_ms?: number;
  };
  let processed = 0;
  for (let i = 0; i < batches; i++) {
    // portability-ignore check-cancellation (on Fluxbase the import simply runs to its end)
    if (job.checkCancellation()) {
      console.log(`Cancelled after ${processed} batches`);
      return { cancelled: true, processed };
    }
    await new Promise((resolve) => setTimeout(resolve, batch_ms));
    processed += 1;
    job.reportProgress(
      Math.floor((processed / batches) * 100),
      `Imported batch ${processed}/${batches}`,
      {
        processed,
        total: batches,
      },
    );
  }
  return { success: true, processed };
}
