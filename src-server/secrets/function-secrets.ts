// Function secrets (upstream's store 2, /api/v1/secrets): values an admin sets for every job
// (scope global) or one namespace's jobs, passed to a job as FLUXBASE_SECRET_<NAME>, the
// namespace's value over the global one. Encrypted with the secrets key; the associated data
// is the secret's id, so any of its versions can be restored into it.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/connections.ts";
import * as sql from "../db/queries/function-secrets.ts";
import { AppError, invalidField } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { decryptSecret, encryptSecret } from "./crypto.ts";
import { checkDescription, checkValue } from "./rules.ts";

/** Upstream's Secret / SecretSummary: never a value. */
export interface FunctionSecret {
  id: string;
  name: string;
  scope: "global" | "namespace";
  namespace?: string;
  description?: string;
  version: number;
  expires_at?: string;
  is_expired: boolean;
  created_at: string;
  updated_at: string;
  created_by?: string;
  updated_by?: string;
}

export interface FunctionSecretVersion {
  id: string;
  secret_id: string;
  version: number;
  created_at: string;
  created_by?: string;
}

/** A secret by name (`namespace` absent: the global one) or by id. */
export type SecretRef = { name: string; namespace?: string | null } | { id: string };

export interface FunctionSecretStore {
  create(input: Record<string, unknown>, actor: string | null): Promise<FunctionSecret>;
  list(filter: { scope?: unknown; namespace?: unknown }): Promise<FunctionSecret[]>;
  get(ref: SecretRef): Promise<FunctionSecret>;
  update(
    ref: SecretRef,
    input: Record<string, unknown>,
    actor: string | null,
  ): Promise<FunctionSecret>;
  delete(ref: SecretRef): Promise<void>;
  versions(ref: SecretRef): Promise<FunctionSecretVersion[]>;
  rollback(ref: SecretRef, version: unknown, actor: string | null): Promise<FunctionSecret>;
  stats(): Promise<{ total: number; expiring_soon: number; expired: number }>;
  /** FLUXBASE_SECRET_<NAME> -> value for a job of `namespace`. */
  envForJob(namespace: string): Promise<Record<string, string>>;
  /** The same from rows already read (global first, the namespace's last: they win). */
  envOf(rows: readonly FunctionSecretForJob[]): Record<string, string>;
}

/** A function secret as a job reads it. */
export type FunctionSecretForJob = sql.Sealed & { id: string; name: string };

export const FUNCTION_SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const NAMESPACE = /^[A-Za-z0-9_-]{1,100}$/;

export function checkSecretName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name === "") throw invalidField(field, `${field} is required`);
  if (!FUNCTION_SECRET_NAME.test(name))
    throw invalidField(
      field,
      `${field} must start with a letter or _, then up to 127 letters, digits or _ (it becomes FLUXBASE_SECRET_<NAME>)`,
    );
  return name;
}

function checkNamespace(value: unknown, field = "namespace"): string {
  if (typeof value !== "string" || !NAMESPACE.test(value))
    throw invalidField(field, `${field} must be 1-100 letters, digits, '-' or '_'`);
  return value;
}

/** undefined: not given; null or "": clear. */
function checkExpiry(value: unknown): Date | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === "") return null;
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw invalidField("expires_at", "expires_at must be an ISO 8601 date-time");
  return date;
}

