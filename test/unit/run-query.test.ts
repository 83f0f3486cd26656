// The Runs view's filters in the URL and in the list request.
import { describe, expect, it } from "vitest";
import {
  defaultFilters,
  filtersFromQuery,
  fitsLocally,
  listRequest,
  PAGE_SIZE,
  queryFromFilters,
} from "../../src-renderer/lib/run-query.ts";
import type { Job } from "../../src-sdk/index.ts";

describe("run filters in the URL", () => {
  it("leaves defaults out and round-trips every filter", () => {
    expect(queryFromFilters(defaultFilters())).toEqual({});
    const f = {
      ...defaultFilters(),
      status: "failed" as const,
      jobName: "send-mail",
      namespace: "billing",
      search: "acme 42",
      from: "2026-01-02T10:00",
      to: "2026-01-03T10:00",
      sort: "duration" as const,
      order: "asc" as const,
      page: 3,
    };
    const q = queryFromFilters(f);
    expect(q).toMatchObject({ status: "failed", fn: "send-mail", q: "acme 42", page: "4" });
    expect(filtersFromQuery(q)).toEqual(f);
  });

  it("ignores malformed values", () => {
    expect(
      filtersFromQuery({
        status: "exploded",
        sort: "payload",
        page: "-2",
        since: "x",
        from: "yesterday",
      }),
    ).toEqual(defaultFilters());
  });
});

describe("list request", () => {
  it("asks the server for the page, the search, the sort and the window", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    const req = listRequest({ ...defaultFilters(), search: " x ", sinceMinutes: 60, page: 2 }, now);
    expect(req).toMatchObject({ search: "x", limit: PAGE_SIZE, offset: 2 * PAGE_SIZE });
    expect((req.created_after as Date).toISOString()).toBe("2026-01-01T11:00:00.000Z");
    expect(req.sort).toBeUndefined();
  });

  it("checks the filters it can without the server", () => {
    const job = {
      status: "failed",
      job_name: "a",
      namespace: "default",
      created_at: "2026-01-01T00:00:00Z",
    } as Job;
    const now = Date.parse("2026-01-01T00:30:00Z");
    expect(fitsLocally(job, { ...defaultFilters(), status: "failed" }, now)).toBe(true);
    expect(fitsLocally(job, { ...defaultFilters(), status: "running" }, now)).toBe(false);
    expect(fitsLocally(job, { ...defaultFilters(), sinceMinutes: 15 }, now)).toBe(false);
  });
});

describe("stack references", () => {
  it("links job files with their line and leaves the rest as text", async () => {
    const { stackParts } = await import("../../src-renderer/lib/stack-links.ts");
    const parts = stackParts(
      "Error: boom\n    at handler (file:///tmp/x/jobs/reports/nightly.ts?v=3:19:11)\n    at run (ext:core/01.js:4:2)",
    );
    const links = parts.filter((p) => "file" in p);
    expect(links).toEqual([
      {
        text: "file:///tmp/x/jobs/reports/nightly.ts?v=3:19:11",
        file: "reports/nightly.ts",
        line: 19,
      },
    ]);
    expect(parts.map((p) => p.text).join("")).toContain("ext:core/01.js:4:2");
  });
});

describe("stack references in the sandbox's copy of the code", () => {
  it("link to the run's own file when it is given", async () => {
    const { stackParts } = await import("../../src-renderer/lib/stack-links.ts");
    const hash = "a".repeat(64);
    const text = `Error: x\n    at handler (file:///data/runtime/code/${hash}.ts:21:9)`;
    expect(stackParts(text).filter((p) => "file" in p)).toEqual([]);
    const links = stackParts(text, "flaky-job.ts").filter((p) => "file" in p);
    expect(links).toEqual([
      { text: `file:///data/runtime/code/${hash}.ts:21:9`, file: "flaky-job.ts", line: 21 },
    ]);
    const blob =
      "at Object.handler [as run] (blob:null/437f6458-085f-4724-8ab8-db49746d3963:21:11)";
    expect(stackParts(blob, "flaky-job.ts").filter((p) => "file" in p)).toEqual([
      {
        text: "blob:null/437f6458-085f-4724-8ab8-db49746d3963:21:11",
        file: "flaky-job.ts",
        line: 21,
      },
    ]);
  });
});
