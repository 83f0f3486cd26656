import path from "node:path";
import { describe, expect, it } from "vitest";
import { objectFilePath, validateBucketName, validateObjectPath, validatePrefix } from "./paths.ts";

const root = path.resolve("/data/storage");

describe("validateObjectPath", () => {
  it("accepts nested relative paths", () => {
    expect(validateObjectPath("results/42.json")).toBe("results/42.json");
    expect(validateObjectPath("a b/ünïcode.txt")).toBe("a b/ünïcode.txt");
    expect(validateObjectPath("..hidden/x..y")).toBe("..hidden/x..y");
  });

  it.each([
    ["", "empty"],
    ["../x", "'..'"],
    ["a/../../x", "'..'"],
    ["a/..", "'..'"],
    ["/etc/passwd", "starts with '/'"],
    ["a\\..\\b", "backslash"],
    ["a\0b", "NUL"],
    ["a//b", "empty"],
    ["./a", "'.'"],
    ["x".repeat(1025), "longer than 1024"],
    [`a/${"n".repeat(256)}.txt`, "longer than 255 bytes"],
    ["é".repeat(128), "longer than 255 bytes"],
  ])("rejects %j with a 400 naming path (%s)", (value, why) => {
    let error: unknown;
    try {
      validateObjectPath(value);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ status: 400, extra: { field: "path" } });
    expect((error as Error).message).toContain(why);
  });
});

describe("objectFilePath", () => {
  it("places objects under <root>/<bucket>/", () => {
    expect(objectFilePath(root, "docs", "a/b.txt")).toBe(path.join(root, "docs", "a", "b.txt"));
  });

  it("never leaves the bucket directory", () => {
    expect(() => objectFilePath(root, "docs", "../other/x")).toThrow(/path/);
    expect(() => objectFilePath(root, "..", "x")).toThrow();
  });
});

describe("validateBucketName", () => {
  it("accepts simple names and rejects odd or reserved ones", () => {
    expect(validateBucketName("temp-files")).toBe("temp-files");
    for (const bad of ["", "..", ".x", "a/b", "buckets", "object", "x".repeat(64), 7]) {
      expect(() => validateBucketName(bad)).toThrow();
    }
  });
});

describe("validatePrefix", () => {
  it("allows empty and folder prefixes, rejects traversal", () => {
    expect(validatePrefix(null)).toBe("");
    expect(validatePrefix("results/")).toBe("results/");
    expect(() => validatePrefix("../")).toThrow();
  });
});
