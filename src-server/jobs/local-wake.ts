// Jobs submitted through this process wake its own workers at once, when their insert's
// commit is answered, instead of when the commit's NOTIFY comes back through the listener
// connection (a hop through PostgreSQL's notification queue and one more socket, on the
// way from a submit to its job's start; docs/architecture.md, "Submit to start").
//
// The NOTIFY still comes: other processes' workers need it, and it is how this process
// learns of every other commit. Waking on it as well would make every local submit cost a
// second claim, so each local wake expects the NOTIFY of its commit and that one wakes no
// one. A NOTIFY is known by the backend that sent it: a commit's insert returns its
// backend's pid, the notification names its sender, and one backend's notifications
// arrive in the order of its commits. So the next NOTIFY from a backend with an expected
// echo is that echo, or one of a commit before it, whose jobs the local wake's claim (sent
// after that later commit) sees anyway.
//
// The echo often beats the insert's answer (both leave PostgreSQL at the commit): a NOTIFY
// from the backend that came after the insert was sent is taken for it; it has woken the
// workers, and the answer only hurries the claim that NOTIFY made due at the end of its
// turn (if it was an earlier commit's NOTIFY, the echo is still to come and wakes them). Expectations are dropped when the listener
// (re)connects (a NOTIFY sent while it was away never arrives) and after `expireMs`.
import type { Queryable } from "../db/connections.ts";

export interface LocalWake {
  /**
   * Jobs were committed through this process on the backend `backendPid`, by a statement
   * sent at `sentAt` (the `now` clock): unless its NOTIFY has come already, the workers
   * here are woken now and that NOTIFY is expected. Nothing when no pool listens.
   */
  committed(backendPid: number, sentAt: number): void;
  /**
   * When a worker here has room and no claim in flight: calls `send` (which puts a
   * submit's insert on the pipelined connection `db`), then sends that worker's claim on
   * `db` right behind it, and expects the NOTIFY of the insert's commit from `backendPid`
   * (db's backend, when known). False, and `send` not called, otherwise.
   */
  claimBehind(db: Queryable, backendPid: number | undefined, send: () => void): boolean;
  /** The pool of this process listens (one at a time; a second replaces the first). */
  subscribe(pool: LocalWakeListener): LocalWakeSubscription;
}

export interface LocalWakeListener {
  /** Jobs were committed here: a worker with room claims at once. */
  wake(): void;
  /** Their NOTIFY came first and made a claim due: it goes out at once. */
  hurry(): void;
  /**
   * LocalWake.claimBehind: a worker with room and no claim in flight claims on `db`, after
   * `send`. True exactly when `send` was called.
   */
  claimBehind(db: Queryable, send: () => void): boolean;
}

/** What the subscribed pool's listener connection reports. */
export interface LocalWakeSubscription {
  /**
   * A NOTIFY on the wake channel from `backendPid`: true when it is the echo of a local
   * wake (it then wakes no one).
   */
  echo(backendPid: number): boolean;
  /** The listener (re)connected: notifications sent meanwhile are lost, so is every echo. */
  reset(): void;
  close(): void;
}

export interface LocalWakeOptions {
  /** An echo not seen within this long is no longer expected (default 5 s). */
  expireMs?: number;
  /** A monotonic clock in milliseconds (default performance.now). */
  now?: () => number;
}

export function createLocalWake(options: LocalWakeOptions = {}): LocalWake {
  const expireMs = options.expireMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  /** By backend pid: when each expected echo's commit was answered, oldest first. */
  const expected = new Map<number, number[]>();
  /** By backend pid: when its last NOTIFY came (pruned after `expireMs`). */
  const lastSeen = new Map<number, number>();
  let pruneAt = 0;
  let pool: LocalWakeListener | undefined;

  const seen = (pid: number) => {
    const at = now();
    lastSeen.set(pid, at);
    if (at < pruneAt) return;
    pruneAt = at + expireMs;
    for (const [p, t] of lastSeen) if (t < at - expireMs) lastSeen.delete(p);
  };
  const forget = () => {
    expected.clear();
    lastSeen.clear();
  };

  const expect = (pid: number) => {
    const times = expected.get(pid);
    if (times) times.push(now());
    else expected.set(pid, [now()]);
  };

  const dropExpired = (pid: number, times: number[]) => {
    const cutoff = now() - expireMs;
    while (times.length > 0 && times[0]! < cutoff) times.shift();
    if (times.length === 0) expected.delete(pid);
  };

  return {
    committed(backendPid, sentAt) {
      if (!pool) return;
      if ((lastSeen.get(backendPid) ?? -Infinity) >= sentAt) return pool.hurry();
      expect(backendPid);
      pool.wake();
    },
    claimBehind(db, backendPid, send) {
      const sent = pool?.claimBehind(db, send) ?? false;
      if (sent && backendPid !== undefined) expect(backendPid);
      return sent;
    },
    subscribe(listener) {
      pool = listener;
      forget();
      const current = () => pool === listener;
      return {
        echo(backendPid) {
          if (!current()) return false;
          seen(backendPid);
          const times = expected.get(backendPid);
          if (!times) return false;
          dropExpired(backendPid, times);
          if (times.length === 0) return false;
          times.shift();
          if (times.length === 0) expected.delete(backendPid);
          return true;
        },
        reset() {
          if (current()) forget();
        },
        close() {
          if (!current()) return;
          pool = undefined;
          forget();
        },
      };
    },
  };
}
