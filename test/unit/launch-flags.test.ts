// Every Node launcher of the server gives V8 one helper thread (docs/architecture.md,
// "Staying responsive under load"): on a small machine four helpers made the event loop
// wait for them at the end of each young-generation collection.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");
const FLAG = "--v8-pool-size=1";

describe("the server's Node launchers", () => {
  it("run npm start, serve, cli and dev with one V8 helper thread", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    for (const name of ["start", "serve", "cli", "dev", "bench", "bench:load"]) {
      expect(scripts[name], name).toMatch(/^tsx (watch )?--v8-pool-size=1 /);
    }
  });

  it("run the installed CLI with one V8 helper thread", () => {
    expect(read("bin/fluxbase-local.mjs").split("\n")[0]).toBe(`#!/usr/bin/env -S node ${FLAG}`);
  });
});
