import { describe, it, expect } from "vitest";
import { checkPortability } from "./portability.ts";

const rules = (source: string, entry = true) =>
  checkPortability(source, "job.ts", { entry }).map((w) => `${w.line}:${w.rule}`);

describe("checkPortability: annotations upstream reads differently", () => {
  it("flags the guide's JSDoc schedule followed by another comment line", () => {
    const source = `/**
 * Cleanup old data daily at 2 AM
 * @fluxbase:schedule 0 2 * * *
 * @fluxbase:require-role admin
 */
export async function handler() {
  return { ok: true };
}`;
    expect(rules(source)).toEqual(["3:schedule-followed-by-comment"]);
    const [warning] = checkPortability(source, "jobs/cleanup.ts");
    expect(warning).toMatchObject({ line: 3, file: "jobs/cleanup.ts" });
    expect(warning?.message).toMatch(/hourly or never/);
  });

  it("flags a schedule before the closing */ or another // line, not one directly above code", () => {
    expect(
      rules("/**\n * @fluxbase:schedule 0 2 * * *\n */\nexport async function handler() {}"),
    ).toEqual(["2:schedule-followed-by-comment"]);
    expect(
      rules("/** @fluxbase:schedule 0 2 * * * */\nexport async function handler() {}"),
    ).toEqual(["1:schedule-followed-by-comment"]);
    expect(
      rules(
        "// @fluxbase:schedule 0 2 * * *\n// @fluxbase:timeout 5\nexport async function handler() {}",
      ),
    ).toEqual(["1:schedule-followed-by-comment"]);
    expect(
      rules(
        "// @fluxbase:timeout 5\n// @fluxbase:schedule 0 2 * * *\nexport async function handler() {}",
      ),
    ).toEqual([]);
    const blankThenComment =
      "// @fluxbase:schedule 0 2 * * *\n\n// the handler\nexport const x = 1;";
    expect(rules(blankThenComment)).toEqual(["1:schedule-followed-by-comment"]);
  });

  it("flags seconds-level schedules, which upstream rejects", () => {
    expect(rules("// @fluxbase:schedule */1 * * * * *\nexport const x = 1;")).toEqual([
      "1:schedule-sub-minute",
    ]);
    expect(rules("// @fluxbase:schedule 0 * * * * *\nexport const x = 1;")).toEqual([]);
  });

  it("flags descriptors, time zones, description, namespace and other misread annotations", () => {
    const source = [
      "// @fluxbase:schedule @daily",
      "export const x = 1;",
      "// @fluxbase:schedule-timezone Europe/Paris",
      "// @fluxbase:description Processes user-specific data items",
      "// @fluxbase:namespace reports",
      "// @fluxbase:allow-read",
      "// @fluxbase:allow-write true",
      "// @fluxbase:disable-execution-logs false",
      "/** @fluxbase:require-role admin */",
      "// @fluxbase:allow-net 127.0.0.1:5432",
      "// @fluxbase:allow-env false",
    ].join("\n");
    expect(rules(source)).toEqual([
      "1:schedule-descriptor",
      "3:schedule-timezone",
      "4:description-ignored",
      "5:namespace-annotation",
      "6:bare-allow-flag",
      "8:disable-logs-false",
      "9:require-role-one-line",
      "10:allow-net-hosts",
    ]);
  });
});

