// A sandbox process may run several jobs of the same function for the same user,
// one after another. setTimeout/setInterval are wrapped (the originals captured
// before any job code runs) so each job's pending timers are known, and the ones a
// finished job left behind are cleared before the next job starts.

type Callback = (...args: unknown[]) => unknown;
/** Deno 2.9 returns Node-style Timeout objects; clearTimeout also takes their number. */
type TimerHandle = ReturnType<typeof setTimeout>;

const originalSetTimeout = globalThis.setTimeout;
const originalSetInterval = globalThis.setInterval;
const originalClearTimeout = globalThis.clearTimeout;
const assign = Object.assign;

export interface TimerScope {
  /** Starts tracking for a new job and (re)installs the wrappers. */
  begin(): void;
  /** Clears every timer still pending since begin(); returns how many there were. */
  clearAll(): number;
}

export function createTimerScope(): TimerScope {
  let pending = new Set<TimerHandle>();

  function trackedSetTimeout(callback: unknown, delay?: number, ...args: unknown[]): TimerHandle {
    if (typeof callback !== "function") {
      return originalSetTimeout(callback as Callback, delay, ...args);
    }
    const owner = pending;
    const id: TimerHandle = originalSetTimeout(function (this: unknown) {
      owner.delete(id);
      return (callback as Callback).apply(this, args);
    }, delay);
    owner.add(id);
    return id;
  }

  function trackedSetInterval(callback: unknown, delay?: number, ...args: unknown[]): TimerHandle {
    const id = originalSetInterval(callback as Callback, delay, ...args);
    pending.add(id);
    return id;
  }

  function trackedClear(id?: TimerHandle | number): void {
    if (id !== undefined) pending.delete(id as TimerHandle);
    originalClearTimeout(id);
  }

  return {
    begin() {
      pending = new Set();
      assign(globalThis, {
        setTimeout: trackedSetTimeout,
        setInterval: trackedSetInterval,
        clearTimeout: trackedClear,
        clearInterval: trackedClear,
      });
    },
    clearAll() {
      const left = pending;
      pending = new Set();
      for (const id of left) originalClearTimeout(id);
      return left.size;
    },
  };
}
