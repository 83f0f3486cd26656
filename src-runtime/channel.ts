// The control channel back to the server: one `\u001eFLX<nonce> <json>` line per
// message on stdout. Every function it needs is captured when this module is
// evaluated, before any job code runs, so a job that patches JSON, TextEncoder or
// Deno.stdout cannot change what is sent; without the nonce a job's own output is
// only ever a log line.
import { controlPrefix, type ControlMessage } from "../src-shared/sandbox-protocol.ts";

const stringify = JSON.stringify;
// The next turn of the event loop: an immediate costs less than a zero-delay timer.
const setTurn = globalThis.setImmediate;
const clearTurn = globalThis.clearImmediate;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const writers = {
  stdout: Deno.stdout.writeSync.bind(Deno.stdout),
  stderr: Deno.stderr.writeSync.bind(Deno.stderr),
};

export interface ControlChannel {
  /** Throws when the message cannot be serialised (e.g. a BigInt or a cycle). */
  send(message: ControlMessage): void;
  /**
   * Sends the message with the next one, or on the next turn of the event loop, whichever
   * comes first: a handler that returns at once then costs one write (one wake-up of the
   * server) for its `started` and its result together.
   */
  defer(message: ControlMessage): void;
}

export function writeAll(bytes: Uint8Array, stream: "stdout" | "stderr" = "stdout"): void {
  const writeSync = writers[stream];
  let offset = 0;
  while (offset < bytes.length) {
    offset += writeSync(bytes.subarray(offset));
  }
}

export function createControlChannel(
  nonce: string,
  stream: "stdout" | "stderr" = "stdout",
): ControlChannel {
  const prefix = controlPrefix(nonce);
  let held = "";
  let timer: ReturnType<typeof setImmediate> | undefined;
  const write = (lines: string) => {
    if (timer !== undefined) clearTurn(timer);
    timer = undefined;
    held = "";
    writeAll(encode(lines), stream);
  };
  return {
    send(message) {
      write(held + prefix + stringify(message) + "\n");
    },
    defer(message) {
      held += prefix + stringify(message) + "\n";
      timer ??= setTurn(() => write(held));
    },
  };
}
