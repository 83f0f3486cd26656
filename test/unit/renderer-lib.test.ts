// Pure helpers of the renderer: cron in words and planning, annotation checks,
// portability rules (the browser copy), secret references, the file tree.
import { describe, expect, it } from "vitest";
import { checkAnnotations, matchAnnotationLine } from "../../src-renderer/lib/annotations.ts";
import { parseAnnotations } from "../../src-server/jobs/functions/annotations.ts";
import { cronInWords, nextFireTimes, validateCron } from "../../src-renderer/lib/cron.ts";
import { nextRuns } from "../../src-server/jobs/scheduler/plan.ts";
import { buildFileTree, functionNameFor } from "../../src-renderer/lib/file-tree.ts";
import { secretNamesIn, secretReferences } from "../../src-renderer/lib/secret-refs.ts";

describe("cron", () => {
  it("validates like the server", () => {
    expect(validateCron("0  2 * * *")).toEqual({ ok: true, cron: "0 2 * * *" });
    expect(validateCron("@DAILY")).toEqual({ ok: true, cron: "@daily" });
    expect(validateCron("@every 5m").ok).toBe(false);
    expect(validateCron("* * *").ok).toBe(false);
    expect(validateCron("61 * * * *").ok).toBe(false);
    expect(validateCron("*/10 * * * * *").ok).toBe(true);
  });

  it("says a schedule in words", () => {
    expect(cronInWords("0 2 * * *")).toBe("every day at 02:00");
    expect(cronInWords("* * * * *")).toBe("every minute");
    expect(cronInWords("*/15 * * * *")).toBe("every 15 minutes");
    expect(cronInWords("30 * * * *")).toBe("at minute 30 of every hour");
    expect(cronInWords("0 9 * * 1-5")).toBe("at 09:00, on weekdays");
    expect(cronInWords("0 9 1 * *")).toBe("at 09:00, on day 1 of the month");
    expect(cronInWords("0 0 * * 1")).toBe("at 00:00, on Monday");
    expect(cronInWords("*/10 * * * * *")).toBe("every 10 seconds");
    expect(cronInWords("@hourly")).toBe("every hour, at minute 0");
    expect(cronInWords("0 8 * 1 *")).toBe("every day at 08:00, in January");
    expect(cronInWords("nonsense")).toBe("nonsense");
    expect(cronInWords('0 2 * * *|{"source":"cron"}')).toBe("every day at 02:00");
  });

  it("plans the next fire times", () => {
    const runs = nextFireTimes("0 2 * * *", new Date("2026-01-01T00:00:00Z"), 5, "UTC");
    expect(runs.map((d) => d.toISOString())).toEqual([
      "2026-01-01T02:00:00.000Z",
      "2026-01-02T02:00:00.000Z",
      "2026-01-03T02:00:00.000Z",
      "2026-01-04T02:00:00.000Z",
      "2026-01-05T02:00:00.000Z",
    ]);
    expect(nextFireTimes("bad", new Date(), 5)).toEqual([]);
  });

  it("shows the times the scheduler fires, params and zone included", () => {
    const after = new Date("2026-03-07T12:00:00Z");
    const shown = nextFireTimes('0 2 * * *|{"source":"cron"}', after, 3, "America/New_York");
    // 02:00 on 8 March does not exist in New York (DST): it fires once, after the gap.
    expect(shown.map((d) => d.toISOString())).toEqual([
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
      "2026-03-10T06:00:00.000Z",
    ]);
    expect(shown).toEqual(nextRuns({ cron: "0 2 * * *", timezone: "America/New_York" }, after, 3));
  });
});

