// Masks a progress report's message and data with the shared masker: the sandbox masks
// too, but the server masks progress whatever the job's runtime did.
import { maskJson, type Masker } from "../../../src-shared/mask.ts";
import type { ProgressReport } from "../worker/runtime.ts";

/** A progress report with its message and data masked. */
export function maskProgress(mask: Masker, report: ProgressReport): ProgressReport {
  const masked: ProgressReport = { percent: report.percent };
  if (report.message !== undefined) masked.message = mask(report.message);
  if (report.data !== undefined) masked.data = maskJson(mask, report.data);
  return masked;
}
