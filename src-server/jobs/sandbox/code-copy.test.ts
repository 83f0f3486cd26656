import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reachableSandboxCode } from "./code-copy.ts";

const nobody = { uid: 65534, gid: 65534 };
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout with a deno binary and the sandbox's code, under `mode`. */
function checkout(mode: number): { root: string; denoPath: string; entryPath: string } {
  const root = mkdtempSync(path.join(tmpdir(), "fluxbase-code-"));
  made.push(root);
  chmodSync(root, mode);
  for (const dir of ["src-runtime", "src-sdk", "src-shared", "node_modules/deno"])
    mkdirSync(path.join(root, dir), { recursive: true });
  writeFileSync(path.join(root, "node_modules/deno/deno"), "#!/bin/sh\n");
  writeFileSync(path.join(root, "src-runtime/main.ts"), 'import "../src-sdk/index.ts";\n');
  writeFileSync(path.join(root, "src-sdk/index.ts"), 'import "../src-shared/json.ts";\n');
  writeFileSync(path.join(root, "src-shared/json.ts"), "export {};\n");
  return {
    root,
    denoPath: path.join(root, "node_modules/deno/deno"),
    entryPath: path.join(root, "src-runtime/main.ts"),
  };
}

function cache(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "fluxbase-cache-"));
  made.push(dir);
  chmodSync(dir, 0o755);
  return dir;
}

describe("reachableSandboxCode", () => {
  it("runs the code where it is when the sandbox user can reach it", () => {
    const c = checkout(0o755);
    expect(reachableSandboxCode({ ...c, user: nobody, cacheDir: cache() })).toEqual({
      denoPath: c.denoPath,
      entryPath: c.entryPath,
    });
  });

  it("copies deno, src-runtime, src-sdk and src-shared to the cache once when the checkout is private", () => {
    const c = checkout(0o700);
    const cacheDir = cache();
    const first = reachableSandboxCode({ ...c, user: nobody, cacheDir });
    expect(first.denoPath.startsWith(cacheDir)).toBe(true);
    expect(statSync(first.denoPath).mode & 0o111).toBe(0o111);
    expect(readFileSync(first.entryPath, "utf8")).toContain("../src-sdk/index.ts");
    const copied = path.dirname(path.dirname(first.entryPath));
    expect(existsSync(path.join(copied, "src-sdk/index.ts"))).toBe(true);
    expect(existsSync(path.join(copied, "src-shared/json.ts"))).toBe(true);
    expect(reachableSandboxCode({ ...c, user: nobody, cacheDir })).toEqual(first);
    // Changed code gets a copy of its own.
    writeFileSync(path.join(c.root, "src-sdk/index.ts"), "export const x = 1;\n");
    expect(reachableSandboxCode({ ...c, user: nobody, cacheDir }).entryPath).not.toBe(
      first.entryPath,
    );
  });
});
