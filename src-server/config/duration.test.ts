import { describe, it, expect } from "vitest";
import { formatDurationMs, parseDurationMs } from "./duration.ts";

describe("parseDurationMs", () => {
  it("reads Go-style units", () => {
    expect(parseDurationMs("1s")).toBe(1_000);
    expect(parseDurationMs("300s")).toBe(300_000);
    expect(parseDurationMs("5m")).toBe(300_000);
    expect(parseDurationMs("1h")).toBe(3_600_000);
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs("1m30s")).toBe(90_000);
    expect(parseDurationMs("1.5s")).toBe(1_500);
  });

  it("reads plain numbers as seconds", () => {
    expect(parseDurationMs("300")).toBe(300_000);
    expect(parseDurationMs(300)).toBe(300_000);
    expect(parseDurationMs(0.25)).toBe(250);
    expect(parseDurationMs(" 2 ")).toBe(2_000);
  });

  it("rejects anything else", () => {
    for (const bad of ["", "abc", "5 m", "-1s", "1d", "s", "1s2", "ms"]) {
      expect(parseDurationMs(bad)).toBeNull();
    }
    expect(parseDurationMs(-1)).toBeNull();
    expect(parseDurationMs(Number.NaN)).toBeNull();
  });
});

describe("formatDurationMs", () => {
  it("prints like Go", () => {
    expect(formatDurationMs(300_000)).toBe("5m0s");
    expect(formatDurationMs(250)).toBe("250ms");
    expect(formatDurationMs(1_500)).toBe("1.5s");
    expect(formatDurationMs(3_661_000)).toBe("1h1m1s");
  });
});