describe("checkPortability: code", () => {
  it("flags schema-qualified from(), but not storage buckets or .schema().from()", () => {
    const source = [
      'const { data } = await fluxbase.from("app.my_table").select("*");',
      "await fluxbaseService.from('app.reports').insert({});",
      'await fluxbase.storage.from("my.bucket").list();',
      'await fluxbase.schema("app").from("my_table").select("*");',
      '// fluxbase.from("app.in_comment")',
    ].join("\n");
    const warnings = checkPortability(source, "job.ts", { entry: false });
    expect(warnings.map((w) => `${w.line}:${w.rule}`)).toEqual([
      "1:schema-qualified-from",
      "2:schema-qualified-from",
    ]);
    expect(warnings[0]?.message).toContain('.schema("app").from("my_table")');
  });

  it("flags anonymous default exports only", () => {
    expect(rules("export default async function (req) { return {}; }")).toEqual([
      "1:anonymous-default-export",
    ]);
    expect(rules("export default async (req) => ({})")).toEqual(["1:anonymous-default-export"]);
    expect(rules("export default req => ({})")).toEqual(["1:anonymous-default-export"]);
    expect(rules("export default async function handler(req) { return {}; }")).toEqual([]);
    expect(rules("async function handler() {}\nexport default handler;")).toEqual([]);
  });

  it("flags non-object returns inside the handler, not in helpers outside it", () => {
    const source = `function helper() {
  return [1, 2];
}
export async function handler(req, fluxbase, fluxbaseService, job) {
  if (!job) return "nothing";
  if (Math.random() > 2) return 42;
  if (Math.random() > 3) return null;
  return [1, 2, 3];
}
function after() {
  return true;
}`;
    expect(rules(source)).toEqual([
      "5:non-object-result",
      "6:non-object-result",
      "8:non-object-result",
    ]);
  });

  it("flags fractional progress and non-object progress data", () => {
    const source = [
      "job.reportProgress((i / n) * 100, 'step');",
      "job.reportProgress(12.5);",
      "job.reportProgress(Math.floor(((i + 1) / items.length) * 100), `Processed ${i + 1}/${items.length}`);",
      "job.reportProgress(Math.round(done / total * 100));",
      "job.reportProgress(50, 'half', [1, 2]);",
      "job.reportProgress(50, 'half', { rows: 2 });",
    ].join("\n");
    expect(rules(source, false)).toEqual([
      "1:fractional-progress",
      "2:fractional-progress",
      "5:non-object-progress-data",
    ]);
  });

  it("flags checkCancellation and realtime subscriptions", () => {
    const source = [
      "if (job.checkCancellation()) return { cancelled: true };",
      'const off = Deno.env.get("FLUXBASE_JOB_CANCELLED");',
      'fluxbase.channel("table:jobs.queue").on("UPDATE", cb).subscribe();',
      "fluxbase.realtime.connect();",
    ].join("\n");
    expect(rules(source, false)).toEqual([
      "1:check-cancellation",
      "2:check-cancellation",
      "3:realtime-in-job",
      "4:realtime-in-job",
    ]);
  });

  it("flags redeclared wrapper globals, by declaration or import", () => {
    const source = [
      'import { createClient } from "npm:@fluxbase/sdk";',
      'import { thing as Fluxbase, other } from "./lib.ts";',
      'import * as secrets from "./secrets.ts";',
      'import { createClient as make } from "npm:@fluxbase/sdk";',
      "const secrets = {};",
      "export function createClient() {}",
      "function inner() {",
      "  const secrets = 1;",
      "}",
      "export async function handler() { return {}; }",
    ].join("\n");
    expect(rules(source)).toEqual([
      "1:redeclared-global",
      "2:redeclared-global",
      "3:redeclared-global",
      "5:redeclared-global",
      "6:redeclared-global",
    ]);
  });

  it("gives no warnings for the guide's report job", () => {
    const source = `/**
* Generate system-wide report
* @fluxbase:require-role admin
* @fluxbase:timeout 600
*/
export async function handler(req, fluxbase, fluxbaseService, job) {
  job.reportProgress(25, "Fetching data...");
  const { data } = await fluxbaseService.schema("app").from("system_data").select("*");
  job.reportProgress(100, "Complete");
  return { report: data, recordCount: data?.length };
}`;
    expect(checkPortability(source, "report.ts")).toEqual([]);
  });

  it("skips entry-only rules for supporting files", () => {
    const source =
      "// @fluxbase:description x\nexport default () => 1;\nconst secrets = 1;\nfunction f() {\n  return [1];\n}";
    expect(rules(source, false)).toEqual([]);
  });
});

describe("checkPortability: a */ inside an annotation value", () => {
  it("flags the annotation whose value ends its block comment, on its line", () => {
    const source =
      "/**\n * Every 20 seconds\n * @fluxbase:schedule */20 * * * * *\n */\nexport async function handler() {}";
    expect(rules(source)).toContain("3:comment-closed-by-value");
    const [hit] = checkPortability(source, "job.ts").filter(
      (w) => w.rule === "comment-closed-by-value",
    );
    expect(hit?.message).toMatch(/ends the block comment/);
  });

  it("leaves the same value on a // line, and a comment closed at the end of the line", () => {
    expect(
      rules("// @fluxbase:schedule */20 * * * *\nexport async function handler() {}"),
    ).not.toContain("1:comment-closed-by-value");
    expect(rules("/** @fluxbase:timeout 30 */\nexport async function handler() {}")).toEqual([]);
  });
});

describe("checkPortability: portability-ignore comments", () => {
  const source = [
    "/**",
    " * portability-ignore description-ignored",
    " * @fluxbase:description Imports records",
    " */",
    "export async function handler(req, fluxbase, svc, job) {",
    "  // portability-ignore check-cancellation",
    "  if (job.checkCancellation()) return { cancelled: true };",
    "  if (job.checkCancellation()) return { stopped: true }; // portability-ignore check-cancellation",
    "  if (job.checkCancellation()) return { again: true };",
    "  return { ok: true };",
    "}",
  ].join("\n");

  it("silence a rule on the next line (alone) or on their own line (trailing)", () => {
    expect(rules(source)).toEqual(["9:check-cancellation"]);
  });

  it("silence a rule in the whole file with portability-ignore-file", () => {
    expect(
      rules(`// portability-ignore-file check-cancellation, description-ignored\n${source}`),
    ).toEqual([]);
  });

  it("say how to silence them", async () => {
    const { silenceHint } = await import("./portability.ts");
    expect(silenceHint("check-cancellation")).toContain("// portability-ignore check-cancellation");
  });
});
