// The API stays responsive while the server's database connections are all busy: /health
// reads the background liveness probe instead of waiting for a shared connection.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});

afterAll(async () => {
  await t?.stop();
});

describe("under load", () => {
  it("answers /health while every shared connection is taken", { timeout: 20_000 }, async () => {
    // More than the Db opens: the rest wait in its queue, as requests would.
    const held: pg.PoolClient[] = [];
    let done = false;
    const taking = Array.from({ length: 60 }, () =>
      t.stack.db.connect().then((c) => (done ? c.release() : void held.push(c))),
    );
    try {
      const res = await fetch(`${t.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
      // Every shared connection really was taken while /health answered.
      expect(held.length).toBeGreaterThan(0);
      expect(held.length).toBeLessThan(taking.length);
    } finally {
      done = true;
      for (const c of held.splice(0)) c.release();
      await Promise.all(taking);
    }
  });
});
