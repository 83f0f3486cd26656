import { describe, expect, it } from "vitest";
import { createStartTimings } from "./start-timings.ts";

describe("createStartTimings", () => {
  it("records each phase from the previous mark, to a tenth of a millisecond", () => {
    let now = 1000;
    const timings = createStartTimings({ now: () => now });
    now = 1600;
    timings.mark("postgres");
    now = 1630.04;
    timings.mark("modules");
    now = 1750;
    timings.mark("migrations");
    expect(timings.phases()).toEqual([
      { phase: "postgres", ms: 600 },
      { phase: "modules", ms: 30 },
      { phase: "migrations", ms: 120 },
    ]);
    expect(timings.total()).toBe(750);
  });
});