describe("annotation checks", () => {
  it("reads annotation lines as the server does", () => {
    expect(matchAnnotationLine(" * @fluxbase:schedule 0 2 * * *")).toEqual({
      name: "schedule",
      value: "0 2 * * *",
    });
    expect(matchAnnotationLine("/** @fluxbase:require-role admin */")).toEqual({
      name: "require-role",
      value: "admin",
    });
    expect(matchAnnotationLine("// @fluxbase:timeoutX")).toEqual({ name: "timeoutX", value: "" });
    expect(matchAnnotationLine("const x = 1;")).toBeNull();
  });

  it("refuses and accepts exactly the lines the server's loader does", () => {
    const lines = [
      "// @fluxbase:timeout 100000",
      "// @fluxbase:memory 8",
      "// @fluxbase:max-retries 1000",
      "// @fluxbase:allow-net db:5432, 10.0.0.5",
      "// @fluxbase:allow-net nope",
      "// @fluxbase:schedule * * * * * *",
      "// @fluxbase:schedule-params {}",
      "// @fluxbase:namespace -bad",
    ];
    for (const line of lines) {
      const server = parseAnnotations(line);
      const editor = checkAnnotations(line).filter((d) => d.severity !== "info");
      expect(
        editor.map((d) => `${d.severity}: ${d.message}`),
        line,
      ).toEqual([
        ...server.errors.map((e) => `error: ${e.message}`),
        ...server.warnings.map((w) => `warning: ${w.message}`),
      ]);
    }
  });

  it("flags a bad cron, an unknown role and unknown names; plans a good cron", () => {
    const source = [
      "// @fluxbase:schedule 0 25 * * *",
      "// @fluxbase:require-role admin, editor",
      "// @fluxbase:timeout abc",
      "// @fluxbase:bogus 1",
    ].join("\n");
    const found = checkAnnotations(source);
    expect(found).toContainEqual(
      expect.objectContaining({ line: 1, severity: "error", rule: "schedule" }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        line: 2,
        severity: "warning",
        rule: "role",
        message: expect.stringContaining('"editor"'),
      }),
    );
    expect(found.filter((d) => d.line === 2)).toHaveLength(1);
    expect(found).toContainEqual(expect.objectContaining({ line: 3, severity: "error" }));
    expect(found).toContainEqual(
      expect.objectContaining({
        line: 4,
        severity: "warning",
        message: "unknown annotation @fluxbase:bogus",
      }),
    );

    const good = checkAnnotations(
      "// @fluxbase:schedule 0 2 * * *\n// @fluxbase:schedule-timezone UTC",
      new Date("2026-01-01T00:00:00Z"),
    );
    expect(good).toHaveLength(1);
    expect(good[0]).toMatchObject({
      line: 1,
      severity: "info",
      message: expect.stringContaining("every day at 02:00"),
    });
  });
});

describe("secret references", () => {
  it("finds names passed to secrets.get/getRequired/getUser/getSystem", () => {
    const code = `const a = secrets.get("API_KEY");\nconst b = secrets.getRequired('DB_URL');\nconst c = map.get("NOT_A_SECRET");\nconst d = secrets?.getSystem(\`SMTP\`);`;
    expect(secretNamesIn(code)).toEqual(["API_KEY", "DB_URL", "SMTP"]);
    const refs = secretReferences([
      { path: "b.ts", content: 'secrets.get("API_KEY")' },
      { path: "a.ts", content: 'secrets.getRequired("API_KEY"); secrets.get("OTHER")' },
    ]);
    expect(refs.get("API_KEY")).toEqual(["a.ts", "b.ts"]);
    expect(refs.get("OTHER")).toEqual(["a.ts"]);
  });
});

describe("file tree", () => {
  it("nests entries, folders first", () => {
    const tree = buildFileTree([
      { path: "z.ts", type: "file" },
      { path: "reports", type: "dir" },
      { path: "reports/index.ts", type: "file" },
      { path: "lib/util/x.ts", type: "file" },
    ]);
    expect(tree.map((n) => n.name)).toEqual(["lib", "reports", "z.ts"]);
    expect(tree[0]!.children[0]!.children[0]!.path).toBe("lib/util/x.ts");
    expect(functionNameFor("z.ts")).toBe("z");
    expect(functionNameFor("reports/index.ts")).toBe("reports");
    expect(functionNameFor("jobs.d.ts")).toBeNull();
    expect(functionNameFor("_shared/db.ts")).toBeNull();
  });
});

