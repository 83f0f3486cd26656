/**
 * Process a list of items, reporting progress after each one.
 * @fluxbase:timeout 300
 * portability-ignore description-ignored (Fluxbase keeps no description; fine)
 * @fluxbase:description Processes the items of the payload and reports progress
 */
/// <reference path="./jobs.d.ts" />

async function processItem(item: unknown): Promise<unknown> {
  // Stand-in for real work: a short pause per item.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return item;
}

export async function handler(
  req: Request,
  fluxbase: FluxbaseClient,
  fluxbaseService: FluxbaseClient,
  job: JobUtils,
) {
  const context = job.getJobContext();
  const { items = [] } = context.payload as { items?: unknown[] };

  console.log("Running for user:", context.user?.email ?? "(anonymous)");

  for (let i = 0; i < items.length; i++) {
    await processItem(items[i]);
    const percent = Math.floor(((i + 1) / items.length) * 100);
    job.reportProgress(percent, `Processed ${i + 1}/${items.length}`);
  }

  return { success: true, processed: items.length };
}
