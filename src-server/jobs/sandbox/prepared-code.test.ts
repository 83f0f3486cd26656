import { describe, expect, it } from "vitest";
import { codeId } from "./code-id.ts";
import { createPreparedCodeCache, transpileJobCode } from "./prepared-code.ts";

const TS = `interface Input { n: number }
export async function handler(req: Request): Promise<number> {
  const input: Input = await req.json();
  return input.n * 2;
}
`;

describe("transpileJobCode", () => {
  it("strips the types and keeps the module's exports, with a source map to the lines as written", () => {
    const js = transpileJobCode(TS) as string;
    expect(js).not.toMatch(/interface|: Promise<number>/);
    expect(js).toMatch(/export\s*\{\s*handler\s*\}/);
    expect(js).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
  });

  it("lowers decorators (V8 has none yet) and keeps syntax V8 runs, such as top-level await", () => {
    const js = transpileJobCode(
      "const dec = (c: unknown) => c;\n@dec class A {}\nconst a = await Promise.resolve(new A());\nexport default () => a;",
    ) as string;
    expect(js).not.toMatch(/^@dec/m);
    expect(js).toMatch(/await Promise\.resolve/);
  });

  it("gives up (null) on code it cannot parse: Deno then reports the error as before", () => {
    expect(transpileJobCode("export function handler( {")).toBeNull();
  });
});

describe("createPreparedCodeCache", () => {
  it("prepares each function's code once, and again when its code changes", () => {
    const cache = createPreparedCodeCache();
    const first = cache.prepare("f1", TS);
    expect(first).toMatchObject({ id: codeId(TS), type: "javascript" });
    expect(cache.prepare("f1", TS)).toBe(first);
    const changed = `${TS}\n// v2\n`;
    const second = cache.prepare("f1", changed);
    expect(second.id).toBe(codeId(changed));
    expect(second).not.toBe(first);
  });

  it("passes code it cannot transpile on as TypeScript, unchanged", () => {
    const broken = "export function handler( {";
    expect(createPreparedCodeCache().prepare("f", broken)).toEqual({
      id: codeId(broken),
      source: broken,
      type: "typescript",
    });
  });

  it("keeps at most maxEntries functions, dropping the least recently prepared", () => {
    const cache = createPreparedCodeCache({ maxEntries: 2 });
    const a = cache.prepare("a", "export const handler = () => 1;");
    cache.prepare("b", "export const handler = () => 2;");
    cache.prepare("c", "export const handler = () => 3;");
    expect(cache.prepare("a", "export const handler = () => 1;")).not.toBe(a);
  });

  it("ready() makes the code off this thread: once it resolves the code is ready, and prepare() hands that over", async () => {
    const cache = createPreparedCodeCache();
    const making = cache.ready("f1", TS);
    expect(making).toBeInstanceOf(Promise);
    expect(cache.ready("f1", TS)).toBe(making);
    await making;
    expect(cache.ready("f1", TS)).toBeUndefined();
    const prepared = cache.prepare("f1", TS);
    expect(prepared).toMatchObject({ id: codeId(TS), type: "javascript" });
    expect(prepared.source).toBe(transpileJobCode(TS));
    expect(cache.prepare("f1", TS)).toBe(prepared);
  });

  it("ready() keeps the version asked for last, and passes code esbuild gives up on as TypeScript", async () => {
    const cache = createPreparedCodeCache();
    const changed = `${TS}\n// v2\n`;
    await Promise.all([cache.ready("f1", TS), cache.ready("f1", changed)]);
    expect(cache.ready("f1", changed)).toBeUndefined();
    expect(cache.ready("f1", TS)).toBeInstanceOf(Promise);
    const broken = "export function handler( {";
    await cache.ready("f2", broken);
    expect(cache.prepare("f2", broken)).toEqual({
      id: codeId(broken),
      source: broken,
      type: "typescript",
    });
  });
});
