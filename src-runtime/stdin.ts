// Reads newline-terminated lines from the server's stdin. The first line is the
// job context; later lines are control commands read while the job runs.

export type NextLine = () => Promise<string | null>;

export function createLineReader(readable: ReadableStream<Uint8Array>): NextLine {
  const reader = readable.getReader();
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
      const { value, done } = await reader.read();
      if (done) {
        ended = true;
        take(decoder.decode());
        const rest = partial.join("");
        partial = [];
        if (rest !== "") lines.push(rest);
      } else {
        take(decoder.decode(value, { stream: true }));
      }
    }
    return lines.shift() ?? null;
  };
}
