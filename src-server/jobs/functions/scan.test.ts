import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it, expect } from "vitest";
import { scanJobsDir } from "./scan.ts";

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxbase-scan-"));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(relative: string, text: string): void {
  const file = path.join(dir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const handler = "export async function handler() {\n  return { ok: true };\n}\n";

describe("scanJobsDir", () => {
  it("returns [] for a missing folder or a file", async () => {
    expect(await scanJobsDir(path.join(dir, "nope"))).toEqual([]);
    write("file.txt", "x");
    expect(await scanJobsDir(path.join(dir, "file.txt"))).toEqual([]);
  });

  it("maps flat files and folders to functions, skipping _, dot and .d.ts names", async () => {
    write("process-data.ts", `/**\n * @fluxbase:timeout 600\n */\n${handler}`);
    write("legacy.js", handler);
    write("export/index.ts", handler);
    write("jobs.d.ts", "declare const x: number;");
    write("types.d.ts", "declare const y: number;");
    write("_draft.ts", handler);
    write(".hidden.ts", handler);
    write("README.md", "# jobs");
    write("notes.json", "{}");
    const scanned = await scanJobsDir(dir);
    expect(scanned.map((f) => f.name)).toEqual(["export", "legacy", "process-data"]);
    const processData = scanned.find((f) => f.name === "process-data");
    expect(processData).toMatchObject({
      entryPath: path.join(dir, "process-data.ts"),
      annotations: { timeoutSeconds: 600 },
      errors: [],
      warnings: [],
      portability: [],
      files: [],
      loadable: true,
    });
    expect(processData?.code).toContain("export async function handler");
    expect(scanned.find((f) => f.name === "export")?.entryPath).toBe(
      path.join(dir, "export", "index.ts"),
    );
  });

  it("collects a folder function's supporting files and the shared ones", async () => {
    write("report/index.ts", 'import { util } from "./lib/util.ts";\n' + handler);
    write("report/helpers.ts", "export const h = 1;");
    write("report/extra.mjs", "export const m = 1;");
    write("report/notes.md", "ignored");
    write("report/data.json", "{}");
    write("report/lib/util.ts", "export const util = 1;");
    write("report/lib/shape.geojson", "{}");
    write("report/lib/readme.txt", "ignored");
    write("report/lib/node_modules/dep/index.js", "ignored");
    write("_shared/db.ts", "export const db = 1;");
    write("_shared/config/settings.json", '{"a":1}');
    write("_shared/notes.md", "ignored");
    write("deno.json", '{"imports":{}}');
    write("simple.ts", handler);
    const scanned = await scanJobsDir(dir);
    const report = scanned.find((f) => f.name === "report");
    expect(report?.files.map((f) => f.path)).toEqual([
      "extra.mjs",
      "helpers.ts",
      "lib/shape.geojson",
      "lib/util.ts",
      "_shared/config/settings.json",
      "_shared/db.ts",
      "deno.json",
    ]);
    expect(report?.files.find((f) => f.path === "_shared/db.ts")?.content).toBe(
      "export const db = 1;",
    );
    expect(scanned.find((f) => f.name === "simple")?.files.map((f) => f.path)).toEqual([
      "_shared/config/settings.json",
      "_shared/db.ts",
      "deno.json",
    ]);
  });

  it("keeps a function's own deno.json instead of the folder's", async () => {
    write("deno.json", '{"top":true}');
    write("own/index.ts", handler);
    write("own/deno.jsonc", '{"own":true}');
    const [own] = await scanJobsDir(dir);
    expect(own?.files).toEqual([{ path: "deno.jsonc", content: '{"own":true}' }]);
  });

  it("reports invalid names, folders without index.ts and duplicate names", async () => {
    write("bad name.ts", handler);
    write("foo.test.ts", handler);
    write("empty/index.js", handler);
    write("dup.ts", handler);
    write("dup/index.ts", handler);
    const scanned = await scanJobsDir(dir);
    const byName = (name: string) => scanned.filter((f) => f.name === name);
    expect(byName("bad name")[0]).toMatchObject({ loadable: false, errors: [{ line: 0 }] });
    expect(byName("bad name")[0]?.errors[0]?.message).toMatch(/^invalid function name "bad name"/);
    expect(byName("foo.test")[0]?.loadable).toBe(false);
    expect(byName("empty")[0]).toMatchObject({
      loadable: false,
      entryPath: "",
      code: "",
      errors: [{ line: 0, message: 'folder "empty" has no index.ts' }],
    });
    const dups = byName("dup");
    expect(dups.map((f) => f.loadable)).toEqual([true, false]);
    expect(dups[1]?.errors[0]?.message).toBe('function "dup" is already defined by dup/index.ts');
  });

  it("carries annotation errors and warnings, and portability warnings of entry and supporting files", async () => {
    write(
      "cleanup/index.ts",
      "/**\n * @fluxbase:schedule 0 2 * * *\n * @fluxbase:timeout soon\n * @fluxbase:colour blue\n */\n" +
        handler,
    );
    write("cleanup/lib/q.ts", 'export const q = (c) => c.from("app.old_records");');
    const [cleanup] = await scanJobsDir(dir);
    expect(cleanup?.loadable).toBe(true);
    expect(cleanup?.annotations).toEqual({ schedule: "0 2 * * *" });
    expect(cleanup?.errors).toMatchObject([{ line: 3, annotation: "timeout" }]);
    expect(cleanup?.warnings).toMatchObject([{ line: 4, annotation: "colour" }]);
    expect(cleanup?.portability.map((w) => `${w.file}:${w.line}:${w.rule}`)).toEqual([
      "cleanup/index.ts:2:schedule-followed-by-comment",
      "cleanup/lib/q.ts:1:schema-qualified-from",
    ]);
  });
});
