import { describe, expect, it } from "vitest";
import { FilterError, matchesFilter, parseFilter } from "./filters.ts";

const job = {
  id: "j1",
  status: "running",
  priority: 5,
  retry_count: 0,
  error_message: null,
  job_name: "Process-Data",
  progress: { percent: 40, message: "2/5", data: { step: "load" } },
};

const matches = (filter: string, row: Record<string, unknown> | null = job) =>
  matchesFilter(parseFilter(filter), row);

describe("parseFilter", () => {
  it("reads column, operator and value", () => {
    expect(parseFilter("status=eq.running")).toMatchObject({
      column: "status",
      op: "eq",
      value: "running",
      path: [],
    });
    expect(parseFilter("n=eq.1.5")).toMatchObject({ op: "eq", value: "1.5" });
    expect(parseFilter("progress->data->>step=eq.x").path).toEqual([
      { key: "data", asText: false },
      { key: "step", asText: true },
    ]);
    expect(parseFilter('status=in.(pending, running,"a,b")').values).toEqual([
      "pending",
      "running",
      "a,b",
    ]);
  });

  it.each([
    ["status", /expected column=op.value/],
    ["=eq.x", /expected column=op.value/],
    ["sta tus=eq.x", /invalid column/],
    ["status=like", /missing value/],
    ["status=between.1", /unknown operator/],
    ["status=is.maybe", /null, true or false/],
    ["status=in.pending", /list/],
    ["status=in.()", /at least one/],
    ['status=in.("a)', /unterminated/],
  ])("rejects %s", (text, message) => {
    expect(() => parseFilter(text)).toThrow(FilterError);
    expect(() => parseFilter(text)).toThrow(message);
  });
});

describe("matchesFilter", () => {
  it("eq, neq and in compare string forms", () => {
    expect(matches("status=eq.running")).toBe(true);
    expect(matches("status=eq.completed")).toBe(false);
    expect(matches("priority=eq.5")).toBe(true);
    expect(matches("status=neq.completed")).toBe(true);
    expect(matches("status=in.(pending,running)")).toBe(true);
    expect(matches("status=in.(pending,failed)")).toBe(false);
  });

  it("gt…lte compare numerically for numbers, else as strings", () => {
    expect(matches("priority=gt.4")).toBe(true);
    expect(matches("priority=gt.10")).toBe(false);
    expect(matches("priority=gte.5")).toBe(true);
    expect(matches("priority=lt.10")).toBe(true);
    expect(matches("priority=lte.4")).toBe(false);
    expect(matches("status=gt.pending")).toBe(true);
    expect(matches("status=lt.pending")).toBe(false);
  });

  it("like and ilike match the whole string with * wildcards", () => {
    expect(matches("job_name=like.Process*")).toBe(true);
    expect(matches("job_name=like.process*")).toBe(false);
    expect(matches("job_name=ilike.process*")).toBe(true);
    expect(matches("job_name=like.Process")).toBe(false);
    expect(matches("job_name=like.*-D?ta")).toBe(false);
  });

  it("is tests null, true and false; NULL matches nothing else", () => {
    expect(matches("error_message=is.null")).toBe(true);
    expect(matches("status=is.null")).toBe(false);
    expect(matches("missing=is.null")).toBe(true);
    expect(matches("flag=is.true", { flag: true })).toBe(true);
    expect(matches("flag=is.false", { flag: true })).toBe(false);
    expect(matches("error_message=eq.null")).toBe(false);
    expect(matches("error_message=neq.x")).toBe(false);
  });

  it("follows JSON paths, also into string-encoded JSON", () => {
    expect(matches("progress->>percent=gte.40")).toBe(true);
    expect(matches("progress->>percent=gt.40")).toBe(false);
    expect(matches("progress->data->>step=eq.load")).toBe(true);
    expect(matches("progress->>percent=eq.75", { progress: '{"percent":75}' })).toBe(true);
    expect(matches("progress->>percent=eq.75", { progress: null })).toBe(false);
  });

  it("never matches a missing row", () => {
    expect(matches("status=eq.running", null)).toBe(false);
  });
});
