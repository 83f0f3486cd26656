import { describe, expect, it } from "vitest";
import { isConnectionError, retryWhileDisconnected } from "./connection-error.ts";

const sqlError = (code: string, message = "boom") => Object.assign(new Error(message), { code });

describe("isConnectionError", () => {
  it("recognises a lost or refusing database", () => {
    expect(
      isConnectionError(sqlError("57P01", "terminating connection due to administrator command")),
    ).toBe(true);
    expect(isConnectionError(sqlError("08006"))).toBe(true);
    expect(isConnectionError(sqlError("57P03", "the database system is starting up"))).toBe(true);
    expect(isConnectionError(sqlError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"))).toBe(
      true,
    );
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isConnectionError(new AggregateError([sqlError("ECONNREFUSED")]))).toBe(true);
  });

  it("treats data errors and others as final", () => {
    expect(isConnectionError(sqlError("22P05", "unsupported Unicode escape sequence"))).toBe(false);
    expect(
      isConnectionError(sqlError("22021", 'invalid byte sequence for encoding "UTF8": 0x00')),
    ).toBe(false);
    expect(isConnectionError(sqlError("23505"))).toBe(false);
    expect(isConnectionError(new Error("something else"))).toBe(false);
    expect(isConnectionError("text")).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });
});

describe("retryWhileDisconnected", () => {
  it("retries connection errors until the call succeeds", async () => {
    let calls = 0;
    const value = await retryWhileDisconnected(
      async () => {
        if (++calls < 3) throw sqlError("57P01");
        return "written";
      },
      { baseMs: 1 },
    );
    expect(value).toBe("written");
    expect(calls).toBe(3);
  });

  it("rethrows a data error at once", async () => {
    let calls = 0;
    await expect(
      retryWhileDisconnected(
        async () => {
          calls++;
          throw sqlError("22021");
        },
        { baseMs: 1 },
      ),
    ).rejects.toThrow("boom");
    expect(calls).toBe(1);
  });

  it("gives up when told to", async () => {
    let calls = 0;
    await expect(
      retryWhileDisconnected(
        async () => {
          calls++;
          throw sqlError("08006", "gone");
        },
        { baseMs: 1, giveUp: () => calls >= 2 },
      ),
    ).rejects.toThrow("gone");
    expect(calls).toBe(2);
  });
});
