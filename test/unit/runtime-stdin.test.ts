// The sandbox entry's stdin line reader (src-runtime/stdin.ts): lines split across reads,
// several lines in one read, multi-byte characters cut between reads, and one buffer for
// every read (a fresh 64 KiB chunk per read piled up outside the JS heap in idle processes).
import { describe, expect, it } from "vitest";
import { createLineReader, type ReadInto } from "../../src-runtime/stdin.ts";

/** Hands out `chunks` one per read, then the end; records the buffers it was given. */
function fakeStdin(chunks: Uint8Array[]): { read: ReadInto; buffers: Uint8Array[] } {
  const buffers: Uint8Array[] = [];
  const queue = [...chunks];
  return {
    buffers,
    read: async (buffer) => {
      buffers.push(buffer);
      const chunk = queue.shift();
      if (!chunk) return null;
      buffer.set(chunk);
      return chunk.length;
    },
  };
}

const bytes = (text: string) => new TextEncoder().encode(text);

async function readAll(read: ReadInto): Promise<string[]> {
  const next = createLineReader(read);
  const lines: string[] = [];
  for (let line = await next(); line !== null; line = await next()) lines.push(line);
  return lines;
}

describe("createLineReader", () => {
  it("splits lines across and within reads, keeping a last line without a newline", async () => {
    const stdin = fakeStdin([bytes('{"a":'), bytes('1}\n{"b":2}\n{"c"'), bytes(":3}")]);
    expect(await readAll(stdin.read)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it("decodes a character whose bytes arrive in two reads", async () => {
    const euro = bytes("€\n");
    const stdin = fakeStdin([euro.subarray(0, 1), euro.subarray(1)]);
    expect(await readAll(stdin.read)).toEqual(["€"]);
  });

  it("reads every chunk into the same buffer", async () => {
    const stdin = fakeStdin([bytes("one\n"), bytes("two\n"), bytes("three\n")]);
    expect(await readAll(stdin.read)).toEqual(["one", "two", "three"]);
    expect(stdin.buffers.length).toBe(4);
    expect(new Set(stdin.buffers).size).toBe(1);
  });
});
