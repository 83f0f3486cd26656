// Coalesces a job's progress reports: the first report is written at once, later ones
// at most once per interval, always with the newest value. A job calling reportProgress
// 10,000 times in a tight loop costs a few writes per second; the final value is kept
// for the completion statement, so it is never lost.

export interface ProgressCoalescerOptions<T> {
  intervalMs: number;
  write(value: T): Promise<unknown>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export interface ProgressCoalescer<T> {
  report(value: T): void;
  /** Stops writing; returns the newest value not yet written (or undefined). */
  finish(): Promise<T | undefined>;
  /** The newest value reported, written or not. */
  latest(): T | undefined;
}

export function createProgressCoalescer<T>(
  options: ProgressCoalescerOptions<T>,
): ProgressCoalescer<T> {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  let newest: T | undefined;
  let unwritten = false;
  let lastWriteAt = -Infinity;
  let timer: unknown;
  let inFlight: Promise<unknown> | undefined;
  let finished = false;

  const flush = () => {
    timer = undefined;
    if (finished || !unwritten || inFlight) return;
    const value = newest as T;
    unwritten = false;
    lastWriteAt = now();
    inFlight = options
      .write(value)
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
        if (unwritten) schedule();
      });
  };

  const schedule = () => {
    if (finished || timer !== undefined || inFlight) return;
    const wait = lastWriteAt + options.intervalMs - now();
    if (wait <= 0) flush();
    else timer = setTimer(flush, wait);
  };

  return {
    report(value) {
      if (finished) return;
      newest = value;
      unwritten = true;
      schedule();
    },
    async finish() {
      finished = true;
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
      if (inFlight) await inFlight;
      return unwritten ? newest : undefined;
    },
    latest: () => newest,
  };
}
