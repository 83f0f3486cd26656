import { describe, expect, it } from "vitest";
import { mimeAllowed, parseMetadata } from "./upload-input.ts";

describe("parseMetadata", () => {
  it("accepts nothing or a JSON object", () => {
    expect(parseMetadata(null)).toEqual({});
    expect(parseMetadata('{"a":1}')).toEqual({ a: 1 });
  });

  it("rejects metadata that is not a JSON object", () => {
    expect(() => parseMetadata("[1]")).toThrow(/metadata/);
    expect(() => parseMetadata("{")).toThrow(/metadata/);
  });

  it("rejects metadata PostgreSQL cannot store (a \\u0000 escape), naming the key", () => {
    for (const text of ['{"k":"a\\u0000"}', '{"k":["\\ud800"]}', '{"k":1e999}']) {
      expect(() => parseMetadata(text), text).toThrow(/^metadata\.k/);
    }
  });
});

describe("mimeAllowed", () => {
  it("matches exact types, wildcards and ignores parameters", () => {
    expect(mimeAllowed("text/plain;charset=utf-8", ["text/plain"])).toBe(true);
    expect(mimeAllowed("image/png", ["image/*"])).toBe(true);
    expect(mimeAllowed("application/json", ["image/*", "text/plain"])).toBe(false);
    expect(mimeAllowed("anything/x", null)).toBe(true);
    expect(mimeAllowed("anything/x", [])).toBe(true);
  });
});
