// Turns for the claims of one process's workers: at most one of them is on the pool at a
// time, and a worker that wants to claim meanwhile waits for its turn (first asked, first
// served), then claims for every slot freed and every completion queued while it waited.
//
// Why: with each worker claiming the moment a slot frees, a process draining a deep queue
// kept several claims in flight at once, each for a job or two. Their SKIP LOCKED scans
// stepped over each other's rows, and each claim woke a backend for little work; one at a
// time, each claim carries more, and PostgreSQL's CPU per job in a drain about halved
// (docs/architecture.md, "One claim at a time"). The claim loop asks for a turn only for a
// worker with a job still running: one with every slot free has nothing to gather by waiting.
//
// A claim that takes longer than `holdMs` (a completion it carries waiting for a row's lock,
// a slow server) stops holding the turn: the next worker claims without waiting for it.
// A claim behind a submit's insert takes no turn (claim-loop.ts claimBehind): it is on a
// connection of its own, and the submit's answer waits for it.

export interface ClaimTurnsOptions {
  /** A turn held this long is given to the next worker (ms, default 100). */
  holdMs?: number;
}

/** Ends a turn; calling it again, or after the turn timed out, does nothing. */
export type EndTurn = () => void;

export interface ClaimTurns {
  /** The turn, now, when no claim holds it; else undefined. */
  take(): EndTurn | undefined;
  /** The turn once every claim asked for before this one has had its own. */
  wait(): Promise<EndTurn>;
}

export function createClaimTurns(options: ClaimTurnsOptions = {}): ClaimTurns {
  const holdMs = options.holdMs ?? 100;
  let held = false;
  const waiting: ((end: EndTurn) => void)[] = [];

  const grant = (): EndTurn => {
    held = true;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      held = false;
      const next = waiting.shift();
      if (next) next(grant());
    };
    const timer = setTimeout(end, holdMs);
    timer.unref();
    return end;
  };

  return {
    take: () => (held ? undefined : grant()),
    wait: () =>
      new Promise<EndTurn>((resolve) => {
        if (held) waiting.push(resolve);
        else resolve(grant());
      }),
  };
}
