// Splits a sandbox's output into lines and tells control messages from log text.
// A control message is `\u001eFLX<nonce> <json>`; the nonce is random per run
// and known only to the entry, so a job cannot forge one. Lines have no fixed size
// limit (a 5 MB result is one line); only a runaway line beyond maxLineChars is dropped.
import {
  controlPrefix,
  toControlMessage,
  type ControlMessage,
} from "../../../src-shared/sandbox-protocol.ts";

export const DEFAULT_MAX_LINE_CHARS = 128 * 1024 * 1024;

export class LineSplitter {
  private parts: string[] = [];
  private size = 0;
  private overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf("\n", start);
      if (newline === -1) {
        this.append(chunk.slice(start));
        return;
      }
      this.append(chunk.slice(start, newline));
      this.emit();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.size > 0 || this.overflowed) this.emit();
  }

  private append(text: string): void {
    if (text === "" || this.overflowed) return;
    this.size += text.length;
    if (this.size > this.maxLineChars) {
      this.overflowed = true;
      this.parts = [];
      return;
    }
    this.parts.push(text);
  }

  private emit(): void {
    const line = this.overflowed
      ? `[an output line longer than ${this.maxLineChars} characters was dropped]`
      : this.parts.join("");
    this.parts = [];
    this.size = 0;
    this.overflowed = false;
    this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }
}

export type ParsedLine =
  { kind: "text"; text: string } | { kind: "control"; before: string; message: ControlMessage };

/** The prefix may follow text the job wrote without a newline: that text stays a log line. */
export function parseLine(line: string, nonce: string): ParsedLine {
  const prefix = controlPrefix(nonce);
  const at = line.indexOf(prefix);
  if (at === -1) return { kind: "text", text: line };
  let value: unknown;
  try {
    value = JSON.parse(line.slice(at + prefix.length));
  } catch {
    return { kind: "text", text: line };
  }
  const message = toControlMessage(value);
  return message
    ? { kind: "control", before: line.slice(0, at), message }
    : { kind: "text", text: line };
}
