import { describe, expect, it } from "vitest";
import { decideOutcome, type ProcessRunFacts } from "./outcome.ts";
import { createMasker } from "../../../src-shared/mask.ts";

const exit: ProcessRunFacts = { exitCode: 0, signal: null, stderrTail: [], memoryLimitMb: 32 };

describe("decideOutcome", () => {
  it("a result wins over the exit status", () => {
    expect(decideOutcome({ ...exit, exitCode: 1, result: { value: [1, 2] } })).toEqual({
      ok: true,
      result: [1, 2],
    });
  });

  it("a thrown error keeps its message", () => {
    expect(decideOutcome({ ...exit, exitCode: 1, error: { message: "boom" } })).toEqual({
      ok: false,
      reason: "error",
      error: "boom",
    });
  });

  it("our kill is reported as killed with its reason", () => {
    const facts = { ...exit, exitCode: null, signal: "SIGKILL", killedReason: "timeout" };
    expect(decideOutcome(facts)).toEqual({ ok: false, reason: "killed", error: "timeout" });
  });

  it("recognises V8 running out of heap", () => {
    const stderrTail = ["#", "# Fatal JavaScript out of memory: Reached heap limit", "#"];
    expect(decideOutcome({ ...exit, exitCode: null, signal: "SIGTRAP", stderrTail })).toEqual({
      ok: false,
      reason: "memory",
      error: "Out of memory (limit 32 MB)",
    });
    expect(
      decideOutcome({ ...exit, exitCode: null, signal: "SIGKILL", memoryExceeded: true }),
    ).toEqual({
      ok: false,
      reason: "memory",
      error: "Out of memory (limit 32 MB)",
    });
  });

  it("a signal alone (a job killing or aborting itself) is a crash, not out of memory", () => {
    for (const signal of ["SIGKILL", "SIGABRT", "SIGTRAP"]) {
      expect(decideOutcome({ ...exit, exitCode: null, signal })).toEqual({
        ok: false,
        reason: "crashed",
        error: `killed by signal ${signal}`,
      });
    }
  });

  it("a crash reports Deno's error line, else the exit code", () => {
    const stderrTail = ["error: Uncaught Error: bad", "    at file:///x.ts:1:1"];
    expect(decideOutcome({ ...exit, exitCode: 1, stderrTail })).toEqual({
      ok: false,
      reason: "crashed",
      error: "error: Uncaught Error: bad",
    });
    expect(decideOutcome({ ...exit, exitCode: 3 })).toMatchObject({
      reason: "crashed",
      error: "exit code 3",
    });
  });
});

describe("createMasker", () => {
  it("masks secrets of 4 characters or more, longest first", () => {
    const mask = createMasker(["abc", "s3cr3t", "s3cr3t-longer"]);
    expect(mask("a s3cr3t-longer and s3cr3t and abc")).toBe("a *** and *** and abc");
  });
});
