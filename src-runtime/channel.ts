// The control channel back to the server: one `\u001eFLX<nonce> <json>` line per
// message on stdout. Every function it needs is captured when this module is
// evaluated, before any job code runs, so a job that patches JSON, TextEncoder or
// Deno.stdout cannot change what is sent; without the nonce a job's own output is
// only ever a log line.
import type { ControlMessage } from "./context.ts";

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
  const prefix = `\u001eFLX${nonce} `;
  return {
    send(message) {
      const json = stringify(message);
      writeAll(encode(prefix + json + "\n"), stream);
    },
  };
}

/** Replaces each value (longest first) by "***". Values shorter than 4 are ignored. */
export function createMasker(values: readonly string[]): (text: string) => string {
  const secrets = values.filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = text;
    for (const secret of secrets) {
      if (masked.includes(secret)) masked = masked.split(secret).join("***");
    }
    return masked;
  };
}
