import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runtimeBundle } from "./runtime-bundle.ts";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-runtime-bundle-"));
  made.push(dir);
  return dir;
}

/** A copy of the sandbox's sources, to change without touching the checkout. */
function sourcesCopy(): string {
  const root = tempDir();
  for (const dir of ["src-runtime", "src-sdk", "src-shared"])
    cpSync(path.join(repo, dir), path.join(root, dir), { recursive: true });
  return path.join(root, "src-runtime/main.ts");
}

describe("runtimeBundle", () => {
  it("gives the TypeScript entry until the bundle is made, then one JavaScript file", async () => {
    const entryPath = sourcesCopy();
    const dir = path.join(tempDir(), "runtime");
    const bundle = runtimeBundle({ entryPath, dir });
    expect(bundle.entryPath()).toBe(entryPath);
    expect(bundle.pending()).toBe(bundle.ready);
    expect(await bundle.ready).toBe(true);
    expect(bundle.pending()).toBeUndefined();
    const js = bundle.entryPath();
    expect(path.dirname(js)).toBe(dir);
    expect(js).toMatch(/runtime-[0-9a-f]{16}\.js$/);
    const text = readFileSync(js, "utf8");
    // Nothing left to load: no static import of the runtime's own modules.
    expect(text).not.toMatch(/^import .* from ["']\.{1,2}\//m);
    expect(text).toContain("createLineReader");
  });

  it("finds a bundle of the same sources at once, and makes a new one when they change", async () => {
    const entryPath = sourcesCopy();
    const dir = path.join(tempDir(), "runtime");
    const first = runtimeBundle({ entryPath, dir });
    await first.ready;
    const again = runtimeBundle({ entryPath, dir });
    expect(again.pending()).toBeUndefined();
    expect(again.entryPath()).toBe(first.entryPath());

    const sdk = path.join(path.dirname(path.dirname(entryPath)), "src-sdk/errors.ts");
    writeFileSync(sdk, `${readFileSync(sdk, "utf8")}\n// changed\n`);
    const changed = runtimeBundle({ entryPath, dir });
    expect(changed.entryPath()).toBe(entryPath);
    expect(await changed.ready).toBe(true);
    expect(changed.entryPath()).not.toBe(first.entryPath());
    // The older sources' bundle is removed.
    expect(readdirSync(dir)).toEqual([path.basename(changed.entryPath())]);
  });

  it("keeps the TypeScript entry when esbuild cannot bundle it", async () => {
    const entryPath = sourcesCopy();
    writeFileSync(entryPath, 'import "./missing.ts";\n');
    const bundle = runtimeBundle({ entryPath, dir: path.join(tempDir(), "runtime") });
    expect(await bundle.ready).toBe(false);
    expect(bundle.entryPath()).toBe(entryPath);
  });
});
