// When `npm run serve` builds the UI: a missing index.html, or one older than a source file.
import { mkdir, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { rendererBuildReason } from "../../scripts/renderer-build.ts";

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function checkout(): Promise<string> {
  root = await mkdtemp(path.join(tmpdir(), "fluxbase-checkout-"));
  await mkdir(path.join(root, "src-renderer", "views"), { recursive: true });
  await mkdir(path.join(root, "src-sdk"), { recursive: true });
  await writeFile(path.join(root, "src-renderer", "views", "Jobs.vue"), "<template/>");
  await writeFile(path.join(root, "src-sdk", "index.ts"), "export {};");
  await writeFile(path.join(root, "electron.vite.config.ts"), "export default {};");
  return root;
}

const at = (seconds: number) => new Date(seconds * 1000);

describe("rendererBuildReason", () => {
  it("is missing without out/renderer/index.html", async () => {
    const dir = await checkout();
    expect(rendererBuildReason({ root: dir })).toBe("missing");
  });

  it("is stale when a source is newer than the build, and undefined when not", async () => {
    const dir = await checkout();
    const out = path.join(dir, "out", "renderer");
    await mkdir(out, { recursive: true });
    await writeFile(path.join(out, "index.html"), "<!doctype html>");
    for (const f of [
      "src-renderer/views/Jobs.vue",
      "src-sdk/index.ts",
      "electron.vite.config.ts",
    ]) {
      await utimes(path.join(dir, f), at(1000), at(1000));
    }
    await utimes(path.join(out, "index.html"), at(2000), at(2000));
    expect(rendererBuildReason({ root: dir })).toBeUndefined();
    await utimes(path.join(dir, "src-renderer/views/Jobs.vue"), at(3000), at(3000));
    expect(rendererBuildReason({ root: dir })).toBe("stale");
    expect(rendererBuildReason({ root: dir, outDir: path.join(dir, "elsewhere") })).toBe("missing");
  });
});
