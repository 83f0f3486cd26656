// System secrets (admin.settings) and the signed-in user's own (settings); which job
// files reference each name (a scan of the jobs folder's sources).
import { defineStore } from "pinia";
import { computed, ref } from "vue";
import type { SecretMetadata, SecretSettingsClient } from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { secretReferences } from "../lib/secret-refs.ts";
import { isAdminRole } from "../../src-shared/roles.ts";
import { useServerData } from "./server-data.ts";
import { useSessionStore } from "./session.ts";

export type SecretScope = "system" | "user";

export const useSecretsStore = defineStore("secrets", () => {
  const revealed = ref<Record<string, string>>({});
  const references = ref<Map<string, string[]>>(new Map());
  const { data, error, loading, refresh, settle } = useServerData<
    Record<SecretScope, SecretMetadata[]>
  >(
    () => ({ system: [], user: [] }),
    async () => {
      // System secrets and the jobs folder are for admins; anyone else has only their own.
      const admin = isAdminRole(useSessionStore().user?.role);
      const [sys, own] = await Promise.all([
        admin ? api().admin.settings.listSecrets() : { data: [], error: null },
        api().settings.listSecrets(),
      ]);
      if (admin) void scanReferences();
      return {
        data: { system: sys.data ?? [], user: own.data ?? [] },
        error: sys.error ?? own.error,
      };
    },
  );
  const system = computed(() => data.value.system);
  const user = computed(() => data.value.user);

  const clientFor = (scope: SecretScope): SecretSettingsClient =>
    scope === "system" ? api().admin.settings : api().settings;

  async function scanReferences(): Promise<void> {
    const { data: entries } = await api().admin.files.listFiles();
    const sources = (entries ?? []).filter(
      (e) => e.type === "file" && /\.(?:ts|js|mts|mjs)$/.test(e.path) && !e.path.endsWith(".d.ts"),
    );
    const files = await Promise.all(
      sources.map(async (e) => ({
        path: e.path,
        content: (await api().admin.files.readFile(e.path)).data?.content ?? "",
      })),
    );
    references.value = secretReferences(files);
  }

  async function save(
    scope: SecretScope,
    key: string,
    value: string,
    description: string,
    existing: boolean,
  ): Promise<boolean> {
    error.value = null;
    const client = clientFor(scope);
    const update: { value?: string; description?: string } = { description };
    if (value) update.value = value;
    const res = existing
      ? await client.updateSecret(key, update)
      : await client.setSecret(key, value, description ? { description } : {});
    if (res.error) {
      error.value = res.error.message;
      return false;
    }
    delete revealed.value[key];
    await refresh();
    return true;
  }

  async function remove(scope: SecretScope, key: string): Promise<void> {
    await settle(await clientFor(scope).deleteSecret(key));
  }

  async function toggleReveal(key: string): Promise<void> {
    if (key in revealed.value) {
      delete revealed.value[key];
      return;
    }
    const res = await api().admin.settings.revealSecret(key);
    if (res.error) error.value = res.error.message;
    else revealed.value = { ...revealed.value, [key]: res.data };
  }

  const referencesOf = (key: string): string[] => references.value.get(key) ?? [];

  return {
    system,
    user,
    revealed,
    references,
    error,
    loading,
    refresh,
    save,
    remove,
    toggleReveal,
    referencesOf,
  };
});
