// Delay before an automatic retry (compatibility §8.2: upstream retries at once; we back off).
//
// Exponential with "full jitter", floored: for retry number `attempt` (1 = the first
// retry) the ceiling is min(maxMs, baseMs * 2^(attempt-1)) and the delay is drawn
// uniformly from [min(baseMs/2, ceiling), ceiling]. Plain full jitter can draw ~0 and
// retry a failing job instantly; the floor of half the base keeps a minimum pause
// while still spreading retries of many jobs that failed together.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Uniform in [0, 1); Math.random by default, fixed in tests. */
  random?: () => number;
}

export function retryDelayMs(attempt: number, opts: BackoffOptions): number {
  const base = Math.max(0, opts.baseMs);
  const max = Math.max(0, opts.maxMs);
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(max, base * 2 ** Math.min(exponent, 1024));
  const floor = Math.min(base / 2, ceiling);
  const draw = Math.min(Math.max((opts.random ?? Math.random)(), 0), 1);
  return Math.round(floor + draw * (ceiling - floor));
}
