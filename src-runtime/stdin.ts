// Reads newline-terminated lines from the server's stdin. The first line is the
// job context; later lines are control commands read while the job runs.
//
// Every read goes into one buffer, reused: Deno.stdin.readable hands out a fresh 64 KiB
// chunk per read, which stays allocated (outside the JS heap, so no collection hurries
// it) until a garbage collection, and a reused process idle between no-op jobs
// piled up megabytes of them (docs/architecture.md, "Sandbox memory").

export type NextLine = () => Promise<string | null>;

/** Deno.stdin.read's contract: bytes read into `buffer`, or null at the end. */
export type ReadInto = (buffer: Uint8Array) => Promise<number | null>;

const BUFFER_BYTES = 16 * 1024;

export function createLineReader(read: ReadInto): NextLine {
  const buffer = new Uint8Array(BUFFER_BYTES);
  const decoder = new TextDecoder();
  const lines: string[] = [];
  let partial: string[] = [];
  let ended = false;

  function take(text: string): void {
    const pieces = text.split("\n");
    if (pieces.length === 1) {
      partial.push(text);
      return;
    }
    lines.push(partial.join("") + pieces[0]);
    for (let i = 1; i < pieces.length - 1; i++) lines.push(pieces[i] as string);
    partial = [pieces[pieces.length - 1] as string];
  }

  return async function nextLine() {
    while (lines.length === 0 && !ended) {
      const n = await read(buffer);
      if (n === null) {
        ended = true;
        take(decoder.decode());
        const rest = partial.join("");
        partial = [];
        if (rest !== "") lines.push(rest);
      } else {
        // decode copies: the buffer is free for the next read.
        take(decoder.decode(buffer.subarray(0, n), { stream: true }));
      }
    }
    return lines.shift() ?? null;
  };
}
