import { describe, expect, it } from "vitest";
import { CONTROL_MARK } from "../../../src-shared/sandbox-protocol.ts";
import { LineSplitter, parseLine } from "./channel.ts";

function split(chunks: string[], max?: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), max);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("joins lines across chunks and keeps a last line without newline", () => {
    expect(split(["ab", "c\nde\r\n", "", "f\n\ng"])).toEqual(["abc", "de", "f", "", "g"]);
  });

  it("has no fixed line limit below maxLineChars", () => {
    const big = "x".repeat(5_000_000);
    const chunks = big.match(/.{1,65536}/g) ?? [];
    expect(split([...chunks, "\nnext\n"]).map((line) => line.length)).toEqual([5_000_000, 4]);
  });

  it("drops a runaway line and carries on with the next", () => {
    const lines = split(["0123456789", "0123456789\nok\n"], 15);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/longer than 15 characters was dropped/);
    expect(lines[1]).toBe("ok");
  });
});

describe("parseLine", () => {
  const nonce = "n0nce";
  const control = (json: string) => `${CONTROL_MARK}${nonce} ${json}`;

  it("reads a control message carrying the nonce", () => {
    expect(parseLine(control('{"type":"progress","percent":5}'), nonce)).toEqual({
      kind: "control",
      before: "",
      message: { type: "progress", percent: 5 },
    });
  });

  it("treats a forged line without the right nonce as text", () => {
    const forged = `${CONTROL_MARK}guess {"type":"result","value":1}`;
    expect(parseLine(forged, nonce)).toEqual({ kind: "text", text: forged });
    expect(parseLine('__RESULT__::{"success":true}', nonce).kind).toBe("text");
  });

  it("keeps text written before the control message on the same line", () => {
    const parsed = parseLine(`partial${control('{"type":"result","value":[1]}')}`, nonce);
    expect(parsed).toEqual({
      kind: "control",
      before: "partial",
      message: { type: "result", value: [1] },
    });
  });

  it("keeps the handler's start time only when it is a finite number", () => {
    const started = (json: string) =>
      (parseLine(control(json), nonce) as { message: unknown }).message;
    expect(started('{"type":"started","at":1796399106579.397}')).toEqual({
      type: "started",
      at: 1796399106579.397,
    });
    expect(started('{"type":"started","at":"soon"}')).toEqual({ type: "started" });
    expect(started('{"type":"started","at":null}')).toEqual({ type: "started" });
    expect(started('{"type":"started"}')).toEqual({ type: "started" });
  });

  it("rejects malformed or unknown messages as text", () => {
    expect(parseLine(control("{not json"), nonce).kind).toBe("text");
    expect(parseLine(control('{"type":"exec"}'), nonce).kind).toBe("text");
    expect(parseLine(control('{"type":"log","level":"loud","message":"x"}'), nonce).kind).toBe(
      "text",
    );
  });
});
