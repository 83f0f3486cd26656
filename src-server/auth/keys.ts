// The JWT secret, anon key and service key: given by config, else generated on first
// start and kept in <dataDir>/keys.json (mode 600) so they survive restarts.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { signJwt } from "./jwt.ts";

export interface ApiKeys {
  jwtSecret: string;
  anonKey: string;
  serviceKey: string;
  /** Where generated keys are kept. */
  file: string;
}

export interface LoadKeysOptions {
  dataDir: string;
  jwtSecret?: string;
  anonKey?: string;
  serviceKey?: string;
}

type StoredKeys = Omit<ApiKeys, "file">;

export async function loadOrCreateKeys(options: LoadKeysOptions): Promise<ApiKeys> {
  const file = path.join(options.dataDir, "keys.json");
  let stored: Partial<StoredKeys> = {};
  if (existsSync(file)) stored = JSON.parse(await readFile(file, "utf8")) as Partial<StoredKeys>;
  const anonClaims = { role: "anon", token_type: "access" };
  const serviceClaims = { role: "service_role", sub: "service_role", token_type: "access" };
  // The file holds only generated values; configured ones are never written to disk.
  const generated: StoredKeys = {
    jwtSecret: stored.jwtSecret ?? randomBytes(48).toString("base64url"),
    anonKey: stored.anonKey ?? "",
    serviceKey: stored.serviceKey ?? "",
  };
  generated.anonKey ||= signJwt(anonClaims, { secret: generated.jwtSecret });
  generated.serviceKey ||= signJwt(serviceClaims, { secret: generated.jwtSecret });
  if (JSON.stringify(generated) !== JSON.stringify(stored)) {
    await mkdir(options.dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(generated, null, 2), { mode: 0o600 });
  }
  const jwtSecret = options.jwtSecret ?? generated.jwtSecret;
  if (jwtSecret.length < 32) throw new Error("FLUXBASE_JWT_SECRET must be at least 32 characters");
  // Generated keys are only valid under the secret that signed them.
  const sameSecret = jwtSecret === generated.jwtSecret;
  const anonKey =
    options.anonKey ??
    (sameSecret ? generated.anonKey : signJwt(anonClaims, { secret: jwtSecret }));
  const serviceKey =
    options.serviceKey ??
    (sameSecret ? generated.serviceKey : signJwt(serviceClaims, { secret: jwtSecret }));
  return { jwtSecret, anonKey, serviceKey, file };
}
