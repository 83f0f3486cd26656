// The control channel back to the server: one `\u001eFLX<nonce> <json>` line per
// message on stdout. Every function it needs is captured when this module is
// evaluated, before any job code runs, so a job that patches JSON, TextEncoder or
// Deno.stdout cannot change what is sent; without the nonce a job's own output is
// only ever a log line.
import { controlPrefix, type ControlMessage } from "../src-shared/sandbox-protocol.ts";

const stringify = JSON.stringify;
const encoder = new TextEncoder();
const encode = encoder.encode.bind(encoder);
const writers = {
  stdout: Deno.stdout.writeSync.bind(Deno.stdout),
  stderr: Deno.stderr.writeSync.bind(Deno.stderr),
};

export interface ControlChannel {
  /** Throws when the message cannot be serialised (e.g. a BigInt or a cycle). */
  send(message: ControlMessage): void;
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
  return {
    send(message) {
      const json = stringify(message);
      writeAll(encode(prefix + json + "\n"), stream);
    },
  };
}
