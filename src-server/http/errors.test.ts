import { describe, expect, it } from "vitest";
import { silentLogger } from "../logger.ts";
import { toErrorReply } from "./errors.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("toErrorReply while the database is away", () => {
  it.each([
    ["a refused connection", withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["PostgreSQL starting up", withCode("57P03", "the database system is starting up")],
    [
      "PostgreSQL shutting down",
      withCode("57P01", "terminating connection due to administrator command"),
    ],
    ["a connection exception", withCode("08006", "connection failure")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
    [
      "a broken client",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
  ])("answers 503 for %s", (_, err) => {
    const reply = toErrorReply(err, "req-1", silentLogger);
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({
      code: "DATABASE_UNAVAILABLE",
      error: expect.stringMatching(/Database unavailable/),
    });
  });

  it("keeps other failures a 500 without details", () => {
    const reply = toErrorReply(withCode("42P01", "relation does not exist"), "req-2", silentLogger);
    expect(reply.status).toBe(500);
    expect(reply.body.error).toBe("Internal server error");
  });
});
