// Writing frames to many sockets without holding the event loop: frames are queued per
// socket (in order) and written in rounds, a few sockets per turn of the event loop, each
// socket's queued frames in one corked write (one system call for all of them). A round
// starts at most once per flush interval: a write to a local TCP socket costs tens of
// microseconds of the event loop whatever it carries, so a socket receiving many changes
// gets them a few per write instead of one write each, while a change after a quiet spell
// goes out at once. Under load the queues grow and each write carries more frames, so the
// cost per change falls as the load rises, and HTTP requests are served between turns.

/** What the fan-out writes to: a connection of the hub (or a fake in tests). */
export interface FanoutTarget {
  /** Sends one frame; false when it was not sent (closing socket, slow reader). */
  send(frame: string | Buffer): boolean;
  /** Holds writes until uncork (the TCP socket's cork); optional. */
  cork?(): void;
  uncork?(): void;
  /** Bytes already waiting in the socket. */
  bufferedAmount(): number;
}

export interface FanoutOptions {
  /** Sockets written per turn of the event loop (default 32). */
  socketsPerTurn?: number;
  /** A socket whose queued and unsent bytes exceed this is reported to `overflow`. */
  maxBufferedBytes: number;
  overflow(target: FanoutTarget): void;
  /** Called with the number of frames sent. */
  onSent?(count: number): void;
  /**
   * Least time between the starts of two rounds, in ms (default 50): no socket is written
   * more often than this by the fan-out.
   */
  flushIntervalMs?: number;
  /** How the next turn is scheduled (default setImmediate). */
  schedule?(fn: () => void): void;
  /** Runs `fn` after `ms` (default an unref'd setTimeout). */
  later?(fn: () => void, ms: number): void;
  /** The clock for the flush interval, in ms (default performance.now). */
  now?(): number;
}

export interface Fanout {
  /** Queues a frame for the target, after every frame queued for it before. */
  enqueue(target: FanoutTarget, frame: string | Buffer): void;
  /** Sends at once when nothing is queued for the target, else queues behind what is. */
  sendInOrder(target: FanoutTarget, frame: string | Buffer): void;
  /** Frames queued and not yet written. */
  pending(): number;
  /** Drops what is queued for a target (its socket closed). */
  forget(target: FanoutTarget): void;
}

interface Queue {
  frames: (string | Buffer)[];
  bytes: number;
}

const sizeOf = (frame: string | Buffer) =>
  typeof frame === "string" ? frame.length : frame.byteLength;

export function createFanout(options: FanoutOptions): Fanout {
  const perTurn = Math.max(1, options.socketsPerTurn ?? 32);
  const interval = Math.max(0, options.flushIntervalMs ?? 50);
  const schedule = options.schedule ?? ((fn: () => void) => void setImmediate(fn));
  const later = options.later ?? ((fn: () => void, ms: number) => void setTimeout(fn, ms).unref());
  const now = options.now ?? (() => performance.now());
  /** The round being written; insertion order, so the socket waiting longest goes first. */
  let round = new Map<FanoutTarget, Queue>();
  /** Sockets with frames for the next round (written already this round, or since). */
  let waiting = new Map<FanoutTarget, Queue>();
  /** Reported once to `overflow`; nothing more is queued for them. */
  const overflowed = new WeakSet<FanoutTarget>();
  let frames = 0;
  /** A turn or the next round's start is scheduled. */
  let scheduled = false;
  let roundStartedAt = -Infinity;

  const write = (target: FanoutTarget, queue: Queue) => {
    frames -= queue.frames.length;
    let sent = 0;
    target.cork?.();
    try {
      for (const frame of queue.frames) if (target.send(frame)) sent++;
    } finally {
      target.uncork?.();
    }
    options.onSent?.(sent);
  };

  const turn = () => {
    scheduled = false;
    let n = 0;
    for (const [target, queue] of round) {
      if (n++ >= perTurn) break;
      round.delete(target);
      write(target, queue);
    }
    kick();
  };

  const startRound = () => {
    roundStartedAt = now();
    round = waiting;
    waiting = new Map();
    turn();
  };

  /** Schedules the next turn of this round, or the next round once the interval is over. */
  const kick = () => {
    if (scheduled) return;
    if (round.size > 0) {
      scheduled = true;
      return schedule(turn);
    }
    if (waiting.size === 0) return;
    scheduled = true;
    const wait = roundStartedAt + interval - now();
    if (wait > 0) later(startRound, wait);
    else schedule(startRound);
  };

  const queueOf = (target: FanoutTarget) => round.get(target) ?? waiting.get(target);

  const drop = (target: FanoutTarget) => {
    const queue = queueOf(target);
    if (!queue) return;
    round.delete(target);
    waiting.delete(target);
    frames -= queue.frames.length;
  };

  const enqueue = (target: FanoutTarget, frame: string | Buffer) => {
    if (overflowed.has(target)) return;
    let queue = queueOf(target);
    if (!queue) waiting.set(target, (queue = { frames: [], bytes: 0 }));
    queue.frames.push(frame);
    queue.bytes += sizeOf(frame);
    frames++;
    if (queue.bytes + target.bufferedAmount() > options.maxBufferedBytes) {
      drop(target);
      overflowed.add(target);
      options.overflow(target);
      return;
    }
    kick();
  };

  return {
    enqueue,
    sendInOrder(target, frame) {
      if (overflowed.has(target)) return;
      if (queueOf(target)) return enqueue(target, frame);
      if (target.send(frame)) options.onSent?.(1);
    },
    pending: () => frames,
    forget: drop,
  };
}
