import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { indexSourceMap, inlineSourceMap } from "../../debug/source-map.ts";
import { transpileJobCode } from "../sandbox/prepared-code.ts";
import { bundleJob, checkSyntax, hasRelativeImports } from "./bundle.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bundle-test-"));
  await mkdir(path.join(dir, "multi", "lib"), { recursive: true });
  await mkdir(path.join(dir, "_shared"), { recursive: true });
  await writeFile(
    path.join(dir, "multi", "lib", "util.ts"),
    "export const double = (n: number): number => n * 2;\n",
  );
  await writeFile(path.join(dir, "_shared", "data.json"), '{"k": 7}\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("bundleJob", () => {
  it("stores a file without relative imports as written, after parsing it", async () => {
    const code = 'import x from "npm:lodash";\nexport function handler(): number { return 1; }\n';
    expect(await bundleJob({ entryPath: path.join(dir, "a.ts"), code, baseDir: dir })).toEqual({
      ok: true,
      code,
      isBundled: false,
    });
  });

  it("reports a syntax error with file and line", async () => {
    const outcome = await bundleJob({
      entryPath: path.join(dir, "b.ts"),
      code: "export function handler( {",
      baseDir: dir,
    });
    expect(outcome).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Bundle failed: b\.ts:1:\d+:/),
    });
    expect(await checkSyntax("export const a = ;", "c.ts")).toMatch(/c\.ts:1/);
    expect(await checkSyntax("export const a: number = 1;", "c.ts")).toBeNull();
  });

  it("inlines relative and _shared imports, JSON included; npm: stays external", async () => {
    const code = `import { double } from "./lib/util.ts";
import data from "../_shared/data.json";
import dayjs from "npm:dayjs@1";
export function handler() { return [double(data.k), typeof dayjs]; }
`;
    expect(hasRelativeImports(code)).toBe(true);
    const entryPath = path.join(dir, "multi", "index.ts");
    await writeFile(entryPath, code);
    const outcome = await bundleJob({ entryPath, code, baseDir: dir });
    if (!outcome.ok) throw new Error(outcome.error);
    expect(outcome.isBundled).toBe(true);
    expect(outcome.code).toContain('from "npm:dayjs@1"');
    expect(outcome.code).toContain("n * 2");
    expect(outcome.code).not.toMatch(/from "\.\//);
  });

  it("fails on a missing relative import", async () => {
    const code = 'import { nope } from "./missing.ts";\nexport const handler = () => nope;\n';
    const entryPath = path.join(dir, "broken.ts");
    await writeFile(entryPath, code);
    const outcome = await bundleJob({ entryPath, code, baseDir: dir });
    expect(outcome).toMatchObject({ ok: false, error: expect.stringContaining("missing.ts") });
  });

  it("keeps the lines of the files as written through the bundle and the sandbox's transpile", async () => {
    // The helper comes first in the bundle, so the handler's bundle lines are not its own.
    await writeFile(
      path.join(dir, "multi", "lib", "sum.ts"),
      `interface Line { qty: number }

export function sum(lines: Line[]): number {
  let total = 0;
  for (const line of lines) total += line.qty;
  return total;
}
`,
    );
    const code = `import { sum } from "./lib/sum.ts";

type Payload = { lines: { qty: number }[] };

export async function handler(req: Request) {
  const payload: Payload = await req.json();
  const total = sum(payload.lines);
  return { total };
}
`;
    const entryPath = path.join(dir, "multi", "index.ts");
    await writeFile(entryPath, code);
    const outcome = await bundleJob({ entryPath, code, baseDir: dir });
    if (!outcome.ok) throw new Error(outcome.error);
    // What the sandbox imports, and the map the inspector is given with it.
    const js = transpileJobCode(outcome.code)!;
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(js)![1];
    const map = indexSourceMap(inlineSourceMap(url)!);
    expect(map.sources).toEqual(["multi/lib/sum.ts", "multi/index.ts"]);
    const jsLines = js.split("\n");
    // Line 7 of index.ts (0-based 6) is the call of sum; line 5 of sum.ts (0-based 4) its loop.
    const call = map.generatedFor(6, 1)[0]!;
    expect(jsLines[call.line]).toContain("sum(payload.lines)");
    expect(map.originalFor(call)).toMatchObject({ source: 1, line: 6 });
    const loop = map.generatedFor(4, 0)[0]!;
    expect(jsLines[loop.line]).toContain("for (const line of lines)");
    expect(map.originalFor(loop)).toMatchObject({ source: 0, line: 4 });
  });
});