function toWire(row: sql.FunctionSecretRow): FunctionSecret {
  const out: FunctionSecret = {
    id: row.id,
    name: row.name,
    scope: row.scope,
    version: row.version,
    is_expired: row.expires_at !== null && row.expires_at.getTime() <= Date.now(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
  if (row.namespace !== null) out.namespace = row.namespace;
  if (row.description !== null) out.description = row.description;
  if (row.expires_at !== null) out.expires_at = row.expires_at.toISOString();
  if (row.created_by !== null) out.created_by = row.created_by;
  if (row.updated_by !== null) out.updated_by = row.updated_by;
  return out;
}

const aad = (id: string) => `function-secret:${id}`;
const notFound = () => new AppError("NOT_FOUND", "Secret not found", { code: "SECRET_NOT_FOUND" });

export interface FunctionSecretStoreOptions {
  db: Db;
  key: Buffer;
  logger?: Logger;
}

export function createFunctionSecretStore({
  db,
  key,
  logger,
}: FunctionSecretStoreOptions): FunctionSecretStore {
  async function find(ref: SecretRef): Promise<sql.FunctionSecretRow> {
    const row =
      "id" in ref
        ? /^[0-9a-f-]{36}$/i.test(ref.id)
          ? await sql.findFunctionSecretById(db, ref.id)
          : undefined
        : await sql.findFunctionSecret(db, {
            name: checkSecretName(ref.name),
            namespace: ref.namespace ? checkNamespace(ref.namespace) : null,
          });
    if (!row) throw notFound();
    return row;
  }

  const store: FunctionSecretStore = {
    async create(input, actor) {
      const name = checkSecretName(input.name);
      const value = checkValue(input.value);
      const scope = input.scope ?? "global";
      if (scope !== "global" && scope !== "namespace")
        throw invalidField("scope", "scope must be 'global' or 'namespace'");
      const namespace = scope === "namespace" ? checkNamespace(input.namespace) : null;
      const id = randomUUID();
      const row = await sql.insertFunctionSecret(db, {
        id,
        name,
        namespace,
        description: checkDescription(input.description) ?? null,
        expiresAt: checkExpiry(input.expires_at) ?? null,
        actor,
        ...encryptSecret(key, value, aad(id)),
      });
      if (!row)
        throw new AppError("CONFLICT", `Secret '${name}' already exists in this scope`, {
          code: "SECRET_EXISTS",
          field: "name",
        });
      return toWire(row);
    },

    async list(filter) {
      const scope = filter.scope ?? undefined;
      if (scope !== undefined && scope !== "global" && scope !== "namespace")
        throw invalidField("scope", "scope must be 'global' or 'namespace'");
      const namespace =
        filter.namespace === undefined ? undefined : checkNamespace(filter.namespace);
      return (await sql.listFunctionSecrets(db, { scope, namespace })).map(toWire);
    },

    async get(ref) {
      return toWire(await find(ref));
    },

    async update(ref, input, actor) {
      const row = await find(ref);
      const value = input.value === undefined ? undefined : checkValue(input.value);
      const description = checkDescription(input.description);
      const expiresAt = checkExpiry(input.expires_at);
      if (value === undefined && description === undefined && expiresAt === undefined)
        throw invalidField("value", "value, description or expires_at is required");
      const updated = await sql.updateFunctionSecret(db, {
        id: row.id,
        sealed: value === undefined ? undefined : encryptSecret(key, value, aad(row.id)),
        description,
        expiresAt,
        actor,
      });
      if (!updated) throw notFound();
      return toWire(updated);
    },

    async delete(ref) {
      if (!(await sql.deleteFunctionSecret(db, (await find(ref)).id))) throw notFound();
    },

    async versions(ref) {
      const rows = await sql.listFunctionSecretVersions(db, (await find(ref)).id);
      return rows.map((v) => ({
        id: v.id,
        secret_id: v.secret_id,
        version: v.version,
        created_at: v.created_at.toISOString(),
        ...(v.created_by ? { created_by: v.created_by } : {}),
      }));
    },

    async rollback(ref, version, actor) {
      const n = typeof version === "string" ? Number(version) : version;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
        throw invalidField("version", "version must be a positive whole number");
      const row = await find(ref);
      const sealed = await sql.versionCipher(db, row.id, n);
      if (!sealed) throw new AppError("NOT_FOUND", `Version ${n} not found`, { field: "version" });
      const updated = await sql.updateFunctionSecret(db, { id: row.id, sealed, actor });
      if (!updated) throw notFound();
      return toWire(updated);
    },

    stats: () => sql.functionSecretStats(db),

    async envForJob(namespace) {
      return store.envOf(await sql.functionSecretsForJob(db, namespace));
    },

    envOf(rows) {
      const env: Record<string, string> = {};
      for (const row of rows) {
        try {
          const value = decryptSecret(key, row, aad(row.id));
          if (!value.includes("\0")) env[`FLUXBASE_SECRET_${row.name.toUpperCase()}`] = value;
        } catch (err) {
          // Names only: the job sees the secret as missing, and the log says why.
          logger?.warn("function secret skipped: it cannot be decrypted", {
            name: row.name,
            error: (err as Error).message,
          });
        }
      }
      return env;
    },
  };
  return store;
}