describe("job file roles", () => {
  const paths = [
    "a.ts",
    "reports/nightly.ts",
    "export/index.ts",
    "export/lib.ts",
    "_shared/db.ts",
    "jobs.d.ts",
    "deno.json",
  ];
  it("names entries, folder modules and files that are no job, with the reason", async () => {
    const { jobFileRole } = await import("../../src-renderer/lib/job-files.ts");
    expect(jobFileRole("a.ts", paths)).toEqual({ kind: "entry", name: "a" });
    expect(jobFileRole("export/index.ts", paths)).toEqual({ kind: "entry", name: "export" });
    expect(jobFileRole("export/lib.ts", paths)).toMatchObject({ kind: "module", name: "export" });
    const nested = jobFileRole("reports/nightly.ts", paths);
    expect(nested.kind).toBe("none");
    expect(nested.kind === "none" && nested.reason).toMatch(/reports\/index\.ts/);
    expect(jobFileRole("_shared/db.ts", paths).kind).toBe("none");
    expect(jobFileRole("jobs.d.ts", paths).kind).toBe("none");
    expect(jobFileRole("deno.json", paths).kind).toBe("none");
    expect(jobFileRole("bad name.ts", paths).kind).toBe("none");
  });

  it("finds the line of a build error in the open file", async () => {
    const { buildErrorIn } = await import("../../src-renderer/lib/job-files.ts");
    const error =
      'Bundle failed: lib.ts:2:5: Unexpected "}"; broken.ts:3:11: Expected ";" but found "{"';
    expect(buildErrorIn(error, "broken.ts")).toEqual({
      line: 3,
      column: 11,
      message: 'Expected ";" but found "{"',
    });
    expect(buildErrorIn(error, "other.ts")).toBeNull();
    expect(buildErrorIn(null, "broken.ts")).toBeNull();
  });
});

describe("problems", () => {
  it("sorts by line with errors first, drops duplicates and sums up", async () => {
    const { sortProblems, problemSummary } = await import("../../src-renderer/editor/problems.ts");
    const list = sortProblems([
      { line: 4, column: 1, severity: "warning", source: "portability", message: "w" },
      { line: 2, column: 3, severity: "error", source: "typescript", message: "t" },
      { line: 4, column: 1, severity: "error", source: "build", message: "b" },
      { line: 2, column: 3, severity: "error", source: "typescript", message: "t" },
      { line: 1, column: 0, severity: "info", source: "annotation", message: "every day" },
    ]);
    expect(list.map((p) => `${p.line}${p.severity[0]}`)).toEqual(["1i", "2e", "4e", "4w"]);
    expect(problemSummary(list)).toBe("2 errors, 1 warning");
    expect(problemSummary(list.slice(0, 1))).toBe("No problems");
  });

  it("flattens TypeScript's chained messages and writes the silencing comment", async () => {
    const { flattenMessage, silenceLine } = await import("../../src-renderer/editor/problems.ts");
    expect(flattenMessage({ messageText: "A", next: [{ messageText: "B" }] })).toBe("A\n  B");
    expect(silenceLine("    if (job.checkCancellation()) {", "check-cancellation")).toBe(
      "    // portability-ignore check-cancellation",
    );
    expect(silenceLine(" * @fluxbase:description x", "description-ignored")).toBe(
      " * portability-ignore description-ignored",
    );
  });
});

describe("effect links", () => {
  it("leads rows to Tables narrowed to their keys, an upload to its object, nothing gone", async () => {
    const { effectLink, keysFromQuery, singleColumnKeys } =
      await import("../../src-renderer/lib/effect-links.ts");
    const effect = {
      id: 1,
      attempt: 0,
      row_count: 2,
      dry_run: false,
      at: "",
    };
    const rows = effectLink({
      ...effect,
      operation: "insert",
      kind: "table",
      target: "app.notes",
      keys: [{ id: 1 }, { id: 2 }],
    });
    expect(rows).toEqual({
      kind: "route",
      to: { path: "/tables", query: { table: "app.notes", keys: '[{"id":1},{"id":2}]' } },
    });
    expect(keysFromQuery('[{"id":1},{"id":2}]')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(keysFromQuery("[1]")).toEqual([]);
    expect(keysFromQuery("{")).toEqual([]);
    expect(singleColumnKeys([{ id: 1 }, { id: 2 }])).toEqual({ column: "id", values: [1, 2] });
    expect(singleColumnKeys([{ a: 1, b: 2 }])).toBeUndefined();
    // A dry run's rows were rolled back: only the table.
    expect(
      effectLink({
        ...effect,
        dry_run: true,
        operation: "insert",
        kind: "table",
        target: "app.notes",
        keys: [{ id: 1 }],
      }),
    ).toEqual({ kind: "route", to: { path: "/tables", query: { table: "app.notes" } } });
    const object = { ...effect, kind: "object" as const, target: "avatars/a.png" };
    const keys = [{ bucket: "avatars", path: "a.png" }];
    expect(effectLink({ ...object, operation: "upload", keys })).toEqual({
      kind: "object",
      bucket: "avatars",
      path: "a.png",
    });
    expect(effectLink({ ...object, operation: "remove", keys })).toBeNull();
    expect(effectLink({ ...object, operation: "upload", keys, dry_run: true })).toBeNull();
  });
});
