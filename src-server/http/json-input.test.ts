import { describe, expect, it } from "vitest";
import { childPath, findJsonProblem, findParamProblem, MAX_JSON_DEPTH } from "./json-input.ts";
import { textProblem } from "../db/storable.ts";

describe("textProblem", () => {
  it("finds NUL bytes and unpaired surrogates, and passes valid text (pairs included)", () => {
    expect(textProblem("x\u0000y")).toMatch(/NUL/);
    expect(textProblem("\ud800")).toMatch(/surrogate/);
    expect(textProblem("a\udc00")).toMatch(/surrogate/);
    expect(textProblem("\ud800x\udc00")).toMatch(/surrogate/);
    expect(textProblem("😀 \ud83d\ude00 é")).toBeUndefined();
    expect(textProblem("")).toBeUndefined();
  });
});

describe("childPath", () => {
  it("names fields as a reader would write them", () => {
    expect(childPath("", "payload")).toBe("payload");
    expect(childPath("payload", "items")).toBe("payload.items");
    expect(childPath("payload.items", 2)).toBe("payload.items[2]");
    expect(childPath("payload", "a b")).toBe('payload["a b"]');
    expect(childPath("", "a\u0000")).toBe('body["a\\u0000"]');
  });
});

describe("findJsonProblem", () => {
  it("reports the path of the first bad string (JSON.parse makes them from escapes)", () => {
    const body = JSON.parse(
      '{"job_name":"ok","payload":{"items":["a","b","x\\u0000y"]}}',
    ) as unknown;
    expect(findJsonProblem(body)).toEqual({
      path: "payload.items[2]",
      message: "text contains a NUL byte",
    });
    expect(findJsonProblem(JSON.parse('{"email":"\\ud800@x.io"}'))?.path).toBe("email");
    expect(findJsonProblem("x\u0000")).toMatchObject({ path: "body" });
  });

  it("reports a bad key at the object holding it", () => {
    expect(findJsonProblem({ payload: { "k\u0000": 1 } })).toMatchObject({
      path: "payload",
      message: expect.stringMatching(/key/),
    });
  });

  it("reports numbers that overflowed to Infinity", () => {
    expect(findJsonProblem(JSON.parse('{"p":{"n":[1,-1e999]}}'))).toEqual({
      path: "p.n[1]",
      message: "number is out of range",
    });
    expect(findJsonProblem({ n: Number.NaN })?.path).toBe("n");
  });

  it("stops at the depth limit instead of walking 5,000 levels", () => {
    const deep = JSON.parse("[".repeat(5000) + "]".repeat(5000)) as unknown;
    expect(findJsonProblem({ payload: deep })?.message).toBe(
      `nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
    const ok = JSON.parse("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH)) as unknown;
    expect(findJsonProblem(ok)).toBeUndefined();
    expect(findJsonProblem({ a: [[1]] }, { maxDepth: 2 })?.path).toBe("a[0]");
  });

  it("accepts ordinary bodies", () => {
    expect(
      findJsonProblem({ job_name: "x", payload: { a: [1, "two", null, true, { b: 1.5e300 }] } }),
    ).toBeUndefined();
    expect(findJsonProblem(undefined)).toBeUndefined();
  });
});

describe("findParamProblem", () => {
  it("names the path or query parameter", () => {
    expect(findParamProblem(new URLSearchParams("status=%00"), {})).toMatchObject({
      path: "status",
    });
    expect(findParamProblem(new URLSearchParams(""), { id: "a\u0000" })).toMatchObject({
      path: "id",
    });
    expect(findParamProblem(new URLSearchParams("a%00=1"), {})).toMatchObject({ path: "query" });
    expect(findParamProblem(new URLSearchParams("a=1&b=%C3%A9"), { id: "x" })).toBeUndefined();
  });
});
