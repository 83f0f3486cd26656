// Durations as written in config files and env variables: Go-style units
// ("250ms", "1s", "300s", "5m", "1h", "1m30s") or a plain number of seconds
// (300, "300", "1.5"). Upstream Fluxbase (viper) writes "5m"; the product guide
// writes FLUXBASE_JOBS_DEFAULT_TIMEOUT=300 meaning seconds. Both are accepted.

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const plainNumber = /^\d+(?:\.\d+)?$/;
const withUnits = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const oneUnit = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Parse a duration into whole milliseconds (rounded). Returns null when the
 * input is not a non-negative duration; the caller names the source in its error.
 */
export function parseDurationMs(input: string | number): number | null {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : null;
  }
  const text = input.trim();
  if (plainNumber.test(text)) return Math.round(Number(text) * 1000);
  if (!withUnits.test(text)) return null;
  let total = 0;
  for (const match of text.matchAll(oneUnit)) {
    const amount = Number(match[1]);
    const unit = unitMs[match[2] ?? ""];
    if (unit === undefined) return null;
    total += amount * unit;
  }
  return Math.round(total);
}

/** Render milliseconds the way Go prints durations: "5m0s", "300ms", "1h0m0s". */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 1000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
