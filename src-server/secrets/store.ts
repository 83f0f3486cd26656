// The secret store: system secrets and each user's own, encrypted with the key given at
// creation. Values leave it only through reveal() (an admin's explicit request) and
// forJob() (the sandbox); metadata never carries a value.
import type { Db } from "../db/connections.ts";
import { jobSecretRows } from "../db/queries/job-secrets.ts";
import * as sql from "../db/queries/secrets.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { associatedData, decryptSecret, encryptSecret, type SecretOwner } from "./crypto.ts";
import { createFunctionSecretStore } from "./function-secrets.ts";
import { createJobSecretsCache } from "./job-secrets-cache.ts";
import { checkDescription, checkName, checkValue } from "./rules.ts";

export type { SecretOwner } from "./crypto.ts";

/** The wire shape (upstream's SecretSettingMetadata): never a value. */
export interface SecretMetadata {
  id: string;
  key: string;
  description?: string;
  user_id?: string;
  created_by?: string;
  updated_by?: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface JobSecrets {
  user: Record<string, string>;
  system: Record<string, string>;
  /** Function secrets of the job's namespace and global scope, as FLUXBASE_SECRET_<NAME>. */
  functions?: Record<string, string>;
}

export interface SecretStore {
  /** 409 when the name is taken in that scope. */
  create(
    owner: SecretOwner,
    input: { key: unknown; value: unknown; description?: unknown },
    actor?: string | null,
  ): Promise<SecretMetadata>;
  /** 404 when missing. A new value bumps the version; description alone does not. */
  update(
    owner: SecretOwner,
    name: string,
    input: { value?: unknown; description?: unknown },
    actor?: string | null,
  ): Promise<SecretMetadata>;
  /** Create or replace (the CLI's `set`). */
  set(
    owner: SecretOwner,
    name: string,
    value: string,
    options?: { description?: string; actor?: string | null },
  ): Promise<{ secret: SecretMetadata; created: boolean }>;
  get(owner: SecretOwner, name: string): Promise<SecretMetadata>;
  reveal(owner: SecretOwner, name: string): Promise<string>;
  list(owner: SecretOwner): Promise<SecretMetadata[]>;
  delete(owner: SecretOwner, name: string): Promise<void>;
  /**
   * Decrypted secrets a job of `userId` may read (system only when null), and with a
   * namespace the function secrets its jobs receive. With the secrets generation the job's
   * claim saw, secrets read at that generation or later are reused (job-secrets-cache.ts).
   */
  forJob(userId: string | null, namespace?: string, options?: ForJobOptions): Promise<JobSecrets>;
}

export interface ForJobOptions {
  /** The secrets generation (a bigint as text) the job's claim saw. */
  generation?: string;
}

export interface SecretStoreOptions {
  db: Db;
  key: Buffer;
  logger?: Logger;
}

const userIdOf = (owner: SecretOwner) => (owner.kind === "user" ? owner.userId : null);

function toMetadata(row: sql.SecretMetadataRow): SecretMetadata {
  const meta: SecretMetadata = {
    id: row.id,
    key: row.name,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
  if (row.description !== null) meta.description = row.description;
  if (row.user_id !== null) meta.user_id = row.user_id;
  if (row.created_by !== null) meta.created_by = row.created_by;
  if (row.updated_by !== null) meta.updated_by = row.updated_by;
  return meta;
}

function notFound(name: string): AppError {
  return new AppError("NOT_FOUND", `Secret '${name}' not found`, { code: "SECRET_NOT_FOUND" });
}

export function createSecretStore({ db, key, logger }: SecretStoreOptions): SecretStore {
  const seal = (owner: SecretOwner, name: string, value: string) =>
    encryptSecret(key, value, associatedData(owner, name));

  const functions = createFunctionSecretStore({ db, key, logger });
  const jobCache = createJobSecretsCache();
  const decryptInto = (
    result: JobSecrets,
    rows: Array<Pick<sql.SecretRow, "name" | "user_id" | "ciphertext" | "nonce">>,
  ) => {
    for (const row of rows) {
      const owner: SecretOwner = row.user_id
        ? { kind: "user", userId: row.user_id }
        : { kind: "system" };
      try {
        const value = decryptSecret(key, row, associatedData(owner, row.name));
        (owner.kind === "user" ? result.user : result.system)[row.name] = value;
      } catch (err) {
        // Names only: a job then sees the secret as missing, and the log says why.
        logger?.warn("secret skipped: it cannot be decrypted", {
          name: row.name,
          scope: owner.kind,
          error: (err as Error).message,
        });
      }
    }
    return result;
  };
  const store: SecretStore = {
    async create(owner, input, actor = null) {
      const name = checkName(input.key);
      const value = checkValue(input.value);
      const description = checkDescription(input.description) ?? null;
      const row = await sql.insertSecret(db, {
        name,
        userId: userIdOf(owner),
        description,
        ...seal(owner, name, value),
        actor,
      });
      if (!row)
        throw new AppError("CONFLICT", `Secret '${name}' already exists`, {
          code: "SECRET_EXISTS",
          field: "key",
        });
      return toMetadata(row);
    },

    async update(owner, name, input, actor = null) {
      checkName(name);
      const value = input.value === undefined ? undefined : checkValue(input.value);
      const description = checkDescription(input.description);
      if (value === undefined && description === undefined) {
        throw new AppError("VALIDATION_FAILED", "value or description is required", {
          field: "value",
        });
      }
      const row = await sql.updateSecret(db, {
        name,
        userId: userIdOf(owner),
        sealed: value === undefined ? undefined : seal(owner, name, value),
        description,
        actor,
      });
      if (!row) throw notFound(name);
      return toMetadata(row);
    },

    async set(owner, name, value, options = {}) {
      // Update first, then create: a race with another writer ends in one of the two.
      for (let tries = 0; tries < 3; tries++) {
        try {
          return {
            secret: await store.update(
              owner,
              name,
              { value, description: options.description },
              options.actor,
            ),
            created: false,
          };
        } catch (err) {
          if (!(err instanceof AppError) || err.status !== 404) throw err;
        }
        try {
          return {
            secret: await store.create(
              owner,
              { key: name, value, description: options.description },
              options.actor,
            ),
            created: true,
          };
        } catch (err) {
          if (!(err instanceof AppError) || err.status !== 409) throw err;
        }
      }
      throw new AppError("CONFLICT", `Secret '${name}' is being changed concurrently`);
    },

    async get(owner, name) {
      const row = await sql.readSecret(db, userIdOf(owner), checkName(name));
      if (!row) throw notFound(name);
      return toMetadata(row);
    },

    async reveal(owner, name) {
      const row = await sql.readSecret(db, userIdOf(owner), checkName(name));
      if (!row) throw notFound(name);
      try {
        return decryptSecret(key, row, associatedData(owner, name));
      } catch (err) {
        throw new AppError(
          "INTERNAL",
          `Secret '${name}' cannot be decrypted: ${(err as Error).message}`,
        );
      }
    },

    async list(owner) {
      return (await sql.listSecrets(db, userIdOf(owner))).map(toMetadata);
    },

    async delete(owner, name) {
      if (!(await sql.deleteSecret(db, userIdOf(owner), checkName(name)))) throw notFound(name);
    },

    async forJob(userId, namespace, options = {}) {
      if (namespace === undefined) {
        return decryptInto({ user: {}, system: {} }, await sql.secretsForJob(db, userId));
      }
      if (options.generation !== undefined) {
        const kept = jobCache.get(userId, namespace, options.generation);
        if (kept) return kept;
      }
      // Both stores and their generation in one round trip: this runs for every job whose
      // secrets are not kept.
      const { rows, generation } = await jobSecretRows(db, userId, namespace);
      const fnRows = rows.filter((row) => row.source === "function");
      const result = decryptInto(
        { user: {}, system: {}, functions: functions.envOf(fnRows) },
        rows.filter((row) => row.source === "secret"),
      );
      const expiries = fnRows.flatMap((row) => (row.expires_at ? [row.expires_at.getTime()] : []));
      jobCache.set(userId, namespace, {
        secrets: result,
        generation,
        validUntil: Math.min(Infinity, ...expiries),
      });
      return result;
    },
  };
  return store;
}
