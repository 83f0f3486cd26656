import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  associatedData,
  decryptSecret,
  encryptSecret,
  loadOrCreateEncryptionKey,
  parseEncryptionKey,
} from "./crypto.ts";

const key = randomBytes(32);

describe("encryptSecret / decryptSecret", () => {
  it("round-trips, with a fresh nonce each time and no plaintext in the ciphertext", () => {
    const value = "sk_live_round_trip ✓";
    const a = encryptSecret(key, value, "system:stripe_api_key");
    const b = encryptSecret(key, value, "system:stripe_api_key");
    expect(decryptSecret(key, a, "system:stripe_api_key")).toBe(value);
    expect(a.nonce).toHaveLength(12);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from("sk_live"))).toBe(false);
  });

  it("fails with other associated data: a ciphertext moved to another row", () => {
    const sealed = encryptSecret(key, "value-1", associatedData({ kind: "system" }, "a"));
    expect(() => decryptSecret(key, sealed, associatedData({ kind: "system" }, "b"))).toThrow(
      /cannot decrypt/,
    );
    const user = { kind: "user", userId: "6f1c1f52-8a43-4c57-9a53-1c7d1f1e0d10" } as const;
    expect(() => decryptSecret(key, sealed, associatedData(user, "a"))).toThrow(/cannot decrypt/);
  });

  it("fails when the ciphertext, its tag or the nonce was altered, or with another key", () => {
    const sealed = encryptSecret(key, "value-2", "system:x");
    const flip = (buf: Buffer, i: number) => {
      const copy = Buffer.from(buf);
      copy[i] = copy[i]! ^ 1;
      return copy;
    };
    expect(() =>
      decryptSecret(key, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, "system:x"),
    ).toThrow();
    expect(() =>
      decryptSecret(
        key,
        { ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) },
        "system:x",
      ),
    ).toThrow();
    expect(() =>
      decryptSecret(key, { ...sealed, nonce: flip(sealed.nonce, 3) }, "system:x"),
    ).toThrow();
    expect(() => decryptSecret(randomBytes(32), sealed, "system:x")).toThrow();
    expect(() =>
      decryptSecret(key, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 4) }, "system:x"),
    ).toThrow(/malformed/);
  });

  it("binds system and user rows to different associated data", () => {
    expect(associatedData({ kind: "system" }, "n")).toBe("system:n");
    expect(associatedData({ kind: "user", userId: "u-1" }, "n")).toBe("user:u-1:n");
  });
});

describe("parseEncryptionKey", () => {
  it("accepts 32 bytes as hex, base64 or base64url, and nothing else", () => {
    expect(parseEncryptionKey(key.toString("hex"))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(` ${key.toString("base64")}\n`)?.equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64url"))?.equals(key)).toBe(true);
    expect(parseEncryptionKey(randomBytes(16).toString("base64"))).toBeNull();
    expect(parseEncryptionKey("not a key!")).toBeNull();
    expect(parseEncryptionKey("")).toBeNull();
  });
});

describe("loadOrCreateEncryptionKey", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("creates <dataDir>/secrets.key (mode 600) once, then reads it back", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-key-"));
    const dataDir = path.join(dir, "data");
    const first = await loadOrCreateEncryptionKey({ dataDir });
    expect(first.source).toBe("created");
    expect(first.file).toBe(path.join(dataDir, "secrets.key"));
    if (process.platform !== "win32") expect((await stat(first.file!)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateEncryptionKey({ dataDir });
    expect(again.source).toBe("file");
    expect(again.key.equals(first.key)).toBe(true);
  });

  it("gives concurrent first starts one key", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-key-"));
    const keys = await Promise.all(
      Array.from({ length: 8 }, () => loadOrCreateEncryptionKey({ dataDir: dir! })),
    );
    expect(new Set(keys.map((k) => k.key.toString("hex"))).size).toBe(1);
    expect(keys.filter((k) => k.source === "created")).toHaveLength(1);
  });

  it("prefers a configured key and writes no file; rejects a bad one without echoing it", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-key-"));
    const configured = await loadOrCreateEncryptionKey({
      dataDir: dir,
      configured: key.toString("hex"),
    });
    expect(configured).toMatchObject({ source: "config" });
    expect(configured.key.equals(key)).toBe(true);
    await expect(readFile(path.join(dir, "secrets.key"))).rejects.toThrow(/ENOENT/);
    const bad = loadOrCreateEncryptionKey({ dataDir: dir, configured: "hunter2-hunter2" });
    await expect(bad).rejects.toThrow(/FLUXBASE_ENCRYPTION_KEY must be 32 bytes/);
    await expect(
      loadOrCreateEncryptionKey({ dataDir: dir, configured: "hunter2-hunter2" }),
    ).rejects.not.toThrow(/hunter2/);
  });

  it("refuses a key file that holds no key", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fluxbase-key-"));
    await writeFile(path.join(dir, "secrets.key"), "short\n");
    await expect(loadOrCreateEncryptionKey({ dataDir: dir })).rejects.toThrow(
      /does not hold a 32-byte key/,
    );
  });
});
