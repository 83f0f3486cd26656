import { describe, expect, it } from "vitest";
import { storableJson, storableText } from "./storable.ts";

describe("storableText", () => {
  it("escapes NUL as the six characters \\u0000", () => {
    expect(storableText("x\u0000y")).toBe("x\\u0000y");
    expect(storableText("\u0000\u0000")).toBe("\\u0000\\u0000");
  });

  it("replaces unpaired surrogates with U+FFFD and keeps pairs", () => {
    expect(storableText("\ud800")).toBe("\ufffd");
    expect(storableText("a\udc00b")).toBe("a\ufffdb");
    expect(storableText("\udc00\ud800")).toBe("\ufffd\ufffd");
    expect(storableText("😀")).toBe("😀");
    expect(storableText("\ud83d\ude00\ud83d")).toBe("😀\ufffd");
  });

  it("returns other text unchanged", () => {
    const text = "plain \\u0000 text, é, 中文";
    expect(storableText(text)).toBe(text);
  });
});

describe("storableJson", () => {
  it("returns the same value when nothing needs changing", () => {
    const value = { a: [1, "two", { three: true }], b: null };
    expect(storableJson(value)).toBe(value);
    expect(storableJson(5)).toBe(5);
    expect(storableJson(null)).toBe(null);
  });

  it("fixes strings at any depth, keys included, without touching the input", () => {
    const value = { ok: "fine", list: ["x\u0000y", { deep: "\ud800" }], "k\u0000": 1 };
    const out = storableJson(value);
    expect(out).toEqual({ ok: "fine", list: ["x\\u0000y", { deep: "\ufffd" }], "k\\u0000": 1 });
    expect(value.list[0]).toBe("x\u0000y");
    expect(JSON.stringify(out)).not.toMatch(/(?<!\\)\\u0000|\\ud800/);
  });

  it("fixes a bare string", () => {
    expect(storableJson("\u0000")).toBe("\\u0000");
  });
});
