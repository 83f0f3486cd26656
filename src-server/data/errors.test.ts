import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { fromPgError } from "./errors.ts";

const pgError = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe("fromPgError", () => {
  it.each([
    ["42501", 403],
    ["23505", 409],
    ["23P01", 409],
    ["23502", 400],
    ["23514", 400],
    ["23503", 400],
    ["22P02", 400],
    ["22007", 400],
    ["42883", 400],
    ["42P10", 400],
    ["P0001", 400],
    ["42P01", 404],
  ])("maps SQLSTATE %s to %i, keeping the code", (code, status) => {
    const mapped = fromPgError(pgError(code, "boom")) as AppError;
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped.status).toBe(status);
    expect(mapped.extra.code).toBe(code);
  });

  it("prefixes invalid values and names the column PostgreSQL names", () => {
    const value = fromPgError(
      pgError("22P02", 'invalid input syntax for type integer: "x"'),
    ) as AppError;
    expect(value.message).toBe('Invalid value: invalid input syntax for type integer: "x"');
    const notNull = fromPgError(pgError("23502", "null value", { column: "user_id" })) as AppError;
    expect(notNull.extra.field).toBe("user_id");
  });

  it("names the field of the parameter PostgreSQL could not read, and on_conflict for 42P10", () => {
    const typed = fromPgError(
      pgError("22P02", 'invalid input syntax for type integer: "zz"', {
        where: "unnamed portal parameter $2 = '...'",
      }),
      ["note", "id"],
    ) as AppError;
    expect(typed.extra).toEqual({ code: "22P02", field: "id" });
    const unknownParam = fromPgError(
      pgError("22P02", "bad", { where: "unnamed portal parameter $9 = '...'" }),
      ["note"],
    ) as AppError;
    expect(unknownParam.extra).toEqual({ code: "22P02" });
    const conflict = fromPgError(pgError("42P10", "no unique constraint")) as AppError;
    expect(conflict.extra.field).toBe("on_conflict");
  });

  it("leaves server faults and our own errors alone", () => {
    const crash = pgError("XX000", "internal");
    expect(fromPgError(crash)).toBe(crash);
    const connection = pgError("ECONNRESET", "reset");
    expect(fromPgError(connection)).toBe(connection);
    const ours = new AppError("NOT_FOUND", "Table 'app.x' not found");
    expect(fromPgError(ours)).toBe(ours);
  });
});
