// Secret values at rest: AES-256-GCM with a 32-byte key kept outside the database, and
// the row identity as associated data, so a ciphertext copied to another row (another
// name or another user) fails to decrypt. Pure functions, plus loading or creating the
// key file <dataDir>/secrets.key (mode 600) on first start.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.ts";

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";

export const KEY_FILE_NAME = "secrets.key";

export interface Sealed {
  /** The GCM ciphertext followed by its 16-byte authentication tag. */
  ciphertext: Buffer;
  nonce: Buffer;
}

/** Who a secret belongs to; also the associated data its ciphertext is bound to. */
export type SecretOwner = { kind: "system" } | { kind: "user"; userId: string };

export function associatedData(owner: SecretOwner, name: string): string {
  return owner.kind === "system" ? `system:${name}` : `user:${owner.userId}:${name}`;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`the encryption key must be ${KEY_BYTES} bytes`);
}

export function encryptSecret(key: Buffer, plaintext: string, aad: string): Sealed {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext: Buffer.concat([body, cipher.getAuthTag()]), nonce };
}

/** Throws when the key, the associated data, the nonce or the ciphertext is not the one sealed. */
export function decryptSecret(key: Buffer, sealed: Sealed, aad: string): string {
  checkKey(key);
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
    throw new Error("malformed ciphertext");
  }
  const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
  const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
  const decipher = createDecipheriv(ALGORITHM, key, sealed.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("cannot decrypt: wrong key, or the ciphertext was altered or moved");
  }
}

/** A 32-byte key written as 64 hex digits or as base64 (standard or URL-safe). Null otherwise. */
export function parseEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return key.length === KEY_BYTES ? key : null;
}

export interface LoadKeyOptions {
  dataDir: string;
  /** FLUXBASE_ENCRYPTION_KEY: when given it wins, and no file is read or written. */
  configured?: string;
}

export interface EncryptionKey {
  key: Buffer;
  source: "config" | "file" | "created";
  /** The key file (absent when the key came from config). */
  file?: string;
}

/**
 * The configured key, else <dataDir>/secrets.key, else a new random key written there
 * (mode 600, created exclusively: two processes starting at once end up with one key).
 */
export async function loadOrCreateEncryptionKey(options: LoadKeyOptions): Promise<EncryptionKey> {
  if (options.configured !== undefined) {
    const key = parseEncryptionKey(options.configured);
    if (!key) {
      throw new AppError(
        "CONFIG_INVALID",
        "FLUXBASE_ENCRYPTION_KEY must be 32 bytes, written as base64 or as 64 hex digits",
      );
    }
    return { key, source: "config" };
  }
  const file = path.join(options.dataDir, KEY_FILE_NAME);
  const existing = await readKeyFile(file);
  if (existing) return { key: existing, source: "file", file };
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // Written whole to a temporary name, then linked into place: link() fails when the file
  // exists, so a racing process never sees a half-written key and both end up with one key.
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, key.toString("base64") + "\n", { mode: 0o600 });
  try {
    await link(temp, file).catch((err: NodeJS.ErrnoException) => {
      // A filesystem without hard links: an exclusive create is the next best thing.
      if (err.code === "EEXIST") throw err;
      return writeFile(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
    });
    return { key, source: "created", file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return { key: (await readKeyFile(file))!, source: "file", file };
  } finally {
    await rm(temp, { force: true });
  }
}

async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const key = parseEncryptionKey(text);
  if (!key)
    throw new AppError("CONFIG_INVALID", `${file} does not hold a 32-byte key (base64 or hex)`);
  return key;
}
