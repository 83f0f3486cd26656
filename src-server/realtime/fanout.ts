// Writing frames to many sockets without holding the event loop: frames are queued per
// socket (in order) and written a few sockets per turn of the event loop, each socket's
// queued frames in one corked write (one system call for all of them). Under a burst of
// changes the queues grow and each write carries more frames, so the cost per change
// falls as the load rises, and HTTP requests are served between turns.

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
  /** How the next turn is scheduled (default setImmediate). */
  schedule?(fn: () => void): void;
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
  const schedule = options.schedule ?? ((fn: () => void) => void setImmediate(fn));
  /** Insertion order: the socket waiting longest is written first. */
  const queues = new Map<FanoutTarget, Queue>();
  /** Reported once to `overflow`; nothing more is queued for them. */
  const overflowed = new WeakSet<FanoutTarget>();
  let frames = 0;
  let scheduled = false;

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
    for (const [target, queue] of queues) {
      if (n++ >= perTurn) break;
      queues.delete(target);
      write(target, queue);
    }
    if (queues.size > 0) kick();
  };

  const kick = () => {
    if (scheduled) return;
    scheduled = true;
    schedule(turn);
  };

  const enqueue = (target: FanoutTarget, frame: string | Buffer) => {
    if (overflowed.has(target)) return;
    let queue = queues.get(target);
    if (!queue) queues.set(target, (queue = { frames: [], bytes: 0 }));
    queue.frames.push(frame);
    queue.bytes += sizeOf(frame);
    frames++;
    if (queue.bytes + target.bufferedAmount() > options.maxBufferedBytes) {
      queues.delete(target);
      frames -= queue.frames.length;
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
      if (queues.has(target)) return enqueue(target, frame);
      if (target.send(frame)) options.onSent?.(1);
    },
    pending: () => frames,
    forget(target) {
      const queue = queues.get(target);
      if (!queue) return;
      queues.delete(target);
      frames -= queue.frames.length;
    },
  };
}
