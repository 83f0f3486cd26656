import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { optionalDate, parseTimestamp } from "./job-validation.ts";

describe("parseTimestamp", () => {
  it("reads RFC 3339 date-times with an offset", () => {
    expect(parseTimestamp("2030-01-02T03:04:05Z")?.toISOString()).toBe("2030-01-02T03:04:05.000Z");
    expect(parseTimestamp("2030-01-02T03:04:05.123456Z")?.toISOString()).toBe(
      "2030-01-02T03:04:05.123Z",
    );
    expect(parseTimestamp("2030-01-02 04:04:05+01:00")?.toISOString()).toBe(
      "2030-01-02T03:04:05.000Z",
    );
    expect(parseTimestamp("2030-01-02T03:04Z")?.toISOString()).toBe("2030-01-02T03:04:00.000Z");
    expect(parseTimestamp("2024-02-29T00:00:00-05:30")?.toISOString()).toBe(
      "2024-02-29T05:30:00.000Z",
    );
  });

  it("refuses what Date would have guessed at", () => {
    for (const bad of [
      "%00",
      "-1",
      "0",
      "1700000000000",
      "tomorrow-ish",
      "2030-01-02",
      "2030-01-02T03:04:05", // no zone: whose 03:04?
      "2026-02-31T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2030-13-01T00:00:00Z",
      "2030-01-01T24:00:00Z",
      "2030-01-01T00:60:00Z",
      "2030-01-01T00:00:00+24:00",
      "+275760-09-13T00:00:00.000Z",
      "-000001-01-01T00:00:00Z",
      "1969-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "Tue, 01 Jan 2030 00:00:00 GMT",
    ]) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
  });
});

describe("optionalDate", () => {
  it("names the field for numbers and garbage, and passes absent values", () => {
    for (const bad of [-1, 0, 1e12, "%00", true, {}, []]) {
      let err: unknown;
      try {
        optionalDate(bad, "scheduled");
      } catch (e) {
        err = e;
      }
      expect(err, String(bad)).toBeInstanceOf(AppError);
      expect((err as AppError).extra.field).toBe("scheduled");
    }
    expect(optionalDate(undefined, "scheduled_at")).toBeUndefined();
    expect(optionalDate(null, "scheduled_at")).toBeUndefined();
  });
});
