import { describe, it, expect } from "vitest";
import { retryDelayMs } from "./backoff.ts";

const opts = { baseMs: 1000, maxMs: 300_000 };

describe("retryDelayMs", () => {
  it("doubles the ceiling per attempt (random = 1 gives the ceiling)", () => {
    const ceilings = [1, 2, 3, 4, 5].map((attempt) =>
      retryDelayMs(attempt, { ...opts, random: () => 1 }),
    );
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it("never goes below half the base (random = 0 gives the floor)", () => {
    for (const attempt of [1, 2, 10, 50]) {
      expect(retryDelayMs(attempt, { ...opts, random: () => 0 })).toBe(500);
    }
  });

  it("spreads uniformly between floor and ceiling", () => {
    expect(retryDelayMs(3, { ...opts, random: () => 0.5 })).toBe(2250);
  });

  it("caps at maxMs, even for huge attempt numbers", () => {
    expect(retryDelayMs(20, { ...opts, random: () => 1 })).toBe(300_000);
    expect(retryDelayMs(100_000, { ...opts, random: () => 1 })).toBe(300_000);
    expect(retryDelayMs(3, { baseMs: 1000, maxMs: 300, random: () => 0 })).toBe(300);
  });

  it("treats attempt < 1 as the first retry and a zero base as no delay", () => {
    expect(retryDelayMs(0, { ...opts, random: () => 1 })).toBe(1000);
    expect(retryDelayMs(-3, { ...opts, random: () => 1 })).toBe(1000);
    expect(retryDelayMs(5, { baseMs: 0, maxMs: 1000, random: () => 0.7 })).toBe(0);
  });

  it("stays within bounds with the default random source", () => {
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(4, opts);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });
});
