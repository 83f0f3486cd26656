import { describe, expect, it } from "vitest";
import { createJobSecretsCache } from "./job-secrets-cache.ts";
import type { JobSecrets } from "./store.ts";

const secrets = (token: string): JobSecrets => ({
  user: { token },
  system: {},
  functions: { FLUXBASE_SECRET_SMTP: "smtp" },
});

describe("the job secrets cache", () => {
  it("answers a job whose claim saw the entry's generation or an older one, not a newer one", () => {
    const cache = createJobSecretsCache();
    cache.set("ann", "default", { secrets: secrets("a"), generation: "7", validUntil: Infinity });
    expect(cache.get("ann", "default", "7")?.user.token).toBe("a");
    expect(cache.get("ann", "default", "6")?.user.token).toBe("a");
    expect(cache.get("ann", "default", "8")).toBeUndefined();
    expect(cache.get("bob", "default", "7")).toBeUndefined();
    expect(cache.get("ann", "billing", "7")).toBeUndefined();
    expect(cache.get(null, "default", "7")).toBeUndefined();
  });

  it("compares generations as numbers, beyond 2^53", () => {
    const cache = createJobSecretsCache();
    cache.set(null, "default", {
      secrets: secrets("a"),
      generation: "9007199254740993",
      validUntil: Infinity,
    });
    expect(cache.get(null, "default", "9007199254740994")).toBeUndefined();
    expect(cache.get(null, "default", "10")?.user.token).toBe("a");
  });

  it("keeps the newer entry when an older read arrives late", () => {
    const cache = createJobSecretsCache();
    cache.set("ann", "default", { secrets: secrets("new"), generation: "9", validUntil: Infinity });
    cache.set("ann", "default", { secrets: secrets("old"), generation: "8", validUntil: Infinity });
    expect(cache.get("ann", "default", "9")?.user.token).toBe("new");
  });

  it("drops an entry once its first function secret has expired", () => {
    let now = 1_000;
    const cache = createJobSecretsCache({ now: () => now });
    cache.set("ann", "default", { secrets: secrets("a"), generation: "1", validUntil: 2_000 });
    expect(cache.get("ann", "default", "1")).toBeDefined();
    now = 2_000;
    expect(cache.get("ann", "default", "1")).toBeUndefined();
  });

  it("hands out copies: a job changing its secrets changes nobody else's", () => {
    const cache = createJobSecretsCache();
    const original = secrets("a");
    cache.set("ann", "default", { secrets: original, generation: "1", validUntil: Infinity });
    original.user.token = "changed by the caller";
    const first = cache.get("ann", "default", "1")!;
    first.user.token = "changed by a job";
    first.functions!.FLUXBASE_SECRET_SMTP = "changed";
    const second = cache.get("ann", "default", "1")!;
    expect(second.user.token).toBe("a");
    expect(second.functions).toEqual({ FLUXBASE_SECRET_SMTP: "smtp" });
  });

  it("keeps at most maxEntries, dropping the least recently used", () => {
    const cache = createJobSecretsCache({ maxEntries: 2 });
    const entry = { secrets: secrets("a"), generation: "1", validUntil: Infinity };
    cache.set("u1", "default", entry);
    cache.set("u2", "default", entry);
    cache.get("u1", "default", "1");
    cache.set("u3", "default", entry);
    expect(cache.get("u1", "default", "1")).toBeDefined();
    expect(cache.get("u2", "default", "1")).toBeUndefined();
    expect(cache.get("u3", "default", "1")).toBeDefined();
  });
});
