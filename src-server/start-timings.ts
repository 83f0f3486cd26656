// How long each phase of a server start took, for the debug log ("start phases") and the
// start benchmark: where the time to "ready" goes (docs/architecture.md, "Start").
export interface StartPhase {
  phase: string;
  /** Milliseconds from the previous mark (or the start) to this one. */
  ms: number;
}

export interface StartTimings {
  /** Ends the current phase under this name; the next phase starts now. */
  mark(phase: string): void;
  phases(): StartPhase[];
  /** Milliseconds since the timings were created. */
  total(): number;
}

export interface StartTimingsOptions {
  now?: () => number;
}

export function createStartTimings(options: StartTimingsOptions = {}): StartTimings {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let last = started;
  const phases: StartPhase[] = [];
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    mark(phase) {
      const at = now();
      phases.push({ phase, ms: round(at - last) });
      last = at;
    },
    phases: () => [...phases],
    total: () => round(now() - started),
  };
}
