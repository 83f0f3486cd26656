import { describe, expect, it } from "vitest";
import { createHostResolver, entryHost, namesToResolve } from "./named-hosts.ts";

describe("namesToResolve", () => {
  it("keeps host names, once each, and leaves addresses and localhost alone", () => {
    expect(
      namesToResolve([
        "db.internal:5432",
        "DB.Internal",
        "cache.lan.",
        "10.0.0.5:80",
        "[fd00::5]:5432",
        "localhost:8080",
        "127.0.0.1",
      ]),
    ).toEqual(["cache.lan", "db.internal"]);
  });

  it("reads the host of every entry form", () => {
    expect(entryHost("[FD00::5]:80")).toBe("fd00::5");
    expect(entryHost("Example.com:443")).toBe("example.com");
    expect(entryHost("example.com")).toBe("example.com");
  });
});

describe("createHostResolver", () => {
  const fakeClock = () => {
    let t = 1_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it("looks names up once within the TTL and again after it", async () => {
    const clock = fakeClock();
    const calls: string[] = [];
    const resolver = createHostResolver({
      now: clock.now,
      ttlMs: 30_000,
      lookup: async (name) => {
        calls.push(name);
        return name === "db.internal" ? ["10.1.2.3", "FD00::5%eth0"] : [];
      },
    });
    expect(resolver.fresh(["db.internal"])).toBe(false);
    await Promise.all([resolver.resolve(["db.internal"]), resolver.resolve(["db.internal"])]);
    expect(calls).toEqual(["db.internal"]);
    expect(resolver.fresh(["db.internal"])).toBe(true);
    expect(resolver.addresses(["db.internal", "other"])).toEqual(
      new Map([["db.internal", ["10.1.2.3", "fd00::5"]]]),
    );
    clock.advance(30_000);
    expect(resolver.fresh(["db.internal"])).toBe(false);
    await resolver.resolve(["db.internal"]);
    expect(calls).toEqual(["db.internal", "db.internal"]);
  });

  it("a lookup that fails or takes too long yields no addresses, and does not reject", async () => {
    const resolver = createHostResolver({
      timeoutMs: 20,
      lookup: (name) =>
        name === "slow.lan"
          ? new Promise<string[]>(() => {})
          : Promise.reject(new Error("ENOTFOUND")),
    });
    await resolver.resolve(["slow.lan", "missing.lan"]);
    expect(resolver.addresses(["slow.lan", "missing.lan"])).toEqual(
      new Map([
        ["slow.lan", []],
        ["missing.lan", []],
      ]),
    );
    expect(resolver.fresh(["slow.lan", "missing.lan"])).toBe(true);
  });
});
