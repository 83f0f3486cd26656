// Small timing and printing helpers shared by the benchmarks.
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The wall clock in ms since the epoch, with microseconds: comparable across processes. */
export const wallClock = (): number => performance.timeOrigin + performance.now();

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export async function until(
  check: () => Promise<boolean>,
  intervalMs = 25,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("benchmark timed out");
    await sleep(intervalMs);
  }
}

/** Calls `fn` `count` times at `perSecond`, on a fixed schedule (not back-to-back). */
export async function atRate(
  count: number,
  perSecond: number,
  fn: (i: number) => Promise<void>,
): Promise<void> {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(fn(i));
  }
  await Promise.all(pending);
}

/** Records when each id started, and lets a caller wait for an id that may start before it asks. */
export function createStartBoard() {
  const started = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  return {
    /** `at`: when it started, if known (default now, by performance.now()). */
    mark(id: string, at?: number) {
      const t = at ?? performance.now();
      started.set(id, t);
      waiters.get(id)?.(t);
    },
    wait(id: string, timeoutMs = 30_000): Promise<number> {
      const t = started.get(id);
      if (t !== undefined) return Promise.resolve(t);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`job ${id} never started`)), timeoutMs);
        waiters.set(id, (at) => {
          clearTimeout(timer);
          waiters.delete(id);
          resolve(at);
        });
      });
    },
  };
}

/** Runs a benchmark's main function and exits with its outcome. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
