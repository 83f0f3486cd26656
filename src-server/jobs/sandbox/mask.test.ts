import { describe, expect, it } from "vitest";
import { createMasker, maskJson } from "../../../src-shared/mask.ts";
import { maskProgress } from "./mask.ts";

describe("masking", () => {
  const mask = createMasker(["s3cr3t-value", "ab"]);

  it("masks long values in text and leaves short ones alone", () => {
    expect(mask("key=s3cr3t-value; ab")).toBe("key=***; ab");
  });

  it("masks every string of a JSON value, keys included", () => {
    expect(
      maskJson(mask, {
        "s3cr3t-value": 1,
        list: ["x s3cr3t-value", 2, null, { deep: "s3cr3t-value" }],
        n: 3,
      }),
    ).toEqual({ "***": 1, list: ["x ***", 2, null, { deep: "***" }], n: 3 });
  });

  it("masks a progress report's message and data", () => {
    expect(
      maskProgress(mask, { percent: 50, message: "got s3cr3t-value", data: { v: "s3cr3t-value" } }),
    ).toEqual({
      percent: 50,
      message: "got ***",
      data: { v: "***" },
    });
    expect(maskProgress(mask, { percent: 1 })).toEqual({ percent: 1 });
  });
});
