import path from "node:path";
import { describe, expect, it } from "vitest";
import { rewriteSourceRelativeUrls } from "../../scripts/source-relative-urls.ts";
import { desktopConfigArgs } from "../../src-main/config.ts";

describe("rewriteSourceRelativeUrls", () => {
  const root = path.resolve("/repo");
  const outDir = path.join(root, "out/main");

  it("points file references of bundled modules at the same files from the bundle", () => {
    const sandbox = path.join(root, "src-server/jobs/sandbox/index.ts");
    const code = `const a = new URL("../../../src-runtime/main.ts", import.meta.url);`;
    expect(rewriteSourceRelativeUrls(code, sandbox, outDir)).toBe(
      `const a = new URL("../../src-runtime/main.ts", import.meta.url);`,
    );
    const migrate = path.join(root, "src-server/db/migrate.ts");
    expect(
      rewriteSourceRelativeUrls(`new URL('../../migrations/', import.meta.url)`, migrate, outDir),
    ).toBe(`new URL('../../migrations/', import.meta.url)`);
    const main = path.join(root, "src-server/main.ts");
    expect(
      rewriteSourceRelativeUrls(`new URL("../out/renderer/", import.meta.url)`, main, outDir),
    ).toBe(`new URL("../renderer/", import.meta.url)`);
  });

  it("leaves other code alone", () => {
    const code = `new URL(base, import.meta.url); new URL("https://x/", import.meta.url); import.meta.url;`;
    expect(rewriteSourceRelativeUrls(code, path.join(root, "a.ts"), outDir)).toBe(code);
  });
});

describe("desktopConfigArgs", () => {
  it("keeps data in the app-data folder and, in a checkout, jobs in ./jobs", () => {
    expect(desktopConfigArgs({ env: {}, userDataDir: "/u", packaged: false })).toEqual([
      "--data-dir",
      "/u",
    ]);
    expect(desktopConfigArgs({ env: {}, userDataDir: "/u", packaged: true })).toEqual([
      "--data-dir",
      "/u",
      "--jobs-dir",
      "/u/jobs",
    ]);
  });

  it("lets FLUXBASE_DATA_DIR and FLUXBASE_JOBS_DIR win", () => {
    const env = { FLUXBASE_DATA_DIR: "/d", FLUXBASE_JOBS_DIR: "/j" };
    expect(desktopConfigArgs({ env, userDataDir: "/u", packaged: true })).toEqual([]);
    expect(
      desktopConfigArgs({ env: { FLUXBASE_DATA_DIR: " " }, userDataDir: "/u", packaged: false }),
    ).toEqual(["--data-dir", "/u"]);
  });
});
