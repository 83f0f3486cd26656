import { describe, expect, it } from "vitest";
import { INSPECT_FLAG, parseInspectorLine, withInspector } from "./inspector.ts";

describe("the sandbox's inspector", () => {
  it("listens on loopback, on a port of the system's choosing, and is not quiet", () => {
    expect(withInspector(["run", "--no-prompt", "--quiet", "--allow-net", "main.ts"])).toEqual([
      "run",
      INSPECT_FLAG,
      "--no-prompt",
      "--allow-net",
      "main.ts",
    ]);
    expect(INSPECT_FLAG).toBe("--inspect-wait=127.0.0.1:0");
  });

  it("reads Deno's announcement and keeps its other lines out of the job's log", () => {
    expect(
      parseInspectorLine(
        "Debugger listening on ws://127.0.0.1:44549/36d79554-bfca-4bb4-bb51-ffc0bd03c0b0",
      ),
    ).toEqual({
      kind: "listening",
      url: "ws://127.0.0.1:44549/36d79554-bfca-4bb4-bb51-ffc0bd03c0b0",
    });
    expect(parseInspectorLine("Debugger listening on ws://10.0.0.2:9229/abc")).toBeNull();
    expect(parseInspectorLine("Deno is waiting for debugger to connect.")).toEqual({
      kind: "noise",
    });
    expect(parseInspectorLine("Visit chrome://inspect to connect to the debugger.")).toEqual({
      kind: "noise",
    });
    expect(parseInspectorLine("an error of the job")).toBeNull();
  });
});
