import { afterEach, describe, expect, it, vi } from "vitest";
import { createCallerResolver, type Caller } from "./caller.ts";
import { signJwt } from "./jwt.ts";
import type { ApiKeys } from "./keys.ts";
import type { LiveCheck } from "./live-check.ts";

const keys: ApiKeys = {
  jwtSecret: "s".repeat(40),
  anonKey: "anon-key",
  serviceKey: "service-key",
  file: "",
};
const USER = "6f1c2a52-8a51-4c6c-9d3e-0c0b8f6c1a11";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

afterEach(() => {
  vi.useRealTimers();
});

describe("a user token used again", () => {
  it("is refused once it has expired, though it was accepted before", async () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z") });
    const callers = createCallerResolver(keys);
    const token = signJwt(
      { sub: USER, role: "authenticated" },
      { secret: keys.jwtSecret, expiresIn: 60 },
    );
    expect((await callers.resolve(bearer(token))).userId).toBe(USER);
    vi.setSystemTime(new Date("2026-01-01T00:00:59Z"));
    expect((await callers.resolve(bearer(token))).userId).toBe(USER);
    vi.setSystemTime(new Date("2026-01-01T00:01:00Z"));
    await expect(callers.resolve(bearer(token))).rejects.toThrow(/expired/);
  });

  it("is checked against live state on every use: a signed-out session or a new role holds at once", async () => {
    let state: "live" | "promoted" | "revoked" = "live";
    const live: LiveCheck = {
      async check(caller: Caller) {
        if (state === "revoked") throw new Error("Token has been revoked");
        return state === "promoted" ? { ...caller, role: "admin" } : caller;
      },
      forgetUser() {},
    };
    const callers = createCallerResolver(keys, { live });
    const token = signJwt({ sub: USER, role: "authenticated" }, { secret: keys.jwtSecret });
    expect((await callers.resolve(bearer(token))).role).toBe("authenticated");
    state = "promoted";
    expect((await callers.resolve(bearer(token))).role).toBe("admin");
    state = "revoked";
    await expect(callers.resolve(bearer(token))).rejects.toThrow(/revoked/);
    state = "live";
    expect((await callers.resolve(bearer(token))).role).toBe("authenticated");
  });

  it("stays refused when it was refused: a refresh token, another secret's token", async () => {
    const callers = createCallerResolver(keys);
    const refresh = signJwt({ sub: USER, token_type: "refresh" }, { secret: keys.jwtSecret });
    const forged = signJwt({ sub: USER, role: "service_role" }, { secret: "x".repeat(40) });
    for (const token of [refresh, refresh, forged, forged]) {
      await expect(callers.resolve(bearer(token))).rejects.toThrow(/Invalid/);
    }
  });

  it("keeps a bounded number of verified tokens and still verifies the ones it forgot", async () => {
    const callers = createCallerResolver(keys, { verifiedTokens: 2 });
    const tokens = ["a", "b", "c", "d"].map((name) =>
      signJwt(
        { sub: USER, role: name === "d" ? "admin" : "authenticated" },
        { secret: keys.jwtSecret },
      ),
    );
    for (const token of [...tokens, ...tokens]) await callers.resolve(bearer(token));
    expect((await callers.resolve(bearer(tokens[3]!))).role).toBe("admin");
    expect((await callers.resolve(bearer(tokens[0]!))).role).toBe("authenticated");
  });
});
