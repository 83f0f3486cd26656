import { describe, expect, it } from "vitest";
import { defaultJobsConfig } from "../../config/index.ts";
import { AppError } from "../../errors.ts";
import { functionFromBody } from "./function-input.ts";

const ctx = { config: defaultJobsConfig("/tmp/jobs"), createdBy: null };
const handler = "export function handler() { return null; }";

function refusal(body: unknown): AppError {
  try {
    functionFromBody(body, ctx);
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
}

describe("functionFromBody", () => {
  it("applies valid annotations under explicit fields", () => {
    const fields = functionFromBody(
      {
        name: "f",
        code: `// @fluxbase:memory 512\n// @fluxbase:schedule 0 2 * * *\n${handler}`,
        timeout_seconds: 60,
      },
      ctx,
    );
    expect(fields).toMatchObject({
      memoryLimitMb: 512,
      schedule: "0 2 * * *",
      timeoutSeconds: 60,
      bundleError: null,
    });
  });

  it("refuses code with an invalid annotation, naming it and its line (nothing is silently dropped)", () => {
    const err = refusal({
      name: "f",
      code: `// ok\n// @fluxbase:schedule */0 * * * *\n${handler}`,
    });
    expect([err.status, err.extra]).toEqual([
      400,
      { field: "code", annotation: "@fluxbase:schedule", line: 2 },
    ]);
    const orig = refusal({
      name: "f",
      code: handler,
      original_code: `// @fluxbase:memory 999999999\n${handler}`,
    });
    expect(orig.extra).toMatchObject({
      field: "original_code",
      annotation: "@fluxbase:memory",
      line: 1,
    });
    expect(orig.message).toContain("from 16 to 16384");
  });

  it("refuses explicit settings out of the annotation ranges and schedule params that are not an object", () => {
    expect(refusal({ name: "f", code: handler, memory_limit_mb: 999_999_999 }).extra.field).toBe(
      "memory_limit_mb",
    );
    expect(refusal({ name: "f", code: handler, timeout_seconds: 86_401 }).extra.field).toBe(
      "timeout_seconds",
    );
    expect(refusal({ name: "f", code: handler, schedule: "0 2 * * *|[1]" }).extra.field).toBe(
      "schedule",
    );
    expect(refusal({ name: "f", code: handler, schedule: "@every 1s" }).extra.field).toBe(
      "schedule",
    );
  });
});
