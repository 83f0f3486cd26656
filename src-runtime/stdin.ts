// Reads newline-terminated lines from the server's stdin. The first line is the
// job context; later lines are control commands read while the job runs.
//
// Every read goes straight to the stdin resource, into one buffer that is reused:
// Deno.stdin.readable runs each chunk through the streams machinery (pull, enqueue, a
// reader request and their promises: a measurable share of a short job's time in Deno),
// and hands out a fresh 64 KiB chunk per read, which stays allocated outside the JS heap
// until a garbage collection, so a reused process idle between no-op jobs piled up
// megabytes of them (docs/architecture.md, "Sandbox memory").

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
      const count = await read(buffer);
      if (count === null) {
        ended = true;
        take(decoder.decode());
        const rest = partial.join("");
        partial = [];
        if (rest !== "") lines.push(rest);
      } else if (count > 0) {
        // decode copies out of the buffer before the next read refills it.
        take(decoder.decode(buffer.subarray(0, count), { stream: true }));
      }
    }
    return lines.shift() ?? null;
  };
}
