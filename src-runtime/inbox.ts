// Everything the server writes on stdin, one JSON line each: a job context (the
// first line, and in a reused process the next job's after each result) or a
// command for the running job. Read by one loop for the life of the process.
import type { ControlCommand } from "../src-shared/sandbox-protocol.ts";
import type { NextLine } from "./stdin.ts";

const parse = JSON.parse;

export interface InboxHandlers {
  onCancel(): void;
  /** The server closed stdin: it is gone or dismisses this process. */
  onEnd(): void;
}

export interface Inbox {
  /** The next context line, parsed (not yet checked); null once stdin has ended. */
  nextContext(): Promise<unknown>;
}

export function createInbox(nextLine: NextLine, handlers: InboxHandlers): Inbox {
  const queued: unknown[] = [];
  let waiter: ((value: unknown) => void) | null = null;
  let ended = false;

  const deliver = (value: unknown) => {
    if (waiter) {
      const wake = waiter;
      waiter = null;
      wake(value);
    } else {
      queued.push(value);
    }
  };

  void (async () => {
    for (;;) {
      const line = await nextLine();
      if (line === null) {
        ended = true;
        handlers.onEnd();
        deliver(null);
        return;
      }
      let value: unknown;
      try {
        value = parse(line);
      } catch {
        value = undefined;
      }
      if ((value as ControlCommand | undefined)?.type === "cancel") handlers.onCancel();
      else deliver(value);
    }
  })();

  return {
    nextContext() {
      if (queued.length > 0) return Promise.resolve(queued.shift());
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
  };
}
