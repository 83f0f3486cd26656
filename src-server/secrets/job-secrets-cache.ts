// The decrypted secrets of a user's jobs in a namespace, kept between jobs. Each entry is
// tagged with the secrets generation it was read at (migration 0021: a counter every
// change of a secret bumps); a claim returns the generation it saw, and an entry older
// than that is read again. So a job never sees secrets older than its submission, and a
// server whose secrets did not change reads them once. An entry also ends when the first
// of its function secrets expires.
import type { JobSecrets } from "./store.ts";

export interface JobSecretsCacheOptions {
  /** The most entries kept (user × namespace); the least recently used goes first. */
  maxEntries?: number;
  /** Milliseconds since the epoch (Date.now by default). */
  now?: () => number;
}

export interface CachedJobSecrets {
  secrets: JobSecrets;
  /** The generation (a bigint as text) the secrets were read at. */
  generation: string;
  /** When the entry stops being valid (ms since the epoch): its first expiring secret. */
  validUntil: number;
}

export interface JobSecretsCache {
  /** A copy of the entry when it is at least of `generation` and still valid. */
  get(userId: string | null, namespace: string, generation: string): JobSecrets | undefined;
  /** Keeps an entry unless a newer one is already kept. */
  set(userId: string | null, namespace: string, entry: CachedJobSecrets): void;
}

const keyOf = (userId: string | null, namespace: string) => `${userId ?? ""}\u0000${namespace}`;

function copy(s: JobSecrets): JobSecrets {
  const out: JobSecrets = { user: { ...s.user }, system: { ...s.system } };
  if (s.functions) out.functions = { ...s.functions };
  return out;
}

export function createJobSecretsCache(options: JobSecretsCacheOptions = {}): JobSecretsCache {
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, CachedJobSecrets>();
  return {
    get(userId, namespace, generation) {
      const key = keyOf(userId, namespace);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (now() >= entry.validUntil) {
        entries.delete(key);
        return undefined;
      }
      if (BigInt(entry.generation) < BigInt(generation)) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return copy(entry.secrets);
    },
    set(userId, namespace, entry) {
      const key = keyOf(userId, namespace);
      const kept = entries.get(key);
      if (kept && BigInt(kept.generation) > BigInt(entry.generation)) return;
      entries.delete(key);
      entries.set(key, { ...entry, secrets: copy(entry.secrets) });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
  };
}
